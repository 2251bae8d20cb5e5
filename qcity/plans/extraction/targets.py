"""Numeric targets: value, unit, op, year, kind, direction, base, indicator.

General rules for Chinese plan documents; nothing here is tuned to one document's words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .model import Facts, Section, Target

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CN_DIGITS = "零〇一二两三四五六七八九十百千万"
UNIT_TOKENS = (
    "个百分点|百分点|个工作日|个月|小时|天(?!然)|平方公里|平方米|立方米|千公顷|公顷|公里|千米|千瓦时|千瓦|兆瓦|万千瓦|千克|公斤|"
    "人次|家次|批次|架次|车次|户次|件次|工作日|"
    "元|人|户|家|个|项|件|所|间|张|名|次|场|处|座|条|亩|米|吨|倍|台|套|辆|篇|部|册|种|款|头|株|"
    "分(?![钟之])|床|位|宗|例|份|支|批|栋|幢|块|片|只|棵|类|门|届|期|级|星|课时|学时|园|村|镇|区|店|网点|站|"
    "kg|km|m2|m³|MW|kW|GW|t"
)
UNIT_RE = re.compile(
    r"\s*(?P<unit>%|‰|(?:万|亿|千|百)?(?:"
    + UNIT_TOKENS
    + r")(?:[(（]次[)）]|(?<=[件家人])(?:个|次))?(?:/(?:十万|万|千|百)?(?:人口|人|户|家|年|平方公里))?|万|亿)"
)
MENTION_RE = re.compile(
    r"(?P<a>" + NUM + r")(?:\s*(?P<sep>[-—–~～至到]{1,2})\s*(?P<b>" + NUM + r"))?"
)
CN_RANGE_RE = re.compile(
    r"(?P<a>[一两二三四五六七八九十])\s*(?:到|至|—|-|~)\s*(?P<b>[两二三四五六七八九十]{1,2})\s*"
    r"(?P<unit>个|家|项|所|场|次|批|件|名|处|座|条|类|种|张)"
)
CN_SINGLE_RE = re.compile(
    r"(?:达到|新增|新建|建成|培育|创建|打造|不少于|超过|突破|争创)(?P<a>[两二三四五六七八九十百千]{1,4})\s*"
    r"(?P<unit>个|家|项|所|场|批|件|名|处|座|条)"
)
CN_TAIL_RE = re.compile(
    r"(?<=[\u4e00-\u9fff”\"])(?<![第十百千万一二三四五六七八九两])(?P<a>[两二三四五六七八九十]{1,3})\s*(?P<unit>个|家|项|所|处|座|条|批)(?:以上)?(?=[，,。；;]|$)"
)
DOUBLE_RE = re.compile(r"翻(?:一)?番|翻两番|(?:增长|增加|提高)一倍|翻一倍")

SEP_CHARS = "，,；;：:。！？!?|"
PAST_RE = re.compile(
    r"已经|已(?!于)|现有|目前|截至|截止|共有|先后|曾经|荣获|获评|位居|排名|去年|上年度|历年"
)
FUTURE_RE = re.compile(r"力争|确保|争取|不少于|不低于|以上|达到|计划|预计|目标|到(?:19|20)\d{2}年")
CHANGE_RE = re.compile(
    r"比上年|比去年|比上一年|比(?:19|20)\d{2}年|较(?:上年|去年|(?:19|20)\d{2}年|基期)|同比|(?:增长|下降|减少|降低|压减|压降)(?![至到])|翻番|翻一番|提高\d|百分点|增速"
)
LEVEL_IND_RE = re.compile(
    r"率|比例|比重|指数|满意度|占比|覆盖面|人均|每万|每百|每千|每十万|千名|万人|强度|密度|水平|得分|评分|系数"
)
CUM_RE = re.compile(r"累计|总量|总数|总计|保有|拥有|总规模|规模达")
FLOW_UNITS = ("批次", "期", "场次", "张", "万张")
FLOW_VERB_RE = r"(?:推出|攻克|出具|抽查|抽检|举办|培训|培育|认证|评选|开展)"
NEW_RE = re.compile(
    r"新增|新认证|新推出|新发布|新建|新培育|新评定|新认定|新获|新开工|新创建|新设立|新引进|新发展|年内|每年|新入选|新纳入|新招"
)
CREATE_RE = re.compile(
    r"建设|建成|培育|创建|争创|打造|组织|完成|实施|开展|举办|评选|帮助|联系|收集|改造|引进|认定|招聘|培训|"
    r"达成|制定|制修订|修订|获得|设立|选树|申报|发布|推广|建立|新建|创成|培养|遴选|扶持|孵化|筹建|举行|召开|办理"
)
CREATE_END_RE = re.compile(
    r"(?:建立|建成|培育|创建|争创|打造|新建|引进|认定|评选|培养|遴选|筹建|设立|制定|改造|举办|培训)$"
)
LINK_VERB_RE = re.compile(
    r"(?:达到|达|超过|突破|超|过|稳定在|保持在|提高到|提升到|提升至|提高至|增至|增加到)\s*$"
)
UNITLESS_OK_RE = re.compile(
    r"(?:达到|达|超过|突破|不低于|不少于|稳定在|保持在|提高到|提升到|提升至|提高至|控制在|为|≥|≤|>|<)\s*$"
)

LEAD_STRIP_RE = re.compile(
    r"^(?:[、,，和及与并再还使让共]|其中|同时|另外|此外|力争|争取|确保|努力|全年|年内|当年|今年|以及|实现|推动|助力|力促|"
    r"预计|计划|总计|进一步|持续|逐步|基本|初步|全市|全省|全区|全县|全州|我市|我省|我区|我县|本市|全国|到|至|在)+"
)
YEAR_LEAD_RE = re.compile(
    r"^(?:力争|争取|预计)?(?:到|至|在|于)?\s*(?:19|20)\d{2}\s*年(?:底|末|前|年底)?(?:前)?\s*[,，]?"
)
TRAIL_STRIP_RE = re.compile(
    r"(?:[≥≤><=]+|(?:增至|增加到|增加至|提高到|提高至|提升到|提升至|降至|降到|下降到|下降至|压缩至|压缩到|缩短至|缩短到|减少到|减少至)|(?:新增|新建|累计)?(?:(?<!年)均|都|分别|要|应|将|可|力争|争取|逐步|进一步|持续)?(?:稳定|保持|控制|提高|提升|增加|增长|下降|降低|减少|压减|压缩|扩大|突破|超过)?"
    r"(?:在|到|至|为)?(?:达到|达|超过|突破|超|过|逾|不少于|不低于|不超过|不高于|高于|低于|少于|多于|约|大约|近|接近|为|在|有|计)?)$"
)
GOAL_YEAR_RE = re.compile(
    r"(?P<pre>比|较|与|同|自|从|于|截至|截止)?(?:到|至|力争到|争取到|在)?\s*(?P<y>(?:19|20)\d{2})\s*年(?P<post>版|度版|以来|起|始|开始|至今|[-—–~～至到])?"
)
FIVE_YEAR_RE = re.compile(r"[“\"]?十(?P<n>[一二三四五])五[”\"]?(?:期间|末|时期|时)")
FIVE_YEAR_END = {"一": 2010, "二": 2015, "三": 2020, "四": 2025, "五": 2030}
CURRENT_YEAR_RE = re.compile(r"年内|全年|当年|今年|本年度")


SELF_VERB_RE = re.compile(
    r"(?:确定|提出|明确|列出|部署|梳理|分为|分成|包括|包含|涵盖|归纳为|概括为|聚焦)\s*(?:了|出)?\s*$"
)
SELF_NOUN_RE = re.compile(
    r"(?:个|项|条|大|方面)?\s*(?:重点|主要|具体|工作|政策|专项)?"
    r"(?:任务|措施|举措|阶段|方面|部分|板块|步骤|条款|意见|要点|行动|工程|内容|领域|环节)"
)


@dataclass
class _Mention:
    start: int  # in line
    end: int
    value: float | list[float]
    unit: str
    op: str


def cn_to_num(s: str) -> float | None:
    try:
        import cn2an

        return float(cn2an.cn2an(s, "smart"))
    except Exception:
        table = {
            "一": 1,
            "两": 2,
            "二": 2,
            "三": 3,
            "四": 4,
            "五": 5,
            "六": 6,
            "七": 7,
            "八": 8,
            "九": 9,
            "十": 10,
        }
        return float(table[s]) if s in table else None


def _tofloat(s: str) -> float:
    return float(s.replace(",", ""))


def _norm_unit(u: str) -> str:
    return re.sub(r"[\s()（）]", "", u)


def _bracket_masks(line: str) -> list[tuple[int, int]]:
    """Spans of 《…》 titles and “…” quoted names made of digits."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"《[^》]*》|<[^>]*>", line)]
    spans += [
        (m.start(), m.end())
        for m in re.finditer(r"[“\"‘'][\d+\-NnXx一二三四五六七八九十百千万]+[”\"’']", line)
    ]
    # short quoted names holding a number: “3个千亿”, “1+3+N”
    spans += [(m.start(), m.end()) for m in re.finditer(r"“[^“”]{0,12}\d[^“”]{0,12}”", line)]
    return spans


