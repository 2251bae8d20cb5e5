"""Business actions of the indicators app (PATTERNS.md 5): load the library, propose and
confirm target links, decompose a target across districts, record observations (revisions
kept), recompute computed indicators, and take light snapshots.

``record_observation`` keeps its exact keyword signature: the tracking app's progress reports
call it so a unit types each figure once.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import audit, events, jobs, rulebook
from qcity.core.choices import ChangeAction, UnitKind
from qcity.core.services import create_object, update_object, void_object

from . import computed, decomposition, matching
from .choices import LinkState, PeriodKind, Prefer, Source
from .models import (
    Decomposition,
    Indicator,
    LightSnapshot,
    Observation,
    TargetLink,
    params_key,
)

LIBRARY_PATH = Path(__file__).resolve().parent / "library.json"
COUNT_UNITS = {
    "个",
    "家",
    "件",
    "项",
    "批次",
    "家次",
    "次",
    "张",
    "所",
    "名",
    "处",
    "起",
    "人",
    "人次",
}
RATE_UNITS = {"%", "‰"}
_UNIT_ALIASES = {"％": "%", "百分比": "%", "pct": "%"}
_VALUE_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(.*?)\s*$")


# ---------------------------------------------------------------- library
def load_library(path: Path | None = None) -> int:
    """Create the library's indicators that are missing; fill a missing reporting unit and a
    missing grain (``period_kind`` and ``cumulative``: each entry states the period its
    figures cover and whether they run from 1 January, decided from the indicator's meaning).

    An indicator with a computer (``computed_by``) is created preferring the computed figures
    (the entry's ``prefer`` wins when given); the office can change it per indicator.
    Never overwrites what the office has edited, except that a synonym naming another library
    entry is dropped (a name stands for one statistic). Returns the number of indicators created."""
    from qcity.core.models import OrgUnit

    data = json.loads((path or LIBRARY_PATH).read_text(encoding="utf-8"))
    entries = data["entries"] if isinstance(data, dict) else data
    units = {}
    for unit in OrgUnit.objects.filter(is_active=True).order_by("region__level", "pk"):
        units.setdefault(unit.short_name, unit)
        units.setdefault(unit.name, unit)
    existing = {i.key: i for i in Indicator.objects.all()}
    # a name the library gives its own entry is never kept as another indicator's synonym (an
    # earlier library listed 工业产品质量合格率 under the product supervision pass rate)
    names = {e["name"]: e["key"] for e in entries}
    new, fill = [], []
    for e in entries:
        unit = units.get(e.get("reporting_unit") or "")
        current = existing.get(e["key"])
        if current is not None:
            changed = False
            kept = [s for s in current.synonyms or [] if names.get(s, current.key) == current.key]
            if kept != list(current.synonyms or []):
                current.synonyms = kept
                changed = True
            if current.reporting_unit_id is None and unit is not None:
                current.reporting_unit = unit
                changed = True
            if not current.period_kind and e.get("period_kind"):
                current.period_kind = e["period_kind"]
                current.cumulative = bool(e.get("cumulative"))
                changed = True
            if changed:
                fill.append(current)
            continue
        low, high = (e.get("bounds") or [None, None]) + [None, None][len(e.get("bounds") or []) :]
        new.append(
            Indicator(
                key=e["key"],
                name=e["name"],
                synonyms=e.get("synonyms", []),
                definition=e.get("definition", ""),
                unit=e.get("unit", ""),
                direction=e.get("direction", "up"),
                bound_min=None if low is None else Decimal(str(low)),
                bound_max=None if high is None else Decimal(str(high)),
                aggregation=e.get("aggregation", "sum"),
                reporting_unit=unit,
                computed_by=e.get("computed_by") or "",
                parameters=e.get("parameters", {}),
                period_kind=e.get("period_kind") or "",
                cumulative=bool(e.get("cumulative")),
                # a computer named but not implemented: the reported figures are used
                prefer=e.get("prefer")
                or (
                    Prefer.COMPUTED
                    if e.get("computed_by") in computed.COMPUTERS
                    else Prefer.REPORTED
                ),
            )
        )
    Indicator.objects.bulk_create(new)
    if fill:
        Indicator.objects.bulk_update(
            fill, ["reporting_unit", "period_kind", "cumulative", "synonyms"]
        )
    return len(new)


def library_entries() -> list[dict]:
    """The indicators in the database in the shape ``matching`` reads."""
    return [
        {
            "key": i.key,
            "name": i.name,
            "synonyms": i.synonyms,
            "unit": i.unit,
            "parameters": i.parameters,
        }
        for i in Indicator.objects.all()
    ]


# ---------------------------------------------------------------- mapping
def propose_links(plan, user=None) -> list[TargetLink]:
    """Match every unconfirmed target of ``plan`` against the library; store the proposals."""
    threshold = float(rulebook.value("indicators.match_threshold"))
    limit = int(rulebook.value("indicators.match_max_proposals"))
    library = library_entries()
    by_key = {i.key: i for i in Indicator.objects.all()}
    out = []
    with transaction.atomic():
        for target in plan.targets.filter(is_void=False).select_related("link"):
            link = getattr(target, "link", None)
            if link is not None and link.state == LinkState.CONFIRMED:
                continue
            found = matching.propose(
                target.indicator_text, library, unit=target.unit, threshold=threshold, limit=limit
            )
            proposals = [{"key": k, "score": s, "params": p} for k, s, p in found]
            best = by_key.get(found[0][0]) if found else None
            data = {
                "indicator": best,
                "params": found[0][2] if found else {},
                "proposals": proposals,
                "proposed_score": Decimal(str(found[0][1])) if found else None,
                "state": LinkState.PROPOSED if found else LinkState.UNMATCHED,
            }
            if link is None:
                link = create_object(TargetLink, {"target": target, **data}, user)
            else:
                link = update_object(link, data, user)
            out.append(link)
    return out


def default_units(target) -> list:
    """The units answerable for a target unless the office names others: the lead unit of
    the task that contains it."""
    task = target.task
    if task is None:
        return []
    if task.lead_unit_id:
        return [task.lead_unit]
    lead = task.responsibilities.filter(role="lead").exclude(unit=None).first()
    return [lead.unit] if lead else []


def check_params(indicator, params: dict) -> None:
    """Refuse, in the words the pages use, a variant the indicator does not have: a parameter
    it does not declare, a value outside a declared list, a product category code that is not
    in the category tree. A variant that names nothing real would be computed over nothing."""
    from .params import PARAM_LABELS

    def label(key):
        return str(PARAM_LABELS.get(key, key))

    declared = indicator.parameters or {}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ValidationError(
            {
                "params": _("指标“{name}”没有“{keys}”这一口径；可用的口径：{known}").format(
                    name=indicator.name,
                    keys="、".join(label(k) for k in unknown),
                    known="、".join(label(k) for k in declared) or _("无（只有总体）"),
                )
            }
        )
    for key, value in params.items():
        spec = declared[key]
        values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        if isinstance(spec, list):
            allowed = [str(v) for v in spec]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValidationError(
                    {
                        "params": _("“{name}”不能取“{bad}”；可取：{allowed}").format(
                            name=label(key), bad="、".join(bad), allowed="、".join(allowed)
                        )
                    }
                )
        elif key == "category" and apps.is_installed("qcity.registry"):
            category = apps.get_model("registry", "ProductCategory")
            known = set(category.objects.filter(code__in=values).values_list("code", flat=True))
            bad = [v for v in values if v not in known]
            if bad:
                raise ValidationError(
                    {
                        "params": _(
                            "类别代码“{bad}”不在产品类别目录中（代码如 F0101 小麦粉）"
                        ).format(bad="、".join(bad))
                    }
                )


def confirm_link(target, indicator, params, units, user) -> TargetLink:
    """A person confirms which indicator (and variant) a target is measured by, and the
    unit(s) answerable for it (default: the containing task's lead unit), which the
    assessment of a department reads."""
    if indicator is None:
        raise ValidationError({"indicator": _("请选择指标")})
    params = params or {}
    if not isinstance(params, dict):
        raise ValidationError({"params": _("变体参数格式不正确")})
    check_params(indicator, params)
    data = {
        "indicator": indicator,
        "params": params,
        "units": list(units or []) or default_units(target),
        "state": LinkState.CONFIRMED,
        "confirmed_by": user,
        "confirmed_at": timezone.now(),
    }
    with transaction.atomic():
        link = TargetLink.objects.filter(target=target).first()
        if link is None:
            link = create_object(TargetLink, {"target": target, **data}, user)
        else:
            link = update_object(link, data, user, note=_("确认指标关联"))
    return link


def create_link(data: dict, user=None) -> TargetLink:
    """The registry's create form: a link entered by hand is confirmed by its author."""
    return confirm_link(
        data["target"], data.get("indicator"), data.get("params"), data.get("units"), user
    )


def update_link(obj, data: dict, user=None, expected_version=None) -> TargetLink:
    return confirm_link(
        data.get("target", obj.target),
        data.get("indicator"),
        data.get("params"),
        data.get("units"),
        user,
    )


# ---------------------------------------------------------------- decomposition
def decompose_target(
    target,
    regions,
    *,
    baselines: dict | None = None,
    weights: dict | None = None,
    explicit: dict | None = None,
    explicit_years: dict | None = None,
    reason: str = "",
    user=None,
) -> list[Decomposition]:
    """Split a city target across districts and years; each district gets its own Target
    (region set, same indicator link) and yearly Decomposition rows (its plan line).

    ``weights`` are shares in percent of what the explicit district values leave (they must
    add up to 100); ``explicit_years`` {district: {year: value}} replaces the straight line
    for those years. A second split replaces the first and needs a ``reason`` (change log)."""
    from qcity.plans.models import Target

    plan = target.plan
    link = TargetLink.objects.filter(target=target).select_related("indicator").first()
    if link is None or link.indicator_id is None or link.state != LinkState.CONFIRMED:
        raise ValidationError(_("该目标尚未确认关联指标，请先在“指标关联”页确认后再分解"))
    start_year = plan.period_start or (target.year or timezone.localdate().year)
    end_year = target.year or plan.period_end
    if not end_year or end_year < start_year:
        raise ValidationError(_("目标缺少年份，无法分解"))
    names = {r.name: r for r in regions}
    if not names:
        raise ValidationError(_("请至少选择一个区县"))
    baselines = baselines or {}
    explicit = explicit or {}
    missing = [n for n in names if n not in baselines and target.kind != "new"]
    if missing:
        raise ValidationError(_("以下区县缺少基期值：{names}").format(names="、".join(missing)))
    if weights:
        shared = [n for n in names if n not in explicit]
        total = sum((Decimal(str(weights.get(n, 0))) for n in shared), Decimal(0))
        if shared and abs(total - 100) > Decimal("0.01"):
            raise ValidationError(_("各区县分配比例合计为{t}%，应为100%").format(t=_num(total)))
    earlier_rows = list(Decomposition.objects.filter(target=target).select_related("region"))
    reason = (reason or "").strip()
    if earlier_rows and not reason:
        raise ValidationError(_("该目标已分解，重新分解须说明原因"))
    try:
        parts = decomposition.decompose(
            city_value=target.value,
            unit=target.unit,
            kind=target.kind,
            regions=list(names),
            start=datetime.date(start_year, 1, 1),
            deadline=datetime.date(end_year, 12, 31),
            baselines=baselines,
            weights=weights,
            explicit=explicit,
            explicit_years=explicit_years,
        )
    except decomposition.DecompositionError as exc:
        raise ValidationError(str(exc))
    rows = []
    with transaction.atomic():
        rows = _store_decomposition(target, plan, link, names, parts, user, Target)
        audit.record(
            target,
            ChangeAction.UPDATE,
            before={"decomposition": _split_summary(earlier_rows)} if earlier_rows else None,
            after={"decomposition": _split_summary(rows)},
            actor=user,
            note=reason or _("指标分解"),
        )
        label = (
            _("重新分解到{n}个区县：{r}").format(n=len(names), r=reason)
            if earlier_rows
            else _("分解到{n}个区县").format(n=len(names))
        )
        events.emit(target, "decomposed", label, actor=user)
    return rows


def _split_summary(rows) -> dict:
    return {f"{d.region.name} {d.year}": _num(d.value) for d in rows}


def _store_decomposition(target, plan, link, names, parts, user, Target):
    rows = []
    earlier = {
        d.region_id: d.district_target
        for d in Decomposition.objects.filter(target=target).select_related("district_target")
        if d.district_target is not None
    }
    Decomposition.objects.filter(target=target).delete()
    for part in parts:
        region = names[part.region]
        district = earlier.get(region.pk)
        fields = {
            "plan": plan,
            "task": target.task,
            "section": target.section,
            "indicator_text": target.indicator_text,
            "op": target.op,
            "value": part.value,
            "value_high": target.value_high,
            "unit": target.unit,
            "year": target.year,
            "kind": target.kind,
            "direction": target.direction,
            "base_text": target.base_text,
            "base_year": target.base_year,
            "region": region,
            "text": _("由“{target}”分解").format(target=target),
            "order": target.order,
        }
        if district is None:
            district = create_object(Target, fields, user)
        else:
            district = update_object(district, fields, user)
        if link is not None and link.indicator_id:
            TargetLink.objects.update_or_create(
                target=district,
                defaults={
                    "indicator": link.indicator,
                    "params": link.params,
                    "state": link.state,
                    "confirmed_by": link.confirmed_by,
                    "confirmed_at": link.confirmed_at,
                },
            )
        for year, value in part.years.items():
            rows.append(
                create_object(
                    Decomposition,
                    {
                        "target": target,
                        "region": region,
                        "year": year,
                        "value": value,
                        "baseline": part.baseline,
                        "district_target": district,
                    },
                    user,
                )
            )
    for region_id, district in earlier.items():
        if region_id not in {r.pk for r in names.values()} and not district.is_void:
            void_object(district, _("重新分解后该区县不再承担此目标"), user)
    return rows


# ---------------------------------------------------------------- observations
def _decimal(value, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("{label}必须是数字").format(label=label)})


def parse_value(value, indicator) -> Decimal:
    """A number, or a number followed by the indicator's unit ("98.5%"); another unit is refused."""
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    text = str(value or "").strip()
    match = _VALUE_RE.match(text)
    if not match:
        raise ValidationError({"value": _("数值“{text}”无法识别").format(text=text)})
    number, written = match.groups()
    written = _UNIT_ALIASES.get(written, written)
    expected = _UNIT_ALIASES.get(indicator.unit, indicator.unit)
    if written and written != expected:
        raise ValidationError(
            {
                "value": _("单位不符：指标“{name}”以“{unit}”计，填报的是“{written}”").format(
                    name=indicator.name, unit=indicator.unit or _("无单位"), written=written
                )
            }
        )
    return Decimal(number)


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}"


def validate_figures(indicator, value: Decimal, numerator, denominator):
    name = indicator.name
    low, high = indicator.bound_min, indicator.bound_max
    if indicator.unit in RATE_UNITS and high is None:
        high = Decimal(100) if indicator.unit == "%" else Decimal(1000)
    if (indicator.unit in COUNT_UNITS or indicator.unit in RATE_UNITS) and low is None:
        low = Decimal(0)
    if value < 0 and low is not None and low >= 0:
        kind = _("比率") if indicator.unit in RATE_UNITS else _("数量")
        raise ValidationError(
            {
                "value": _("{kind}不能为负数：{name}填报了{value}").format(
                    kind=kind, name=name, value=_num(value)
                )
            }
        )
    if low is not None and value < low:
        raise ValidationError(
            {
                "value": _("数值{value}低于指标“{name}”的下限{low}").format(
                    value=_num(value), name=name, low=_num(low)
                )
            }
        )
    if high is not None and value > high:
        if indicator.unit in RATE_UNITS:
            message = _("比率不能超过{high}{unit}：{name}填报了{value}{unit}").format(
                high=_num(high), unit=indicator.unit, name=name, value=_num(value)
            )
        else:
            message = _("数值{value}超过指标“{name}”的上限{high}").format(
                value=_num(value), name=name, high=_num(high)
            )
        raise ValidationError({"value": message})
    for figure, field, label in (
        (numerator, "numerator", _("分子")),
        (denominator, "denominator", _("分母")),
    ):
        if figure is not None and figure < 0:
            raise ValidationError({field: _("{label}不能为负数").format(label=label)})
    if numerator is not None and denominator is not None:
        if denominator == 0 and numerator > 0:
            raise ValidationError({"denominator": _("分母为0时分子也必须为0")})
        if numerator > denominator:
            raise ValidationError(
                {
                    "numerator": _("分子（{n}）不能大于分母（{d}）").format(
                        n=_num(numerator), d=_num(denominator)
                    )
                }
            )
        check_rate(indicator, value, numerator, denominator)


_RATE_SCALE = {"%": Decimal(100), "‰": Decimal(1000)}


def check_rate(indicator, value: Decimal, numerator: Decimal, denominator: Decimal):
    """A rate given with its numerator and denominator must be their quotient: the value may
    differ from scale × numerator / denominator only by the rounding of the value as written
    (half a unit of its last decimal place, at least 0.01)."""
    scale = _RATE_SCALE.get(indicator.unit)
    if scale is None or not denominator:
        return
    expected = scale * numerator / denominator
    # trailing zeros say nothing (a stored 99.0000 was written 99): the last significant place
    exponent = min(value.normalize().as_tuple().exponent, 0)
    tolerance = max(Decimal(5).scaleb(exponent - 1), Decimal("0.01"))
    if abs(value - expected) > tolerance:
        places = max(2, -exponent)
        shown = expected.quantize(Decimal(1).scaleb(-places))
        raise ValidationError(
            {
                "value": _(
                    "数值与分子、分母不符：{n} ÷ {d} = {expected}{unit}，填报的是{value}{unit}；"
                    "请核对数值或分子、分母"
                ).format(
                    n=_num(numerator),
                    d=_num(denominator),
                    expected=_num(shown),
                    unit=indicator.unit,
                    value=_num(value),
                )
            }
        )


_PERIOD_MONTHS = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF: 6,
    PeriodKind.YEAR: 12,
}


