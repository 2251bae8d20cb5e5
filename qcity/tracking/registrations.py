from django.utils.translation import gettext_lazy as _

from qcity.core.registry import register

from . import services
from .models import Assignment

register(
    Assignment,
    fields=["leader", "responsible_person", "completion_standard"],
    detail_fields=[
        "title",
        "source",
        "lead_unit",
        "leader",
        "responsible_person",
        "completion_standard",
        "deadline",
        "original_deadline",
        "cycle",
        "state",
        "percent",
        "light",
    ],
    list_display=["title", "lead_unit", "state", "light", "deadline", "percent"],
    filter_fields=["state", "light", "source", "lead_unit", "plan"],
    search_fields=["title", "lead_unit__name"],
    menu_group=_("督查督办"),
    can_create=False,
    update=services.update_assignment,
    void=services.void_assignment,
    select_related=["lead_unit"],
)