def _in_spans(i: int, spans) -> bool:
    return any(s <= i < e for s, e in spans)


def _clause_start(line: str, i: int) -> int:
    depth = 0
    for j in range(i - 1, -1, -1):
        ch = line[j]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            if depth == 0:
                return j + 1
            depth -= 1
        elif depth == 0 and ch in SEP_CHARS:
            return j + 1
    return 0


def _clause_end(line: str, i: int, stop_at_dun: bool = True) -> int:
    depth = 0
    seps = SEP_CHARS + ("、" if stop_at_dun else "")
    for j in range(i, len(line)):
        ch = line[j]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and ch in seps:
            return j
    return len(line)


def _sentence_bounds(line: str, i: int) -> tuple[int, int]:
    s = max(line.rfind(c, 0, i) for c in "。！？;；") + 1
    ends = [line.find(c, i) for c in "。！？;；"]
    ends = [e for e in ends if e >= 0]
    return s, (min(ends) if ends else len(line))


def find_mentions(line: str, skip_to: int = 0) -> list[_Mention]:
    out: list[_Mention] = []
    masks = _bracket_masks(line)
    for m in MENTION_RE.finditer(line, skip_to):
        a, b = m.group("a"), m.group("b")
        st, en = m.start(), m.end()
        if _in_spans(st, masks):
            continue
        prev = line[st - 1] if st else ""
        if prev and (prev.isascii() and (prev.isalnum() or prev in "+._/#-")):
            continue
        if prev in "第〔[【等" or line[max(0, st - 2) : st] in ("编号", "代码"):
            continue
        rest = line[en:]
        um = UNIT_RE.match(rest)
        unit = um.group("unit") if um else ""
        uend = en + (um.end() if um else 0)
        after = line[uend : uend + 1]
        if not unit and re.match(r"\s*(?:年|月|日|时|号|周|季度|版|强|大|届|期|天)", rest):
            continue
        if re.match(r"\s*[A-Za-z+]", rest) and not unit:
            continue
        if unit and re.match(r"[A-Za-z+]", after) and unit not in ("%", "‰"):
            continue
        if re.match(r"\s*[年月日]", rest) and not unit:
            continue
        digits = re.sub(r"\D", "", a)
        if len(digits) >= 7 and not unit:
            continue
        if re.match(r"\s*[-—]\s*\d{3,}", rest) or re.search(
            r"\d[-—]\s*$", line[max(0, st - 6) : st]
        ):
            if not b:
                continue
        if b and m.group("sep"):
            va, vb = _tofloat(a), _tofloat(b)
            if (
                not (vb > va)
                or not unit
                or (re.fullmatch(r"(?:19|20)\d{2}", a) and re.fullmatch(r"(?:19|20)\d{2}", b))
            ):
                # not a range: keep only the first number if it has no unit
                continue
            value: float | list[float] = [va, vb]
        else:
            if b:
                continue
            value = _tofloat(a)
        if not unit:
            if not UNITLESS_OK_RE.search(line[max(0, st - 4) : st]):
                continue
            if not re.match(r"\s*(?:以上|以下|以内|左右|$|[,，;；。])", rest):
                continue
        if re.fullmatch(r"(?:19|20)\d{2}", a) and unit in ("", "年"):
            continue
        out.append(
            _Mention(st, uend, value, _norm_unit(unit), "range" if isinstance(value, list) else "")
        )
    for m in CN_RANGE_RE.finditer(line, skip_to):
        if _in_spans(m.start(), masks):
            continue
        va, vb = cn_to_num(m.group("a")), cn_to_num(m.group("b"))
        if va is not None and vb is not None and vb > va:
            out.append(_Mention(m.start(), m.end(), [va, vb], m.group("unit"), "range"))
    for m in CN_SINGLE_RE.finditer(line, skip_to):
        if _in_spans(m.start(), masks):
            continue
        v = cn_to_num(m.group("a"))
        if v and v >= 2:
            out.append(_Mention(m.start("a"), m.end(), v, m.group("unit"), ""))
    for m in CN_TAIL_RE.finditer(line, skip_to):
        if _in_spans(m.start(), masks):
            continue
        cs = _clause_start(line, m.start())
        pre = line[cs : m.start()]
        if not (CREATE_RE.search(pre) or NEW_RE.search(pre) or re.search(r"达到|力争|确保", pre)):
            continue
        v = cn_to_num(m.group("a"))
        if v and v >= 2:
            out.append(_Mention(m.start("a"), m.end("unit"), v, m.group("unit"), ""))
    for m in DOUBLE_RE.finditer(line, skip_to):
        v = 4.0 if "两" in m.group(0) else 2.0
        out.append(_Mention(m.start(), m.end(), v, "倍", ""))
    out.sort(key=lambda x: x.start)
    # drop overlaps
    res: list[_Mention] = []
    for x in out:
        if res and x.start < res[-1].end:
            continue
        res.append(x)
    return res