def check_grain(indicator, period_kind, period_start, period_end) -> str:
    """The period kind a figure is stored under, or a refusal when its grain (period kind,
    cumulative or per-period) is not the indicator's. An indicator without a grain accepts
    any period; a cumulative figure runs from 1 January to the end of a period."""
    kind = indicator.period_kind
    if not kind:
        return period_kind
    grain = indicator.grain_label
    months = _PERIOD_MONTHS[kind]
    ends_period = (
        period_end + datetime.timedelta(days=1)
    ).day == 1 and period_end.month % months == 0
    if indicator.cumulative:
        fits = (
            period_kind in (kind, PeriodKind.CUSTOM)
            and period_start == datetime.date(period_end.year, 1, 1)
            and ends_period
        )
        example = _("如{y}年1月1日至{y}年{m}月末").format(y=period_end.year, m=months)
    else:
        fits = period_kind == kind and _kind_for(period_start, period_end) == kind and ends_period
        example = _("即一个完整的{kind}").format(kind=PeriodKind(kind).label)
    if not fits:
        raise ValidationError(
            {
                "period_kind": _(
                    "指标“{name}”按{grain}报送，不接受{given}数据（{start}至{end}）；"
                    "请按{grain}填报，{example}"
                ).format(
                    name=indicator.name,
                    grain=grain,
                    given=PeriodKind(period_kind).label,
                    start=period_start,
                    end=period_end,
                    example=example,
                )
            }
        )
    return kind


