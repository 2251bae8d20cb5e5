"""Publicly verifiable 双随机一公开 draw (random inspection targets and random inspectors).

Pure Python, no Django. The exact algorithm (byte encodings, orders, tie rules, allocation
rounding, pairing) is specified in ``docs/draw.md``; this module is its reference
implementation and must stay in step with it (``tests/test_draw_spec.py`` re-implements the
document independently and compares).

Rules implemented (values are passed in; defaults live in ``qcity/inspection/rules.py``):

* Sampling ratio per 企业信用风险分类 class A/B/C/D (国市监信发〔2022〕6号: A lowered, B normal,
  C raised, D substantially raised; concrete defaults from Henan 2021 A 1% / B 2% / C 10% /
  D 30%, REFERENCE.md §2 [S]) -> ``inspection.draw.ratio_a`` … ``ratio_d``.
* At least two inspectors per check and recusal on conflict of interest (双随机一公开
  basics, REFERENCE.md §2 [S]) -> ``inspection.draw.min_team_size``.
* No repeat of the same inspector for the same enterprise within the last N inspections and a
  per-inspector workload cap (local practice, configurable) -> ``inspection.draw.recent_avoid_n``,
  ``inspection.draw.workload_cap``.

Protocol: before the public value is known the office publishes ``commitment`` (hashes of the
secret, the enterprise list, the inspector list, the avoidance constraints and the
parameters). After the public value (e.g. a lottery number announced later) is known it runs
``draw`` and publishes the result together with the secret; anyone can then run ``verify``.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
import secrets as _secrets
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

ALGORITHM_VERSION = "qcity-draw-2"
MIN_TEAM_SIZE = 2  # mirrors rule inspection.draw.min_team_size (statutory floor: 2)
_FORBIDDEN = ("\t", "\n", "\r", "\x00")


class DrawError(ValueError):
    """A draw that cannot be made as asked. The message is Chinese and shown to the office."""


# --------------------------------------------------------------------------- parameters


def _ratio(value) -> Fraction:
    """A percentage given as str/int/Decimal (floats go through their repr) -> exact Fraction."""
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        raise DrawError(f"抽查比例“{value}”不是有效数字") from None
    if not dec.is_finite() or dec < 0 or dec > 100:
        raise DrawError(f"抽查比例“{value}”应在 0 到 100（%）之间")
    return Fraction(dec)


def _ratio_text(value) -> str:
    dec = Decimal(str(value))
    text = format(dec.normalize(), "f")
    return text if text != "-0" else "0"


@dataclass(frozen=True)
class DrawParams:
    """Everything besides the lists that decides the outcome. Exactly one of ``counts`` /
    ``ratios`` / ``total`` drives the allocation; ``total`` may be combined with ``ratios``,
    which then act as weights (risk-weighted proportional allocation)."""

    team_size: int
    ratios: Mapping[str, object] | None = None  # percent per class, e.g. {"A": "1", "D": "30"}
    total: int | None = None
    counts: Mapping[str, int] | None = None
    recent_n: int = 0  # avoid inspectors of the enterprise's last N inspections; 0 = off
    workload_cap: int | None = None  # max enterprises per inspector in this draw; None = no cap
    joint_departments: Sequence[str] = field(default_factory=tuple)

    def canonical(self) -> dict:
        return {
            "version": ALGORITHM_VERSION,
            "team_size": self.team_size,
            "ratios": None
            if self.ratios is None
            else {str(k): _ratio_text(v) for k, v in self.ratios.items()},
            "total": self.total,
            "counts": None
            if self.counts is None
            else {str(k): int(v) for k, v in self.counts.items()},
            "recent_n": self.recent_n,
            "workload_cap": self.workload_cap,
            "joint_departments": sorted(set(self.joint_departments)),
        }

    def check(self) -> None:
        if not isinstance(self.team_size, int) or self.team_size < MIN_TEAM_SIZE:
            raise DrawError(f"每户检查人员不得少于{MIN_TEAM_SIZE}名")
        if self.recent_n < 0:
            raise DrawError("回避最近检查次数不能为负数")
        if self.workload_cap is not None and self.workload_cap < 1:
            raise DrawError("每名检查人员的任务上限至少为1")
        if len(set(self.joint_departments)) > self.team_size:
            raise DrawError("联合检查的部门数多于每户检查人数，无法做到每个部门至少一人")
        if self.counts is not None and (self.ratios is not None or self.total is not None):
            raise DrawError("按户数指定时不能同时给出抽查比例或抽查总数")
        if self.counts is None and self.ratios is None and self.total is None:
            raise DrawError("请给出抽查比例、抽查总数或各类别抽查户数")


# --------------------------------------------------------------------------- allocation


def allocate(
    eligible: Mapping[str, int],
    *,
    ratios: Mapping[str, object] | None = None,
    total: int | None = None,
    counts: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Number of enterprises to draw per credit class.

    * ``counts``: taken as given; refused if a class has fewer eligible enterprises.
    * ``ratios`` alone: n = ceil(N × r / 100), exact arithmetic, so a non-empty class with a
      ratio above 0 always gets at least 1. A class missing from ``ratios`` gets 0.
    * ``total`` (optionally with ``ratios`` as weights, default weight 1 for each class):
      largest-remainder apportionment of ``total`` in proportion to N × weight, capped at N;
      see docs/draw.md §3 for the capping loop and tie rule.
    """
    classes = sorted(eligible)
    for c in classes:
        if eligible[c] < 0:
            raise DrawError(f"{c}类企业数不能为负数")
    if counts is not None:
        out = {}
        for c in classes:
            n = int(counts.get(c, 0))
            if n < 0:
                raise DrawError(f"{c}类抽查户数不能为负数")
            if n > eligible[c]:
                raise DrawError(f"{c}类抽查户数（{n}户）超过该类检查对象数（{eligible[c]}户）")
            out[c] = n
        for c in counts:
            if c not in eligible and counts[c]:
                raise DrawError(f"名录库中没有{c}类企业，不能抽取{counts[c]}户")
        return out
    weights = {c: _ratio(ratios[c]) if ratios and c in ratios else Fraction(0) for c in classes}
    if total is None:
        if ratios is None:
            raise DrawError("请给出抽查比例或抽查总数")
        return {c: math.ceil(eligible[c] * weights[c] / 100) for c in classes}
    if total < 0:
        raise DrawError("抽查总数不能为负数")
    population = sum(eligible.values())
    if total > population:
        raise DrawError(f"抽查总数（{total}户）超过检查对象名录库中的企业数（{population}户）")
    if ratios is None:
        weights = {c: Fraction(1) for c in classes}
    w = {c: eligible[c] * weights[c] for c in classes}
    if total > sum(eligible[c] for c in classes if w[c] > 0):
        raise DrawError(f"抽查总数（{total}户）超过比例大于0的各类企业数之和")
    out = {c: 0 for c in classes}
    open_ = [c for c in classes if w[c] > 0]
    left = total
    while True:  # cap classes whose proportional share reaches their size
        wsum = sum(w[c] for c in open_)
        capped = [c for c in open_ if left * w[c] / wsum >= eligible[c]] if wsum else []
        if not capped:
            break
        for c in capped:
            out[c] = eligible[c]
            left -= eligible[c]
            open_.remove(c)
    if open_ and left:
        wsum = sum(w[c] for c in open_)
        quotas = {c: left * w[c] / wsum for c in open_}
        for c in open_:
            out[c] = math.floor(quotas[c])
        rest = left - sum(out[c] for c in open_)
        order = sorted(open_, key=lambda c: (-(quotas[c] - math.floor(quotas[c])), c))
        for c in order[:rest]:
            out[c] += 1
    return out