def _op(line: str, mt: _Mention) -> str:
    if mt.op == "range":
        return "range"
    before = line[max(0, mt.start - 6) : mt.start]
    after = line[mt.end : mt.end + 3]
    if mt.unit == "倍":
        return ">="
    if re.search(r"(?:≥|>=|⩾)\s*$", before):
        return ">="
    if re.search(r"(?:≤|<=|⩽)\s*$", before):
        return "<="
    if re.search(r">\s*$", before):
        return ">"
    if re.search(r"<\s*$", before):
        return "<"
    if re.match(r"\s*左右", after) or re.search(r"(?:约|大约|近|接近)\s*$", before):
        return "~"
    if re.match(r"\s*(?:以内|以下)", after) or re.search(
        r"(?:不超过|不高于|控制在|降至|降到|压缩至|压缩到|压减至|压减到|缩短至|缩短到|降低至|降低到|下降到|下降至|减少到|减少至)\s*$",
        before,
    ):
        return "<="
    if re.search(r"(?<!不)(?:低于|少于|小于)\s*$", before):
        return "<"
    if re.match(r"\s*以上", after):
        return ">="
    if re.search(r"(?<!不)(?:超过|突破|高于|多于|大于|超|过|逾)\s*$", before):
        return ">"
    return ">="