def _may_report(user, unit, indicator, region) -> bool:
    """The capability table: only the answerable units write a figure, each for its region."""
    if user is None:
        return True  # commands and jobs act under audit.acting_as
    from qcity.core.capabilities import may_report_figure

    return may_report_figure(user, indicator, region, unit)


def record_observation(
    *,
    indicator,
    region,
    period_start,
    period_end,
    period_kind,
    value,
    numerator=None,
    denominator=None,
    unit,
    user,
    source="reported",
    params=None,
    evidence=None,
) -> Observation:
    """Store one figure; a second figure for the same indicator variant, region and period
    supersedes the first (both kept, the new one current). Refusals carry a Chinese reason."""
    if indicator is None:
        raise ValidationError({"indicator": _("请选择指标")})
    if region is None:
        raise ValidationError({"region": _("请选择区划")})
    if unit is None:
        raise ValidationError({"unit": _("请选择填报单位")})
    if source not in Source.values:
        raise ValidationError({"source": _("未知的数据来源")})
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("未知的周期类型")})
    if not period_start or not period_end:
        raise ValidationError({"period_end": _("请填写统计期的起止日期")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("截止日期不能早于起始日期")})
    today = timezone.localdate()
    if source != Source.COMPUTED and period_end > today:
        raise ValidationError(
            {
                "period_end": _(
                    "统计期尚未结束（截至{end}，今天是{today}），不能报送该期数据；"
                    "请在统计期结束后填报"
                ).format(end=period_end, today=today)
            }
        )
    if not _may_report(user, unit, indicator, region):
        raise PermissionDenied(
            _("您只能以本单位名义填报本单位负责的指标，且只能填报本单位所辖区划的数据")
        )
    if source != Source.COMPUTED:
        period_kind = check_grain(indicator, period_kind, period_start, period_end)
    params = params or {}
    check_params(indicator, params)
    number = parse_value(value, indicator)
    numerator = _decimal(numerator, "numerator", _("分子"))
    denominator = _decimal(denominator, "denominator", _("分母"))
    validate_figures(indicator, number, numerator, denominator)
    key = params_key(params)
    chain = Q(source=Source.COMPUTED) if source == Source.COMPUTED else ~Q(source=Source.COMPUTED)
    with transaction.atomic():
        previous = (
            Observation.objects.select_for_update()
            .filter(
                chain,
                indicator=indicator,
                params_key=key,
                region=region,
                period_kind=period_kind,
                period_start=period_start,
                period_end=period_end,
                is_current=True,
                is_void=False,
            )
            .first()
        )
        obs = Observation(
            indicator=indicator,
            params=params,
            region=region,
            period_kind=period_kind,
            period_start=period_start,
            period_end=period_end,
            value=number,
            numerator=numerator,
            denominator=denominator,
            source=source,
            unit=unit,
            reported_by=user if user is not None and user.is_authenticated else None,
            revision=previous.revision + 1 if previous else 1,
            supersedes=previous,
        )
        if evidence:
            obs.evidence = evidence
        if previous is not None:
            before = audit.snapshot(previous)
            previous.is_current = False
            previous.save(update_fields=["is_current", "updated_at"])
            audit.record(
                previous,
                ChangeAction.UPDATE,
                before=before,
                after=audit.snapshot(previous),
                note=_("被新填报值替代"),
                actor=user,
            )
        obs.save()
        audit.record(obs, ChangeAction.CREATE, after=audit.snapshot(obs), actor=user)
    return obs


