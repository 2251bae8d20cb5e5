"""Propose library indicators for a target's indicator name as a plan writes it.

Pure Python (no Django). The review page shows the ranked proposals; a person confirms one,
and the confirmed link (target → indicator + variant parameters) is what the platform keeps.

Rules implemented here (values are parameters; their defaults are rows in ``rules.py``):

- ``indicators.match_threshold``: a proposal below this similarity is never returned, so an
  unknown indicator stays unlinked instead of being forced onto the nearest entry (本地配置).
- ``indicators.match_max_proposals``: how many ranked proposals to return (本地配置).

Library format (``library.json``: ``{"schema_version", "note", "entries": [...]}``): each entry
has key, name, synonyms, definition, unit, direction, bounds, aggregation, reporting_unit,
computed_by and ``parameters``. A parameter's schema is a list of values (recognised in the
text), ``{"type": "bool", "cues": [...]}``, ``{"type": "number", "pattern": regex}``, or a
plain description string (not read from the text, e.g. a category code).

Method:

1. Normalise both sides: NFKC (full-width letters, digits and signs folded), lower case, scope
   words (全市, 全省, 我市, 我省, 全区, 全县, 本市, 本省) and punctuation/quotes/brackets dropped.
   A second form of the text also drops bracketed asides ("（含提名奖）") and a leading
   action word (新增, 累计, 培育, 创建, 建成, 实施, 评选, 改造…); the better form wins.
2. Score the text against the entry's name and each synonym; the entry's score is the best:
   - equal strings score 1.0;
   - character-bigram Dice coefficient, computed after a generic tail both sides share
     (合格率, 覆盖率, 满意度, 比例 …) is dropped, so a common ending alone does not make two
     indicators look alike;
   - containment: a phrase of ≥ 3 characters found inside the other scores
     ``0.45 + 0.55 · shorter/longer`` (so "老字号" inside "某省老字号" is strong, a short generic
     word inside a long clause is weak);
   - bigram coverage: the share of the phrase's bigrams present in the text, damped by the
     length ratio, catches reordered wording.
3. An optional unit nudges the ranking: a percentage against a count entry (or the reverse)
   loses 0.1; a compatible unit gains 0.03. It never lifts a proposal over the threshold on
   its own (the nudge is applied only to scores already above it).
4. Domain words: when the text names a domain (食品, 药品, 农产品, 工程 …) that none of an
   entry's name, synonyms, definition and parameter values mentions, the entry's score is multiplied by 0.7, so that
   "某类产品监督抽查合格率" does not land on the generic product pass rate.
5. Variant parameters are read from the text for the parameters the entry declares: an
   enumerated value (or its alias, e.g. 监督抽查 for 监督抽检, 省 for 省级) found in the text,
   a boolean cue (提名 → include_nomination), or a number pattern (过500亿元 → 500).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_PROPOSALS = 5

LIBRARY_PATH = Path(__file__).resolve().parent / "library.json"

SCOPE_WORDS = ("全市", "全省", "我市", "我省", "全区", "全县", "本市", "本省", "全州")
LEADING_ACTIONS = (
    "累计新增",
    "新增",
    "累计",
    "新培育",
    "培育",
    "新评定",
    "创建",
    "建成",
    "实施",
    "评选",
    "开展",
    "完成",
    "新建",
    "打造",
    "引进",
    "获得",
)
_PUNCT = re.compile(r"[\s\"'“”‘’《》<>「」『』()\[\]{}【】、，,。.:：;；·!！?？\-—–_/|~～+＋*]")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")

REQUIRED_KEYS = (
    "key",
    "name",
    "synonyms",
    "definition",
    "unit",
    "direction",
    "bounds",
    "aggregation",
    "reporting_unit",
    "computed_by",
    "parameters",
)
AGGREGATIONS = ("sum", "weighted_rate", "latest", "mean")

# Aliases of enumerated parameter values (regular expressions). A value without an alias is
# searched literally.
VALUE_ALIASES = {
    "国家级": r"国家级|国家|全国",
    "省级以上": r"省级以上|省级及以上|省以上",
    "省级": r"省级|省(?!级|以上|外)",
    "市级以上": r"市级以上|市级及以上|市以上",
    "市级": r"市级|(?<![城超都])市(?!场|级|以上|、|\))",
    "县级": r"县级|县(?![(（])",
    "监督抽检": r"监督抽检|监督抽查",
    "评价性抽检": r"评价性抽检|评价性抽查",
    "改造提升": r"改造提升|提升改造|改造",
    "新建": r"新建|新增",
    "室内": r"室内",
    "室外": r"室外",
    "3A": r"3A",
}


@dataclass(frozen=True)
class Proposal:
    key: str
    score: float
    params: dict = field(default_factory=dict)
    matched: str = ""  # the name or synonym that gave the score

    def as_tuple(self):
        return (self.key, self.score, self.params)


# ---------------------------------------------------------------- library


def load_library(path: str | Path | None = None) -> list[dict]:
    """Read ``library.json`` (an object with ``entries``, or a bare list) and return entries."""
    data = json.loads(Path(path or LIBRARY_PATH).read_text(encoding="utf-8"))
    return data["entries"] if isinstance(data, dict) else data


def validate_library(entries: list[dict]) -> list[str]:
    """Return a list of problems (empty when the library is well formed)."""
    problems = []
    seen = set()
    for i, e in enumerate(entries):
        where = e.get("key", f"#{i}")
        for k in REQUIRED_KEYS:
            if k not in e:
                problems.append(f"{where}: missing {k}")
        key = e.get("key", "")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key or ""):
            problems.append(f"{where}: key is not an ascii slug")
        if key in seen:
            problems.append(f"{where}: duplicate key")
        seen.add(key)
        if e.get("direction") not in ("up", "down"):
            problems.append(f"{where}: direction must be up or down")
        if e.get("aggregation") not in AGGREGATIONS:
            problems.append(f"{where}: unknown aggregation")
        if e.get("unit") == "%" and e.get("bounds") != [0, 100]:
            problems.append(f"{where}: a rate in % must have bounds [0, 100]")
        if not isinstance(e.get("synonyms"), list):
            problems.append(f"{where}: synonyms must be a list")
        if not isinstance(e.get("parameters"), dict):
            problems.append(f"{where}: parameters must be an object")
    return problems


# ---------------------------------------------------------------- text


def normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").lower()
    for w in SCOPE_WORDS:
        s = s.replace(w, "")
    return _PUNCT.sub("", s)


def core_form(text: str) -> str:
    """Normalised text without bracketed asides and without a leading action word."""
    s = _BRACKETED.sub("", unicodedata.normalize("NFKC", text or ""))
    s = normalise(s)
    for w in LEADING_ACTIONS:
        if s.startswith(w) and len(s) - len(w) >= 2:
            s = s[len(w) :]
            break
    return s


def bigrams(s: str) -> set[str]:
    if len(s) < 2:
        return {s} if s else set()
    return {s[i : i + 2] for i in range(len(s) - 1)}


def dice(a: str, b: str) -> float:
    ga, gb = bigrams(a), bigrams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


GENERIC_TAILS = (
    "合格率",
    "覆盖率",
    "普及率",
    "达标率",
    "执行率",
    "满意度",
    "比例",
    "比重",
    "占比",
    "数量",
    "总数",
    "总量",
)


def _strip_shared_tail(a: str, b: str) -> tuple[str, str]:
    """Drop a generic tail both strings end with, so "某某覆盖率" and "另一覆盖率" do not look alike."""
    for tail in GENERIC_TAILS:
        if (
            a.endswith(tail)
            and b.endswith(tail)
            and len(a) > len(tail) + 1
            and len(b) > len(tail) + 1
        ):
            return a[: -len(tail)], b[: -len(tail)]
    return a, b


def phrase_score(text: str, phrase: str) -> float:
    """Similarity of a normalised text and a normalised library phrase, in [0, 1]."""
    if not text or not phrase:
        return 0.0
    if text == phrase:
        return 1.0
    short, long_ = sorted((text, phrase), key=len)
    contained = len(short) >= 3 and short in long_
    text, phrase = _strip_shared_tail(text, phrase)
    best = dice(text, phrase)
    if contained:
        best = max(best, 0.45 + 0.55 * len(short) / len(long_))
    gp, gt = bigrams(phrase), bigrams(text)
    if len(gp) >= 2:
        coverage = len(gp & gt) / len(gp)
        ratio = min(len(phrase), len(text)) / max(len(phrase), len(text))
        best = max(best, coverage * (0.35 + 0.45 * ratio))
    return min(best, 1.0)


# ---------------------------------------------------------------- units

# Words that name what is measured; an entry silent about a domain the text names is damped.
DOMAIN_WORDS = (
    "食品",
    "药品",
    "农产品",
    "水产品",
    "化妆品",
    "医疗器械",
    "消费品",
    "工程",
    "建筑",
    "服务业",
    "特种设备",
    "农业",
    "商标",
    "专利",
)
DOMAIN_DAMPING = 0.7

_RATE_UNITS = {"%", "‰", "百分点"}


def _unit_class(unit: str | None) -> str | None:
    u = normalise(unit or "")
    if not u:
        return None
    if u in _RATE_UNITS:
        return "rate"
    if "元" in u:
        return "money"
    if any(x in u for x in ("亩", "平方米", "公顷", "m2")):
        return "area"
    if "分" == u:
        return "score"
    return "count"


def _unit_nudge(text_unit: str | None, entry_unit: str) -> float:
    a, b = _unit_class(text_unit), _unit_class(entry_unit)
    if a is None or b is None:
        return 0.0
    if a == b:
        return 0.03
    if "rate" in (a, b) and "score" in (a, b):  # satisfaction written as % or 分
        return 0.0
    if "rate" in (a, b):
        return -0.1
    return 0.0


# ---------------------------------------------------------------- parameters


def _find_spans(text: str, value: str) -> list[tuple[int, int]]:
    pattern = VALUE_ALIASES.get(value) or re.escape(value)
    return [m.span() for m in re.finditer(pattern, text)]


def extract_params(text: str, schema: dict) -> dict:
    """Read the variant parameters an entry declares from the indicator text."""
    s = unicodedata.normalize("NFKC", text or "")
    for w in SCOPE_WORDS:
        s = s.replace(w, "")
    out: dict = {}
    for name, spec in (schema or {}).items():
        if isinstance(spec, list):
            hits = []
            for value in spec:
                for span in _find_spans(s, value):
                    hits.append((span, value))
            # a hit inside a longer hit (省级 inside 省级以上) does not count
            kept = [
                (span, v)
                for span, v in hits
                if not any(
                    o[0] <= span[0] and span[1] <= o[1] and (o[1] - o[0]) > (span[1] - span[0])
                    for o, _ in hits
                )
            ]
            values = []
            for _, v in sorted(kept):
                if v not in values:
                    values.append(v)
            if len(values) == 1:
                out[name] = values[0]
            elif values:
                out[name] = values
        elif isinstance(spec, dict) and spec.get("type") == "bool":
            if any(cue in s for cue in spec.get("cues", [])):
                out[name] = True
        elif isinstance(spec, dict) and spec.get("type") == "number":
            m = re.search(spec.get("pattern", r"(\d+(?:\.\d+)?)"), s)
            if m:
                num = float(m.group(1))
                out[name] = int(num) if num.is_integer() else num
    return out


# ---------------------------------------------------------------- proposals


def _param_values(entry: dict) -> list[str]:
    out = []
    for spec in (entry.get("parameters") or {}).values():
        if isinstance(spec, list):
            out.extend(str(v) for v in spec)
    return out


def _phrases(entry: dict) -> list[str]:
    return [entry["name"], *entry.get("synonyms", [])]


def score_entry(indicator_text: str, entry: dict) -> tuple[float, str]:
    forms = {normalise(indicator_text), core_form(indicator_text)}
    best, matched = 0.0, ""
    phrases = _phrases(entry)
    for phrase in phrases:
        variants = {normalise(phrase), core_form(phrase)}
        for t in forms:
            for p in variants:
                sc = phrase_score(t, p)
                if sc > best:
                    best, matched = sc, phrase
    text = normalise(indicator_text)
    joined = "|".join(
        normalise(p) for p in [*phrases, entry.get("definition", ""), *_param_values(entry)]
    )
    for word in DOMAIN_WORDS:
        if word in text and word not in joined:
            best *= DOMAIN_DAMPING
            break
    return best, matched


def propose(
    indicator_text: str,
    library: list[dict] | None = None,
    *,
    unit: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_MAX_PROPOSALS,
) -> list[tuple[str, float, dict]]:
    """Ranked ``(key, score, params)`` proposals at or above ``threshold`` (best first)."""
    return [
        p.as_tuple()
        for p in propose_detailed(
            indicator_text, library, unit=unit, threshold=threshold, limit=limit
        )
    ]


def propose_detailed(
    indicator_text: str,
    library: list[dict] | None = None,
    *,
    unit: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_MAX_PROPOSALS,
) -> list[Proposal]:
    if library is None:
        library = load_library()
    out = []
    for entry in library:
        score, matched = score_entry(indicator_text, entry)
        if score < threshold:
            continue
        score = max(threshold, min(1.0, score + _unit_nudge(unit, entry.get("unit", ""))))
        params = extract_params(indicator_text, entry.get("parameters", {}))
        out.append(Proposal(entry["key"], round(score, 3), params, matched))
    out.sort(key=lambda p: (-p.score, p.key))
    return out[:limit]
