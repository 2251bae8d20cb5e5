"""Responsible units as written: (牵头单位:X) / (责任单位:X、Y) / (X、Y负责) /
牵头单位:X;配合单位:Y / (X牵头,Y配合). Lead and co-units are kept apart."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEAD_LABEL = r"(?:牵头|责任|主责|负责|主办|实施|承办|主管|主体)(?:单位|部门|领导)?"
CO_LABEL = r"(?:配合|协办|参与|协同|协助|配合责任|相关)(?:单位|部门)"
LABEL_RE = re.compile(
    r"(?P<label>(?:牵头|责任|主责|负责|主办|实施|承办|主管)(?:单位|部门)|(?:配合|协办|参与|协同|协助)(?:单位|部门)|牵头|配合|参与|协办|协同|责任)\s*[:：]\s*"
)
DEADLINE_LABEL_RE = re.compile(r"(?:完成|时间|时限|进度)(?:时限|时间|节点|要求)?\s*[:：]")
UNIT_SUFFIX = (
    "局|委|办|厅|部|院|会|行|司|中心|公司|政府|集团|所|站|队|处|室|社|联|团|馆|署|组|关|台|校|"
    "分局|支队|大队|法院|检察院|银行|监管局|管委会|街道|乡|镇|区|县|市|省|企业|协会|学会|机构"
)
UNIT_END_RE = re.compile(r"(?:" + UNIT_SUFFIX + r")(?:[(（][^()（）]{1,12}[)）])?$")
STRIP_TAIL_RE = re.compile(
    r"(?:等(?:有关|相关)?(?:单位|部门)?|按职责分工|按照职责分工|按职责|分别|共同|各自|负责|牵头|配合|参与|落实)+$"
)
STRIP_HEAD_RE = re.compile(r"^(?:由|请|和|及|与|、)+(?=[\u4e00-\u9fff]{2})")
NOT_UNIT_RE = re.compile(r"[。！？]|\d{3,}|^(?:各地|各级|有关|相关|以上|其他|全市|全省)$")


@dataclass
class UnitGroup:
    start: int
    end: int
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    deadline: str = ""


def split_top(s: str, seps: str = "、,，;；/") -> list[str]:
    """Split on separators outside brackets, so 市委组织部(市委人才办) stays whole."""
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】":
            depth = max(0, depth - 1)
        if depth == 0 and ch in seps:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _split_and(piece: str) -> list[str]:
    """Split 'X局和Y委' on 和/及/与 where both sides look like unit names."""
    for m in re.finditer(r"(?:和|及|与|以及)(?=[\u4e00-\u9fff])", piece):
        left, right = piece[: m.start()], piece[m.end() :]
        if len(left) >= 2 and UNIT_END_RE.search(left) and UNIT_END_RE.search(right):
            return [left] + _split_and(right)
    return [piece]


def clean_unit(u: str) -> str:
    u = re.sub(r"\s+", "", u)
    u = u.strip(",，;；:：、.。")
    for _ in range(2):
        u = STRIP_TAIL_RE.sub("", u)
        u = STRIP_HEAD_RE.sub("", u)
    return u.strip(",，;；:：、")


def _split_space(piece: str) -> list[str]:
    toks = piece.split()
    if len(toks) >= 2 and all(UNIT_END_RE.search(t) for t in toks):
        return toks
    return [piece]


def split_units(s: str) -> list[str]:
    out = []
    for piece0 in split_top(s):
        for p in (q for piece in _split_space(piece0.strip()) for q in _split_and(piece)):
            u = clean_unit(p)
            if 2 <= len(u) <= 30 and not NOT_UNIT_RE.search(u):
                out.append(u)
    return out


def _bracket_spans(text: str):
    """Yield (start, end, content) of top-level bracket groups, nested brackets kept whole."""
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch in "(（":
            if depth == 0:
                start = i
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
            if depth == 0:
                yield start, i + 1, text[start + 1 : i]
        elif ch == "\n":
            depth = 0


def parse_group(content: str) -> UnitGroup | None:
    """Parse the inside of a unit group (bracketed or a labelled line)."""
    c = content.strip()
    if not c or len(c) > 400:
        return None
    g = UnitGroup(0, 0)
    if LABEL_RE.search(c):
        # labelled segments: 牵头单位:X;配合单位:Y;完成时限:Z
        parts = [m for m in LABEL_RE.finditer(c)]
        for k, m in enumerate(parts):
            seg_end = parts[k + 1].start() if k + 1 < len(parts) else len(c)
            seg = c[m.end() : seg_end]
            dl = DEADLINE_LABEL_RE.search(seg)
            if dl:
                g.deadline = seg[dl.end() :].strip(" ;；,，。")
                seg = seg[: dl.start()]
            label = m.group("label")
            names = split_units(seg)
            if re.match(r"配合|协办|参与|协同|协助", label):
                g.co.extend(names)
            elif label.startswith("牵头"):
                g.lead.extend(names)
            elif any(re.search(r"[(（]牵头(?:单位)?[)）]", x) for x in split_top(seg)):
                for raw_name in split_top(seg):
                    name = split_units(re.sub(r"[(（]牵头(?:单位)?[)）]", "", raw_name))
                    (g.lead if re.search(r"[(（]牵头", raw_name) else g.co).extend(name)
            else:  # 责任单位 list: the first is the lead
                if not g.lead:
                    g.lead.extend(names[:1])
                    g.co.extend(names[1:])
                else:
                    g.co.extend(names)
        if not g.deadline:
            dl = DEADLINE_LABEL_RE.search(c)
            if dl:
                g.deadline = c[dl.end() :].strip(" ;；,，。)）")
        return g if (g.lead or g.co) else None
    # X牵头,Y配合 / X牵头,Y参与
    m = re.fullmatch(
        r"(.+?)(?:牵头|为牵头单位)(?:负责|抓总)?(?:[,，;；、]\s*(.+?)(?:配合|参与|协助|协同|协办|按照?职责分工负责|按职责|分别负责|共同负责|负责|落实)"
        r"(?:实施|落实)?)?",
        c,
    )
    if m:
        g.lead = split_units(m.group(1))
        g.co = split_units(m.group(2) or "")
        return g if g.lead else None
    # (X会同Y负责)
    m = re.fullmatch(
        r"(?:由)?(.+?)(?:会同|联合|协同)(.+?)(?:等)?(?:按职责分工|共同)?(?:负责|落实|实施)", c
    )
    if m and not re.search(r"[。！？]", c):
        lead, co = split_units(m.group(1)), split_units(m.group(2))
        if lead and co:
            g.lead, g.co = lead, co
            return g
    # (X、Y负责) / (由X负责) / (X按职责分工负责)
    m = re.fullmatch(
        r"(.+?)(?:按照?职责分工|按职责|分别|共同|等)?(?:负责|落实|实施)(?:落实|实施)?", c
    )
    if m and not re.search(r"[。！？]", c):
        names = split_units(m.group(1))
        if names and all(UNIT_END_RE.search(n) or len(n) <= 12 for n in names):
            g.lead, g.co = names[:1], names[1:]
            return g
    return None


LINE_LABEL_RE = re.compile(
    r"(?:^|(?<=[。；;\s]))(?:(?:牵头|责任|主责|配合|协办|参与)(?:单位|部门))\s*[:：][^\n()（）]*(?:[(（][^\n()（）]*[)）][^\n()（）]*)*"
)


def find_unit_groups(text: str) -> list[UnitGroup]:
    """All unit groups in a task's text, in order of appearance."""
    groups: list[UnitGroup] = []
    covered: list[tuple[int, int]] = []
    for s, e, content in _bracket_spans(text):
        if not re.search(r"负责|牵头|配合|单位|部门|参与", content):
            # a bare list of units closing the paragraph: (市发改委、市财政局)
            if re.match(r"\s*(?:。)?\s*(?:\n|$)", text[e:]) and not re.search(
                r"[。，,;；:：\d]", content
            ):
                names = split_units(content)
                parts = [p for p in split_top(content) if p.strip()]
                if (
                    names
                    and len(names) == len(parts)
                    and all(UNIT_END_RE.search(n) and len(n) <= 20 for n in names)
                ):
                    groups.append(UnitGroup(s, e, names[:1], names[1:]))
                    covered.append((s, e))
            continue
        g = parse_group(content)
        if g:
            g.start, g.end = s, e
            groups.append(g)
            covered.append((s, e))
    for m in LINE_LABEL_RE.finditer(text):
        if any(s <= m.start() < e for s, e in covered):
            continue
        g = parse_group(m.group(0))
        if g:
            g.start, g.end = m.start(), m.end()
            groups.append(g)
    groups.sort(key=lambda g: g.start)
    return groups


