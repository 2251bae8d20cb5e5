"""Text normalisation: width folding, traditional→simplified, pinyin glosses, page furniture.

Every step keeps a map from the cleaned text back to the original text, so that spans
reported by the extractor can be shown in the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# --- width folding (1:1, so offsets are unchanged) ---------------------------------
_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x200B: 0x20,
        0xFEFF: 0x20,
        0x3014: 0x3014,  # 〔 kept
        0xFE6A: ord("%"),
        0x2236: ord(":"),  # ∶ ratio colon
        0x2030: 0x2030,
    }
)


def fold_width(text: str) -> str:
    """Fold full-width ASCII (，：；（）％０-９Ａ-Ｚ) to half-width, one char for one char."""
    return text.translate(_FOLD)


# --- traditional → simplified ---------------------------------------------------------
@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, int]:
    """One-to-one character table from OpenCC's TSCharacters (keeps every offset)."""
    table: dict[int, int] = {}
    try:
        import opencc

        path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                src, dst = parts[0], parts[1].split(" ")[0]
                if len(src) == 1 and len(dst) == 1 and src != dst:
                    table[ord(src)] = ord(dst)
    except Exception:  # pragma: no cover - fall back to the converter object
        pass
    return table


@lru_cache(maxsize=1)
def _opencc():
    try:
        from opencc import OpenCC
    except ImportError:  # pragma: no cover - dependency declared in pyproject
        return None
    return OpenCC("t2s")


