"""Business actions of 目标责任考核, each in one transaction.

compute (from data) → 自评 with evidence → 审核 by the office or the item's assessing
department → 公示 with an appeal window → 申诉 decided → 发布 (frozen). A published
assessment is never changed: ``supersede`` creates its replacement with a recorded reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qcity.core import audit, capabilities, events, notify, rulebook, workdays
from qcity.core.choices import ChangeAction, RegionLevel, UnitKind
from qcity.core.models import OrgUnit
from qcity.core.rulespec import ValueKind

from . import scoring
from .choices import AppealStatus, FactKind, Method, NoDataRule, Stage, SubjectKind
from .models import Appeal, Assessment, AssessmentFact, ItemScore, Scheme, SchemeItem


def _at(on):
    """The timeline time of an action acted out on the day ``on`` (the demo, back-entered
    records); None (now) when no day was given."""
    if on is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0)))


def _office(user):
    if not (user and user.is_authenticated and user.is_office_admin):
        raise PermissionDenied(_("只有质量办可以执行此操作"))


def _subject_staff(assessment, user):
    if not (
        user
        and user.is_authenticated
        and (
            user.is_office_admin
            or assessment.unit_id in capabilities.unit_ids(user, Assessment, "self_assess")
        )
    ):
        raise PermissionDenied(_("只有被考核单位可以执行此操作"))


def acting_for(assessment, user) -> bool:
    """The office doing what the assessed unit should do itself (代为自评、代为申诉)."""
    return bool(user.is_office_admin and assessment.unit_id not in user.unit_ids())


def ensure_mutable(assessment):
    if assessment.is_frozen:
        raise ValidationError(
            _("考核结果已发布，不能修改；如需更正，请以书面理由另行发布更正结果。")
        )


def _stage(assessment, *stages):
    ensure_mutable(assessment)
    if assessment.stage not in stages:
        raise ValidationError(
            _("考核当前处于“{s}”阶段，不能执行此操作").format(s=assessment.get_stage_display())
        )


def _decimal(value, field, message):
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise ValidationError({field: message})


def bands(scheme) -> scoring.GradeBands:
    labels = [x.strip() for x in scheme.grade_labels.split(",")]
    if len(labels) != 4:
        labels = ["A", "B", "C", "D"]
    mins = [scheme.grade_a_min, scheme.grade_b_min, scheme.grade_c_min, Decimal(0)]
    return scoring.GradeBands(list(zip(labels, mins, strict=True)))


# ---------------------------------------------------------------- schemes
DEFAULT_ITEMS = [
    # (number, name, method, points, key points, params)
    ("一", "目标完成情况", Method.HEADER, 0, "", {}),
    ("1", "规划目标完成", Method.TARGET, 40, "对照实施方案确定的年度目标，按完成程度计分", {}),
    ("二", "工作任务落实", Method.HEADER, 0, "", {}),
    ("2", "重点任务按期销号", Method.TASKS, 35, "牵头任务与配合任务按期销号情况", {}),
    ("3", "进展报送及时性", Method.TIMELINESS, 15, "按期报送进展情况，迟报、漏报扣分", {}),
    ("4", "质量工作综合评价", Method.MANUAL, 10, "由考核部门评审打分", {}),
    ("三", "加分与扣分", Method.HEADER, 0, "", {}),
    ("5", "争先创优加分", Method.BONUS, 5, "获得国家、省级质量奖项等", {}),
    ("6", "工作失误扣分", Method.DEDUCTION, 0, "被上级通报批评等", {}),
    ("7", "重大质量安全事件", Method.VETO, 0, "发生区域性、系统性质量安全事件的一票否决", {}),
]


def create_scheme(data: dict, user, items=None):
    """A scheme with its grade bands from the rule table and its items (default table)."""
    _office(user)
    data = dict(data)
    data.setdefault("total_points", rulebook.value("assessment.total_points"))
    data.setdefault("grade_a_min", rulebook.value("assessment.grade_a_min"))
    data.setdefault("grade_b_min", rulebook.value("assessment.grade_b_min"))
    data.setdefault("grade_c_min", rulebook.value("assessment.grade_c_min"))
    data.setdefault("grade_labels", rulebook.value("assessment.grade_labels"))
    if not (data["grade_a_min"] > data["grade_b_min"] > data["grade_c_min"] > 0):
        raise ValidationError(_("等级分数线应满足 A > B > C > 0"))
    with transaction.atomic():
        scheme = Scheme(**data)
        scheme.full_clean()
        scheme.save()
        audit.record(scheme, ChangeAction.CREATE, after=audit.snapshot(scheme), actor=user)
        parent = None
        for order, (number, name, method, points, key_points, params) in enumerate(
            items if items is not None else DEFAULT_ITEMS
        ):
            item = SchemeItem.objects.create(
                scheme=scheme,
                parent=None if method == Method.HEADER else parent,
                level=1 if method == Method.HEADER else 2,
                number=number,
                name=name,
                method=method,
                points=Decimal(points),
                key_points=key_points,
                params=params,
                order=order,
                evidence_required=method in (Method.BONUS, Method.MANUAL),
            )
            if method == Method.HEADER:
                parent = item
        scored = sum(
            (i.points for i in scheme.items.exclude(method__in=[Method.BONUS, Method.HEADER])),
            Decimal(0),
        )
        if items is None or scored:
            if scored != scheme.total_points:
                raise ValidationError(
                    _("各项分值合计{a}分，与方案总分{b}分不一致").format(
                        a=scoring.n(scored), b=scoring.n(scheme.total_points)
                    )
                )
    return scheme


def create_scheme_generic(data, user):
    return create_scheme(data, user)


# ---------------------------------------------------------------- computing from data
def subject_units(assessment) -> list[int]:
    if assessment.region_id and assessment.subject_kind != SubjectKind.DEPARTMENT:
        return list(
            OrgUnit.objects.filter(region_id=assessment.region_id).values_list("pk", flat=True)
        )
    return [assessment.unit_id]


def _facts(assessment, kind):
    year = assessment.scheme.year
    q = Q(unit_id=assessment.unit_id)
    if assessment.region_id:
        q |= Q(region_id=assessment.region_id)
    return AssessmentFact.objects.filter(q, year=year, kind=kind).order_by("pk")


def _tasks(assessment, item, on=None) -> scoring.ItemScore:
    from qcity.tracking.models import Assignment

    units = subject_units(assessment)
    year = assessment.scheme.year
    rows = (
        Assignment.objects.filter(
            Q(lead_unit_id__in=units) | Q(co_units__unit_id__in=units),
            deadline__year=year,
            is_void=False,
        )
        .exclude(state__in=["draft", "terminated"])
        .distinct()
    )
    outcomes = []
    on = on or timezone.localdate()
    for a in rows:
        if a.deadline > on and a.state not in ("closed", "closed_late"):
            continue  # not yet due: neither credit nor failure
        closed = a.closed_on if a.state in ("closed", "closed_late") else None
        role = "lead" if a.lead_unit_id in units else "co"
        outcomes.append(scoring.TaskOutcome(a.title, role, a.deadline, closed))
    if not outcomes:
        return _no_data(item, _("本期无到期的考核任务"))
    return scoring.task_completion(item.name, item.points, outcomes)


def _no_data(item, why) -> scoring.ItemScore:
    return scoring.ItemScore(item.name, item.points, Decimal(0), why, no_data=True)


def _timeliness(assessment, item, on) -> scoring.ItemScore:
    from qcity.tracking import periods
    from qcity.tracking.models import Assignment

    units = subject_units(assessment)
    year = assessment.scheme.year
    end = min(on, datetime.date(year, 12, 31))
    late = missed = checked = 0
    for a in Assignment.objects.filter(
        lead_unit_id__in=units, is_void=False, assigned_on__isnull=False
    ).prefetch_related("reports"):
        submitted = {
            r.period_start: r for r in a.reports.all() if r.status in ("submitted", "accepted")
        }
        stop = min(end, a.closed_on or end)
        for period in periods.periods_between(a.assigned_on, stop, a.cycle, a.report_day):
            if period.due.year != year or period.due >= on or period.end >= stop:
                continue
            checked += 1
            report = submitted.get(period.start)
            if report is None:
                missed += 1
            elif report.late:
                late += 1
    if not checked:
        return _no_data(item, _("本期无应报送的进展报告"))
    return scoring.report_timeliness(item.name, item.points, late=late, missed=missed)


def _target(assessment, item, on=None) -> scoring.ItemScore:
    """Attainment of the plan targets linked to indicators for which the subject answers
    (for a district: its own region's figures), averaged over the targets.

    Each target is scored on the figure the dashboard judges it on at the end of the assessed
    year (``indicators.status.StatusBoard`` on 31 December):
    the indicator's preferred series, inside the plan's period, no rate from too few
    samples — and only when that figure belongs to the assessed year. The reason names the
    figure (reported or computed and why, its period, the date it is judged at)."""
    try:
        from qcity.indicators.models import Decomposition, TargetLink
        from qcity.indicators.status import StatusBoard, period_label
    except ImportError:
        return scoring.ItemScore(item.name, item.points, Decimal(0), _("指标模块未启用，暂不计分"))
    scheme = assessment.scheme
    # a district's own target (made by decomposing a city target) is read through its
    # Decomposition row below, never as a target of its own that other subjects would meet
    links = TargetLink.objects.filter(
        indicator__isnull=False, target__is_void=False, target__decomposed_from__isnull=True
    ).select_related("target", "indicator")
    if item.params.get("targets"):
        links = links.filter(target_id__in=item.params["targets"])
    elif scheme.plan_id:
        links = links.filter(target__plan_id=scheme.plan_id)

    # one target per indicator variant: the one for the assessed year, else the nearest
    # later year (the plan's end target), else the latest earlier one
    def closeness(link):
        year = link.target.year or scheme.year
        return (
            0 if year == scheme.year else 1 if year > scheme.year else 2,
            abs(year - scheme.year),
        )

    chosen = {}
    for link in sorted(links, key=closeness):
        chosen.setdefault((link.indicator_id, link.params_key), link)
    links = TargetLink.objects.filter(pk__in=[x.pk for x in chosen.values()]).select_related(
        "target__plan", "target__link", "indicator"
    )
    if assessment.subject_kind == SubjectKind.DEPARTMENT:
        links = links.filter(units=assessment.unit_id)
    region_id = assessment.region_id
    # the dashboard as it stands at the end of the assessed year, or on the day a backdated
    # computation says it was made (``on``), if earlier: a score never cites a later figure
    year_end = datetime.date(scheme.year, 12, 31)
    board = StatusBoard(year_end if on is None else min(year_end, on))
    parts, shares, seen, skipped = [], [], set(), []
    for link in links.distinct().order_by("target__order")[:50]:
        target = link.target
        key = (link.indicator_id, link.params_key, target.value)
        if key in seen:
            continue
        seen.add(key)
        goal, own, judged, other_region = target.value, None, target, None
        if region_id and target.region_id != region_id:
            # a district is judged against its own (decomposed) target when there is one
            splits = sorted(
                Decomposition.objects.filter(target=target, region_id=region_id).select_related(
                    "district_target__plan", "district_target__link__indicator"
                ),
                key=lambda d: (d.year != scheme.year, abs(d.year - scheme.year)),
            )
            if splits:
                own = splits[0]
                goal = own.value
            if own is not None and own.district_target is not None:
                judged = own.district_target
            else:
                other_region = region_id
        result = board.status(judged, region_id=other_region)
        figure = result.figure if result is not None else None
        if figure is None:
            e = result.evaluation if result is not None else None
            skipped.append(
                _("{t}（样本不足，n = {n}）").format(t=target.indicator_text, n=e.sample_n)
                if e is not None and e.small_sample
                else target.indicator_text
            )
            continue
        if figure.period_end.year != scheme.year:
            skipped.append(
                _("{t}（无{y}年度数据，最近一期为{p}）").format(
                    t=target.indicator_text, y=scheme.year, p=period_label(figure)
                )
            )
            continue
        e = result.evaluation
        actual = Decimal(str(round(e.current, 4)))
        if own is None and e.threshold is not None:
            goal = Decimal(str(round(e.threshold, 4)))  # a change target's derived value
        baseline = item.params.get("baseline", {}).get(str(target.pk))
        if baseline is None and own is not None and own.baseline is not None:
            baseline = own.baseline
        if baseline is None and result.spec.kind == "new":
            baseline = Decimal(0)
        if baseline is None and result.spec.kind == "change" and result.spec.baseline is not None:
            baseline = Decimal(str(result.spec.baseline))
        if baseline is None:
            # the first figure inside the plan's period that is evidence, as on the dashboard
            first = next(
                (
                    o
                    for o in result.series
                    if o.denominator is None
                    or link.indicator.aggregation != "weighted_rate"
                    or o.denominator >= result.min_sample_size
                ),
                None,
            )
            if first is not None and first.pk != figure.pk:
                baseline = first.value
        direction = "down" if result.spec.resolved_direction() == "down" else "up"
        reached = actual <= goal if direction == "down" else actual >= goal
        if baseline is not None and not reached and baseline != goal:
            one = scoring.attainment_linear(
                target.indicator_text,
                1,
                actual=actual,
                baseline=baseline,
                target=goal,
                direction=direction,
                unit=target.unit,
            )
        else:
            one = scoring.attainment_table(
                target.indicator_text,
                1,
                actual=actual,
                table=[(goal, 1)],
                direction=direction,
                unit=target.unit,
            )
        shares.append(max(Decimal(0), one.score))
        template = (
            _("{t}：实际{v}{u}（{figure}），本区{y}年分解目标{g}{u}，{ok}")
            if own is not None
            else _("{t}：实际{v}{u}（{figure}），{y}年目标{g}{u}，{ok}")
        )
        parts.append(
            template.format(
                figure=_figure_words(result, figure, period_label),
                t=target.indicator_text,
                y=own.year if own is not None else (target.year or scheme.year),
                v=scoring.n(actual),
                u=target.unit,
                g=scoring.n(goal),
                ok=_("达标")
                if reached
                else _("完成{p}%").format(p=scoring.n(max(Decimal(0), one.score) * 100)),
            )
        )
    if not shares:
        if skipped:
            return _no_data(item, _("{names}本级无统计数据").format(names="、".join(skipped[:8])))
        return _no_data(item, _("没有与本考核对象相关且已关联指标的目标"))
    if skipped:
        parts.append(
            _("{names}本级无统计数据，不计入").format(
                names="、".join(skipped[:8]) + ("等" if len(skipped) > 8 else "")
            )
        )
    share = sum(shares, Decimal(0)) / len(shares)
    score = scoring.q(item.points * share)
    reason = "；".join(parts[:12]) + _("。{k}项目标平均完成{p}%，得{s}分（满分{m}分）").format(
        k=len(shares),
        p=scoring.n(scoring.q(share * 100)),
        s=scoring.n(score),
        m=scoring.n(item.points),
    )
    return scoring.ItemScore(item.name, item.points, score, reason)


def _figure_words(result, figure, period_label) -> str:
    """Which figure a target was scored on, and why that one: 系统计算数，指标以系统计算数
    为准，2035年6月数据，截至2035年6月30日 — the dashboard's figure for the assessed year."""
    computed = figure.source == "computed"
    source = _("系统计算数") if computed else _("报送数")
    preferred = result.indicator.prefer == "computed"
    if not computed and result.compute_reason:
        why = _("不采用系统计算，以报送数为准")
    elif computed != result.is_computed:
        # the figure is the other source's history before the judged series: the judged one
        # has no figure with enough samples up to the year end (样本不足)
        why = (
            _("系统计算数尚无样本充足的数值，沿用此前的报送数")
            if not computed
            else _("报送数尚无样本充足的数值，沿用此前的系统计算数")
        )
    elif computed == preferred:
        why = _("指标以系统计算数为准") if computed else _("指标以报送数为准")
    else:
        why = _("首选数据缺失，改用报送数") if not computed else _("首选数据缺失，改用系统计算数")
    day = result.when(figure)
    return _("{source}，{why}，{period}数据，截至{y}年{m}月{d}日").format(
        source=source, why=why, period=period_label(figure), y=day.year, m=day.month, d=day.day
    )


def compute_item(assessment, item, on=None) -> scoring.ItemScore:
    if item.method == Method.TARGET:  # a backdated computation's day bounds its figures
        return _target(assessment, item, on)
    on = on or timezone.localdate()
    if item.method == Method.TASKS:
        return _tasks(assessment, item, on)
    if item.method == Method.TIMELINESS:
        return _timeliness(assessment, item, on)
    if item.method == Method.BONUS:
        rows = [(f.description, f.points) for f in _facts(assessment, FactKind.AWARD)]
        return scoring.bonus(rows, cap=item.points or None, name=item.name)
    if item.method == Method.DEDUCTION:
        rows = [(f.description, f.points) for f in _facts(assessment, FactKind.DEDUCTION)]
        return scoring.deductions(rows, name=item.name)
    if item.method == Method.VETO:
        rows = list(_facts(assessment, FactKind.INCIDENT))
        reason = (
            _("发生重大质量安全事件：{e}，一票否决").format(
                e="；".join(f.description for f in rows)
            )
            if rows
            else _("未发生重大质量安全事件")
        )
        return scoring.ItemScore(item.name, Decimal(0), Decimal(0), reason, kind="veto")
    return scoring.ItemScore(item.name, item.points, Decimal(0), _("待考核部门评审打分"))  # manual


def start(scheme, subjects, user, on=None):
    """Open one assessment per subject [(kind, region or None, unit)], with every item
    computed from the data as of ``on`` (the day of the start, today if not given), in the
    自评 stage."""
    _office(user)
    created = []
    with transaction.atomic():
        for kind, region, unit in subjects:
            if Assessment.objects.filter(
                scheme=scheme, unit=unit, superseded_by__isnull=True
            ).exists():
                raise ValidationError(_("{u}已在该方案中，不能重复考核").format(u=unit))
            a = Assessment.objects.create(
                scheme=scheme, subject_kind=kind, region=region, unit=unit
            )
            audit.record(a, ChangeAction.CREATE, after=audit.snapshot(a), actor=user)
            _fill_scores(a, on)
            events.emit(a, "started", _("启动考核，系统按数据预算各项得分"), actor=user, at=_at(on))
            notify.add_todo(
                _("{y}年度考核自评：{s}").format(y=scheme.year, s=scheme.name),
                unit=unit,
                link=a.get_absolute_url(),
                kind="self",
                obj=a,
            )
            created.append(a)
    return created


def district_subjects(world_city=None):
    """Every assessed district and zone, answered for by its government or 管委会."""
    out = []
    for unit in (
        OrgUnit.objects.filter(
            kind__in=[UnitKind.DISTRICT_GOVERNMENT, UnitKind.ZONE_COMMITTEE],
            region__is_assessed=True,
            is_active=True,
        )
        .select_related("region")
        .order_by("region__code")
    ):
        kind = SubjectKind.ZONE if unit.region.level == RegionLevel.ZONE else SubjectKind.DISTRICT
        out.append((kind, unit.region, unit))
    return out


NO_DATA_REASONS = {
    NoDataRule.SHARE: gettext_noop("无数据（{why}）：不计分，权重由其余各项分摊"),
    NoDataRule.ZERO: gettext_noop("无数据（{why}）：按方案规定计0分"),
    NoDataRule.OFFICE: gettext_noop("无数据（{why}）：由质量办认定得分"),
}


def department_subjects():
    """Every active city department (市直部门), each answering for itself."""
    return [
        (SubjectKind.DEPARTMENT, None, unit)
        for unit in OrgUnit.objects.filter(
            kind=UnitKind.DEPARTMENT, region__level=RegionLevel.CITY, is_active=True
        ).order_by("name")
    ]


def candidate_subjects():
    """Districts and zones first, then city departments: what the office may choose from."""
    return district_subjects() + department_subjects()


def subjects_for_units(unit_ids) -> list:
    """The chosen subjects, in the order of ``candidate_subjects``; an id that is not a
    candidate is refused."""
    wanted = {int(x) for x in unit_ids}
    chosen = [s for s in candidate_subjects() if s[2].pk in wanted]
    if len(chosen) != len(wanted):
        raise ValidationError(_("所选单位不能作为考核对象"))
    if not chosen:
        raise ValidationError(_("请选择考核对象"))
    return chosen


def remind_self(scheme, user):
    """催报: a reminder to every unit whose 自评 is still open; returns their names."""
    _office(user)
    rows = [a for a in current(scheme) if a.stage == Stage.SELF and not a.is_frozen]
    if not rows:
        raise ValidationError(_("没有未提交自评的单位"))
    from qcity.core.models import User

    names = []
    with transaction.atomic():
        for a in rows:
            title = _("催报：请尽快提交{y}年度考核自评（{s}）").format(
                y=scheme.year, s=a.subject_label
            )
            for staff in User.objects.filter(
                is_active=True, role_assignments__unit_id=a.unit_id
            ).distinct():
                notify.message(staff, title, link=a.get_absolute_url())
            events.emit(a, "self_reminded", _("质量办催报自评"), actor=user)
            names.append(a.unit.name)
    return names


def scheme_started(scheme) -> bool:
    return scheme.assessments.exists()


ITEM_FIELDS = ("name", "points", "method", "no_data_rule")


# What decides the scores: fixed once the scheme has started (the rest, name and note, may
# still be corrected).
SCORING_FIELDS = (
    "year",
    "plan",
    "total_points",
    "grade_a_min",
    "grade_b_min",
    "grade_c_min",
    "grade_labels",
)


def update_scheme(obj, data, user=None, expected_version=None):
    """Edit a scheme (page and API): the office only; once started, its total, grade bands,
    year and plan stay as they were when the units were scored."""
    from qcity.core.services import update_object

    _office(user)
    scheme = Scheme.objects.get(pk=obj.pk)
    if scheme_started(scheme):
        changed = [f for f in SCORING_FIELDS if f in data and data[f] != getattr(scheme, f)]
        if changed:
            labels = "、".join(str(Scheme._meta.get_field(f).verbose_name) for f in changed)
            raise ValidationError(
                _("考核已启动，不能再修改{fields}；如需调整，请另行制定考核方案。").format(
                    fields=labels
                )
            )
    return update_object(obj, data, user, expected_version)


def update_items(scheme, rows: dict, user):
    """Edit a scheme's items (细则) before it starts. ``rows`` maps an item id to its new
    {name, points, method, no_data_rule}; the scored items must still add up to the total."""
    _office(user)
    from .choices import NoDataRule

    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme_started(scheme):
            raise ValidationError(
                _("考核已启动，不能再修改考核细则；如需调整，请另行制定考核方案。")
            )
        items = {i.pk: i for i in scheme.items.all()}
        changed = []
        for pk, data in rows.items():
            item = items.get(int(pk))
            if item is None:
                raise ValidationError(_("考核指标不属于该方案"))
            name = (data.get("name") or "").strip()
            if not name:
                raise ValidationError(_("考核指标名称不能为空"))
            points = _decimal(data.get("points", ""), "points", _("分值必须是数字"))
            if points < 0:
                raise ValidationError(_("“{i}”分值不能为负数").format(i=name))
            method = data.get("method") or item.method
            if method not in Method.values:
                raise ValidationError(_("评分方法无效"))
            if (method == Method.HEADER) != (item.method == Method.HEADER):
                raise ValidationError(_("分类行与考核指标不能互换"))
            if method in (Method.VETO, Method.DEDUCTION, Method.HEADER) and points:
                # these never earn points: with a share of the total they make it unreachable
                raise ValidationError(
                    _("“{i}”是{m}，不占分值，分值应为0").format(i=name, m=Method(method).label)
                )
            rule = data.get("no_data_rule") or item.no_data_rule
            if rule not in NoDataRule.values:
                raise ValidationError(_("无数据时的处理规则无效"))
            before = audit.snapshot(item)
            item.name, item.points, item.method, item.no_data_rule = name, points, method, rule
            after = audit.snapshot(item)
            if after != before:
                item.save()
                changed.append((item, before, after))
        scored = sum(
            (i.points for i in items.values() if i.method not in (Method.BONUS, Method.HEADER)),
            Decimal(0),
        )
        if scored != scheme.total_points:
            raise ValidationError(
                _("各项分值合计{a}分，与方案总分{b}分不一致").format(
                    a=scoring.n(scored), b=scoring.n(scheme.total_points)
                )
            )
        for item, before, after in changed:
            audit.record(
                item,
                ChangeAction.UPDATE,
                before=before,
                after=after,
                actor=user,
                note=_("修改考核细则：{s}").format(s=scheme.name),
            )
    return [c[0] for c in changed]


def _fill_scores(assessment, on=None):
    for item in assessment.scheme.items.exclude(method=Method.HEADER):
        result = compute_item(assessment, item, on)
        reason = result.reason
        if result.no_data:
            reason = _(NO_DATA_REASONS[item.no_data_rule]).format(why=result.reason)
        ItemScore.objects.update_or_create(
            assessment=assessment,
            item=item,
            defaults={
                "computed_score": Decimal(0) if result.no_data else result.score,
                "computed_reason": reason,
                "no_data": result.no_data,
            },
        )


def recompute(assessment, user, on=None):
    _office(user)
    with transaction.atomic():
        _stage(assessment, Stage.SELF, Stage.REVIEW)
        _fill_scores(assessment, on)
        events.emit(assessment, "recomputed", _("按最新数据重新计算"), actor=user)
    return assessment


# ---------------------------------------------------------------- 自评 and 审核
def _bounds(item):
    if item.method == Method.DEDUCTION:
        return None, Decimal(0)
    if item.method == Method.VETO:
        return Decimal(0), Decimal(0)
    return Decimal(0), item.points


def _check_score(item, value, field):
    score = _decimal(value, field, _("得分必须是数字"))
    low, high = _bounds(item)
    if (low is not None and score < low) or (high is not None and score > high):
        raise ValidationError(
            {
                field: _("“{i}”得分应在{a}至{b}分之间").format(
                    i=item.name, a=scoring.n(low) if low is not None else "-∞", b=scoring.n(high)
                )
            }
        )
    return scoring.q(score)


def self_assess(score_row, user, score, note="", evidence=None, evidence_note="", on=None):
    a = score_row.assessment
    _subject_staff(a, user)
    with transaction.atomic():
        a = Assessment.objects.select_for_update().get(pk=a.pk)
        _stage(a, Stage.SELF)
        if score_row.no_data and score_row.item.no_data_rule != NoDataRule.OFFICE:
            raise ValidationError(
                _("“{i}”无数据，按考核方案规定处理（{r}），不能自评").format(
                    i=score_row.item.name, r=score_row.item.get_no_data_rule_display()
                )
            )
        value = _check_score(score_row.item, score, "self_score")
        note = (note or "").strip()
        if score_row.item.evidence_required and not (
            evidence or evidence_note.strip() or score_row.evidence or score_row.evidence_note
        ):
            raise ValidationError(_("“{i}”须提供佐证材料").format(i=score_row.item.name))
        before = audit.snapshot(score_row)
        score_row.self_score, score_row.self_note = value, note
        if evidence is not None:
            from qcity.core import uploads

            uploads.validate(evidence, uploads.EVIDENCE)  # the one upload path
            score_row.evidence = evidence
        if evidence_note:
            score_row.evidence_note = evidence_note.strip()
        score_row.save()
        proxy = acting_for(a, user)
        text = (_("质量办代为自评“{i}”：{s}分") if proxy else _("自评“{i}”：{s}分")).format(
            i=score_row.item.name, s=scoring.n(value)
        )
        audit.record(
            score_row,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(score_row),
            actor=user,
            note=text if proxy else "",
        )
        events.emit(a, "self_assessed", text, actor=user, at=_at(on), on_behalf=proxy)
    return score_row


def submit_self(assessment, user, on=None):
    _subject_staff(assessment, user)
    with transaction.atomic():
        a = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _stage(a, Stage.SELF)
        before = audit.snapshot(a)
        a.stage = Stage.REVIEW
        a.save()
        proxy = acting_for(a, user)
        audit.record(
            a,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(a),
            actor=user,
            note=_("质量办代为提交自评") if proxy else "",
        )
        total = sum(
            (
                s.self_score if s.self_score is not None else s.computed_score
                for s in a.scores.all()
            ),
            Decimal(0),
        )
        events.emit(
            a,
            "self_submitted",
            (_("质量办代为提交自评（自评{t}分）") if proxy else _("提交自评（自评{t}分）")).format(
                t=scoring.n(total)
            ),
            actor=user,
            at=_at(on),
            on_behalf=proxy,
        )
        notify.close_todos(a, "self")
        notify.add_todo(
            _("审核考核自评：{s}").format(s=a.subject_label),
            unit=OrgUnit.objects.filter(kind=UnitKind.OFFICE).first(),
            link=a.get_absolute_url(),
            kind="review",
            obj=a,
        )
    return a


def may_review(score_row, user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (
            user.is_office_admin
            or (
                score_row.item.assessing_unit_id
                and score_row.item.assessing_unit_id
                in capabilities.unit_ids(user, Assessment, "review")
            )
        )
    )


def review_item(score_row, user, score, reason, on=None):
    if not may_review(score_row, user):
        raise PermissionDenied(_("只有质量办或该项的考核部门可以审核"))
    with transaction.atomic():
        a = Assessment.objects.select_for_update().get(pk=score_row.assessment_id)
        _stage(a, Stage.REVIEW)
        value = _check_score(score_row.item, score, "reviewed_score")
        reason = (reason or "").strip()
        if value != score_row.computed_score and not reason:
            raise ValidationError({"review_reason": _("审核得分与系统计算得分不同，必须写明理由")})
        before = audit.snapshot(score_row)
        score_row.reviewed_score = value
        score_row.review_reason = reason or score_row.computed_reason
        score_row.reviewed_by = user
        score_row.save()
        audit.record(
            score_row,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(score_row),
            actor=user,
        )
        events.emit(
            a,
            "item_reviewed",
            _("审核“{i}”：{s}分").format(i=score_row.item.name, s=scoring.n(value)),
            actor=user,
            at=_at(on),
        )
    return score_row


def _result(a):
    rows = list(a.scores.select_related("item"))
    items, vetoes = [], []
    for s in rows:
        if s.item.method == Method.VETO:
            if s.final_score is not None and _facts(a, FactKind.INCIDENT).exists():
                vetoes.append(scoring.Veto(s.final_reason))
            continue
        kind = {"bonus": "bonus", "deduction": "deduction"}.get(s.item.method, "item")
        missing = s.is_missing
        items.append(
            scoring.ItemScore(
                s.item.name,
                s.item.points,
                Decimal(0) if missing else s.final_score,
                s.final_reason,
                kind,
                no_data=missing,
            )
        )
    return scoring.assess(a.subject_label, items, vetoes=vetoes, bands=bands(a.scheme))


def _apply_results(assessments, user):
    """Totals, grades and ranks of ``assessments`` (the scheme's mutable ones). Ranks are
    taken over every current assessment of the scheme that has a result, so a correction
    (更正) is ranked among the published results; a published result whose rank moves because
    of it gets the new rank, with the change logged and on its timeline."""
    if not assessments:
        return
    mine = {a.pk for a in assessments}
    frozen = [
        x
        for x in current(assessments[0].scheme)
        if x.pk not in mine and x.stage == Stage.PUBLISHED and x.total is not None
    ]
    pool = {a.pk: a for a in [*assessments, *frozen]}
    results = {pk: _result(a) for pk, a in pool.items()}
    by_result = {id(r): pk for pk, r in results.items()}
    for rank, r in scoring.rank(list(results.values())):
        a = pool[by_result[id(r)]]
        if a.pk not in mine:
            if a.rank != rank:
                _rerank_published(a, rank, user)
            continue
        before = audit.snapshot(a)
        a.total, a.grade, a.rank, a.vetoed, a.result_reason = (
            r.total,
            r.grade,
            rank,
            r.vetoed,
            r.reason,
        )
        a.save()
        audit.record(a, ChangeAction.UPDATE, before=before, after=audit.snapshot(a), actor=user)


def _rerank_published(a, rank, user):
    """A published result keeps its scores; only its rank follows a correction of another
    subject's result."""
    before = audit.snapshot(a)
    old = a.rank
    Assessment.objects.filter(pk=a.pk).update(rank=rank)
    a.rank = rank
    note = _("因其他被考核对象的结果更正，名次由第{old}名调整为第{new}名").format(old=old, new=rank)
    audit.record(
        a, ChangeAction.UPDATE, before=before, after=audit.snapshot(a), actor=user, note=note
    )
    events.emit(a, "reranked", note, actor=user, old=old, new=rank)


def current(scheme):
    return list(
        scheme.assessments.filter(superseded_by__isnull=True).select_related(
            "region", "unit", "scheme"
        )
    )


def start_publicity(scheme, user, on=None):
    """Close the review: unreviewed items take the computed score; totals, grades and ranks
    are shown for 公示 on the day ``on`` (today if not given) with an appeal window from the
    rule table, which must end after that day."""
    _office(user)
    at = _at(on)  # the day it was acted out; now when not given
    on = on or timezone.localdate()
    with transaction.atomic():
        rows = [a for a in current(scheme) if not a.is_frozen]
        if not rows:
            raise ValidationError(_("没有可公示的考核"))
        waiting = [a.subject_label for a in rows if a.stage != Stage.REVIEW]
        if waiting:
            raise ValidationError(
                _("以下单位未完成自评，不能公示：{s}").format(s="、".join(waiting))
            )
        unscored = unscored_items(rows)
        if unscored:
            raise ValidationError(
                _("以下考核项尚未评分，不能公示：{s}").format(
                    s="；".join(
                        _("{u}：{i}").format(u=u, i="、".join(names)) for u, names in unscored
                    )
                )
            )
        until, _e = workdays.deadline(
            on, rulebook.value("assessment.appeal_window_days"), ValueKind.WORKING_DAYS
        )
        if until <= on:
            raise ValidationError(
                _(
                    "申诉截止日期{d}不晚于公示日期{o}，被考核单位无法申诉，不能公示；"
                    "请在规则表中检查“考核结果公示及申诉期”"
                ).format(d=until, o=on)
            )
        for a in rows:
            for s in a.scores.filter(reviewed_score__isnull=True).select_related("item"):
                if s.is_missing:
                    continue  # 无数据: stays missing, never a score
                s.reviewed_score, s.review_reason, s.reviewed_by = (
                    s.computed_score,
                    s.computed_reason,
                    user,
                )
                s.save()
            a.stage, a.publicity_until = Stage.PUBLICITY, until
        _apply_results(rows, user)
        for a in rows:
            events.emit(
                a,
                "publicity",
                _("公示考核结果，申诉截止{d}").format(d=until),
                actor=user,
                at=at,
            )
            notify.close_todos(a, "review")
    return rows


def unscored_items(assessments) -> list[tuple[str, list[str]]]:
    """[(subject, [item names])] of the items still waiting for a score."""
    labels = {a.pk: a.subject_label for a in assessments}
    found: dict[int, list[str]] = {}
    for s in (
        ItemScore.objects.filter(assessment_id__in=labels, reviewed_score__isnull=True)
        .select_related("item")
        .order_by("item__order", "item__pk")
    ):
        if s.is_unscored:
            found.setdefault(s.assessment_id, []).append(s.item.name)
    return [(labels[pk], found[pk]) for pk in labels if pk in found]


def missing_data(assessments) -> list[tuple[str, str, str]]:
    """[(subject, item name, rule)] of the items that had no data, with the rule applied."""
    rows = ItemScore.objects.filter(assessment__in=assessments, no_data=True).select_related(
        "item", "assessment__region", "assessment__unit"
    )
    return [
        (s.assessment.subject_label, s.item.name, s.item.get_no_data_rule_display())
        for s in rows.order_by("assessment__region__code", "assessment__pk", "item__order")
    ]


def file_appeal(assessment, user, reason, score_row=None, requested_score=None, on=None):
    _subject_staff(assessment, user)
    at = _at(on)  # the day it was acted out; now when not given
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("申诉必须说明理由"))
    with transaction.atomic():
        a = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _stage(a, Stage.PUBLICITY, Stage.APPEAL)
        if a.publicity_until and on > a.publicity_until:
            raise ValidationError(_("公示期已于{d}结束，不能再申诉").format(d=a.publicity_until))
        if score_row is not None and score_row.assessment_id != a.pk:
            raise ValidationError(_("申诉的考核项不属于本次考核"))
        requested = (
            _check_score(score_row.item, requested_score, "requested_score")
            if (score_row and requested_score not in (None, ""))
            else None
        )
        appeal = Appeal.objects.create(
            assessment=a,
            item_score=score_row,
            reason=reason,
            requested_score=requested,
            filed_by=user,
        )
        a.stage = Stage.APPEAL
        a.save()
        proxy = acting_for(a, user)
        events.emit(
            a,
            "appeal",
            (_("质量办代为提出申诉：{r}") if proxy else _("提出申诉：{r}")).format(r=reason),
            actor=user,
            at=at,
            on_behalf=proxy,
        )
        notify.add_todo(
            _("复核考核申诉：{s}").format(s=a.subject_label),
            unit=OrgUnit.objects.filter(kind=UnitKind.OFFICE).first(),
            link=a.get_absolute_url(),
            kind="appeal",
            obj=a,
        )
    return appeal