def create_observation(data: dict, user=None) -> Observation:
    """The observation entry form (reported figures)."""
    return record_observation(
        indicator=data.get("indicator"),
        region=data.get("region"),
        period_start=data.get("period_start"),
        period_end=data.get("period_end"),
        period_kind=data.get("period_kind") or PeriodKind.MONTH,
        value=data.get("value"),
        numerator=data.get("numerator"),
        denominator=data.get("denominator"),
        unit=data.get("unit"),
        user=user,
        source=Source.REPORTED,
        params=data.get("params") or {},
        evidence=data.get("evidence"),
    )


def revise_observation(obj, data: dict, user=None, expected_version=None) -> Observation:
    """Editing an observation records a new revision; the old value is kept."""
    if not obj.is_current:
        raise ValidationError(_("该值已被新填报值替代，请修改现行值"))
    if obj.source == Source.COMPUTED:
        raise ValidationError(_("系统计算值不能手工修改"))
    merged = {
        name: data.get(name, getattr(obj, name))
        for name in (
            "indicator",
            "region",
            "period_start",
            "period_end",
            "period_kind",
            "value",
            "numerator",
            "denominator",
            "unit",
            "params",
            "evidence",
        )
    }
    return create_observation(merged, user)


def void_observation(obj, reason: str, user=None) -> Observation:
    """Void a figure; if it was current, the revision it replaced becomes current again."""
    from qcity.core.services import void_object

    with transaction.atomic():
        was_current = obj.is_current
        void_object(obj, reason, user)
        if was_current:
            Observation.objects.filter(pk=obj.pk).update(is_current=False)
            if obj.supersedes_id:
                Observation.objects.filter(pk=obj.supersedes_id, is_void=False).update(
                    is_current=True
                )
    obj.refresh_from_db()
    return obj