def looks_traditional(text: str) -> bool:
    table = _t2s_table()
    sample = text[:20000]
    if table:
        n = sum(1 for ch in sample if ord(ch) in table)
    else:  # pragma: no cover
        cc = _opencc()
        n = sum(1 for a, b in zip(sample, cc.convert(sample), strict=False) if a != b) if cc else 0
    return n >= 5 or (n >= 1 and n * 200 >= len(sample))


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified, one character for one character."""
    if not looks_traditional(text):
        return text
    table = _t2s_table()
    if table:
        return text.translate(table)
    cc = _opencc()  # pragma: no cover
    if cc is None:
        return text
    return "".join(c if len(c) == 1 else ch for ch, c in ((ch, cc.convert(ch)) for ch in text))


# --- pinyin glosses 質(zhì)量 -----------------------------------------------------------
_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PY = "[a-z" + _TONE + "]"
_PINYIN_RE = re.compile(
    # 質(zhì), 品质(pǐn zhì): lowercase latin with at least one tone mark, syllables
    # separated by single spaces, in brackets right after a Han character
    r"(?<=[\u4e00-\u9fff])\((?=[a-z "
    + _TONE
    + r"]*["
    + _TONE
    + r"])"
    + _PY
    + r"{1,7}(?: "
    + _PY
    + r"{1,7}){0,5}\)"
    r"|(?<=[\u4e00-\u9fff])\((?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouv]{1,3}(?:ng|n|r)?[1-5]?\)"
)


@dataclass
class Cleaned:
    text: str
    raw: str = ""  # folded and simplified, before page furniture was blanked
    # offsets[i] is the index in the original text of cleaned char i (None: identity)
    offsets: list[int] | None = field(default=None, repr=False)
    # the text as written (traditional characters kept), aligned char for char with
    # ``raw``; None when no character was converted
    display: str | None = field(default=None, repr=False)

    def to_original(self, i: int) -> int:
        if self.offsets is None:
            return i
        if i >= len(self.offsets):
            return (self.offsets[-1] + 1) if self.offsets else i
        return self.offsets[i]


def remove_pinyin(text: str) -> tuple[str, list[int] | None]:
    if "(" not in text:
        return text, None
    pieces, offsets, last = [], [], 0
    found = False
    for m in _PINYIN_RE.finditer(text):
        found = True
        pieces.append(text[last : m.start()])
        offsets.extend(range(last, m.start()))
        last = m.end()
    if not found:
        return text, None
    pieces.append(text[last:])
    offsets.extend(range(last, len(text)))
    return "".join(pieces), offsets


# --- page furniture ---------------------------------------------------------------------
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－_~]{1,3}\s*\d{1,4}\s*[-—–－_~]{1,3}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d+(?:\s*of\s*\d+)?|\d{1,3})\s*$"
)

_FURNITURE_RE = re.compile(
    r"您(?:当前|现在)?(?:的)?(?:所在)?位置|当前位置|^\s*首页\s*[>»›/]|[>»›]\s*(?:正文|专题|政策|通知|新闻)"
    r"|浏览(?:次数|量|数)|阅读(?:次数|量|数)|点击(?:数|量|次数|率)|访问量|分享到|扫一扫|扫码|二维码"
    r"|打印(?:本页|此页)?\s*$|关闭(?:本页|窗口)|字号|【\s*[大中小]\s*】|[大中小]\s*[|｜]\s*[大中小]"
    r"|责任编辑|编辑[:：]|审核[:：]|校对[:：]|版权(?:所有|声明)|Copyright|ICP|备案号|[A-Z\u4e00-\u9fff]ICP备|公网安备|技术支持[:：]|网站地图"
    r"|联系我们|主办单位[:：]|承办单位[:：]|相关(?:链接|推荐|阅读|文章|新闻|附件)|上一篇|下一篇|网友评论|发表评论"
    r"|评论(?:区|\s*[(（]?\d)|热门(?:搜索|文章|推荐)|最近搜索|免费咨询|查看详情|^\s*来源[:：]|^\s*发布(?:时间|日期)[:：]?"
    r"|^\s*(?:时间|日期)[:：]\s*\d|^\s*标签[:：]?|举报(?:电话|邮箱|中心|专区|受理)|\d+\s*人觉得有用|收藏本页|加入收藏|^\s*分享\s*$"
    r"|^\s*附件下载\s*$|^\s*附件[:：]?\s*$|^\s*(?:微信|微博|QQ空间|官方微信|官网微博)|关注我们|许可证[:：]?\s*[\w-]*\d{4}"
    r"|邮箱[:：]|^\s*(?:首页|返回顶部|返回首页|English|无障碍|繁体|简体)(?:\s*[|｜]\s*\S+)*\s*$"
    r"|\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}",
    re.I,
)

_SENTENCE_END = re.compile(r"[。！？;；]")


def is_furniture_line(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if PAGE_NUMBER_RE.match(s):
        return True
    if len(s) > 80 or (len(s) > 30 and _SENTENCE_END.search(s)):
        return False
    return bool(_FURNITURE_RE.search(s))


def _is_short(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s) < 25 and not _SENTENCE_END.search(s)


def blank_furniture(text: str) -> str:
    """Replace furniture lines (breadcrumbs, counters, share buttons, footers, page numbers)
    with spaces of the same length; also blank a trailing run of short link-like lines."""
    lines = text.split("\n")
    out = [(" " * len(ln)) if is_furniture_line(ln) else ln for ln in lines]
    # trailing run: walking back from the end, short link-like lines are page furniture;
    # stop at the first line of content (a sentence, a heading, units, a signature)
    for i in range(len(out) - 1, -1, -1):
        s = out[i].strip()
        if not s:
            continue
        if (
            len(s) >= 40
            or _SENTENCE_END.search(s)
            or re.match(
                r"^(?:第[一二三四五六七八九十]+[章节]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、]|[①-⑳])",
                s,
            )
            or " | " in s
            or "\t" in out[i]
            or re.search(r"单位|负责|牵头|配合|\d{4}年\d{1,2}月\d{1,2}日|[)）]$", s)
            or re.fullmatch(
                r"[\u4e00-\u9fff]{2,20}(?:政府|委员会|办公室|办公厅|局|厅|委|部|小组|中心)(?:\s*[(（]代章[)）])?",
                s,
            )
        ):
            break
        out[i] = " " * len(out[i])
    return "\n".join(out)


# --- lines broken before a number (达到\n60%) ----------------------------------------------
_BROKEN_NUM_RE = re.compile(
    r"\n[ \t]*(?=\d+(?:\.\d+)?\s*(?:%|‰|(?:万|亿|千)?(?:个|家|项|件|人|名|批|次|条|所|处|座|亩|吨|元|倍|分|张|场|期)))"
)
_NO_JOIN_END = re.compile(r"(?:[。！？!?；;：:)）」』】]|\|\s*\S{0,20})\s*$")


def join_broken_lines(text: str) -> tuple[str, list[int] | None]:
    """Join a line that starts with a number and its unit (``60%，…``) to the line before
    when that line does not end a sentence: a hard wrap, not a new paragraph."""
    if "\n" not in text:
        return text, None
    pieces, offsets, last = [], [], 0
    for m in _BROKEN_NUM_RE.finditer(text):
        ls = text.rfind("\n", 0, m.start()) + 1
        prev = text[ls : m.start()]
        if (
            len(re.findall(r"[\u4e00-\u9fff]", prev)) < 4
            or _NO_JOIN_END.search(prev)
            or " | " in prev
        ):
            continue
        if not re.search(r"[\u4e00-\u9fff，,、]\s*$", prev):
            continue
        pieces.append(text[last : m.start()])
        offsets.extend(range(last, m.start()))
        last = m.end()
    if not pieces:
        return text, None
    pieces.append(text[last:])
    offsets.extend(range(last, len(text)))
    return "".join(pieces), offsets


def normalize(raw: str) -> Cleaned:
    """Full cleaning chain used by the extractor."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # \r\n → \n shifts offsets; keep a map only when it happened
    offsets = None
    if len(text) != len(raw):
        offsets = [i for i, ch in enumerate(raw) if not (ch == "\r" and raw[i + 1 : i + 2] == "\n")]
    text = fold_width(text)
    simplified = to_simplified(text)
    display = text if simplified != text else None
    text = simplified
    for step in (remove_pinyin, join_broken_lines):
        text2, poff = step(text)
        if poff is not None:
            offsets = [offsets[i] for i in poff] if offsets is not None else poff
            if display is not None:
                display = "".join(display[i] for i in poff)
            text = text2
    return Cleaned(blank_furniture(text), raw=text, offsets=offsets, display=display)