def _year_exprs(line: str) -> list[tuple[int, int]]:
    """(position, year) of goal years in a line: 到2025年, 2025年底, “十四五”期间, 年内 (-1)."""
    out = []
    masks = [(m.start(), m.end()) for m in re.finditer(r"《[^》]*》|[(（][^()（）]*版[)）]", line)]
    for m in GOAL_YEAR_RE.finditer(line):
        if m.group("pre") or m.group("post") or _in_spans(m.start(), masks):
            continue
        if re.search(r"[\d\-—–~～]\s*(?:到|至)?\s*$", line[max(0, m.start() - 3) : m.start("y")]):
            continue  # second year of a range: 2022—2026年
        out.append((m.start(), int(m.group("y"))))
    for m in FIVE_YEAR_RE.finditer(line):
        if re.search(
            r"(?:比|较|与|同|自|从)\s*[“\"]?$", line[max(0, m.start() - 2) : m.start() + 1]
        ):
            continue  # a base of comparison: 比“十一五”末
        out.append((m.start(), FIVE_YEAR_END[m.group("n")]))
    for m in CURRENT_YEAR_RE.finditer(line):
        out.append((m.start(), -1))
    out.sort()
    return out


def _strip_indicator(pre: str) -> str:
    s = pre.strip()
    for _ in range(4):
        s2 = YEAR_LEAD_RE.sub("", s)
        s2 = FIVE_YEAR_RE.sub("", s2) if FIVE_YEAR_RE.match(s2) else s2
        s2 = LEAD_STRIP_RE.sub("", s2)
        s2 = s2.strip(" ,，、")
        if s2 == s:
            break
        s = s2
    for _ in range(3):
        s2 = TRAIL_STRIP_RE.sub("", s).strip(" ,，、")
        if s2 == s:
            break
        s = s2
    return s


_FUNC_END_RE = re.compile(r"(?:每|按|按照|或|和|及|与|约|为|对|向|在|从)$")
_VERB_LINK_END_RE = re.compile(
    r"(?:达到|达|为|超过|突破|超|不少于|不低于|不超过|稳定在|保持在|控制在)\s*$"
)


def _compose_indicator(raw_pre: str, bare: str, post: str) -> str:
    """Join the text before and after the number into the indicator name."""
    post_clean = re.sub(r"等$", "", post.lstrip("的").strip()).strip()
    if len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", post_clean)) < 2:
        post_clean = ""
    # 按(照)X不少于N的标准…: the standard's measure, not the subject of 按
    found = list(re.finditer(r"按照|依照|按", raw_pre))
    mb = found[-1] if found else None
    if mb is not None and re.match(r"\s*的?标准", post):
        subj_raw = raw_pre[: mb.start()].strip()
        subj = "" if re.search(r"[要应须需]$", subj_raw) else _strip_indicator(subj_raw)
        rest = _strip_indicator(raw_pre[mb.end() :])
        tail = re.sub(r"^\s*的?标准", "", post)
        tail = re.sub(r"^(?:配套建设|配套|建设|规划设置|设置)", "", tail)
        if re.match(r"(?:调剂|解决|执行|落实)", tail):
            tail = ""
        return (subj + rest + tail).strip(" ,，、")
    if not bare:
        return post_clean
    if not post_clean or _VERB_LINK_END_RE.search(raw_pre):
        return bare
    if len(bare) <= 8 or _FUNC_END_RE.search(bare):
        return bare + post_clean
    return post_clean


