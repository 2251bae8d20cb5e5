"""Date display with the honesty the working-day calendar needs: a deadline in a year whose
holiday arrangements are not entered yet is marked as an estimate (core.workdays)."""

from django import template
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html
from django.utils.translation import gettext as _

from qcity.core import workdays

register = template.Library()


@register.simple_tag(takes_context=True)
def deadline(context, day, estimated=False, fmt="Y-m-d"):
    """``{% deadline obj.due %}``: the date, with an 估算 badge when it cannot be exact (its
    year has no holiday data, or the record itself says it was computed as an estimate)."""
    if not day:
        return ""
    years = context.get("covered_years") or context.render_context.get("qcity_covered_years")
    if years is None:
        years = context.render_context["qcity_covered_years"] = workdays.covered_years()
    text = format_date(day, fmt)
    if not (estimated or workdays.is_estimated(day, years)):
        return text
    return marked_estimate(text, day)


def marked_estimate(text, day):
    """``text`` (a formatted deadline) with the 估算 badge and why."""
    return format_html(
        '{} <span class="badge text-bg-warning" title="{}">{}</span>',
        text,
        _("{y}年节假日安排尚未录入，该期限按周一至周五估算，录入后以实际安排为准").format(
            y=day.year
        ),
        _("估算"),
    )
