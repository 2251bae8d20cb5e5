"""Document facts: title, issuers, 文号, dates, region, kind, draft flag, period, default year."""

from __future__ import annotations

import re
from collections import Counter

from .model import Facts

KIND_RE = re.compile(
    r"(规划|实施方案|行动方案|工作方案|实施意见|指导意见|意见|工作要点|要点|行动计划|计划|纲要|方案)"
)
KIND_MAP = {
    "规划": "规划",
    "纲要": "规划",
    "实施方案": "实施方案",
    "工作方案": "实施方案",
    "方案": "实施方案",
    "行动方案": "行动方案",
    "行动计划": "行动方案",
    "计划": "行动方案",
    "实施意见": "实施意见",
    "指导意见": "实施意见",
    "意见": "实施意见",
    "工作要点": "工作要点",
    "要点": "工作要点",
}
DOCNO_RE = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号"
)
DATE_CN_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_DASH_RE = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
REGION_RE = re.compile(
    r"([\u4e00-\u9fff]{2,7}?(?:自治区|自治州|特别行政区|省|市|自治县|县|区|州|盟|旗))"
    r"(?=人民政府|委员会|党委|政府|市委|省委|关于|质量|市场|[“\"《]|\d|\s|$|[\u4e00-\u9fff])"
)
REGION_BAD = re.compile(
    r"^(?:关于|印发|中共|我|全|本|各|省级|市级|县级|区级|城市|地市|设区|城区|开发区|示范区|园区|社区|地区|辖区|全市|我市|全省)"
)
ISSUER_RE = re.compile(
    r"^\s*((?:中共)?[\u4e00-\u9fff]{2,30}?(?:人民政府(?:办公厅|办公室)?|委员会|办公室|办公厅|领导小组(?:办公室)?|"
    r"管理局|监督管理局|局|厅|委|党委|市委|省委))(?:\s*[(（]代章[)）])?\s*$"
)
DRAFT_RE = re.compile(r"征求意见稿|送审稿|草案|讨论稿|征求意见")
PERIOD_RE = re.compile(r"((?:19|20)\d{2})\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年")
FIVE_YEAR = {
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
    "十五五": (2026, 2030),
}


def _candidate_titles(lines: list[str]) -> list[str]:
    out = []
    for ln in lines:
        s = ln.strip()
        if not s or len(s) > 80 or re.search(r"[。；;]$|[:：]$|^[(（]|[,，]", s):
            continue
        if re.match(r"^[一二三四五六七八九十]+、|^\d+[.、]", s):
            continue
        if KIND_RE.search(s) or "通知" in s:
            out.append(s)
    return out


def find_title(text: str, first_heading: int | None) -> str:
    head = text[:first_heading] if first_heading else text[:3000]
    lines = head.split("\n")
    cands = _candidate_titles(lines)
    if not cands:
        m = re.search(r"《([^《》]{4,60}(?:规划|方案|意见|要点|计划|纲要))》", head)
        return m.group(1) if m else ""
    plain = [c for c in cands if "通知" not in c and not re.search(r"印发|附件|^关于对", c)]
    if plain:
        t = plain[-1]
    else:
        t = cands[0]
        m = re.search(r"(?:印发|转发|发布)\s*[<《]([^》>]+)[>》]", t)
        if m:
            t = m.group(1)
    t = re.sub(r"^\s*附件\s*\d*\s*[:：]?", "", t)
    t = re.sub(r"\s*[(（]\s*(?:征求意见稿|送审稿|草案|讨论稿)\s*[)）]\s*$", "", t)
    m = re.fullmatch(r".{0,20}?[<《]([^》>]+)[>》]", t)
    if m and "关于" not in t[: m.start(1)] and KIND_RE.search(m.group(1)):
        t = m.group(1)
    return (
        re.sub(r"\s+", "", t)
        if re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", t) and len(t) < 40
        else t.strip()
    )


def find_region(title: str, text: str) -> str:
    for src in (title, text[:1500]):
        for m in REGION_RE.finditer(src):
            r = m.group(1)
            r = re.sub(r"^(?:中共|关于|印发|实施|深化|推进|\d{4}年|年|度)+", "", r)
            if len(r) >= 2 and not REGION_BAD.match(r) and not re.search(r"[的和与及]", r):
                return r
    cnt = Counter(
        m.group(1)
        for m in re.finditer(r"([\u4e00-\u9fff]{2,3}(?:省|市))(?:委|人民政府|政府|市场监管)", text)
        if not REGION_BAD.match(m.group(1))
    )
    return cnt.most_common(1)[0][0] if cnt else ""


