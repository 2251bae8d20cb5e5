from django.utils.translation import gettext_lazy as _

from qcity.core.registry import register

from . import services
from .models import Assessment, AssessmentFact, Scheme

GROUP = _("目标责任考核")

register(
    Scheme,
    fields=[
        "year",
        "name",
        "plan",
        "total_points",
        "grade_a_min",
        "grade_b_min",
        "grade_c_min",
        "grade_labels",
        "note",
    ],
    list_display=["name", "year", "total_points", "grade_labels"],
    filter_fields=["year"],
    search_fields=["name"],
    menu_group=GROUP,
    create=services.create_scheme_generic,
    update=services.update_scheme,
    detail_template="assessment/scheme_detail.html",
)
register(
    Assessment,
    fields=["note"],
    detail_fields=["scheme", "subject_kind", "region", "unit", "stage", "total", "grade", "rank"],
    list_display=["unit", "scheme", "stage", "total", "grade", "rank", "vetoed"],
    filter_fields=["scheme", "stage", "grade", "subject_kind"],
    search_fields=["unit__name", "region__name"],
    menu_group=GROUP,
    can_create=False,
    update=services.update_assessment,
    delete=services.delete_assessment,
    select_related=["unit", "scheme", "region"],
)
register(
    AssessmentFact,
    fields=["year", "kind", "region", "unit", "points", "description", "occurred_on", "source"],
    list_display=["description", "year", "kind", "region", "unit", "points"],
    filter_fields=["year", "kind", "region"],
    search_fields=["description", "source"],
    menu_group=GROUP,
    select_related=["region", "unit"],
)
