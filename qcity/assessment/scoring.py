"""目标责任考核 scoring: item scores with Chinese reasons, total, grade, veto, ranking.

Pure Python (no Django); money-like exactness with Decimal, item scores rounded to 0.01
(half up). The assessment app stores each ``ItemScore`` (score + reason) and the result.

Rules implemented (defaults declared in ``qcity/assessment/rules.py``):

- Out of ``assessment.total_points`` (100); grades by minimum score: A ≥ 90, B ≥ 80, C ≥ 60,
  otherwise D (REFERENCE.md §11, 《质量工作考核办法》 [S]). Labels and thresholds are
  parameters (``GradeBands``).
- 一票否决: any veto forces ``assessment.veto_grade`` (the lowest grade, D) whatever the score
  (§11: a regional or systemic quality-safety incident means D). The score is still shown.
- Target attainment: linear between baseline and target with a floor and a cap (shares of
  the item's points; ``assessment.attainment_floor_percent`` / ``_cap_percent``), or a
  thresholds table (first row reached gives its share: partial credit).
- Task completion: a task closed (销号) by its deadline earns full credit, closed late
  ``assessment.task_overdue_credit_percent`` (50%), not closed nothing; lead tasks weigh
  ``assessment.task_lead_weight`` (1), co-unit tasks ``assessment.task_co_weight`` (0.5).
- Report timeliness: each late report (迟报) costs ``assessment.late_report_deduction`` (1),
  each missed report (漏报) ``assessment.missed_report_deduction`` (2); the item never goes
  below 0.
- Bonus items add up to ``assessment.bonus_cap`` (5); deductions are subtracted; the total
  never goes below 0.
- Ranking: by total, high first; equal totals (at 0.01) share a rank, competition style
  (1, 2, 2, 4) or dense (1, 2, 2, 3) per ``assessment.rank_method``; vetoed subjects are
  ranked after all others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from qcity.assessment.rules import default

CENT = Decimal("0.01")


def D(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


def q(x) -> Decimal:
    return D(x).quantize(CENT, rounding=ROUND_HALF_UP)


def n(x) -> str:
    """Decimal for Chinese text: 12.50 → "12.5", 8.00 → "8"."""
    x = D(x)
    text = f"{x:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# ---------------------------------------------------------------- results


@dataclass
class ItemScore:
    name: str
    points: Decimal  # the item's full points (0 for bonus/deduction items)
    score: Decimal  # negative for a deduction item
    reason: str
    kind: str = "item"  # item | bonus | deduction
    no_data: bool = False  # no data and the share rule: left out, its weight shared out


@dataclass(frozen=True)
class Veto:
    reason: str


@dataclass
class GradeBands:
    """Grade labels from best to worst, each with the minimum score (the last has none)."""

    bands: list[tuple[str, Decimal]]  # [("A", 90), ("B", 80), ("C", 60), ("D", 0)]

    @classmethod
    def default(cls) -> GradeBands:
        labels = str(default("assessment.grade_labels")).split(",")
        mins = [
            default("assessment.grade_a_min"),
            default("assessment.grade_b_min"),
            default("assessment.grade_c_min"),
            Decimal(0),
        ]
        return cls([(label.strip(), D(m)) for label, m in zip(labels, mins, strict=True)])

    def grade(self, score) -> str:
        score = D(score)
        for label, minimum in self.bands:
            if score >= minimum:
                return label
        return self.bands[-1][0]

    @property
    def lowest(self) -> str:
        return self.bands[-1][0]


@dataclass
class AssessmentResult:
    subject: str
    items: list[ItemScore]
    total: Decimal
    grade: str
    vetoes: list[Veto] = field(default_factory=list)
    reason: str = ""

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


# ---------------------------------------------------------------- item rules


def attainment_linear(
    name: str,
    points,
    *,
    actual,
    baseline,
    target,
    direction: str = "up",
    floor_percent=None,
    cap_percent=None,
    unit: str = "",
) -> ItemScore:
    """Points in proportion to the way covered from baseline to target, within floor/cap."""
    points, actual, baseline, target = D(points), D(actual), D(baseline), D(target)
    floor = (
        D(
            default("assessment.attainment_floor_percent")
            if floor_percent is None
            else floor_percent
        )
        / 100
    )
    cap = (
        D(default("assessment.attainment_cap_percent") if cap_percent is None else cap_percent)
        / 100
    )
    gap = (baseline - target) if direction == "down" else (target - baseline)
    done = (baseline - actual) if direction == "down" else (actual - baseline)
    if gap == 0:
        reached = actual <= target if direction == "down" else actual >= target
        share = Decimal(1) if reached else Decimal(0)
    else:
        share = done / gap
    share_clipped = min(cap, max(floor, share))
    score = q(points * share_clipped)
    reason = (
        f"实际值{n(actual)}{unit}，基期值{n(baseline)}{unit}，目标值{n(target)}{unit}，"
        f"完成进度{n(q(share * 100))}%"
    )
    if share_clipped != share:
        reason += f"（按{'上限' if share > cap else '下限'}{n(q(share_clipped * 100))}%计）"
    reason += f"，得{n(score)}分（满分{n(points)}分）"
    return ItemScore(name, points, score, reason)


def attainment_table(
    name: str,
    points,
    *,
    actual,
    table: list[tuple[object, object]],
    direction: str = "up",
    unit: str = "",
) -> ItemScore:
    """Partial credit by thresholds: ``table`` rows (threshold, share of points), best first.

    For "up" the first row with actual ≥ threshold applies; for "down", actual ≤ threshold.
    No row reached: 0.
    """
    points, actual = D(points), D(actual)
    for threshold, share in table:
        threshold, share = D(threshold), D(share)
        ok = actual <= threshold if direction == "down" else actual >= threshold
        if ok:
            score = q(points * share)
            cmp = "不高于" if direction == "down" else "达到"
            reason = f"实际值{n(actual)}{unit}，{cmp}{n(threshold)}{unit}档，得{n(share * 100)}%即{n(score)}分（满分{n(points)}分）"
            return ItemScore(name, points, score, reason)
    lowest = D(table[-1][0]) if table else None
    cmp = "高于" if direction == "down" else "低于"
    tail = f"，{cmp}最低档{n(lowest)}{unit}" if lowest is not None else ""
    return ItemScore(
        name, points, Decimal("0.00"), f"实际值{n(actual)}{unit}{tail}，不得分（满分{n(points)}分）"
    )


@dataclass(frozen=True)
class TaskOutcome:
    name: str
    role: str  # "lead" (牵头) or "co" (配合)
    deadline: date
    closed_on: date | None = None  # 销号 date; None = not closed


def task_completion(
    name: str,
    points,
    tasks: list[TaskOutcome],
    *,
    overdue_credit_percent=None,
    lead_weight=None,
    co_weight=None,
    empty_full: bool = True,
) -> ItemScore:
    points = D(points)
    overdue = (
        D(
            default("assessment.task_overdue_credit_percent")
            if overdue_credit_percent is None
            else overdue_credit_percent
        )
        / 100
    )
    weights = {
        "lead": D(default("assessment.task_lead_weight") if lead_weight is None else lead_weight),
        "co": D(default("assessment.task_co_weight") if co_weight is None else co_weight),
    }
    if not tasks:
        score = points if empty_full else Decimal(0)
        return ItemScore(
            name, points, q(score), f"本期无考核任务，按{'满分' if empty_full else '零分'}计"
        )
    counts = {role: {"on_time": 0, "late": 0, "open": 0} for role in weights}
    earned = total_w = Decimal(0)
    for t in tasks:
        if t.role not in weights:
            raise ValueError(f"unknown role {t.role!r}")
        w = weights[t.role]
        total_w += w
        if t.closed_on is None:
            counts[t.role]["open"] += 1
        elif t.closed_on <= t.deadline:
            counts[t.role]["on_time"] += 1
            earned += w
        else:
            counts[t.role]["late"] += 1
            earned += w * overdue
    score = q(points * earned / total_w) if total_w else q(points)
    parts = []
    for role, label in (("lead", "牵头任务"), ("co", "配合任务")):
        c = counts[role]
        k = sum(c.values())
        if not k:
            continue
        detail = "、".join(
            f"{word}{c[key]}项"
            for key, word in (("on_time", "按期销号"), ("late", "逾期销号"), ("open", "未销号"))
            if c[key]
        )
        parts.append(f"{label}{k}项（{detail}）")
    reason = (
        "，".join(parts)
        + f"；按期销号得全分、逾期销号得{n(overdue * 100)}%、未销号不得分，"
        + f"牵头与配合权重{n(weights['lead'])}:{n(weights['co'])}，得{n(score)}分（满分{n(points)}分）"
    )
    return ItemScore(name, points, score, reason)


def report_timeliness(
    name: str, points, *, late: int = 0, missed: int = 0, late_deduction=None, missed_deduction=None
) -> ItemScore:
    points = D(points)
    per_late = D(
        default("assessment.late_report_deduction") if late_deduction is None else late_deduction
    )
    per_missed = D(
        default("assessment.missed_report_deduction")
        if missed_deduction is None
        else missed_deduction
    )
    lost = per_late * late + per_missed * missed
    score = q(max(Decimal(0), points - lost))
    if not late and not missed:
        return ItemScore(
            name, points, score, f"按时报送，无迟报、漏报，得{n(score)}分（满分{n(points)}分）"
        )
    reason = f"迟报{late}次（每次扣{n(per_late)}分）、漏报{missed}次（每次扣{n(per_missed)}分），共扣{n(lost)}分"
    if lost > points:
        reason += "，扣至0分为止"
    reason += f"，得{n(score)}分（满分{n(points)}分）"
    return ItemScore(name, points, score, reason)


def bonus(items: list[tuple[str, object]], *, cap=None, name: str = "加分项") -> ItemScore:
    cap = D(default("assessment.bonus_cap") if cap is None else cap)
    raw = sum((D(p) for _, p in items), Decimal(0))
    score = q(min(raw, cap))
    listed = "、".join(f"{why}加{n(p)}分" for why, p in items) or "无加分事项"
    reason = f"{listed}；合计{n(raw)}分"
    if raw > cap:
        reason += f"，超过上限按{n(cap)}分计"
    return ItemScore(name, Decimal(0), score, reason, kind="bonus")


def deductions(items: list[tuple[str, object]], *, name: str = "扣分项") -> ItemScore:
    raw = sum((D(p) for _, p in items), Decimal(0))
    listed = "、".join(f"{why}扣{n(p)}分" for why, p in items) or "无扣分事项"
    return ItemScore(name, Decimal(0), -q(raw), f"{listed}；合计扣{n(raw)}分", kind="deduction")


# ---------------------------------------------------------------- total, grade, ranking


def assess(
    subject: str,
    items: list[ItemScore],
    *,
    vetoes: list[Veto] | None = None,
    bands: GradeBands | None = None,
    veto_grade: str | None = None,
) -> AssessmentResult:
    """Total (never below 0), grade, and the veto override."""
    bands = bands or GradeBands.default()
    vetoes = list(vetoes or [])
    missing = [i for i in items if i.no_data]
    items = [i for i in items if not i.no_data]
    raw = sum((i.score for i in items), Decimal(0))
    note = ""
    if missing:
        # items without data are not assessed: the others are scaled up to the full points
        regular = [i for i in items if i.kind == "item"]
        present = sum((D(i.points) for i in regular), Decimal(0))
        full = present + sum((D(i.points) for i in missing), Decimal(0))
        got = sum((i.score for i in regular), Decimal(0))
        scaled = q(got * full / present) if present else Decimal(0)
        raw = raw - got + scaled
        # the bonus and deduction items come on top of the scaled score: name each, so the
        # explanation adds up to the total shown
        extras = "".join(
            f"；{i.name}{'−' if i.score < 0 else '+'}{n(abs(i.score))}分"
            for i in items
            if i.kind != "item" and i.score != 0
        )
        floor = "，不低于0分按0分计" if raw < 0 else ""
        tail = f"{extras}；合计{n(q(max(Decimal(0), raw)))}分{floor}" if extras or floor else ""
        note = (
            f"（{'、'.join(i.name for i in missing)}无数据不计分，"
            f"其余各项{n(q(got))}分／{n(present)}分折算为{n(scaled)}分／{n(full)}分{tail}）"
        )
    total = q(max(Decimal(0), raw))
    grade = bands.grade(total)
    reason = f"总分{n(total)}分{note}，评定为{grade}级"
    if vetoes:
        forced = veto_grade or str(default("assessment.veto_grade"))
        if forced not in [b[0] for b in bands.bands]:
            forced = bands.lowest
        grade = forced
        why = "；".join(v.reason for v in vetoes)
        reason = f"总分{n(total)}分{note}，但存在一票否决事项（{why}），直接评定为{grade}级"
    return AssessmentResult(subject, items, total, grade, vetoes, reason)


def rank(
    results: list[AssessmentResult], *, method: str | None = None
) -> list[tuple[int, AssessmentResult]]:
    """(rank, result) pairs, best first; ties share a rank; vetoed subjects come last."""
    method = method or str(default("assessment.rank_method"))
    if method not in ("competition", "dense"):
        raise ValueError(f"unknown rank method {method!r}")
    ordered = sorted(results, key=lambda r: (r.vetoed, -q(r.total), r.subject))
    out: list[tuple[int, AssessmentResult]] = []
    prev_key = None
    current = 0
    for i, r in enumerate(ordered, start=1):
        key = (r.vetoed, q(r.total))
        if key != prev_key:
            current = i if method == "competition" else current + 1
            prev_key = key
        out.append((current, r))
    return out