def _split_shared(ind: str, raw_pre: str) -> list[str]:
    """'A、B均达到98%' → [A, B]; 'A、B覆盖率达到100%' → [A覆盖率, B覆盖率]."""
    both = re.search(
        r"(?:均|都|分别)\s*(?:稳定|保持)?(?:在|为)?(?:达到|达|超过|不低于|不少于|在|为|高于|控制在)?\s*$",
        raw_pre.strip(),
    )
    if "、" not in ind and not (both and re.search(r"和|及", ind)):
        return [ind]
    if both:
        parts = [
            p.strip()
            for p in re.split(r"(?:和|及|与)(?![^(（]*[)）])", "、".join(_split_top_dun(ind)))
            for p in [p]
            if p
        ]
        parts = [q.strip() for p in parts for q in _split_top_dun(p) if q.strip()]
        return parts if len(parts) >= 2 else [ind]
    parts = [p for p in (x.strip() for x in _split_top_dun(ind)) if p]
    if len(parts) < 2:
        return [ind]
    last = parts[-1]
    if (
        re.search(r"率$", last)
        and not any("率" in p for p in parts[:-1])
        and all(len(p) >= 4 for p in parts[:-1])
    ):
        suffix = last[-3:]
        return [p + suffix for p in parts[:-1]] + [last]
    return [ind]