# --------------------------------------------------------------------------- public value

# Separators and labels that may appear when a lottery result is copied from its announcement;
# anything else (letters, an issue number glued on, 期) is refused rather than guessed.
_LABELS = ("开奖号码", "红球", "蓝球", "前区", "后区", "号码")
_SEPARATORS = re.compile(r"[\s,，、;；+|/:：\-]+")


def _numbers(text: str) -> list[str]:
    """Digit groups of a copied result after NFKC (full-width digits and spaces fold to ASCII).
    Refuses any character that is neither a digit, a separator nor a known label."""
    if not isinstance(text, str):
        raise DrawError("公开随机数必须是文本")
    folded = unicodedata.normalize("NFKC", text)
    for label in _LABELS:
        folded = folded.replace(label, " ")
    groups = [g for g in _SEPARATORS.split(folded) if g]
    for g in groups:
        if not g.isascii() or not g.isdigit():
            raise DrawError(f"公开随机数中有无法识别的内容“{g}”：只应填写开奖号码本身")
    return groups


def _balls(groups: list[str], lo: int, hi: int, what: str) -> list[int]:
    out = []
    for g in groups:
        n = int(g)
        if not lo <= n <= hi:
            raise DrawError(f"{what}号码“{g}”超出{lo:02d}–{hi:02d}的范围")
        out.append(n)
    if len(set(out)) != len(out):
        raise DrawError(f"{what}号码有重复")
    return out