def decide_appeal(appeal, user, upheld: bool, reason, new_score=None, on=None):
    _office(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("复核必须写明意见"))
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != AppealStatus.PENDING:
            raise ValidationError(_("该申诉已复核"))
        a = appeal.assessment
        ensure_mutable(a)
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decision_reason, appeal.decided_by = reason, user
        appeal.decided_at = _at(on) or timezone.now()
        appeal.save()
        if upheld and appeal.item_score is not None:
            row = appeal.item_score
            value = _check_score(
                row.item,
                new_score if new_score not in (None, "") else appeal.requested_score,
                "new_score",
            )
            before = audit.snapshot(row)
            row.reviewed_score, row.review_reason, row.reviewed_by = (
                value,
                _("申诉复核：{r}").format(r=reason),
                user,
            )
            row.save()
            audit.record(
                row, ChangeAction.UPDATE, before=before, after=audit.snapshot(row), actor=user
            )
        events.emit(
            a,
            "appeal_decided",
            (_("申诉成立：{r}") if upheld else _("申诉不成立：{r}")).format(r=reason),
            actor=user,
            at=_at(on),
        )
        if not a.appeals.filter(status=AppealStatus.PENDING).exists():
            a.stage = Stage.PUBLICITY
            a.save()
            notify.close_todos(a, "appeal")
        _apply_results([x for x in current(a.scheme) if not x.is_frozen], user)
    return appeal


