"""The kinds of scope, defined once (PATTERNS.md 6) and declared by each model.

- ``Scope.owned("unit")``: the object belongs to one unit; that unit's staff see and change it.
- ``Scope.involving("lead_unit", "responsibilities__unit")``: several units take part; any of
  them sees it, the first path (the lead/owner) changes it.
- ``Scope.region("region")``: the object sits in a region; staff of units in that region
  (or its ancestors: a city unit sees its districts) see and change it.
- ``Scope.reference()``: shared reference data; every signed-in user reads, the office writes.
- ``Scope.office()``: the office's own working records (imports, drafts); auditors read them.
- ``public=FIELD`` on any scope: rows where FIELD is true are also visible to anonymous users.

Office administrators see and change everything; read-only auditors see everything and change
nothing. Out of scope answers 404, in scope but not allowed 403 (``views.get_scoped_object``).

Any action other than viewing (change, delete, a workflow action) is further limited by the
capability table (``capabilities.py``): only the units where the user holds a role granted
that action count, so read scopes no longer double as write rights.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

OWNED, INVOLVING, REGION, REFERENCE, OFFICE = "owned", "involving", "region", "reference", "office"
VIEW, CHANGE = "view", "change"


@dataclass(frozen=True)
class Scope:
    kind: str
    paths: tuple[str, ...] = ()
    public: str = ""

    @classmethod
    def owned(cls, path: str = "unit", public: str = "") -> Scope:
        return cls(OWNED, (path,), public)

    @classmethod
    def involving(cls, *paths: str, public: str = "") -> Scope:
        return cls(INVOLVING, tuple(paths), public)

    @classmethod
    def region(cls, path: str = "region", public: str = "") -> Scope:
        return cls(REGION, (path,), public)

    @classmethod
    def reference(cls, public: str = "") -> Scope:
        return cls(REFERENCE, (), public)

    @classmethod
    def office(cls, public: str = "") -> Scope:
        return cls(OFFICE, (), public)

    # -- the querysets
    def _unit_q(self, paths, unit_ids) -> Q:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(**{f"{path}__in": unit_ids})
        return q

    def filter(self, queryset, user, action: str = VIEW):
        if user is None or not user.is_authenticated:
            if action == VIEW and self.public:
                return queryset.filter(**{self.public: True})
            return queryset.none()
        if action != VIEW:
            from . import capabilities

            if capabilities.has_all(user, queryset.model, action):
                return queryset
            unit_ids = capabilities.unit_ids(user, queryset.model, action)
            if not unit_ids or self.kind in (REFERENCE, OFFICE):
                return queryset.none()
        elif user.is_office_admin or user.is_auditor:
            return queryset
        else:
            unit_ids = user.unit_ids()
        if self.kind == REFERENCE:
            return queryset
        if self.kind == OFFICE:
            return (
                queryset.filter(**{self.public: True})
                if (self.public and action == VIEW)
                else queryset.none()
            )
        if self.kind == OWNED:
            q = self._unit_q(self.paths, unit_ids)
        elif self.kind == INVOLVING:
            q = self._unit_q(self.paths if action == VIEW else self.paths[:1], unit_ids)
        else:
            regions = user_region_ids(user) if action == VIEW else region_ids_of(unit_ids)
            q = Q(**{f"{self.paths[0]}__in": regions})
        if action == VIEW and self.public:
            q |= Q(**{self.public: True})
        filtered = queryset.filter(q)
        if any("__" in p for p in self.paths):
            filtered = filtered.distinct()
        return filtered


def user_region_ids(user) -> set[int]:
    """Regions a user's units cover: each unit's region and everything beneath it."""
    if not hasattr(user, "_region_ids_cache"):
        user._region_ids_cache = region_ids_of(user.unit_ids())
    return user._region_ids_cache


def region_ids_of(unit_ids) -> set[int]:
    """Regions some units cover: each unit's region and everything beneath it."""
    from .models import OrgUnit, Region

    roots = set(OrgUnit.objects.filter(pk__in=unit_ids).values_list("region_id", flat=True))
    ids, frontier = set(roots), set(roots)
    while frontier:
        frontier = (
            set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        )
        ids |= frontier
    return ids


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user, action: str = VIEW):
        scope = getattr(self.model, "scope", None)
        if scope is None:
            return (
                self if (user and user.is_authenticated and user.is_office_admin) else self.none()
            )
        return scope.filter(self, user, action)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


def can(user, obj, action: str = CHANGE) -> bool:
    return type(obj)._default_manager.filter(pk=obj.pk).for_user(user, action).exists()