def _lotto(text: str, front: tuple[int, int, int, str], back: tuple[int, int, int, str]) -> str:
    """Two zones of distinct balls; each zone sorted ascending (the draw order of the balls is
    not part of the result), two digits each, one space between."""
    groups = _numbers(text)
    nf, nb = front[0], back[0]
    if len(groups) != nf + nb:
        raise DrawError(
            f"应为{nf}个{front[3]}号码和{nb}个{back[3]}号码，共{nf + nb}个，实际为{len(groups)}个"
        )
    f = sorted(_balls(groups[:nf], front[1], front[2], front[3]))
    b = sorted(_balls(groups[nf:], back[1], back[2], back[3]))
    return " ".join(f"{n:02d}" for n in f + b)


def _digits(text: str, k: int) -> str:
    """k digits 0–9 in the published order, written together ("71930") or apart ("7 1 9 3 0")."""
    groups = _numbers(text)
    if len(groups) == 1 and len(groups[0]) == k:
        groups = list(groups[0])
    if len(groups) != k or any(len(g) != 1 for g in groups):
        raise DrawError(f"应为{k}个0–9的数字")
    return " ".join(groups)


@dataclass(frozen=True)
class ValueFormat:
    """A named canonical format for a public value and its canonicaliser."""

    code: str
    source: str  # the usual source of values in this format
    label: str  # the canonical form in words (shown with the commitment)
    canonicalise: Callable[[str], str]
    # words one of which names this lottery in a source name (after NFKC, case folded): a
    # source named for another lottery than the format's cannot supply a value in this format
    names: tuple[str, ...] = ()


FORMATS: dict[str, ValueFormat] = {
    f.code: f
    for f in (
        ValueFormat(
            "ssq-7x2",
            "中国福利彩票“双色球”",
            "7个两位数，以一个空格分隔：6个红球（01–33，升序）后接1个蓝球（01–16）",
            lambda t: _lotto(t, (6, 1, 33, "红球"), (1, 1, 16, "蓝球")),
            ("双色球",),
        ),
        ValueFormat(
            "dlt-7x2",
            "中国体育彩票“超级大乐透”",
            "7个两位数，以一个空格分隔：5个前区号码（01–35，升序）后接2个后区号码（01–12，升序）",
            lambda t: _lotto(t, (5, 1, 35, "前区"), (2, 1, 12, "后区")),
            ("大乐透",),
        ),
        ValueFormat(
            "pl5-5x1",
            "中国体育彩票“排列5”",
            "5个一位数（0–9，按开奖顺序），以一个空格分隔",
            lambda t: _digits(t, 5),
            ("排列5", "排列五"),
        ),
        ValueFormat(
            "3d-3x1",
            "中国福利彩票“福彩3D”",
            "3个一位数（0–9，按开奖顺序），以一个空格分隔",
            lambda t: _digits(t, 3),
            ("3d",),
        ),
    )
}