def publish(scheme, user, on=None):
    """Publish every current assessment of the scheme once the appeal window is over and
    every appeal is decided; they are frozen from then on."""
    _office(user)
    at = _at(on)  # the day it was acted out; now when not given
    on = on or timezone.localdate()
    with transaction.atomic():
        rows = [a for a in current(scheme) if not a.is_frozen]
        if not rows:
            raise ValidationError(_("没有待发布的考核"))
        for a in rows:
            if a.stage == Stage.APPEAL:
                raise ValidationError(_("{s}的申诉尚未复核，不能发布").format(s=a.subject_label))
            if a.stage != Stage.PUBLICITY:
                raise ValidationError(_("{s}尚未公示，不能发布").format(s=a.subject_label))
            if a.publicity_until and on <= a.publicity_until:
                raise ValidationError(_("公示期至{d}，期满后才能发布").format(d=a.publicity_until))
        _apply_results(rows, user)
        now = at or timezone.now()
        for a in rows:
            before = audit.snapshot(a)
            a.stage, a.published_at = Stage.PUBLISHED, now
            a.save()
            audit.record(a, ChangeAction.UPDATE, before=before, after=audit.snapshot(a), actor=user)
            events.emit(
                a,
                "published",
                _("发布考核结果：{g}级，第{r}名").format(g=a.grade, r=a.rank),
                actor=user,
                at=now,
            )
    return rows


