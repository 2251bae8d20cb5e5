"""Readers: .txt / .docx / .pdf / .html / .htm / .xlsx → text (tables rendered as lines) + tables."""

from __future__ import annotations

import os
import re
import statistics
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .clean import PAGE_NUMBER_RE
from .errors import SUPPORTED_TEXT, ExtractionError
from .model import Table
from .structure import match_heading

MAX_FILE_BYTES = 20 * 1024 * 1024  # files above this size are refused before reading
REFUSED = {
    ".doc": "旧版Word文档（.doc）",
    ".wps": "WPS文字文档（.wps）",
    ".ofd": "OFD版式文档（.ofd）",
    ".xls": "旧版Excel表格（.xls）",
    ".et": "WPS表格（.et）",
    ".rtf": "RTF文档（.rtf）",
}


@dataclass
class Document:
    text: str
    tables: list[Table] = field(default_factory=list)
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


def read_document(path: str | Path) -> Document:
    path = Path(path)
    ext = path.suffix.lower()
    if ext in REFUSED:
        raise ExtractionError(
            f"不支持{REFUSED[ext]}，请另存为可读取的格式后再导入。可读取的格式：{SUPPORTED_TEXT}",
            str(path),
        )
    if ext not in (".txt", ".text", ".docx", ".pdf", ".html", ".htm", ".xlsx"):
        raise ExtractionError(
            f"不支持的文件类型“{ext or '无扩展名'}”。可读取的格式：{SUPPORTED_TEXT}", str(path)
        )
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ExtractionError("文件不存在", str(path))
    except OSError as e:
        raise ExtractionError(f"无法访问文件（{e.strerror or e}）", str(path))
    if st.st_size > MAX_FILE_BYTES:
        raise ExtractionError(
            f"文件过大（{st.st_size / 1024 / 1024:.1f} MB），超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限",
            str(path),
        )
    if st.st_size == 0:
        raise ExtractionError("文件为空，没有可提取的内容", str(path))
    try:
        if ext in (".txt", ".text"):
            doc = Document(read_txt_bytes(path.read_bytes()))
        elif ext == ".docx":
            doc = read_docx(path)
        elif ext == ".pdf":
            doc = read_pdf(path)
        elif ext in (".html", ".htm"):
            doc = read_html_bytes(path.read_bytes())
        else:
            doc = read_xlsx(path)
    except ExtractionError as e:
        e.path = e.path or str(path)
        raise
    except PermissionError:
        raise ExtractionError("没有读取该文件的权限", str(path))
    if not doc.text.strip():
        raise ExtractionError("文件中没有可提取的文字", str(path))
    return doc


# --- txt ---------------------------------------------------------------------------------
def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return ctrl > max(3, len(head) // 50)


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except Exception:  # pragma: no cover
        pass
    return data.decode("gb18030", errors="replace")


def _garbage_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 1.0
    good = sum(
        1
        for ch in sample
        if ch.isspace()
        or "\u4e00" <= ch <= "\u9fff"
        or 32 <= ord(ch) < 127
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’—…·《》〔〕①②③④⑤⑥⑦⑧⑨⑩"
    )
    return 1 - good / len(sample)


def read_txt_bytes(data: bytes) -> str:
    if _looks_binary(data):
        raise ExtractionError("文件内容是二进制数据，不是文本文件（.txt）")
    text = decode_text(data)
    if _garbage_ratio(text) > 0.3:
        raise ExtractionError("无法识别文件的文字编码，内容可能已损坏或不是文本文件")
    return text


# --- docx --------------------------------------------------------------------------------
def _table_lines(rows: list[list[str]]) -> list[str]:
    return [" | ".join(re.sub(r"\s*\n\s*", " ", c).strip() for c in row) for row in rows]


def read_docx(path: Path) -> Document:
    if not zipfile.is_zipfile(path):
        raise ExtractionError(
            "不是有效的Word文档（.docx），文件可能已加密、损坏，或是改了扩展名的其他文件"
        )
    with zipfile.ZipFile(path) as z:
        if "word/document.xml" not in z.namelist():
            raise ExtractionError("这个压缩包不是Word文档（.docx）：其中没有word/document.xml")
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover
        raise ExtractionError("缺少python-docx组件，无法读取.docx")
    try:
        d = docx.Document(str(path))
    except Exception as e:
        raise ExtractionError(f"Word文档无法打开（{type(e).__name__}）")
    numbering = _DocxNumbering(d)
    lines: list[str] = []
    tables: list[Table] = []
    pos = 0
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, d)
            t = numbering.prefix(p) + p.text
            lines.append(t)
            pos += len(t) + 1
        elif tag == "tbl":
            tb = DocxTable(child, d)
            rows = []
            for r in tb.rows:
                cells = []
                prev = None
                for c in r.cells:
                    if c._tc is prev:  # horizontally merged cell repeated
                        continue
                    prev = c._tc
                    cells.append(c.text.strip())
                rows.append(cells)
            tl = _table_lines(rows)
            start = pos
            for ln in tl:
                lines.append(ln)
                pos += len(ln) + 1
            tables.append(Table(rows=rows, start=start, end=pos))
    return Document("\n".join(lines), tables)