def _fold_name(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\s“”\"'‘’《》「」（）()]+", "", text)


def source_matches_format(format_code: str, name: str) -> bool:
    """Whether a source name names the lottery of the value format (福彩3D for ``3d-3x1``,
    双色球 for ``ssq-7x2`` …); an unknown format matches nothing."""
    fmt = FORMATS.get(format_code)
    if fmt is None:
        return False
    folded = _fold_name(name)
    return any(_fold_name(n) in folded for n in fmt.names)


def canonical_value(format_code: str, text: str) -> str:
    """The canonical form of a public value in the committed format; DrawError if it does not
    fit. Every way of writing one result gives the same string."""
    fmt = FORMATS.get(format_code)
    if fmt is None:
        raise DrawError(f"未知的公开随机数格式“{format_code}”")
    return fmt.canonicalise(text)


def utc_text(moment) -> str:
    """A moment as published in the source record: UTC, ``YYYY-MM-DDTHH:MM:SSZ``."""
    import datetime as _dt

    return moment.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PublicSource:
    """The public randomness source bound by the commitment (docs/draw.md §4)."""

    name: str  # e.g. 中国福利彩票“双色球”
    issue: str  # the issue (期号) whose result will be used
    format: str  # a code in FORMATS
    available_at: str  # earliest time the value can be known, utc_text
    committed_at: str  # time the commitment is published, utc_text

    def canonical(self) -> dict:
        return {
            "available_at": self.available_at,
            "committed_at": self.committed_at,
            "format": self.format,
            "issue": self.issue,
            "name": self.name,
        }

    def check(self) -> None:
        for label, value in (("来源名称", self.name), ("期号", self.issue)):
            if (
                not isinstance(value, str)
                or not value.strip()
                or any(ch in value for ch in _FORBIDDEN)
            ):
                raise DrawError(f"公开随机数的{label}为空或含有非法字符")
        if self.format not in FORMATS:
            raise DrawError(f"未知的公开随机数格式“{self.format}”")
        pattern = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
        if not pattern.fullmatch(self.available_at or "") or not pattern.fullmatch(
            self.committed_at or ""
        ):
            raise DrawError("时间须写成UTC的YYYY-MM-DDTHH:MM:SSZ")
        if self.available_at <= self.committed_at:  # same fixed-width form: text order = time order
            raise DrawError("公开随机数的最早可知时间必须晚于承诺公布时间")


# --------------------------------------------------------------------------- encodings


