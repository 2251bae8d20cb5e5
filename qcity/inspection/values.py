"""Measured values and limits as written in lab reports and published sampling tables, and the
judgement of a value against a limit. Pure Python, no Django.

Sources for the forms handled (REFERENCE.md §12): numbers with units ("0.79g/kg"),
qualitative results (检出 / 未检出 / 阴性 / 阳性), limits like "≤0.1" or "不得检出", and
scientific notation whose superscript was lost in conversion ("2.2×102 CFU/g" meaning
2.2×10²). Full-width and traditional characters are accepted.

Judgement principle: a value is 合格 only when every true value the report allows lies inside
the limit. It is 不合格 when none does. Anything else (no limit, an unparsed text, a
microbiological n/c/m/M plan, a "<LOD" above the limit, units that cannot be compared) is
无法判定 with a reason: reported, never guessed.

Rules used: none from the rule table. The numbers come from the standard (GB 2762/2763 etc.)
quoted in each row, not from configuration.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

PASS = "合格"
FAIL = "不合格"
UNKNOWN = "无法判定"

_TRAD = str.maketrans("檢測陰陽標準項單樣無號規結驗應", "检测阴阳标准项单样无号规结验应")
_EMPTY = {"", "/", "-", "—", "——", "--", "无", "/ ", "\\"}


def normalize(text: object) -> str:
    """NFKC (full-width → half-width, superscripts → digits), traditional → simplified for the
    few characters that occur in results, unify minus signs and comparison signs."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = s.translate(_TRAD)
    s = s.replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "—")
    s = s.replace("≦", "≤").replace("≧", "≥").replace("<=", "≤").replace(">=", "≥")
    s = s.replace("µ", "μ")
    return s.strip()


# --------------------------------------------------------------------------- numbers

_NUM = re.compile(
    r"(?P<m>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)"
    r"(?:\s*[×xX*·]\s*10\s*(?P<caret>\^|\*\*)?\s*(?P<e1>[-+]?\d+)?(?![\d.])"
    r"|[eE](?P<e2>[-+]?\d+))?"
)


def parse_number(text: str) -> tuple[Decimal, str] | None:
    """Leading number of ``text`` -> (value, rest). Handles 1.2E+03, 1.2×10^3, 1.2×10³ and
    the superscript-lost 1.2×103 (read as 1.2×10³: "×10" followed by digits is taken as an
    exponent, since a literal "×103" never occurs in these tables)."""
    s = normalize(text)
    m = _NUM.match(s)
    if not m:
        return None
    mant = Decimal(m.group("m").replace(",", ""))
    exp_text = m.group("e1") if m.group("e1") is not None else m.group("e2")
    if m.group(0) != m.group("m") and exp_text is None:
        exp_text = "1"  # "1.5×10" = 1.5×10¹
    if exp_text is not None:
        if (
            m.group("e1") is not None
            and not m.group("caret")
            and len(exp_text) > 1
            and exp_text[0] == "0"
        ):
            return None  # "×1000"-like: ambiguous, do not guess
        try:
            mant = mant.scaleb(int(exp_text))
        except (InvalidOperation, ValueError):
            return None
    return mant, s[m.end() :].strip()


# --------------------------------------------------------------------------- units

_UNIT_FACTORS = {
    # mass fraction, base mg/kg
    "g/kg": ("w", Decimal(1000)),
    "mg/kg": ("w", Decimal(1)),
    "μg/kg": ("w", Decimal("0.001")),
    "ug/kg": ("w", Decimal("0.001")),
    "mg/g": ("w", Decimal(1000)),
    "μg/g": ("w", Decimal(1)),
    "g/100g": ("w", Decimal(10000)),
    "mg/100g": ("w", Decimal(10)),
    "μg/100g": ("w", Decimal("0.01")),
    "ppm": ("w", Decimal(1)),
    "ppb": ("w", Decimal("0.001")),
    # mass concentration, base mg/L
    "g/l": ("c", Decimal(1000)),
    "mg/l": ("c", Decimal(1)),
    "μg/l": ("c", Decimal("0.001")),
    "ug/l": ("c", Decimal("0.001")),
    "mg/ml": ("c", Decimal(1000)),
    "g/100ml": ("c", Decimal(10000)),
    "mg/100ml": ("c", Decimal(10)),
}


def _unit_key(unit: str) -> str:
    return re.sub(r"\s+", "", unit).casefold()


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    a, b = _unit_key(from_unit), _unit_key(to_unit)
    if a == b:
        return value
    if a in _UNIT_FACTORS and b in _UNIT_FACTORS and _UNIT_FACTORS[a][0] == _UNIT_FACTORS[b][0]:
        return value * _UNIT_FACTORS[a][1] / _UNIT_FACTORS[b][1]
    return None


# --------------------------------------------------------------------------- measured value


@dataclass(frozen=True)
class Measured:
    """A result as reported. ``kind``: number, below (<x / ≤x), above (>x / ≥x),
    not_detected, detected, negative, positive, empty, unparsed."""

    raw: str
    kind: str
    value: Decimal | None = None
    unit: str = ""
    inclusive: bool = True  # for below/above: ≤/≥ (True) or </> (False)