# ---------------------------------------------------------------- computed indicators
def office_unit():
    from qcity.core.models import OrgUnit

    return OrgUnit.objects.filter(kind=UnitKind.OFFICE).order_by("region__level", "pk").first()


def assessed_regions():
    """The city and its districts/zones: the regions computed indicators are stored for."""
    from qcity.core.choices import RegionLevel
    from qcity.core.models import Region

    return list(
        Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.ZONE])
    )


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = day.replace(day=1)
    nxt = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, nxt - datetime.timedelta(days=1)


def _kind_for(start: datetime.date, end: datetime.date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if start.day != 1 or (end + datetime.timedelta(days=1)).day != 1:
        return PeriodKind.CUSTOM
    return {
        1: PeriodKind.MONTH,
        3: PeriodKind.QUARTER,
        6: PeriodKind.HALF,
        12: PeriodKind.YEAR,
    }.get(months, PeriodKind.CUSTOM)


def recompute(key: str | None = None, start=None, end=None, regions=None) -> int:
    """Run the registered computers for every linked variant × region for one period and store
    the results as computed Observations (a changed value becomes a new revision).

    ``key`` is a computer key or an indicator key (None: all). Default period: this month.
    Returns the number of observations written."""
    if start is None or end is None:
        start, end = month_bounds(timezone.localdate())
    kind = _kind_for(start, end)
    indicators = Indicator.objects.exclude(computed_by="")
    if key:
        indicators = indicators.filter(Q(computed_by=key) | Q(key=key))
    indicators = [i for i in indicators if i.computed_by in computed.COMPUTERS]
    if not indicators:
        return 0
    office = office_unit()
    regions = regions if regions is not None else assessed_regions()
    variants: dict[int, dict[str, dict]] = {i.pk: {"{}": {}} for i in indicators}
    for ind_id, params in TargetLink.objects.filter(
        indicator__in=indicators, state=LinkState.CONFIRMED
    ).values_list("indicator_id", "params"):
        variants[ind_id][params_key(params)] = params or {}
    existing = {
        (o.indicator_id, o.params_key, o.region_id): o
        for o in Observation.objects.filter(
            indicator__in=indicators,
            source=Source.COMPUTED,
            period_start=start,
            period_end=end,
            is_current=True,
            is_void=False,
        )
    }
    new, old = [], []
    for indicator in indicators:
        found = computed.get(indicator.computed_by)
        func = found.func
        for pkey, params in variants[indicator.pk].items():
            if found.refusal(params):
                continue  # refused variant: no figure under its name (reported ones are used)
            for region in regions:
                result = func(params, region, start, end)
                if result is None or result.value is None:
                    continue
                value = Decimal(str(result.value)).quantize(Decimal("0.0001"))
                num = None if result.numerator is None else Decimal(str(result.numerator))
                den = None if result.denominator is None else Decimal(str(result.denominator))
                previous = existing.get((indicator.pk, pkey, region.pk))
                if (
                    previous is not None
                    and previous.value == value
                    and previous.numerator == num
                    and previous.denominator == den
                ):
                    continue
                if previous is not None:
                    previous.is_current = False
                    old.append(previous)
                new.append(
                    Observation(
                        indicator=indicator,
                        params=params,
                        params_key=pkey,
                        region=region,
                        period_kind=kind,
                        period_start=start,
                        period_end=end,
                        value=value,
                        numerator=num,
                        denominator=den,
                        source=Source.COMPUTED,
                        filter=result.filter or {},
                        url=result.url or "",
                        unit=office,
                        revision=previous.revision + 1 if previous else 1,
                        supersedes=previous,
                    )
                )
    with transaction.atomic():
        if old:
            Observation.objects.bulk_update(old, ["is_current"])
        Observation.objects.bulk_create(new, batch_size=1000)
    return len(new)


def months_of(days) -> list[tuple[datetime.date, datetime.date]]:
    """The calendar months the given dates fall in, oldest first, each once."""
    return sorted({month_bounds(d) for d in days if d is not None})


def stale_periods(keys, days) -> list[tuple[datetime.date, datetime.date]]:
    """Every period whose computed figures a change on ``days`` makes stale: the months of
    those days, plus any other period (a quarter, a year, a year to date…) that already has
    a current computed figure of these computers covering one of the days."""
    days = sorted({d for d in days if d is not None})
    if not days:
        return []
    periods = set(months_of(days))
    stored = (
        Observation.objects.filter(
            indicator__computed_by__in=keys,
            source=Source.COMPUTED,
            is_current=True,
            is_void=False,
            period_start__lte=days[-1],
            period_end__gte=days[0],
        )
        .values_list("period_start", "period_end")
        .distinct()
    )
    for start, end in stored:
        if any(start <= d <= end for d in days):
            periods.add((start, end))
    return sorted(periods)


def queue_recompute(source_label: str, start=None, end=None, days=None):
    """Called by other apps after their source records change ("inspection.sample"): queues a
    recompute of the computers that read that model, run after the transaction commits.

    ``days`` are the dates the changed records count on (a sample's date, before and after an
    edit): the months they fall in are recomputed, plus any other stored period covering them
    (``stale_periods``), so a batch of past-dated records updates the figures targets read.
    Without ``days``: the period ``start``–``end``, by default this month."""
    keys = sorted(k for k, c in computed.COMPUTERS.items() if source_label in c.sources)
    if not keys:
        return None
    if days:
        periods = stale_periods(keys, days)
    else:
        if start is None or end is None:
            start, end = month_bounds(timezone.localdate())
        periods = [(start, end)]
    return jobs.enqueue(
        "indicators.recompute",
        keys=keys,
        periods=[[a.isoformat(), b.isoformat()] for a, b in periods],
    )


# ---------------------------------------------------------------- light history
def snapshot_lights(
    targets=None, on: datetime.date | None = None, period_end: datetime.date | None = None
) -> int:
    """Store each linked target's status at ``on`` (default: today) as its light for the
    period ending ``period_end`` (default: ``on``); re-running for the same period replaces
    the row, so the daily scan keeps one row per target and month."""
    from qcity.plans.models import Target

    from .status import StatusBoard

    on = on or timezone.localdate()
    if targets is None:
        targets = Target.objects.filter(
            is_void=False, link__state=LinkState.CONFIRMED, plan__is_void=False
        )
    targets = list(targets.select_related("plan", "link", "link__indicator", "region"))
    board = StatusBoard(on=on)
    board.prefetch(targets)
    count = 0
    with transaction.atomic():
        for target in targets:
            result = board.status(target)
            if result is None:
                continue
            e = result.evaluation
            LightSnapshot.objects.update_or_create(
                target=target,
                period_end=period_end or on,
                defaults={
                    "status": e.status.value,
                    "light": e.light.value,
                    "lag_points": e.lag_points,
                    "current": e.current,
                    "explanation": e.explanation,
                },
            )
            count += 1
    return count
