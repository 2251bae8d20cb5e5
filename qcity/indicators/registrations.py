from django.utils.translation import gettext_lazy as _

from qcity.core.registry import Column, register

from . import services
from .forms import ObservationForm
from .models import Indicator, Observation, TargetLink

GROUP = _("指标与目标")

register(
    Indicator,
    fields=[
        "key",
        "name",
        "unit",
        "direction",
        "bound_min",
        "bound_max",
        "aggregation",
        "reporting_unit",
        "computed_by",
        "prefer",
        "period_kind",
        "cumulative",
        "definition",
        "synonyms",
        "parameters",
    ],
    list_display=["name", "key", "unit", "direction", "aggregation", "reporting_unit", "prefer"],
    filter_fields=["direction", "aggregation", "prefer", "reporting_unit"],
    search_fields=["name", "key", "definition"],
    menu_group=GROUP,
    select_related=["reporting_unit"],
    detail_template="indicators/indicator_detail.html",
    import_columns=[
        Column(_("指标代码"), "key", required=True),
        Column(_("指标名称"), "name", required=True),
        Column(_("计量单位"), "unit"),
        Column(_("方向"), "direction", help=_("up=越高越好，down=越低越好")),
    ],
    import_key=["key"],
)
register(
    TargetLink,
    fields=["target", "indicator", "params", "units"],
    list_display=["target", "indicator", "state", "proposed_score", "confirmed_by"],
    filter_fields=["state", "indicator"],
    search_fields=["target__indicator_text", "indicator__name"],
    menu_group=GROUP,
    create=services.create_link,
    update=services.update_link,
    select_related=["target", "indicator", "confirmed_by"],
)
register(
    Observation,
    fields=[
        "indicator",
        "region",
        "period_kind",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "unit",
        "evidence",
    ],
    detail_fields=[
        "indicator",
        "params",
        "region",
        "period_kind",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "source",
        "unit",
        "reported_by",
        "revision",
        "is_current",
        "supersedes",
        "evidence",
        "url",
    ],
    list_display=[
        "indicator",
        "region",
        "period_start",
        "period_end",
        "value",
        "source",
        "unit",
        "revision",
        "is_current",
    ],
    filter_fields=["indicator", "region", "source", "period_kind", "is_current", "unit"],
    search_fields=["indicator__name"],
    menu_group=GROUP,
    form_class=ObservationForm,
    create=services.create_observation,
    update=services.revise_observation,
    void=services.void_observation,
    select_related=["indicator", "region", "unit"],
    ordering=["-period_end", "indicator__key", "region__code", "-revision"],
    detail_template="indicators/observation_detail.html",
)