_ND = re.compile(r"^(?:未检出|ND|N\.D\.?|NOTDETECTED|<LOD|低于检出限)", re.I)


def parse_value(text: object) -> Measured:
    raw = "" if text is None else str(text)
    s = normalize(raw)
    if s in _EMPTY:
        return Measured(raw, "empty")
    compact = s.replace(" ", "")
    if _ND.match(compact):
        lod = re.search(r"[<≤]?\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([^\s)）]*)", compact[2:])
        if lod and parse_number(lod.group(1)):
            return Measured(raw, "not_detected", Decimal(lod.group(1)), lod.group(2))
        return Measured(raw, "not_detected")
    if compact in ("阴性", "-", "阴性(-)", "NEGATIVE"):
        return Measured(raw, "negative")
    if compact in ("阳性", "+", "阳性(+)", "POSITIVE"):
        return Measured(raw, "positive")
    if compact.startswith("检出") and not parse_number(compact[2:]):
        return Measured(raw, "detected")
    kind, inclusive, body = "number", True, s
    for sign, k, inc in (
        ("≤", "below", True),
        ("<", "below", False),
        ("≥", "above", True),
        (">", "above", False),
    ):
        if s.startswith(sign):
            kind, inclusive, body = k, inc, s[len(sign) :]
            break
    parsed = parse_number(body.strip())
    if parsed is None:
        return Measured(raw, "unparsed")
    value, unit = parsed
    return Measured(raw, kind, value, unit.strip(), inclusive)


# --------------------------------------------------------------------------- limit


@dataclass(frozen=True)
class Limit:
    """``kind``: range (low and/or high set), absent (不得检出), negative (阴性),
    plan (microbiological n/c/m/M), bare (a number with no direction), empty, unparsed."""

    raw: str
    kind: str
    low: Decimal | None = None
    high: Decimal | None = None
    low_open: bool = False
    high_open: bool = False
    unit: str = ""


_MAX_WORDS = ("不大于", "不高于", "不超过", "不得超过", "≤", "<", "最大", "max")
_MIN_WORDS = ("不小于", "不低于", "不少于", "≥", ">", "最小", "min")


def parse_limit(text: object) -> Limit:
    raw = "" if text is None else str(text)
    s = normalize(raw)
    if s in _EMPTY:
        return Limit(raw, "empty")
    c = s.replace(" ", "")
    if re.match(r"^不(?:得|应|可)检出", c):
        return Limit(raw, "absent")
    if c.startswith("阴性") or c.startswith("0/25g") or c.startswith("不得检出/"):
        return Limit(raw, "negative")
    if re.search(r"n=\d", c) and re.search(r"c=\d", c):
        return Limit(raw, "plan")
    both = re.match(r"^(.+?)[~至—]+(.+)$", c) or re.match(r"^(\d[\d.]*)-(\d.*)$", c)
    if both:
        a, b = parse_number(both.group(1)), parse_number(both.group(2))
        if a and b:
            unit = b[1] or a[1]
            return Limit(raw, "range", a[0], b[0], unit=unit)
    for words, is_max in ((_MAX_WORDS, True), (_MIN_WORDS, False)):
        for w in words:
            if c.lower().startswith(w):
                p = parse_number(c[len(w) :])
                if p is None:
                    return Limit(raw, "unparsed")
                open_ = w in ("<", ">")
                if is_max:
                    return Limit(raw, "range", None, p[0], high_open=open_, unit=p[1])
                return Limit(raw, "range", p[0], None, low_open=open_, unit=p[1])
    p = parse_number(c)
    if p is not None:
        if p[1] in ("以下", "以内"):
            return Limit(raw, "range", None, p[0])
        if p[1] == "以上":
            return Limit(raw, "range", p[0], None)
        return Limit(raw, "bare", None, p[0], unit=p[1])
    return Limit(raw, "unparsed")


# --------------------------------------------------------------------------- judgement


@dataclass(frozen=True)
class Judgement:
    verdict: str
    reasons: list[str] = field(default_factory=list)


def _measured_interval(m: Measured, reasons: list[str]):
    """(lo, lo_open, hi, hi_open); None for unbounded."""
    if m.kind == "number":
        return m.value, False, m.value, False
    if m.kind == "below":
        return Decimal(0), False, m.value, not m.inclusive
    if m.kind == "above":
        return m.value, not m.inclusive, None, False
    if m.kind == "not_detected":
        if m.value is not None:
            return Decimal(0), False, m.value, True
        reasons.append("未注明检出限，按未检出（0）比较")
        return Decimal(0), False, Decimal(0), False
    return None


