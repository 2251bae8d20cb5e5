"""Search provider: enterprises by name or 统一社会信用代码, within the user's scope."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from qcity.core import search

from .creditcode import compact


@search.provider
def enterprises(user, query, limit):
    from .models import Enterprise

    code = compact(query)
    q = Q(name__icontains=query)
    if len(code) >= 6:
        q |= Q(credit_code__startswith=code)
    return [
        (
            f"{e.name}（{e.credit_code or _('未核验')}）",
            reverse("registry:enterprise_detail", args=[e.pk]),
            _("市场主体"),
        )
        for e in Enterprise.objects.for_user(user)
        .filter(q)
        .only("pk", "name", "credit_code")[:limit]
    ]
