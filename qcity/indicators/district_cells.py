"""The district comparison's cells as HTML, built in Python: the page has one cell per target ×
district (1,660 at the benchmark's scale), and rendering them through the template engine cost
more than the rest of the page (bench/tracking, district comparison < 300 ms)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .status import period_label

TWO_PLACES = Decimal("0.01")


def number(value) -> str:
    """Like the template filter floatformat:"-2": a whole number without decimals, else two."""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return str(d.to_integral_value())
    return str(d.quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def _muted(text: str) -> str:
    return f'<div class="text-muted">{text}</div>'


def cell_html(cell) -> str:
    """One cell's inner HTML: a district target's light, value, target, progress and the
    period and n of the figure shown; else the district's latest reported value; else —."""
    result, obs = cell["result"], cell["obs"]
    if result is not None:
        current = result.evaluation.current
        unit = result.spec.unit or ""  # 96.63%, like every other page
        url = reverse("indicators:target_trend", args=[cell["target"].pk])
        parts = [
            f'<a class="text-decoration-none text-body" href="{url}">'
            f'<span class="qc-light qc-light-{escape(result.light)}"></span> '
            f"{number(current) + escape(unit) if current is not None else '—'}</a>",
            _muted(f"{escape(_('目标'))} {number(cell['target'].value)}{escape(unit)}"),
        ]
        if result.status == "achieved":
            pass  # met: the progress towards it is beside the point
        elif result.evaluation.progress_unknown:
            # the whole reason (n, interval, gap) is on the target page and in the cell's title
            parts.append(_muted(escape(_("实际完成：无法判断（抽样误差大于差距）"))))
        elif result.evaluation.progress is not None:
            parts.append(_muted(escape(result.progress_line)))
        figure = result.figure
        if figure is not None and current is not None:
            text = escape(period_label(figure))  # a pooled figure's whole window
            if figure.denominator is not None:
                text += f" · n = {number(figure.denominator)}"
            parts.append(_muted(text))
        thin = result.thin_latest
        if thin:
            parts.append(
                _muted(
                    escape(
                        _("%(month)s · 样本不足（n = %(n)s）")
                        % {
                            "month": period_label(thin),
                            "n": number(thin.denominator),
                        }
                    )
                )
            )
        return mark_safe("".join(parts))
    if obs:
        text = escape(period_label(obs["figure"]))
        if obs["thin"]:
            text += " · " + escape(_("样本不足（n = %(n)s）") % {"n": number(obs["denominator"])})
        elif obs["denominator"] is not None:
            text += f" · n = {number(obs['denominator'])}"
        return mark_safe(number(obs["value"]) + _muted(text))
    return mark_safe('<span class="text-muted">—</span>')
