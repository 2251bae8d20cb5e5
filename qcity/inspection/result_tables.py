"""Reading published sampling-result tables (合格/不合格产品信息 attachments) into normalized rows.
Pure Python, no Django.

Layout and quirks follow REFERENCE.md §12 (national food-sampling layout; the industrial
监督抽查 layout with 受检单位 / 产品名称 / 承检机构). Formats: .xlsx (openpyxl), .xls (xlrd), .csv
in UTF-8 or GBK/GB18030, and HTML ``<table>``. Quirks handled:

* title and announcement rows above the header; the header row is found by scoring rows;
* header synonyms (标称/标识, 被抽样/被抽检单位, 食品/产品名称, 检验/承检机构 …), line breaks and
  spaces inside header cells, traditional characters, two-row headers;
* merged cells (xlsx/xls merged ranges, HTML rowspan/colspan): the value is copied to every
  cell of the range;
* rows shifted left or right by one or two columns against the header (detected from the
  序号 and date columns; corrected and reported);
* notes rows (注：…, 备注, 合计), section rows (一、粮食加工品), blank rows and repeated header
  rows (tables glued across pages);
* full-width characters; "/" and similar placeholders meaning empty;
* dates as 2021-04-15, 2019/5/21, 2019.4.20, 2021年4月15日, 20210415, Excel serials or date
  cells, with "(购进日期)" / "(购进)" / "加工日期" markers; a non-date in 生产日期/批号 is a batch
  number;
* the combined 不合格项目║检验结果║标准值 cell (separators ║ ‖ 丨 |; order taken from the
  header, including limit-before-result; labels inside the cell; several items, one per
  line) as well as separate item / result / limit columns;
* results in scientific notation with a lost superscript (handled by ``values``).

Each normalized row is a dict with the keys in ``FIELDS`` plus ``sheet``, ``row`` (1-based
source row), ``section``, ``date_kind`` (生产日期/购进日期/加工日期/批号), ``batch`` and ``items``
(list of {item, result, limit, verdict, reasons}). Problems go to ``errors`` as
``RowError(row, column, reason)`` with a Chinese reason; ``level`` is 错误 (value dropped) or
提示 (value kept, corrected or worth a look).

Rules used: none from the rule table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import values

SEPARATORS = "║‖丨|｜"
_SEP_RE = re.compile(f"[{re.escape(SEPARATORS)}]")
_EMPTY = {"", "/", "／", "—", "——", "-", "--", "\\", "无", "空"}

# field -> exact synonyms after header normalisation (NFKC, simplified, no whitespace)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "sample_no": ("抽样编号", "抽样单编号", "样品编号", "抽检编号", "报告编号"),
    "seq": ("序号", "编号", "No.", "NO."),
    "producer_name": (
        "标称生产企业名称",
        "标识生产企业名称",
        "标称生产者名称",
        "标识生产者名称",
        "生产企业名称",
        "生产者名称",
        "标称生产企业",
        "生产企业",
        "标称生产单位名称",
        "生产单位名称",
        "生产单位",
        "标称生产企业名称(委托方)",
        "标称生产企业/进口代理商名称",
    ),
    "producer_code": (
        "标称生产企业统一社会信用代码",
        "生产企业统一社会信用代码",
        "统一社会信用代码",
        "生产者统一社会信用代码",
    ),
    "producer_address": (
        "标称生产企业地址",
        "标识生产企业地址",
        "标称生产者地址",
        "生产企业地址",
        "生产者地址",
        "生产单位地址",
        "标称生产企业/进口代理商地址",
    ),
    "sampled_unit": (
        "被抽样单位名称",
        "被抽检单位名称",
        "被抽样单位",
        "被抽检单位",
        "受检单位名称",
        "受检单位",
        "被检单位",
        "被检单位名称",
        "被抽样单位名称(经营者)",
        "受检企业",
        "受检企业名称",
    ),
    "sampled_address": (
        "被抽样单位地址",
        "被抽检单位地址",
        "受检单位地址",
        "被检单位地址",
        "受检企业地址",
    ),
    "product_name": ("食品名称", "产品名称", "样品名称", "抽样样品名称", "食品名称(样品名称)"),
    "spec": ("规格型号", "规格", "型号", "规格/型号", "规格或型号"),
    "brand": ("商标", "品牌", "商标/品牌", "注册商标"),
    "production_date": (
        "生产日期/批号",
        "生产日期或批号",
        "生产日期(批号)",
        "生产日期",
        "批号",
        "生产日期/批次",
        "生产(购进)日期",
        "生产日期/购进日期",
        "生产日期/批号/购进日期",
        "生产批号",
        "生产日期、批号",
        "生产(加工)日期/批号",
        "购进日期",
        "进货日期",
        "购进日期/批号",
        "生产日期/购进日期/批号",
    ),
    "item": ("不合格项目", "检验项目", "不合格项目名称", "抽检项目", "不合格检验项目", "项目名称"),
    "result": ("检验结果", "实测值", "检测结果", "检验结果值", "检测值"),
    "limit": ("标准值", "标准要求", "标准规定值", "标准限值", "标准指标", "标准规定", "技术要求"),
    "category": (
        "分类",
        "食品分类",
        "食品类别",
        "产品类别",
        "类别",
        "食品大类",
        "食品细类",
        "产品分类",
    ),
    "sampled_on": ("抽样日期", "抽检日期", "采样日期"),
    "notice_no": ("公告号", "公告编号", "通告号", "公告文号"),
    "notice_date": ("公告日期", "公布日期", "通告日期", "发布日期"),
    "task_source": (
        "任务来源/项目名称",
        "任务来源",
        "任务来源(项目名称)",
        "任务来源/抽检类型",
        "抽检类型",
    ),
    "lab": ("检验机构", "承检机构", "检验机构名称", "检测机构", "承检单位", "检验单位"),
    "verdict": ("检验结论", "结论", "判定结论", "结果判定", "抽检结论"),
    "remark": ("备注",),
}
FIELDS = tuple(SYNONYMS)
_ITEM_LABELS = {
    "item": ("不合格项目", "检验项目", "项目"),
    "result": ("检验结果", "检测结果", "实测值", "结果"),
    "limit": ("标准值", "标准要求", "标准规定值", "标准限值", "标准"),
}
_KNOWN_LABELS = {k for syn in SYNONYMS.values() for k in syn} | {
    lab for labels in _ITEM_LABELS.values() for lab in labels if len(lab) >= 4
}
_NAME_FIELDS = {"producer_name", "producer_address", "sampled_unit", "sampled_address", "lab"}
_NOTE_START = (
    "注",
    "备注",
    "说明",
    "数据来源",
    "*",
    "※",
    "合计",
    "共计",
    "总计",
    "制表",
    "附件",
    "填表",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str
    sheet: str = ""
    level: str = "错误"


@dataclass
class ReadResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    layout: str = ""  # "food" or "product"


# --------------------------------------------------------------------------- text helpers

_T2S = None


def _simplify(text: str) -> str:
    global _T2S
    if _T2S is None:
        try:
            from opencc import OpenCC

            _T2S = OpenCC("t2s").convert
        except Exception:  # pragma: no cover - opencc is a declared dependency
            _T2S = values.normalize
    return _T2S(text)


def simplify(text: str | None) -> str:
    """Simplified-character, NFKC copy of a published text, for matching and search only: the
    published text itself is kept as published."""
    return _simplify(unicodedata.normalize("NFKC", text or ""))


def _raw_key(text: object) -> str:
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = _simplify(s)
    s = re.sub(r"\s+", "", s).strip("*※:：")
    return _SEP_RE.sub("║", s)


def _dedupe(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def _distance1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one inserted, deleted or replaced character."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def fix_label(part: str) -> str:
    """A header label as the publisher meant it: typed labels carry doubled characters
    ("检验结结果") or one wrong/missing character; only unambiguous corrections of labels of
    four or more characters are made, so a short or unknown label is left alone."""
    if not part or part in _KNOWN_LABELS:
        return part
    d = _dedupe(part)
    if d in _KNOWN_LABELS:
        return d
    if len(part) < 4:
        return part
    near = {lab for lab in _KNOWN_LABELS if len(lab) >= 4 and _distance1(d, lab)}
    return near.pop() if len(near) == 1 else part


def header_key(text: object) -> str:
    key = _raw_key(text)
    return "║".join(fix_label(p) for p in key.split("║"))


def _combined_order(key: str) -> list[str] | None:
    """For a header like 不合格项目║检验结果║标准值, the order of the parts; None if not combined."""
    found = []
    for f, labels in _ITEM_LABELS.items():
        pos = [key.find(lab) for lab in labels[:-1] if lab in key]
        if pos:
            found.append((min(pos), f))
    if len(found) >= 2 and ("║" in key or len(found) == 3):
        return [f for _, f in sorted(found)]
    return None


def match_header(cell: object) -> tuple[str, list[str] | None] | None:
    key = header_key(cell)
    if not key:
        return None
    order = _combined_order(key)
    if order:
        return "items", order
    for f, syn in SYNONYMS.items():
        if key in syn:
            return f, None
    # loose rules for variants not listed
    if "地址" in key:
        if "生产" in key:
            return "producer_address", None
        if any(w in key for w in ("抽样", "抽检", "受检", "被检")):
            return "sampled_address", None
    if "名称" in key or "企业" in key or "单位" in key:
        if "生产" in key:
            return "producer_name", None
        if any(w in key for w in ("抽样", "抽检", "受检", "被检")):
            return "sampled_unit", None
    if "日期" in key and ("生产" in key or "批号" in key):
        return "production_date", None
    return None


def cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").replace("\u3000", " ")
    return "\n".join(part.strip() for part in s.split("\n")).strip()


def _clean(v: object) -> str | None:
    s = cell_text(v)
    return None if unicodedata.normalize("NFKC", s).strip() in _EMPTY else s


# --------------------------------------------------------------------------- dates

_DATE_MARKER_RE = re.compile(r"(购进日期|购进|进货日期|加工日期|生产日期|检验日期)")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE_RE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


def parse_date(v: object, default_kind: str = "生产日期") -> tuple[dt.date | None, str, str | None]:
    """-> (date, kind, problem). ``kind`` is 生产日期/购进日期/加工日期 (from a marker in the
    cell, else ``default_kind``, which the column label gives), or 批号 when the text is a batch
    number rather than a date; ``problem`` is a Chinese message for a malformed date.
    Traditional markers (購進日期) are read like simplified ones."""
    if isinstance(v, dt.datetime):
        return v.date(), default_kind, None
    if isinstance(v, dt.date):
        return v, default_kind, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if 20000 < v < 80000:  # an Excel serial that lost its date format
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(v)), default_kind, None
        v = cell_text(v)
    s = _simplify(unicodedata.normalize("NFKC", cell_text(v)))
    kind = default_kind
    if "生产" in s:
        kind = "生产日期"
    if "购进" in s or "进货" in s:
        kind = "购进日期"
    elif "加工" in s and "生产" not in s:
        kind = "加工日期"
    s = _DATE_MARKER_RE.sub(" ", s)
    s = re.sub(r"[()\[\]:：]", " ", s).strip()
    if s in _EMPTY:
        return None, kind, None
    m = _DATE_RE.search(s) or _COMPACT_DATE_RE.search(s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), kind, None
        except ValueError:
            return None, kind, f"无法识别的日期“{cell_text(v)}”"
    if re.match(r"^\d{4}\s*[-/.年]", s):
        return None, kind, f"日期不完整或无法识别“{cell_text(v)}”"
    return None, "批号", None


# --------------------------------------------------------------------------- items


_LABEL_RES = {
    lab: re.compile("".join(re.escape(ch) + "+" for ch in lab))
    for labels in _ITEM_LABELS.values()
    for lab in labels
}


def _strip_label(part: str) -> tuple[str | None, str]:
    p = part.strip()
    key = _simplify(unicodedata.normalize("NFKC", p))
    for f, labels in _ITEM_LABELS.items():
        for lab in labels:
            # a doubled character inside a typed label ("检验结结果") is still the label
            m = _LABEL_RES[lab].match(key)
            if m:
                rest = p[m.end() :].lstrip(":： ")
                if rest and lab in ("项目", "结果", "标准") and rest[0] in "值名要规":
                    continue
                return f, rest
    return None, p


def _looks_like_limit(text: str) -> bool:
    lim = values.parse_limit(text)
    if lim.kind in ("absent", "negative", "plan"):
        return True
    t = values.normalize(text)
    return lim.kind == "range" and bool(
        re.match(r"^(≤|≥|<|>|不大于|不小于|不高于|不低于|不超过)", t)
    )


def parse_items(text: str | None, order: list[str] | None = None) -> tuple[list[dict], list[str]]:
    """Split a combined 不合格项目║检验结果║标准值 cell. -> (items, problems)."""
    if not text:
        return [], []
    order = order or ["item", "result", "limit"]
    items, problems = [], []
    for line in re.split(r"\n+", text):
        line = re.sub(r"^\s*(?:\d+[.、)]|[①-⑳]|\(\d+\))\s*", "", line).strip()
        if not line:
            continue
        parts = [p.strip() for p in _SEP_RE.split(line)]
        rec: dict = {"item": None, "result": None, "limit": None}
        labelled = [_strip_label(p) for p in parts]
        if any(f for f, _ in labelled):
            free = [f for f in order if f not in {f for f, _ in labelled if f}]
            for f, v in labelled:
                rec[f or (free.pop(0) if free else "item")] = v or None
        else:
            for f, v in zip(order, parts, strict=False):
                rec[f] = v or None
            if len(parts) > len(order):
                problems.append(f"“{line}”的分隔段数多于表头所列")
            if (
                len(parts) == 3
                and order.index("result") < order.index("limit")
                and _looks_like_limit(rec["result"] or "")
                and not _looks_like_limit(rec["limit"] or "")
            ):
                rec["result"], rec["limit"] = rec["limit"], rec["result"]
                problems.append(f"“{line}”的检验结果与标准值位置对调，已按内容纠正")
        items.append(rec)
    return items, problems


def _judge(items: list[dict]) -> None:
    for it in items:
        j = values.judge(it.get("result"), it.get("limit"))
        it["verdict"], it["reasons"] = j.verdict, j.reasons


# --------------------------------------------------------------------------- file readers


def _expand_merges(grid: list[list], ranges) -> None:
    for r1, r2, c1, c2 in ranges:  # 0-based, end-exclusive
        v = grid[r1][c1] if r1 < len(grid) and c1 < len(grid[r1]) else None
        for r in range(r1, min(r2, len(grid))):
            row = grid[r]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2):
                row[c] = v


def read_xlsx(data: bytes) -> list[tuple[str, list[list]]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    out = []
    for ws in wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        ranges = [
            (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges
        ]
        _expand_merges(grid, ranges)
        out.append((ws.title, grid))
    return out


def read_xls(data: bytes) -> list[tuple[str, list[list]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception:
        book = xlrd.open_workbook(file_contents=data)
    out = []
    for sh in book.sheets():
        grid = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    except Exception:
                        row.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                else:
                    row.append(cell.value)
            grid.append(row)
        _expand_merges(grid, getattr(sh, "merged_cells", []))
        out.append((sh.name, grid))
    return out


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK), else best guess."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best else data.decode("utf-8", errors="replace")


def read_csv(data: bytes) -> list[tuple[str, list[list]]]:
    text = decode_text(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [("", [list(r) for r in csv.reader(io.StringIO(text), dialect)])]


def read_html(data: bytes | str) -> list[tuple[str, list[list]]]:
    from bs4 import BeautifulSoup

    if isinstance(data, bytes):
        m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
        try:
            data = data.decode(m.group(1).decode("ascii")) if m else decode_text(data)
        except (LookupError, UnicodeDecodeError):
            data = decode_text(data)
    soup = BeautifulSoup(data, "lxml")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    out = []
    for n, table in enumerate(soup.find_all("table"), 1):
        grid: list[list] = []
        pending: dict[tuple[int, int], str] = {}  # cells filled by rowspan from above
        trs = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        for r, tr in enumerate(trs):
            row: list = []
            c = 0
            for td in tr.find_all(["td", "th"], recursive=False):
                while (r, c) in pending:
                    row.append(pending.pop((r, c)))
                    c += 1
                text = td.get_text()
                rs = _span(td.get("rowspan"))
                cs = _span(td.get("colspan"))
                for k in range(cs):
                    row.append(text)
                    for dr in range(1, rs):
                        pending[(r + dr, c + k)] = text
                c += cs
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            grid.append(row)
        out.append((f"表{n}", grid))
    return out


def _span(v) -> int:
    try:
        return max(1, min(int(str(v).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def sniff_format(data: bytes, filename: str = "") -> str:
    ext = Path(filename).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or data[:2] == b"\x09\x08":
        return "xls"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if ext in (".html", ".htm") or head.startswith(b"<") or b"<table" in data[:200000].lower():
        return "html"
    return "csv"


# --------------------------------------------------------------------------- layout


@dataclass
class _Header:
    row: int  # 0-based index of the last header row
    first: int  # 0-based index of the first header row (differs for two-row headers)
    cols: dict[int, str]  # column index -> field
    order: list[str] | None  # order of the combined items cell


def _score(row: list) -> dict[int, tuple[str, list[str] | None]]:
    found: dict[int, tuple[str, list[str] | None]] = {}
    seen = set()
    for c, v in enumerate(row):
        m = match_header(v)
        if m and m[0] not in seen:
            found[c] = m
            seen.add(m[0])
    return found


def find_header(grid: list[list], scan: int = 30) -> _Header | None:
    best, best_r = None, -1
    for r, row in enumerate(grid[:scan]):
        found = _score(row)
        if len(found) >= 3 and (best is None or len(found) > len(best)):
            best, best_r = found, r
    if best is None:
        return None
    cols = {c: f for c, (f, _) in best.items()}
    order = next((o for f, o in best.values() if f == "items"), None)
    last = best_r
    # two-row header: the row below names fields (e.g. 项目名称/检验结果/标准值 under a
    # merged group label such as 不合格项目信息)
    if best_r + 1 < len(grid):
        additions = {
            c: f for c, (f, _) in _score(grid[best_r + 1]).items() if f not in cols.values()
        }
        if len(additions) >= 2:
            cols.update(additions)
            last = best_r + 1
    return _Header(last, best_r, cols, order)


_FLAT_SYNONYMS = {k for syn in SYNONYMS.values() for k in syn}


def _quick_header_hits(texts: list[str]) -> int:
    """Cheap count of cells that are literally header names (no opencc per data cell)."""
    return sum(
        1
        for t in texts
        if t and re.sub(r"\s+", "", unicodedata.normalize("NFKC", t)) in _FLAT_SYNONYMS
    )


def _is_int_text(v: object) -> bool:
    s = unicodedata.normalize("NFKC", cell_text(v))
    return bool(re.fullmatch(r"\d{1,6}", s))


def _is_date_like(v: object) -> bool:
    if isinstance(v, (dt.date, dt.datetime)):
        return True
    s = unicodedata.normalize("NFKC", cell_text(v))
    return bool(_DATE_RE.search(s) or _COMPACT_DATE_RE.search(s)) or s in _EMPTY


def _detect_shift(row: list, header: _Header) -> int:
    checks = []
    for c, f in header.cols.items():
        if f == "seq":
            checks.append((c, _is_int_text))
        elif f in ("production_date", "notice_date"):
            checks.append((c, _is_date_like))
    if not checks:
        return 0

    def score(s: int) -> int:
        n = 0
        for c, fn in checks:
            i = c + s
            if 0 <= i < len(row) and cell_text(row[i]) and fn(row[i]):
                n += 1
        return n

    base = score(0)
    if base == len(checks):
        return 0
    best = max((1, -1, 2, -2), key=lambda s: (score(s), -abs(s)))
    return best if score(best) > base and score(best) >= min(2, len(checks)) else 0


# --------------------------------------------------------------------------- main entry


def read_table(source: str | Path | bytes, filename: str = "") -> ReadResult:
    """Read a published result table from a path or bytes (give ``filename`` for bytes when
    the extension helps)."""
    if isinstance(source, (str, Path)):
        filename = filename or str(source)
        data = Path(source).read_bytes()
    else:
        data = source
    fmt = sniff_format(data, filename)
    reader = {"xlsx": read_xlsx, "xls": read_xls, "csv": read_csv, "html": read_html}[fmt]
    result = ReadResult()
    try:
        sheets = reader(data)
    except Exception as exc:
        result.errors.append(RowError(0, "", f"文件无法读取（按{fmt}格式）：{exc}"))
        return result
    found = False
    for name, grid in sheets:
        header = find_header(grid)
        if header is None:
            continue
        found = True
        _read_sheet(name, grid, header, result)
    if not found:
        result.errors.append(RowError(0, "", "未找到表头：前30行中没有一行包含3个以上可识别的列名"))
    return result


def _label(f: str) -> str:
    return {
        "seq": "序号",
        "production_date": "生产日期/批号",
        "notice_date": "公告日期",
        "items": "不合格项目║检验结果║标准值",
        "item": "不合格项目",
        "result": "检验结果",
        "limit": "标准值",
    }.get(f, SYNONYMS.get(f, (f,))[0])


def _read_sheet(sheet: str, grid: list[list], header: _Header, result: ReadResult) -> None:
    def _at(r: int, c: int) -> str:
        return cell_text(grid[r][c]) if c < len(grid[r]) else ""

    keys = {header_key(grid[header.row][c]) for c in header.cols}
    for c in header.cols:
        for hr in {header.row, header.first}:
            raw_key, key = _raw_key(_at(hr, c)), header_key(_at(hr, c))
            if raw_key != key:
                result.errors.append(
                    RowError(hr + 1, key, f"列名“{raw_key}”按“{key}”识别", sheet, "提示")
                )
    labels = {
        c: (_at(header.row, c) or _at(header.first, c)).replace("\n", "") for c in header.cols
    }
    fields = set(header.cols.values())
    # industrial 监督抽查 tables usually publish only the failing item's name
    items_only = (
        "item" in fields
        and not fields & {"items", "result", "limit"}
        and any(f == "item" and "不合格" in header_key(labels[c]) for c, f in header.cols.items())
    )
    date_kind = "生产日期"
    for c, f in header.cols.items():
        k = header_key(grid[header.row][c])
        if f == "production_date" and ("购进" in k or "进货" in k) and "生产" not in k:
            date_kind = "购进日期"
    industrial = {"受检单位", "受检单位名称", "受检企业", "受检企业名称", "承检机构"}
    layout = "product" if keys & industrial and "食品名称" not in keys else "food"
    result.layout = result.layout or layout
    section = None
    width = max(header.cols) + 1

    def err(r, col, reason, level="错误"):
        result.errors.append(RowError(r, col, reason, sheet, level))

    for r in range(header.row + 1, len(grid)):
        row = list(grid[r])
        rownum = r + 1
        texts = [cell_text(v) for v in row]
        nonempty = [t for t in texts if t]
        if not nonempty:
            continue
        if len(set(nonempty)) == 1 and (len(nonempty) == 1 or len(nonempty) >= min(3, width)):
            t = unicodedata.normalize("NFKC", nonempty[0]).strip()
            if t.startswith(_NOTE_START) or len(t) > 40:
                result.notes.append((rownum, nonempty[0]))
            else:
                section = nonempty[0]
            continue
        if _quick_header_hits(texts) >= 3:
            continue  # a repeated header (tables glued across pages)
        shift = _detect_shift(row, header)
        if shift:
            err(
                rownum,
                "",
                f"本行整体{'右' if shift > 0 else '左'}移{abs(shift)}列，已按表头对齐",
                "提示",
            )
        rec: dict = {f: None for f in FIELDS}
        rec.update(sheet=sheet, row=rownum, section=section, date_kind=None, batch=None, items=[])
        raw: dict[str, object] = {}
        published: dict[str, str] = {}
        for c, f in header.cols.items():
            i = c + shift
            raw[f] = row[i] if 0 <= i < len(row) else None
            published[labels[c]] = cell_text(raw[f])
        rec["published"] = published
        rec["date_label"] = date_kind
        for f, v in raw.items():
            if f in ("production_date", "notice_date", "items", "item", "result", "limit"):
                continue
            s = _clean(v)
            if s is not None and f in _NAME_FIELDS:
                s = s.replace("\n", "")
            rec[f] = s
        if rec["seq"] is not None:
            rec["seq"] = unicodedata.normalize("NFKC", rec["seq"])
        # dates
        if "production_date" in raw and _clean(raw["production_date"]) is not None:
            d, kind, problem = parse_date(raw["production_date"], date_kind)
            rec["production_date"] = d.isoformat() if d else None
            rec["date_kind"] = kind
            if kind == "批号" or not d:
                rec["batch"] = cell_text(raw["production_date"])
            if problem:
                err(rownum, "生产日期/批号", problem)
        if "notice_date" in raw and _clean(raw["notice_date"]) is not None:
            d, kind, problem = parse_date(raw["notice_date"])
            if d:
                rec["notice_date"] = d.isoformat()
            else:
                err(
                    rownum,
                    "公告日期",
                    problem or f"无法识别的公告日期“{cell_text(raw['notice_date'])}”",
                )
        # items
        if items_only:
            items = []
            for line in (_clean(raw.get("item")) or "").split("\n"):
                line = re.sub(r"^\s*(?:\d+[.、)．]|[①-⑳]|\(\d+\))\s*", "", line).strip()
                line = line.rstrip("；;，,。")
                if line and line not in _EMPTY:
                    items.append({"item": line, "result": None, "limit": None, "listed": True})
        elif "items" in raw:
            items, problems = parse_items(_clean(raw["items"]), header.order)
            for p in problems:
                err(rownum, _label("items"), p, "提示")
        else:
            cols = [
                (f, (_clean(raw.get(f)) or "").split("\n"))
                for f in ("item", "result", "limit")
                if f in raw
            ]
            n = max((len(v) for _, v in cols if any(v)), default=0)
            items = []
            if n:
                lens = {f: len(v) for f, v in cols if any(v)}
                if len(set(lens.values())) > 1:
                    err(rownum, "不合格项目", f"各列的项目行数不一致：{lens}")
                for k in range(n):
                    it = {"item": None, "result": None, "limit": None}
                    for f, v in cols:
                        it[f] = (v[k].strip() or None) if k < len(v) else None
                    items.append(it)
        _judge([it for it in items if not it.get("listed")])
        for it in items:
            if it.get("listed"):
                it["verdict"], it["reasons"] = values.FAIL, ["公布表只列出不合格项目名称"]
        rec["items"] = items
        if not rec["product_name"] and not rec["sampled_unit"] and not rec["producer_name"]:
            err(rownum, "", "缺少食品/产品名称和企业名称，本行不是有效数据", "提示")
        result.rows.append(rec)