def judge(
    value: Measured | str, limit: Limit | str | None, *, bare_limit_as: str | None = None
) -> Judgement:
    """合格 / 不合格 / 无法判定 with reasons. ``bare_limit_as`` ("max" or "min") says how to
    read a limit given as a bare number; by default such a limit is 无法判定."""
    m = value if isinstance(value, Measured) else parse_value(value)
    lim = limit if isinstance(limit, Limit) else parse_limit(limit)
    reasons: list[str] = []
    if m.kind == "empty":
        return Judgement(UNKNOWN, ["没有检验结果"])
    if m.kind == "unparsed":
        return Judgement(UNKNOWN, [f"无法识别的检验结果“{m.raw}”"])
    if lim.kind == "empty":
        return Judgement(UNKNOWN, ["未给出标准值，不作推测"])
    if lim.kind == "unparsed":
        return Judgement(UNKNOWN, [f"无法识别的标准值“{lim.raw}”"])
    if lim.kind == "plan":
        return Judgement(UNKNOWN, ["标准值为微生物采样方案（n、c、m、M），需按全部样品结果判定"])
    if lim.kind == "absent":
        if m.kind in ("not_detected", "negative", "below"):
            return Judgement(PASS, ["未检出，符合不得检出"])
        if m.kind in ("detected", "positive", "above"):
            return Judgement(FAIL, ["检出，标准要求不得检出"])
        if m.value == 0:
            return Judgement(PASS, ["结果为0，符合不得检出"])
        return Judgement(FAIL, [f"检出{m.value}{m.unit}，标准要求不得检出"])
    if lim.kind == "negative":
        if m.kind in ("negative", "not_detected"):
            return Judgement(PASS, ["阴性"])
        if m.kind in ("positive", "detected"):
            return Judgement(FAIL, ["阳性，标准要求阴性"])
        return Judgement(UNKNOWN, ["标准要求阴性，但结果为数值"])
    if m.kind in ("detected", "positive", "negative"):
        return Judgement(UNKNOWN, ["定性结果无法与数值限量比较"])
    if lim.kind == "bare":
        if bare_limit_as == "max":
            lim = Limit(lim.raw, "range", None, lim.high, unit=lim.unit)
            reasons.append("标准值未注明方向，按最大限量比较")
        elif bare_limit_as == "min":
            lim = Limit(lim.raw, "range", lim.high, None, unit=lim.unit)
            reasons.append("标准值未注明方向，按最小限量比较")
        else:
            return Judgement(UNKNOWN, [f"标准值“{lim.raw}”未注明是上限还是下限"])
    interval = _measured_interval(m, reasons)
    if interval is None:  # pragma: no cover - all kinds handled above
        return Judgement(UNKNOWN, [f"无法比较“{m.raw}”"])
    lo, lo_open, hi, hi_open = interval
    # units: convert the limit into the result's unit
    L, H = lim.low, lim.high
    if m.unit and lim.unit and _unit_key(m.unit) != _unit_key(lim.unit):
        L2 = None if L is None else convert(L, lim.unit, m.unit)
        H2 = None if H is None else convert(H, lim.unit, m.unit)
        if (L is not None and L2 is None) or (H is not None and H2 is None):
            return Judgement(UNKNOWN, [f"单位不一致：结果为{m.unit}，标准值为{lim.unit}"])
        L, H = L2, H2
        reasons.append(f"标准值由{lim.unit}换算为{m.unit}")
    elif m.unit and not lim.unit:
        reasons.append(f"标准值未注明单位，按结果单位{m.unit}比较")
    elif lim.unit and not m.unit:
        reasons.append(f"结果未注明单位，按标准值单位{lim.unit}比较")

    def above_low(x, x_open):  # x (an interval end) is inside the lower bound
        return L is None or x > L or (x == L and not (lim.low_open and not x_open))

    def below_high(x, x_open):
        return H is None or (
            x is not None and (x < H or (x == H and (not lim.high_open or x_open)))
        )

    inside = above_low(lo, lo_open) and below_high(hi, hi_open)
    too_low = (
        L is not None and hi is not None and (hi < L or (hi == L and (hi_open or lim.low_open)))
    )
    too_high = H is not None and (lo > H or (lo == H and (lo_open or lim.high_open)))
    if inside:
        return Judgement(PASS, reasons + ["在标准范围内"])
    if too_high:
        return Judgement(FAIL, reasons + ["超过上限"])
    if too_low:
        return Judgement(FAIL, reasons + ["低于下限"])
    return Judgement(UNKNOWN, reasons + [f"结果“{m.raw}”跨越限量，无法判定"])


# --------------------------------------------------------------------------- display

_SUP = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_LOST_SUP = re.compile(
    r"(?P<m>\d+(?:\.\d+)?\s*[×xX*·]\s*10)(?:\^|\*\*)?(?P<e>[-+]?[1-9]\d?)(?![\d.])"
)


def display(text: object) -> str:
    """A published result as it should read: the superscript lost in conversion restored
    ("2.2×102 CFU/g" → "2.2×10² CFU/g", "1.5×10^3" → "1.5×10³"). The stored text stays as
    published; this is for pages and prints only. Read the same way as ``parse_number``."""
    s = "" if text is None else str(text)
    return _LOST_SUP.sub(lambda m: m.group("m") + m.group("e").translate(_SUP), s)