def find_kind(title: str, text: str) -> str:
    for src in (title, text[:2000]):
        ms = KIND_RE.findall(src)
        if ms:
            return KIND_MAP.get(ms[-1], "实施方案")
    return ""


def extract_facts(text: str, first_heading: int | None, raw: str | None = None) -> Facts:
    """``raw``: the text before page furniture was blanked (posting dates sit in furniture)."""
    f = Facts()
    f.title = find_title(text, first_heading)
    f.kind = find_kind(f.title, text)
    f.region = find_region(f.title, text)
    head = text[:first_heading] if first_heading else text[:3000]
    for ln in head.split("\n"):  # the document's own number stands on a line of its own
        m = DOCNO_RE.fullmatch(ln.strip())
        if m:
            f.doc_number = re.sub(r"\s+", "", m.group(0))
            break
    f.draft = bool(DRAFT_RE.search(text[: (first_heading or 3000)]) or DRAFT_RE.search(f.title))
    # dates: standalone date lines are signatures (成文日期); dates with times are postings
    signed, posted = [], []
    for ln in (raw or text).split("\n"):
        s = ln.strip()
        m = DATE_CN_RE.fullmatch(s)
        if m:
            signed.append(m)
            continue
        m = DATE_DASH_RE.search(s) or DATE_CN_RE.search(s)
        if m and len(s) < 60 and re.search(r"发布|时间|日期|\d{1,2}:\d{2}|来源", s):
            posted.append(m)
    if signed:
        y, mo, d = signed[-1].groups()
        f.signed_date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if posted:
        y, mo, d = posted[0].groups()
        f.posted_date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    for ln in text.split("\n"):
        m = ISSUER_RE.match(ln)
        if m and len(ln.strip()) <= 30 and m.group(1) not in f.issuers:
            f.issuers.append(m.group(1))
    if not f.issuers and f.title:
        m = re.match(
            r"((?:中共)?[\u4e00-\u9fff]{2,20}?(?:人民政府(?:办公厅|办公室)?|委员会|办公室|领导小组(?:办公室)?|局|厅))关于",
            f.title,
        )
        if m:
            f.issuers.append(m.group(1))
    # period and horizon
    m = PERIOD_RE.search(f.title) or PERIOD_RE.search(text[:5000])
    if m:
        f.period = [int(m.group(1)), int(m.group(2))]
    else:
        for k, (a, b) in FIVE_YEAR.items():
            if k in f.title:
                f.period = [a, b]
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})年", f.title)]
    dates = [d for d in (f.signed_date, f.posted_date) if d]
    if dates:
        f.doc_year = int(min(dates)[:4])
    elif f.period and PERIOD_RE.search(f.title):
        f.doc_year = f.period[0]  # 三年行动方案(2024—2026年): written at the period's start
    else:
        f.doc_year = years[0] if years else (f.period[0] if f.period else None)
    if f.kind == "工作要点" or (
        years
        and re.search(r"(?:19|20)\d{2}年(?:度)?[\u4e00-\u9fff]*(?:要点|计划|方案)", f.title)
        and len(years) == 1
    ):
        f.default_year = years[0] if years else f.doc_year
    if f.default_year is None:
        f.default_year = horizon_year(text, f.doc_year)
    if f.default_year is None and f.period:
        f.default_year = f.period[1]
    return f


def horizon_year(text: str, doc_year: int | None) -> int | None:
    """The plan's main horizon: the first 到20XX年 of a goals paragraph, else the most common."""
    ys = [int(y) for y in re.findall(r"(?:到|至|力争到|争取到|在)\s*((?:19|20)\d{2})\s*年", text)]
    if doc_year:
        ys = [y for y in ys if y >= doc_year]
    if not ys:
        return None
    m = re.search(
        r"(?:主要目标|总体目标|工作目标|发展目标|目标任务)[^\n]{0,10}\n?[^\n]{0,40}?(?:到|至)\s*((?:19|20)\d{2})\s*年",
        text,
    )
    if m and (not doc_year or int(m.group(1)) >= doc_year):
        return int(m.group(1))
    c = Counter(ys)
    return c.most_common(1)[0][0]