def update_assessment(obj, data, user=None, expected_version=None):
    ensure_mutable(Assessment.objects.get(pk=obj.pk))
    from qcity.core.services import update_object

    return update_object(obj, data, user, expected_version)


def delete_assessment(obj, user=None):
    raise ValidationError(_("考核结果不能删除；已发布的结果只能更正"))


def supersede(assessment, user, reason):
    """Replace a published assessment: the old one stays as published, pointing at its
    replacement, which starts at 审核 with the same scores."""
    _office(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("更正已发布的考核结果必须写明原因"))
    with transaction.atomic():
        old = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if old.stage != Stage.PUBLISHED or old.superseded_by_id:
            raise ValidationError(_("只有已发布且未被更正的考核结果可以更正"))
        new = Assessment.objects.create(
            scheme=old.scheme,
            subject_kind=old.subject_kind,
            region=old.region,
            unit=old.unit,
            stage=Stage.REVIEW,
            note=_("更正第{n}号考核结果：{r}").format(n=old.pk, r=reason),
        )
        for s in old.scores.all():
            ItemScore.objects.create(
                assessment=new,
                item=s.item,
                computed_score=s.computed_score,
                computed_reason=s.computed_reason,
                self_score=s.self_score,
                self_note=s.self_note,
                evidence=s.evidence,
                evidence_note=s.evidence_note,
                reviewed_score=s.reviewed_score,
                review_reason=s.review_reason,
            )
        audit.record(new, ChangeAction.CREATE, after=audit.snapshot(new), actor=user, note=reason)
        before = audit.snapshot(old)
        Assessment.objects.filter(pk=old.pk).update(superseded_by=new, supersede_reason=reason)
        old.refresh_from_db()
        audit.record(
            old,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(old),
            actor=user,
            note=reason,
        )
        events.emit(old, "superseded", _("被更正：{r}").format(r=reason), actor=user)
        events.emit(
            new, "created_as_correction", _("作为更正结果创建：{r}").format(r=reason), actor=user
        )
    return new