def _key(u: str) -> str:
    return re.sub(r"[\s()（）]", "", u)


def merge_units(groups: list[UnitGroup]) -> tuple[list[str], list[str], list[str]]:
    """Union of all groups in order of first appearance: (units, lead, co)."""
    lead, co = [], []
    seen = set()
    for g in groups:
        for u in g.lead:
            if _key(u) not in seen:
                seen.add(_key(u))
                lead.append(u)
    for g in groups:
        for u in g.co:
            if _key(u) not in seen:
                seen.add(_key(u))
                co.append(u)
    # order: as first written across the groups, lead first within a group
    ordered = []
    seen2 = set()
    for g in groups:
        for u in g.lead + g.co:
            if _key(u) not in seen2:
                seen2.add(_key(u))
                ordered.append(u)
    ordered = drop_abbreviated(ordered)
    lead = [u for u in lead if u in ordered]
    co = [u for u in co if u in ordered]
    return ordered, lead, co


def drop_abbreviated(units: list[str]) -> list[str]:
    """Drop a repeat written without its level prefix: 人社局 after 市人社局."""
    keys = [_key(u) for u in units]
    out = []
    for u, k in zip(units, keys, strict=True):
        if any(
            o != k
            and o.endswith(k)
            and o[: len(o) - len(k)] in ("市", "省", "区", "县", "市委", "省委", "州")
            for o in keys
        ):
            continue
        out.append(u)
    return out