class _DocxNumbering:
    """Rebuild automatic list numbers (一、 / (一) / 1.) that Word keeps out of the text."""

    FMT = {
        "chineseCounting": "cn",
        "chineseCountingThousand": "cn",
        "ideographTraditional": "cn",
        "decimal": "dec",
        "decimalFullWidth": "dec",
        "decimalEnclosedCircle": "circ",
        "decimalEnclosedCircleChinese": "circ",
        "ideographDigital": "cn",
    }

    def __init__(self, d):
        self.levels: dict[tuple[str, str], tuple[str, str]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            part = d.part.numbering_part
        except Exception:
            return
        ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        root = part.element
        abstract = {}
        for a in root.iter(ns + "abstractNum"):
            lv = {}
            for lvl in a.iter(ns + "lvl"):
                fmt = lvl.find(ns + "numFmt")
                txt = lvl.find(ns + "lvlText")
                lv[lvl.get(ns + "ilvl")] = (
                    fmt.get(ns + "val") if fmt is not None else "decimal",
                    txt.get(ns + "val") if txt is not None else "%1.",
                )
            abstract[a.get(ns + "abstractNumId")] = lv
        for n in root.iter(ns + "num"):
            aid = n.find(ns + "abstractNumId")
            if aid is not None:
                for ilvl, spec in abstract.get(aid.get(ns + "val"), {}).items():
                    self.levels[(n.get(ns + "numId"), ilvl)] = spec
        self.ns = ns

    def prefix(self, p) -> str:
        if not self.levels:
            return ""
        ns = self.ns
        ppr = p._p.pPr
        numpr = ppr.find(ns + "numPr") if ppr is not None else None
        if numpr is None:  # numbering set by the paragraph style (List Number, 标题 1…)
            try:
                sppr = p.style.element.pPr if p.style is not None else None
            except Exception:
                sppr = None
            numpr = sppr.find(ns + "numPr") if sppr is not None else None
        if numpr is None:
            return ""
        nid = numpr.find(ns + "numId")
        ilvl = numpr.find(ns + "ilvl")
        key = (
            nid.get(ns + "val") if nid is not None else "",
            ilvl.get(ns + "val") if ilvl is not None else "0",
        )
        spec = self.levels.get(key)
        if not spec or match_heading(p.text or ""):
            return ""
        # restart deeper levels
        for k in list(self.counters):
            if k[0] == key[0] and int(k[1]) > int(key[1]):
                del self.counters[k]
        self.counters[key] = self.counters.get(key, 0) + 1
        n = self.counters[key]
        kind = self.FMT.get(spec[0], "dec")
        if kind == "cn":
            s = _cn_number(n)
        elif kind == "circ":
            s = chr(0x2460 + n - 1) if n <= 20 else str(n)
        else:
            s = str(n)
        return re.sub(r"%\d", s, spec[1])


def _cn_number(n: int) -> str:
    d = "零一二三四五六七八九"
    if n < 10:
        return d[n]
    if n < 20:
        return "十" + (d[n % 10] if n % 10 else "")
    if n < 100:
        return d[n // 10] + "十" + (d[n % 10] if n % 10 else "")
    return str(n)


# --- pdf ---------------------------------------------------------------------------------
def read_pdf(path: Path) -> Document:
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover
        raise ExtractionError("缺少pdfplumber组件，无法读取PDF")
    with open(path, "rb") as fh:
        magic = fh.read(1024)
    if b"%PDF" not in magic:
        raise ExtractionError("不是有效的PDF文件")
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as e:
        name = type(e).__name__ + " " + " ".join(type(a).__name__ for a in getattr(e, "args", ()))
        name += " " + type(e.__context__).__name__ if e.__context__ is not None else ""
        if "Password" in name or "Encrypt" in name or "password" in repr(e).lower():
            raise ExtractionError("PDF文件已加密（设有密码），无法读取，请提供未加密的版本")
        raise ExtractionError(f"PDF文件无法打开，可能已损坏（{type(e).__name__}）")
    pages: list[list[dict]] = []
    tables: list[Table] = []
    try:
        with pdf:
            for page in pdf.pages:
                try:
                    page_tables = _pdf_tables(page)
                    if page_tables:
                        boxes = [bbox for bbox, _ in page_tables]
                        tables.extend(Table(rows=rows) for _, rows in page_tables)
                        page = page.filter(lambda obj, boxes=boxes: not _inside(obj, boxes))
                    lines = page.extract_text_lines(layout=False, strip=True, return_chars=False)
                except Exception as e:
                    if "password" in str(e).lower() or "encrypt" in str(e).lower():
                        raise ExtractionError(
                            "PDF文件已加密（设有密码），无法读取，请提供未加密的版本"
                        )
                    lines = []
                pages.append([ln for ln in lines if ln.get("text", "").strip()])
    except ExtractionError:
        raise
    except Exception as e:
        msg = str(e).lower()
        if "password" in msg or "encrypt" in msg:
            raise ExtractionError("PDF文件已加密（设有密码），无法读取，请提供未加密的版本")
        raise ExtractionError(f"PDF文件读取失败（{type(e).__name__}）")
    n_pages = len(pages)
    if not any(pages):
        raise ExtractionError(
            "PDF没有文本层（可能是扫描件或图片），不支持OCR，请提供带文字的PDF或Word文档"
        )
    text = _pdf_paragraphs(pages)
    if tables:  # 分工表 / 指标表 rows go after the running text
        start = len(text) + 1
        lines = [text]
        for tb in tables:
            tl = _table_lines(tb.rows)
            tb.start = start
            lines.extend(tl)
            start += sum(len(x) + 1 for x in tl)
            tb.end = start
        text = "\n".join(lines)
    return Document(text, tables, pages=n_pages)


def _inside(obj, boxes) -> bool:
    x0, top = obj.get("x0", 0), obj.get("top", 0)
    return any(b[0] - 1 <= x0 <= b[2] + 1 and b[1] - 1 <= top <= b[3] + 1 for b in boxes)


def _pdf_tables(page):
    """Ruled tables with a 分工表/指标表 header: (bbox, rows)."""
    from .tasks import _header_map

    out = []
    try:
        found = page.find_tables()
    except Exception:
        return out
    for t in found:
        try:
            rows = [[(c or "").replace("\n", "") for c in r] for r in t.extract()]
        except Exception:
            continue
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        head = " ".join(" ".join(r) for r in rows[:3])
        if any(_header_map(r) for r in rows[:3]) or re.search(r"指标", head):
            out.append((t.bbox, rows))
    return out


def _norm_furniture(s: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", s))


def _pdf_paragraphs(pages: list[list[dict]]) -> str:
    n = len(pages)
    edge = Counter()
    for lines in pages:
        seen = set()
        for ln in lines[:2] + lines[-2:]:
            k = _norm_furniture(ln["text"])
            if k not in seen:
                seen.add(k)
                edge[k] += 1
    repeated = {k for k, c in edge.items() if n >= 2 and c >= max(2, (n + 1) // 2)}
    body: list[dict] = []
    for lines in pages:
        for j, ln in enumerate(lines):
            at_edge = j < 2 or j >= len(lines) - 2
            t = ln["text"].strip()
            if at_edge and (_norm_furniture(t) in repeated or PAGE_NUMBER_RE.match(t)):
                continue
            if PAGE_NUMBER_RE.match(t) and len(t) <= 12:
                continue
            body.append(ln)
    if not body:
        return ""
    widths = [
        (ln["x1"] - ln["x0"]) / max(1, len(ln["text"])) for ln in body if len(ln["text"]) >= 4
    ]
    cw = statistics.median(widths) if widths else 10.0
    right = (
        statistics.quantiles([ln["x1"] for ln in body], n=10)[-1]
        if len(body) >= 10
        else max(ln["x1"] for ln in body)
    )
    left = (
        statistics.quantiles([ln["x0"] for ln in body], n=10)[0]
        if len(body) >= 10
        else min(ln["x0"] for ln in body)
    )
    out: list[str] = []
    cur = ""
    for k, ln in enumerate(body):
        t = ln["text"].strip()
        if cur:
            joiner = " " if re.search(r"[A-Za-z0-9]$", cur) and re.match(r"[A-Za-z0-9]", t) else ""
            cur += joiner + t
        else:
            cur = t
        nxt = body[k + 1] if k + 1 < len(body) else None
        full = ln["x1"] >= right - 1.5 * cw and not re.search(r"[。！？]$", t)
        if nxt is None:
            break
        nt = nxt["text"].strip()
        new_para = (
            not full
            or nxt["x0"] > left + 1.2 * cw
            or match_heading(nt) is not None
            or PAGE_NUMBER_RE.match(nt)
        )
        if new_para:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return "\n".join(out)


# --- html --------------------------------------------------------------------------------
BOILER_ATTR_RE = re.compile(
    r"nav|menu|footer|foot|header|head(?!line)|breadcrumb|crumb|share|comment|sidebar|side-|aside|related|"
    r"copyright|banner|toolbar|print|qrcode|ewm|erweima|login|search|friend|links?$|recommend|hot|ad-|advert|"
    r"position|location|weizhi|tool|bottom|topbar|top-bar",
    re.I,
)
BLOCK_TAGS = {
    "td",
    "th",
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "center",
    "main",
    "form",
    "hr",
    "tbody",
    "thead",
}
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "button",
    "select",
    "input",
    "textarea",
    "svg",
    "object",
    "embed",
    "template",
    "link",
    "meta",
)


def _html_charset(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", data[:4096], re.I)
    return m.group(1).decode("ascii", "ignore").lower() if m else None


def decode_html(data: bytes) -> str:
    cs = _html_charset(data)
    if cs:
        if cs in ("gb2312", "gbk", "gb_2312-80"):
            cs = "gb18030"
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _text_len(el) -> int:
    return len(re.sub(r"\s", "", el.text_content() or ""))


def _link_len(el) -> int:
    return sum(len(re.sub(r"\s", "", a.text_content() or "")) for a in el.iter("a"))


def read_html_bytes(data: bytes) -> Document:
    try:
        import lxml.html
    except ImportError:  # pragma: no cover
        raise ExtractionError("缺少lxml组件，无法读取网页")
    if _looks_binary(data):
        raise ExtractionError("文件内容是二进制数据，不是网页文件")
    html = decode_html(data)
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:
        raise ExtractionError("网页无法解析")
    title_el = root.find(".//title")
    page_title = (title_el.text_content().strip() if title_el is not None else "") or ""
    h1 = next((h.text_content().strip() for h in root.iter("h1") if h.text_content().strip()), "")
    for el in list(root.iter(*DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        attrs = " ".join(filter(None, [el.get("class"), el.get("id")]))
        if attrs and BOILER_ATTR_RE.search(attrs) and el.tag not in ("body", "html"):
            # keep big text blocks even if badly named
            tl = _text_len(el)
            if tl < 400 or _link_len(el) > 0.3 * tl:
                el.drop_tree()
    best = _main_content(root)
    tables: list[Table] = []
    lines: list[str] = []
    _emit(best, lines, tables)
    text_lines = [ln.strip() for ln in lines]
    text = "\n".join(text_lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # the title often sits outside the content block
    head = h1 or page_title
    if head and head not in text[:500]:
        head = re.split(r"[_|\-–—]{1,2}", head)[0].strip() if not h1 else head
        text = head + "\n" + text
    # recompute table spans in the final text
    pos_tables = []
    for tb in tables:
        first = " | ".join(tb.rows[0]) if tb.rows else ""
        i = text.find(first) if first else -1
        if i >= 0:
            tb.start, tb.end = i, i + len("\n".join(" | ".join(r) for r in tb.rows))
        pos_tables.append(tb)
    return Document(text, pos_tables)


def _main_content(root):
    """Pick the element holding the main text: most sentence punctuation, few links."""
    body = root.find(".//body")
    if body is None:
        body = root
    scores: dict = {}
    for el in body.iter("p", "div", "td", "section", "article", "span", "font", "li"):
        own = (el.text or "") + "".join((c.tail or "") for c in el)
        own_len = len(re.sub(r"\s", "", own))
        if el.tag in ("p",) or own_len >= 20:
            txt = el.text_content() if el.tag == "p" else own
            punct = len(re.findall(r"[，。；、：,]", txt))
            s = punct + min(len(txt), 1000) / 100
            if s <= 0:
                continue
            parent = el.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0) + s
                gp = parent.getparent()
                if gp is not None:
                    scores[gp] = scores.get(gp, 0) + s / 2
            if el.tag != "p":
                scores[el] = scores.get(el, 0) + s
    if not scores:
        return body
    best = None
    best_score = -1.0
    for el, s in scores.items():
        tl = _text_len(el) or 1
        ld = _link_len(el) / tl
        sc = s * (1 - ld)
        if sc > best_score:
            best, best_score = el, sc
    # climb while the parent adds text that is not links (the content spread over siblings)
    node = best
    while node is not None and node.getparent() is not None and node.getparent() is not body:
        par = node.getparent()
        pl, nl = _text_len(par), _text_len(node)
        extra = pl - nl
        if extra <= 0:
            node = par
            continue
        if (_link_len(par) - _link_len(node)) / extra < 0.3 and scores.get(
            par, 0
        ) > 1.3 * scores.get(node, 0):
            node = par
        else:
            break
    return node


def _is_data_table(node) -> bool:
    """A table of data (分工表, 指标表), not a page-layout table holding the article."""
    if any(t is not node for t in node.iter("table")):
        return False
    rows = [
        [td for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        for tr in node.iter("tr")
    ]
    rows = [r for r in rows if r]
    multi = [r for r in rows if sum(1 for td in r if td.text_content().strip()) >= 2]
    if len(multi) < 2:
        return False
    lens = [len(td.text_content().strip()) for r in rows for td in r]
    return sum(lens) / max(1, len(lens)) < 150


def _emit(el, lines: list[str], tables: list[Table]) -> None:
    """Depth-first text with newlines at block elements; tables as ' | ' rows; link lists dropped."""
    cur: list[str] = []

    def flush():
        s = "".join(cur).strip()
        if s:
            lines.append(s)
        cur.clear()

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "table" and _is_data_table(node):
            rows = []
            for tr in node.iter("tr"):
                cells = [
                    re.sub(r"\s+", " ", td.text_content()).strip()
                    for td in tr
                    if isinstance(td.tag, str) and td.tag in ("td", "th")
                ]
                if any(cells):
                    rows.append(cells)
            if rows and max(len(r) for r in rows) >= 2:
                flush()
                tables.append(Table(rows=rows))
                lines.extend(_table_lines(rows))
                if node.tail and node.tail.strip():
                    cur.append(node.tail)
                return
        if tag in ("ul", "ol", "div", "dl") and node is not el:
            tl = _text_len(node)
            if tl and tl < 600 and _link_len(node) > 0.6 * tl:
                flush()
                if node.tail and node.tail.strip():
                    cur.append(node.tail)
                return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        if node.text and tag not in ("script", "style"):
            cur.append(node.text)
        for c in node:
            walk(c)
        if block:
            flush()
        if node.tail and node is not el:
            cur.append(node.tail)

    walk(el)
    flush()


# --- xlsx --------------------------------------------------------------------------------
def read_xlsx(path: Path) -> Document:
    if not zipfile.is_zipfile(path):
        raise ExtractionError(
            "不是有效的Excel表格（.xlsx），文件可能已加密、损坏，或是改了扩展名的其他文件"
        )
    with zipfile.ZipFile(path) as z:
        if "xl/workbook.xml" not in z.namelist():
            raise ExtractionError("这个压缩包不是Excel表格（.xlsx）：其中没有xl/workbook.xml")
    try:
        import openpyxl
    except ImportError:  # pragma: no cover
        raise ExtractionError("缺少openpyxl组件，无法读取.xlsx")
    try:
        wb = openpyxl.load_workbook(str(path), data_only=True)
    except Exception as e:
        raise ExtractionError(f"Excel表格无法打开（{type(e).__name__}）")
    lines: list[str] = []
    tables: list[Table] = []
    pos = 0
    for ws in wb.worksheets:
        grid = [
            [("" if v is None else str(v).strip()) for v in row]
            for row in ws.iter_rows(values_only=True)
        ]
        for rng in ws.merged_cells.ranges:  # fill merged cells with their value
            v = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else ""
            for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                    if rng.max_col > rng.min_col and rng.max_row == rng.min_row:
                        continue  # a title row spread over columns: keep once
                    grid[r][c] = v
        grid = [row for row in grid if any(row)]
        title_rows = []
        while grid and sum(1 for c in grid[0] if c) == 1 and len(grid) > 1:
            title_rows.append(next(c for c in grid[0] if c))
            grid = grid[1:]
        for t in title_rows:
            lines.append(t)
            pos += len(t) + 1
        if grid:
            width = max(len(r) for r in grid)
            rows = [r + [""] * (width - len(r)) for r in grid]
            tl = _table_lines(rows)
            start = pos
            for ln in tl:
                lines.append(ln)
                pos += len(ln) + 1
            tables.append(Table(rows=rows, start=start, end=pos))
    return Document("\n".join(lines), tables)
