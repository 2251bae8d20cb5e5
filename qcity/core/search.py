"""One search box: modules register a provider returning (label, url, kind) hits for a query,
scoped to the user. Core registers units; later modules add enterprises by name or credit code.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

PROVIDERS = []


def provider(func):
    PROVIDERS.append(func)
    return func


def search(user, query: str, limit: int = 20):
    query = (query or "").strip()
    if len(query) < 1:
        return []
    hits = []
    for func in PROVIDERS:
        hits.extend(func(user, query, limit))
    return hits[: limit * max(1, len(PROVIDERS))]


@provider
def units(user, query, limit):
    from .models import OrgUnit, OrgUnitName

    ids = set(
        OrgUnit.objects.for_user(user)
        .filter(name__icontains=query)
        .values_list("pk", flat=True)[:limit]
    )
    ids |= set(
        OrgUnitName.objects.filter(name__icontains=query).values_list("unit_id", flat=True)[:limit]
    )
    return [
        (unit.name, reverse("core:orgunit_detail", args=[unit.pk]), _("单位"))
        for unit in OrgUnit.objects.for_user(user)
        .filter(pk__in=ids)
        .select_related("region")[:limit]
    ]
