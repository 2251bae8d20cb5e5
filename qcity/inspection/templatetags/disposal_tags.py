"""The case page's step guide: each open step with its precondition, deadline and legal source
(read from the rule table, so an edited source shows at once)."""

from django import template

register = template.Library()


@register.simple_tag
def disposal_steps(case):
    from ..services.disposal import step_guide

    return step_guide(case)
