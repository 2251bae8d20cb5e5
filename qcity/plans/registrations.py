"""Plans, tasks and targets in the generic pages and API; sections and responsibilities
read-only (they are written by the import, never by hand)."""

from django.utils.translation import gettext_lazy as _

from qcity.core.registry import register

from .models import Plan, Responsibility, Section, Target, Task

GROUP = _("规划计划")

register(
    Plan,
    fields=[
        "title",
        "kind",
        "role",
        "is_draft",
        "region",
        "issuers_text",
        "doc_number",
        "signed_date",
        "posted_date",
        "period_start",
        "period_end",
        "default_year",
        "aligned_to",
    ],
    detail_fields=[
        "title",
        "kind",
        "role",
        "is_draft",
        "region",
        "issuers_text",
        "doc_number",
        "signed_date",
        "posted_date",
        "period_start",
        "period_end",
        "default_year",
        "version",
        "previous_version",
        "is_current",
        "aligned_to",
    ],
    list_display=["title", "kind", "role", "region", "signed_date", "version", "is_current"],
    filter_fields=["kind", "role", "is_current", "region"],
    search_fields=["title", "doc_number", "issuers_text"],
    menu_group=GROUP,
    select_related=["region"],
    detail_template="plans/plan_detail.html",
)
register(
    Task,
    fields=["plan", "number", "title", "body", "lead_unit", "deadline_text", "deadline", "source"],
    list_display=["title", "number", "plan", "lead_unit", "deadline_text"],
    filter_fields=["plan", "lead_unit", "source"],
    search_fields=["title", "body", "responsibilities__name_as_written"],
    menu_group=GROUP,
    select_related=["plan", "lead_unit"],
    detail_template="plans/task_detail.html",
)
register(
    Target,
    fields=[
        "plan",
        "task",
        "indicator_text",
        "op",
        "value",
        "value_high",
        "unit",
        "year",
        "kind",
        "direction",
        "base_text",
        "base_year",
        "region",
        "text",
    ],
    list_display=["indicator_text", "op", "value", "unit", "year", "kind", "plan"],
    filter_fields=["plan", "year", "kind", "direction"],
    search_fields=["indicator_text", "text"],
    menu_group=GROUP,
    select_related=["plan"],
)
for model, slug, fields, display, filters in (
    (
        Section,
        "sections",
        ["plan", "parent", "number", "title", "level", "role"],
        ["title", "number", "level", "role", "plan"],
        ["plan", "level", "role"],
    ),
    (
        Responsibility,
        "responsibilities",
        ["task", "unit", "name_as_written", "role", "duty"],
        ["name_as_written", "role", "unit", "task"],
        ["role", "unit", "task"],
    ),
):
    registration = register(
        model,
        slug=slug,
        fields=fields,
        list_display=display,
        filter_fields=filters,
        search_fields=["title"] if model is Section else ["name_as_written"],
        can_create=False,
        select_related=["plan"] if model is Section else ["task", "unit"],
    )
    registration.delete = None  # written by the import only