# ---------------------------------------------------------------- exports
def results_rows(scheme):
    rows = sorted([a for a in current(scheme)], key=lambda a: (a.rank or 999, a.subject_label))
    return rows


def results_xlsx(scheme) -> bytes:
    from qcity.core.documents import xlsx_bytes

    rows = results_rows(scheme)
    summary = [
        [
            a.rank,
            a.subject_label,
            a.get_subject_kind_display(),
            a.total,
            a.grade,
            _("是") if a.vetoed else _("否"),
            a.get_stage_display(),
            a.result_reason,
        ]
        for a in rows
    ]
    detail = []
    for a in rows:
        for s in a.scores.select_related("item"):
            detail.append(
                [
                    a.subject_label,
                    s.item.number,
                    s.item.name,
                    s.item.get_method_display(),
                    s.item.points,
                    s.self_score,
                    _("无数据") if s.is_missing else s.final_score,
                    s.final_reason,
                ]
            )
    return xlsx_bytes(
        [
            (
                _("考核结果"),
                [
                    _("名次"),
                    _("考核对象"),
                    _("类型"),
                    _("总分"),
                    _("等级"),
                    _("一票否决"),
                    _("阶段"),
                    _("结果说明"),
                ],
                summary,
            ),
            (
                _("逐项得分"),
                [
                    _("考核对象"),
                    _("编号"),
                    _("考核指标"),
                    _("评分方法"),
                    _("分值"),
                    _("自评得分"),
                    _("得分"),
                    _("得分理由"),
                ],
                detail,
            ),
        ]
    )