def _split_top_dun(s: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "(（“":
            depth += 1
        elif ch in ")）”":
            depth = max(0, depth - 1)
        if ch == "、" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _kind(
    clause_pre: str,
    sentence_pre: str,
    indicator: str,
    unit: str,
    prev_kind: str | None,
    annual: bool,
    op: str = ">=",
) -> str:
    if CHANGE_RE.search(clause_pre) or unit in ("倍", "个百分点", "百分点"):
        return "change"
    # 约/左右 qualify the value only (op "~"), not what is counted
    if unit in ("%", "‰") or "/" in unit or LEVEL_IND_RE.search(indicator) or op in ("<=", "<"):
        return "level"
    if CUM_RE.search(clause_pre):
        return "cumulative"
    if NEW_RE.search(clause_pre):
        return "new"
    if LINK_VERB_RE.search(clause_pre):
        return "cumulative"
    bare = _strip_indicator(clause_pre)
    if re.match(r"^.{0,6}?(?:" + CREATE_RE.pattern + r")", bare) or CREATE_END_RE.search(bare):
        return "new"
    if unit in FLOW_UNITS or re.search(FLOW_VERB_RE, bare):
        return "new"  # batches sampled, certificates issued, sessions held: a yearly flow
    if prev_kind in ("level", "change") and unit not in ("%", "‰", ""):
        prev_kind = None  # a count does not inherit a rate's kind
    if prev_kind and (
        not bare
        or not re.search(r"[\u4e00-\u9fff]{2}", clause_pre)
        or bare == clause_pre.strip(" 、,，和及")
    ):
        return prev_kind
    if CUM_RE.search(sentence_pre):
        return "cumulative"
    if NEW_RE.search(sentence_pre):
        return "new"
    return "new" if annual else "cumulative"


def extract_targets(
    text: str, sections: list[Section], facts: Facts, task_spans=None
) -> list[Target]:
    annual = facts.kind == "工作要点" or bool(
        re.search(r"(?:19|20)\d{2}年(?:度)?[\u4e00-\u9fff]*(?:要点|计划)", facts.title)
    )
    sec_starts = [s.start for s in sections]
    targets: list[Target] = []
    pos = 0
    heading_skip = re.compile(
        r"^\s*(?:第[一二三四五六七八九十百\d]+[章节部篇]|[一二三四五六七八九十百]+[、.]|[(（][一二三四五六七八九十百\d]+[)）]|\d{1,3}[.、](?!\d)|[①-⑳])\s*"
    )
    section_year_cache: dict[int, list[tuple[int, int]]] = {}
    tops = [x for x in sections if x.parent is None]
    body_start = tops[0].start if len(tops) >= 2 else 0
    notice = bool(facts.title) and not re.search(
        r"规划|方案|意见|要点|计划|纲要|措施|办法|目标|任务", facts.title
    )
    for line in text.split("\n"):
        lstart = pos
        pos += len(line) + 1
        if lstart < body_start:
            continue  # the covering notice / preamble before the first heading
        si = bisect_right(sec_starts, lstart) - 1
        if si >= 0 and sections[si].role == "review" and lstart < sections[si].end:
            continue  # a review of the past period states facts, not goals
        if not line.strip() or not re.search(r"\d|翻|[一两二三四五六七八九十]\s*(?:到|至)", line):
            continue
        hm = heading_skip.match(line)
        head_end = hm.end() if hm else 0
        mentions = find_mentions(line, head_end)
        if not mentions:
            continue
        years_here = _year_exprs(line)
        prev_end_in_sentence = -1
        prev_sentence = None
        prev_kind = None
        prev_ind = ""
        prev_unit = None
        consumed: dict[int, str] = {}
        for k, mt in enumerate(mentions):
            s_start, s_end = _sentence_bounds(line, mt.start)
            if prev_sentence != s_start:
                prev_end_in_sentence = -1
                prev_kind = None
                prev_ind, prev_unit = "", None
                prev_sentence = s_start
            c_start = max(_clause_start(line, mt.start), prev_end_in_sentence, s_start, head_end)
            # skip the op word right after the previous mention (以上/左右)
            raw_pre = line[c_start : mt.start]
            raw_pre = re.sub(r"^\s*(?:以上|以下|以内|左右)", "", raw_pre)
            c_end = _clause_end(line, mt.end, stop_at_dun=False)
            if k + 1 < len(mentions) and mentions[k + 1].start < c_end:
                c_end = mentions[k + 1].start
            post = line[mt.end : c_end]
            post = re.split(r"[(（]", post, maxsplit=1)[0]
            post = re.sub(r"^\s*(?:以上|以下|以内|左右)", "", post).strip()
            if re.match(r"(?:、|和|及|与|以及|或)", post):
                post = ""
            post = post.rstrip("、 和及与或")
            clause_full = line[
                _clause_start(line, mt.start) : _clause_end(line, mt.end, stop_at_dun=False)
            ]
            # modifier: 超100亿元的企业达5家 → 100亿元 is part of a name
            if post.startswith("的") and any(
                o.start > mt.end and o.start < _clause_end(line, mt.end, stop_at_dun=False)
                for o in mentions[k + 1 :]
            ):
                continue
            sentence_pre = line[s_start : mt.start]
            # past facts
            cpre_full = line[_clause_start(line, mt.start) : mt.start]
            if PAST_RE.search(cpre_full) and not FUTURE_RE.search(clause_full):
                prev_end_in_sentence = mt.end
                continue
            if SELF_VERB_RE.search(raw_pre) and SELF_NOUN_RE.match(post):
                prev_end_in_sentence = mt.end
                continue  # the document describing itself: 确定12项重点任务, 分为三个阶段
            op = _op(line, mt)
            if re.search(r"奖励|补助|资助|补贴|奖补|给予", clause_full) and "元" in mt.unit:
                prev_end_in_sentence = mt.end
                continue  # an incentive amount is a policy term, not a goal
            if (
                mt.unit == "次"
                and mt.value == 1
                and re.search(r"每(?:年|季度?|月|周|半年)", clause_full)
            ):
                prev_end_in_sentence = mt.end
                continue  # a meeting frequency
            if notice and not re.search(
                r"达到|达|以上|以下|以内|不低于|不少于|不超过|力争|确保|超过|突破|提高到|控制在|率|≥|≤",
                clause_full,
            ):
                prev_end_in_sentence = mt.end
                continue  # a notice's practical numbers (材料2份, 20人参加) are not goals
            # indicator
            bare = _strip_indicator(raw_pre)
            if bare.startswith("比") or re.match(r"^(?:比|较)", bare):
                bare = ""
            base = ""
            bm = re.search(
                r"(?:比|较)(上年|去年|上一年|(?:19|20)\d{2}年(?:底|末)?|[“\"]?十[一二三四五]五[”\"]?末|基期)",
                raw_pre,
            )
            if bm:
                base = bm.group(1)
                bare = _strip_indicator(raw_pre[: bm.start()])
            ind = _compose_indicator(raw_pre, bare, post)
            respective = False
            if k in consumed:
                ind, respective = consumed[k], True
            elif re.search(r"分别", raw_pre):
                parts = [p for p in re.split(r"、|和|及|与", bare) if p.strip()]
                chain, j = [], k + 1
                while j < len(mentions) and len(chain) < len(parts) - 1:
                    gap = re.sub(
                        r"以上|以下|以内|左右", "", line[mentions[j - 1].end : mentions[j].start]
                    )
                    if not re.fullmatch(r"\s*(?:和|、|及|与|,|，)\s*", gap):
                        break
                    chain.append(j)
                    j += 1
                if len(parts) >= 2 and len(chain) == len(parts) - 1:
                    ind, respective = parts[0].strip(), True
                    for jj, part in zip(chain, parts[1:], strict=True):
                        consumed[jj] = part.strip()
            ind = re.sub(
                r"^(?:新增|累计|共计|总计)(?=[\u4e00-\u9fff“\"]{2})", "", ind.strip(" ,，、:：")
            ).strip(" ,，、:：")
            kind_pre = raw_pre
            if _han_len(ind) < 2:
                name = _colon_name(line, c_start, head_end)
                if name:  # a goal list "指标：突破12万件"
                    ind, kind_pre = name, name + "," + raw_pre
                elif prev_ind and (base or re.match(r"\s*(?:比|较|同比|年均)", raw_pre)):
                    ind = prev_ind  # a second goal for the same quantity: …60家，比2023年翻一番
            elif (
                prev_ind
                and _han_len(ind) <= 4
                and re.match(r"\s*[、,，和及]", raw_pre)
                and mt.unit == prev_unit
            ):
                ind = _carry_head_noun(ind, prev_ind)
            if _han_len(ind) < 2:
                prev_end_in_sentence = mt.end
                continue
            # year: sentence → paragraph → section → default
            year = _find_year(years_here, mt.start, s_start)
            if year is None:
                year = _section_year(
                    text, sections, sec_starts, lstart + mt.start, section_year_cache
                )
            if year == -1 or year is None:
                year = facts.default_year
            if facts.doc_year and year and year < facts.doc_year:
                prev_end_in_sentence = mt.end
                continue  # a report on the past, not a goal
            kind = _kind(kind_pre, sentence_pre, ind, mt.unit, prev_kind, annual, op)
            direction = (
                "down"
                if (re.search(r"减少|下降|降低|压减|压缩|控制|降至", raw_pre) or op in ("<=", "<"))
                else "up"
            )
            span = (lstart + (c_start if c_start >= 0 else 0), lstart + mt.end)
            text_clause = line[s_start:s_end].strip()
            for name in [ind] if respective else _split_shared(ind, raw_pre):
                targets.append(
                    Target(
                        indicator=name,
                        op=op,
                        value=mt.value,
                        unit=mt.unit,
                        year=year,
                        kind=kind,
                        text=text_clause[:200],
                        direction=direction,
                        base=base,
                        span=span,
                    )
                )
            prev_end_in_sentence = mt.end
            prev_kind = kind
            prev_ind, prev_unit = ind, mt.unit
    if task_spans:
        starts = [s for s, _, _ in task_spans]
        for t in targets:
            i = bisect_right(starts, t.span[1]) - 1
            if i >= 0 and task_spans[i][0] <= t.span[1] < task_spans[i][1]:
                t.task = task_spans[i][2]
    return targets


def _han_len(s: str) -> int:
    return len(re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", s))


_COLON_NAME_BAD = re.compile(r"(?:如下|目标|要求|包括|任务|指标|原则|思路|是|为|有)$")


def _colon_name(line: str, c_start: int, head_end: int) -> str:
    """'有效注册商标总量：突破12万件': the name before the colon of a goal list item."""
    j = c_start - 1
    while j >= head_end and line[j] == " ":
        j -= 1
    if j < head_end or line[j] not in ":：":
        return ""
    name = _strip_indicator(line[max(head_end, _clause_start(line, j)) : j])
    if not (2 <= _han_len(name) <= 30) or _COLON_NAME_BAD.search(name):
        return ""
    return name


def _carry_head_noun(ind: str, prev: str) -> str:
    """'国家级X项目12个、省级30个': the elliptic '省级' takes the head noun of the item before."""
    p = prev.rfind(ind[-1])
    if p < 0 or p + 2 >= len(prev) or ind in prev:
        return ind
    rest = prev[p + 1 :]
    if rest.startswith(("以上", "以下")) and len(rest) > 4:
        rest = rest[2:]  # 省级以上X、市级N个: the qualifier belongs to the first item
    return ind + rest


def _find_year(years: list[tuple[int, int]], i: int, s_start: int) -> int | None:
    best = None
    for p, y in years:
        if p < i:
            best = y
        else:
            break
    return best


def _section_year(text, sections, sec_starts, abs_pos, cache) -> int | None:
    """Nearest goal year before abs_pos inside the enclosing sections, innermost first."""
    idx = bisect_right(sec_starts, abs_pos) - 1
    chain = []
    while idx is not None and idx >= 0:
        chain.append(idx)
        idx = sections[idx].parent
    for depth, i in enumerate(chain):
        s = sections[i]
        limit = abs_pos
        if depth > 0:  # an ancestor: only its own lead-in text, not earlier sibling items
            kids = [j for j in range(i + 1, len(sections)) if sections[j].parent == i]
            limit = min(abs_pos, sections[kids[0]].start) if kids else abs_pos
        if i not in cache:
            seg = text[s.start : s.end]
            found, off = [], 0
            for ln in seg.split("\n"):
                found.extend((s.start + off + p, y) for p, y in _year_exprs(ln))
                off += len(ln) + 1
            cache[i] = found
        best = None
        for p, y in cache[i]:
            if p < limit:
                best = y
            else:
                break
        if best is not None:
            return best
    return None


# --- indicator tables (规划 指标表) -----------------------------------------------------------
_TABLE_VALUE_RE = re.compile(
    r"^\s*(?P<op>≥|≤|>=|<=|>|<|不低于|不少于|不高于|不超过|约)?\s*(?P<a>\d+(?:\.\d+)?)\s*"
    r"(?:[-—~～至]\s*(?P<b>\d+(?:\.\d+)?))?\s*(?P<unit>%|‰|(?:(?!以上|以下|以内|左右)[\u4e00-\u9fff]){1,4})?\s*(?P<post>以上|以下|以内|左右)?\s*$"
)


def targets_from_tables(tables, facts: Facts) -> list[Target]:
    """Rows of an indicator table: 指标 | 单位 | 2020年(基期) | 2025年(目标) | 属性."""
    out: list[Target] = []
    for tb in tables:
        rows = [[re.sub(r"\s+", "", c or "") for c in r] for r in tb.rows]
        for h, row in enumerate(rows[:4]):
            name_col = next(
                (j for j, c in enumerate(row) if re.search(r"指标(?:名称)?$|^指标|^名称$", c)), None
            )
            if name_col is None:
                continue
            unit_col = next(
                (j for j, c in enumerate(row) if re.fullmatch(r"(?:计量)?单位", c)), None
            )
            year_cols = [
                (int(m.group(1)), j)
                for j, c in enumerate(row)
                for m in [re.search(r"((?:19|20)\d{2})年?", c)]
                if m
            ]
            goal_cols = [j for j, c in enumerate(row) if re.search(r"目标|预期值|规划值", c)]
            if goal_cols:
                col = goal_cols[-1]
                ym = re.search(r"((?:19|20)\d{2})", row[col])
                year = int(ym.group(1)) if ym else facts.default_year
            elif year_cols:
                year, col = max(year_cols)
                if facts.doc_year and year < facts.doc_year:
                    continue
            else:
                continue
            for r in rows[h + 1 :]:
                if col >= len(r) or name_col >= len(r):
                    continue
                name, cell = r[name_col], r[col]
                m = _TABLE_VALUE_RE.match(cell)
                if not name or not m or re.fullmatch(r"\d+", name):
                    continue
                unit = m.group("unit") or ""
                um = re.search(r"[(（]([^()（）]{1,8})[)）]$", name)
                if not unit and unit_col is not None and unit_col < len(r):
                    unit = r[unit_col]
                if not unit and um:
                    unit = um.group(1)
                if um:
                    name = name[: um.start()]
                unit = _norm_unit(unit.replace("％", "%"))
                a = float(m.group("a"))
                if m.group("b"):
                    value: float | list[float] = [a, float(m.group("b"))]
                    op = "range"
                else:
                    value = a
                    sym, post = m.group("op") or "", m.group("post") or ""
                    op = {
                        "≥": ">=",
                        ">=": ">=",
                        "不低于": ">=",
                        "不少于": ">=",
                        "≤": "<=",
                        "<=": "<=",
                        "不高于": "<=",
                        "不超过": "<=",
                        ">": ">",
                        "<": "<",
                        "约": "~",
                    }.get(sym, ">=")
                    if post in ("以下", "以内"):
                        op = "<="
                    elif post == "左右":
                        op = "~"
                kind = (
                    "change"
                    if CHANGE_RE.search(name)
                    else (
                        "level"
                        if unit in ("%", "‰") or LEVEL_IND_RE.search(name) or op in ("<=", "<")
                        else "cumulative"
                    )
                )
                out.append(
                    Target(
                        indicator=name,
                        op=op,
                        value=value,
                        unit=unit,
                        year=year,
                        kind=kind,
                        text=" | ".join(r)[:200],
                        direction="down"
                        if op in ("<=", "<") or re.search(r"下降|降低|减少", name)
                        else "up",
                        span=(tb.start, tb.end),
                    )
                )
            break
    return out