def canonical_json(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _check_token(kind: str, value: str) -> None:
    if not isinstance(value, str) or not value or any(ch in value for ch in _FORBIDDEN):
        raise DrawError(f"{kind}“{value!r}”为空或含有制表符、换行或NUL字符")


def secret_bytes(secret: str) -> bytes:
    """The secret is published as lowercase hex; its bytes are ``bytes.fromhex(secret)``."""
    try:
        raw = bytes.fromhex(secret)
    except (ValueError, TypeError):
        raise DrawError("密钥必须是十六进制字符串") from None
    if len(raw) < 16:
        raise DrawError("密钥至少16字节（32位十六进制）")
    return raw


def new_secret() -> str:
    return _secrets.token_hex(32)


def population_bytes(population: Mapping[str, Iterable[str]]) -> bytes:
    """Canonical enterprise list: lines ``CLASS\\tID\\n`` sorted by (CLASS, ID) in code-point order."""
    lines = sorted((c, e) for c, ids in population.items() for e in ids)
    return "".join(f"{c}\t{e}\n" for c, e in lines).encode("utf-8")


def inspectors_bytes(inspectors: Mapping[str, str]) -> bytes:
    """Canonical inspector list: lines ``ID\\tDEPARTMENT\\n`` sorted by ID."""
    return "".join(f"{i}\t{inspectors[i]}\n" for i in sorted(inspectors)).encode("utf-8")


def constraints_obj(
    conflicts: Iterable[tuple[str, str]] = (),
    history: Mapping[str, Sequence[Iterable[str]]] | None = None,
) -> dict:
    return {
        "conflicts": sorted({(str(i), str(e)) for i, e in conflicts}),
        "history": {
            e: [sorted(set(team)) for team in teams]
            for e, teams in sorted((history or {}).items())
            if teams
        },
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Commitment:
    secret_sha256: str
    enterprises_sha256: str
    inspectors_sha256: str
    constraints_sha256: str
    parameters_sha256: str
    source_sha256: str = ""  # empty only for library use without a bound source

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def commit(
    secret,
    population,
    inspectors,
    params: DrawParams,
    conflicts=(),
    history=None,
    source: PublicSource | None = None,
) -> Commitment:
    return Commitment(
        secret_sha256=_sha(secret_bytes(secret)),
        enterprises_sha256=_sha(population_bytes(population)),
        inspectors_sha256=_sha(inspectors_bytes(inspectors)),
        constraints_sha256=_sha(canonical_json(constraints_obj(conflicts, history))),
        parameters_sha256=_sha(canonical_json(params.canonical())),
        source_sha256=_sha(canonical_json(source.canonical())) if source else "",
    )


def derive_seed(secret: str, public_value: str) -> bytes:
    """seed = SHA-256(bytes.fromhex(secret) ‖ UTF-8(public_value)), 32 raw bytes."""
    return hashlib.sha256(secret_bytes(secret) + public_value.encode("utf-8")).digest()


def enterprise_key(seed: bytes, enterprise_id: str) -> bytes:
    """Rank key: SHA-256(seed ‖ b"E" ‖ 0x00 ‖ UTF-8(id)) followed by UTF-8(id) (tie rule)."""
    b = enterprise_id.encode("utf-8")
    return hashlib.sha256(seed + b"E\x00" + b).digest() + b


def inspector_key(seed: bytes, enterprise_id: str, inspector_id: str) -> bytes:
    """SHA-256(seed ‖ b"I" ‖ 0x00 ‖ UTF-8(enterprise) ‖ 0x00 ‖ UTF-8(inspector)) ‖ UTF-8(inspector)."""
    b = inspector_id.encode("utf-8")
    return (
        hashlib.sha256(seed + b"I\x00" + enterprise_id.encode("utf-8") + b"\x00" + b).digest() + b
    )


# --------------------------------------------------------------------------- selection


def select(
    seed: bytes, population: Mapping[str, Sequence[str]], allocation: Mapping[str, int]
) -> dict[str, list[str]]:
    """Per class, the ``allocation[class]`` enterprises with the smallest rank keys, in key
    order. Uses a bounded heap, so cost is one hash per enterprise plus O(N log n)."""
    prefix = seed + b"E\x00"
    sha = hashlib.sha256
    out: dict[str, list[str]] = {}
    for c in sorted(population):
        n = allocation.get(c, 0)
        if n <= 0:
            out[c] = []
            continue
        ids = population[c]
        if n > len(ids):
            raise DrawError(f"{c}类抽查户数（{n}户）超过该类检查对象数（{len(ids)}户）")
        encoded = (e.encode("utf-8") for e in ids)
        best = heapq.nsmallest(n, encoded, key=lambda b: sha(prefix + b).digest() + b)
        out[c] = [b.decode("utf-8") for b in best]
    return out


def pairing_order(seed: bytes, selected: Mapping[str, Sequence[str]]) -> list[str]:
    """All selected enterprises, every class together, by ascending rank key."""
    return sorted(
        (e for ids in selected.values() for e in ids), key=lambda e: enterprise_key(seed, e)
    )


# --------------------------------------------------------------------------- pairing


def pair(
    seed: bytes,
    order: Sequence[str],
    inspectors: Mapping[str, str],
    params: DrawParams,
    conflicts: Iterable[tuple[str, str]] = (),
    history: Mapping[str, Sequence[Iterable[str]]] | None = None,
) -> dict[str, list[str]]:
    """Greedy pairing in ``order``; see docs/draw.md §6. Raises DrawError naming the first
    enterprise for which no valid team exists."""
    banned: dict[str, set[str]] = {}
    for i, e in conflicts:
        banned.setdefault(e, set()).add(i)
    load = dict.fromkeys(inspectors, 0)
    cap = params.workload_cap
    depts = sorted(set(params.joint_departments))
    pool = [i for i in inspectors if not depts or inspectors[i] in depts]
    pool_b = [(i, i.encode("utf-8")) for i in pool]
    sha = hashlib.sha256
    teams: dict[str, list[str]] = {}
    for e in order:
        avoid = set(banned.get(e, ()))
        if params.recent_n and history and e in history:
            for team in list(history[e])[-params.recent_n :]:
                avoid.update(team)
        prefix = seed + b"I\x00" + e.encode("utf-8") + b"\x00"
        ranked = sorted(
            (sha(prefix + b).digest() + b, i)
            for i, b in pool_b
            if i not in avoid and (cap is None or load[i] < cap)
        )
        chosen: list[tuple[bytes, str]] = []
        for d in depts:
            pick = next((r for r in ranked if inspectors[r[1]] == d), None)
            if pick is None:
                raise DrawError(f"企业“{e}”无法配对：部门“{d}”没有符合回避和工作量要求的检查人员")
            chosen.append(pick)
        taken = {i for _, i in chosen}
        for r in ranked:
            if len(chosen) >= params.team_size:
                break
            if r[1] not in taken:
                chosen.append(r)
                taken.add(r[1])
        if len(chosen) < params.team_size:
            raise DrawError(
                f"企业“{e}”无法配对：需要{params.team_size}名检查人员，"
                f"符合回避和工作量要求的只有{len(chosen)}名"
            )
        team = [i for _, i in sorted(chosen)]
        for i in team:
            load[i] += 1
        teams[e] = team
    return teams


# --------------------------------------------------------------------------- draw / verify


@dataclass
class DrawResult:
    commitment: Commitment
    public_value: str
    seed: str  # hex
    allocation: dict[str, int]
    selected: dict[str, list[str]]  # class -> ids in rank order
    order: list[str]  # pairing order
    teams: dict[str, list[str]]  # enterprise -> inspector ids in rank order

    def as_dict(self) -> dict:
        return {
            "version": ALGORITHM_VERSION,
            "commitment": self.commitment.as_dict(),
            "public_value": self.public_value,
            "seed": self.seed,
            "allocation": self.allocation,
            "selected": self.selected,
            "order": self.order,
            "teams": self.teams,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> DrawResult:
        return cls(
            commitment=Commitment(**d["commitment"]),
            public_value=d["public_value"],
            seed=d["seed"],
            allocation=dict(d["allocation"]),
            selected={k: list(v) for k, v in d["selected"].items()},
            order=list(d["order"]),
            teams={k: list(v) for k, v in d["teams"].items()},
        )


def _validate_inputs(population, inspectors) -> None:
    seen: set[str] = set()
    for c, ids in population.items():
        _check_token("信用风险类别", c)
        for e in ids:
            _check_token("企业标识", e)
            if e in seen:
                raise DrawError(f"企业“{e}”在检查对象名录库中重复出现")
            seen.add(e)
    for i, d in inspectors.items():
        _check_token("检查人员标识", i)
        if not isinstance(d, str) or any(ch in d for ch in _FORBIDDEN):
            raise DrawError(f"检查人员“{i}”的部门名称含有非法字符")


def draw(
    secret: str,
    public_value: str,
    population: Mapping[str, Sequence[str]],
    inspectors: Mapping[str, str],
    params: DrawParams,
    conflicts: Iterable[tuple[str, str]] = (),
    history: Mapping[str, Sequence[Iterable[str]]] | None = None,
    source: PublicSource | None = None,
) -> DrawResult:
    """Full draw: validate, commit, allocate, select, pair. With a ``source`` (always, for a
    published draw) the public value is first brought to the source's canonical format, so
    the seed does not depend on how the result was written."""
    params.check()
    conflicts = list(conflicts)
    _validate_inputs(population, inspectors)
    if source is not None:
        source.check()
        public_value = canonical_value(source.format, public_value)
    commitment = commit(secret, population, inspectors, params, conflicts, history, source)
    allocation = allocate(
        {c: len(ids) for c, ids in population.items()},
        ratios=params.ratios,
        total=params.total,
        counts=params.counts,
    )
    seed = derive_seed(secret, public_value)
    selected = select(seed, population, allocation)
    order = pairing_order(seed, selected)
    teams = pair(seed, order, inspectors, params, conflicts, history)
    return DrawResult(commitment, public_value, seed.hex(), allocation, selected, order, teams)


@dataclass
class VerifyReport:
    mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def verify(
    published: DrawResult | Mapping,
    secret: str,
    population: Mapping[str, Sequence[str]],
    inspectors: Mapping[str, str],
    params: DrawParams,
    conflicts: Iterable[tuple[str, str]] = (),
    history: Mapping[str, Sequence[Iterable[str]]] | None = None,
    public_value: str | None = None,
    source: PublicSource | None = None,
) -> VerifyReport:
    """Recompute the draw from the revealed secret and the published inputs and list every
    difference from the published record. ``public_value`` defaults to the one in the record;
    pass the value announced by the independent source to check that too (with a ``source``
    both are compared in its canonical format)."""
    if not isinstance(published, DrawResult):
        published = DrawResult.from_dict(published)
    pv = published.public_value if public_value is None else public_value
    out: list[str] = []
    if source is not None:
        try:
            pv = canonical_value(source.format, pv)
        except DrawError as exc:
            return VerifyReport([f"公开随机数不符合承诺的格式：{exc}"])
    if pv != published.public_value:
        out.append(f"公开随机数不一致：记录为“{published.public_value}”，实际为“{pv}”")
    try:
        redo = draw(secret, pv, population, inspectors, params, conflicts, history, source)
    except DrawError as exc:
        return VerifyReport(out + [f"无法重算：{exc}"])
    labels = {
        "secret_sha256": "密钥摘要",
        "enterprises_sha256": "检查对象名录摘要",
        "inspectors_sha256": "检查人员名录摘要",
        "constraints_sha256": "回避约束摘要",
        "parameters_sha256": "抽取参数摘要",
        "source_sha256": "公开随机数来源摘要",
    }
    pub_c, new_c = published.commitment.as_dict(), redo.commitment.as_dict()
    for k, label in labels.items():
        if pub_c.get(k) != new_c[k]:
            out.append(f"{label}与事先公布的承诺不一致")
    if published.seed != redo.seed:
        out.append("随机种子不一致")
    if published.allocation != redo.allocation:
        out.append(f"各类抽取户数不一致：记录为{published.allocation}，重算为{redo.allocation}")
    for c in sorted(set(published.selected) | set(redo.selected)):
        if published.selected.get(c, []) != redo.selected.get(c, []):
            out.append(f"{c}类抽中企业不一致")
    if published.order != redo.order:
        out.append("配对顺序不一致")
    for e in sorted(set(published.teams) | set(redo.teams)):
        if published.teams.get(e) != redo.teams.get(e):
            out.append(f"企业“{e}”的检查人员不一致")
    return VerifyReport(out)