def cn_date(d) -> str:
    """公文 date: 2026年12月3日 (no leading zeros)."""
    return _("{y}年{m}月{d}日").format(y=d.year, m=d.month, d=d.day)


def is_published(scheme) -> bool:
    rows = current(scheme)
    return bool(rows) and all(a.stage == Stage.PUBLISHED for a in rows)


def issue_notice(scheme, user, number, on=None):
    """印发考核通报: only once every current result is published, with the 文号 the office
    gives; the date of issue is the date printed on the notice."""
    _office(user)
    number = (number or "").strip()
    if not number:
        raise ValidationError({"notice_number": _("请填写考核通报的文号")})
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if not is_published(scheme):
            raise ValidationError(_("考核结果尚未全部发布，不能印发考核通报"))
        if scheme.notice_number:
            raise ValidationError(
                _("考核通报已于{d}印发（{n}），不能重复印发").format(
                    d=cn_date(scheme.notice_issued_at), n=scheme.notice_number
                )
            )
        before = audit.snapshot(scheme)
        scheme.notice_number = number
        scheme.notice_issued_at = on or timezone.localdate()
        scheme.save()
        audit.record(
            scheme, ChangeAction.UPDATE, before=before, after=audit.snapshot(scheme), actor=user
        )
    return scheme


def notice_docx(scheme) -> bytes:
    from qcity.core.documents import OfficialDocument

    if not (scheme.notice_number and scheme.notice_issued_at and is_published(scheme)):
        raise ValidationError(_("考核结果发布并填写文号印发后，才能生成考核通报"))
    rows = results_rows(scheme)
    issuer = OrgUnit.objects.filter(kind=UnitKind.OFFICE).first()
    doc = OfficialDocument(
        _("关于{y}年度质量工作考核结果的通报").format(y=scheme.year),
        doc_number=scheme.notice_number,
    )
    doc.paragraph(_("各区县人民政府、开发区管委会，市直有关部门："), indent=False)
    doc.paragraph(
        _(
            "根据《{s}》，经自评、审核、公示，{y}年度质量工作考核结果已于{d}发布，现通报如下。"
        ).format(
            s=scheme.name,
            y=scheme.year,
            d=cn_date(timezone.localdate(max(a.published_at for a in rows))),
        )
    )
    doc.heading(_("一、考核结果"))
    doc.table(
        [_("名次"), _("考核对象"), _("总分"), _("等级")],
        [[a.rank, a.subject_label, scoring.n(a.total or 0), a.grade] for a in rows],
    )
    missing = missing_data(rows)
    if missing:
        doc.paragraph(
            _("下列考核项无数据，按考核方案规定处理：{s}。").format(
                s="；".join(
                    _("{u}“{i}”（{r}）").format(u=u, i=name, r=rule) for u, name, rule in missing
                )
            )
        )
    vetoed = [a for a in rows if a.vetoed]
    if vetoed:
        doc.heading(_("二、一票否决情况"))
        for a in vetoed:
            doc.paragraph(f"{a.subject_label}：{a.result_reason}")
    doc.heading(_("三、有关要求") if vetoed else _("二、有关要求"))
    doc.paragraph(
        _("考核结果排名末位的单位，须在一个月内向质量强市工作领导小组办公室报送书面整改方案。")
    )
    doc.signature(str(issuer or ""), cn_date(scheme.notice_issued_at))
    return doc.to_bytes()
