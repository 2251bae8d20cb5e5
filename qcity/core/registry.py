"""The model registry (PATTERNS.md 1): one ``register(...)`` call gives a model its list
(filter, sort, paginate, export .xlsx/.csv), detail (change-log and timeline tabs), create,
edit, void/delete and import pages, its REST endpoints and its menu entry.

The registration names the services that create, change and void or delete the object; the
generic views and the API call those, never ``save()`` directly. Each app keeps its
registrations in ``<app>/registrations.py`` (imported at start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse

from . import services


@dataclass
class Column:
    """One column of an import template."""

    header: str
    field: str
    required: bool = False
    lookup: str = ""  # for a foreign key: the related model's field the cell holds (e.g. "code")
    help: str = ""


@dataclass
class Registration:
    model: type[models.Model]
    fields: list[str]  # form fields for create/edit
    list_display: list[str]
    filter_fields: list[str] = field(default_factory=list)
    search_fields: list[str] = field(default_factory=list)
    slug: str = ""  # URL segment, plural; defaults to model_name + "s"
    menu_group: str = ""  # menu heading; empty hides it from the menu
    menu_label: str = ""
    create: Callable | None = None  # (data, user) -> obj
    update: Callable | None = None  # (obj, data, user, expected_version) -> obj
    void: Callable | None = None  # (obj, reason, user) -> obj
    delete: Callable | None = None  # (obj, user) -> None
    can_create: bool = True
    can_delete: bool = True  # False: records are deactivated, never deleted (e.g. user accounts)
    import_columns: list[Column] = field(default_factory=list)
    import_key: list[str] = field(default_factory=list)  # natural key making re-runs idempotent
    masked: dict[str, str] = field(default_factory=dict)  # field -> mask kind (personal.MASKERS)
    detail_fields: list[str] = field(default_factory=list)
    detail_template: str = ""
    ordering: list[str] = field(default_factory=list)
    select_related: list[str] = field(default_factory=list)
    serializer_class: Any = None
    form_class: Any = None
    table_class: Any = None
    filterset_class: Any = None
    extra_tabs: list[tuple[str, str]] = field(default_factory=list)  # (label, template)
    public: bool = False

    def __post_init__(self):
        meta = self.model._meta
        self.app_label = meta.app_label
        self.model_name = meta.model_name
        self.slug = self.slug or f"{self.model_name}s"
        self.menu_label = self.menu_label or str(meta.verbose_name_plural)
        self.detail_fields = self.detail_fields or self.fields
        if self.create is None and self.can_create:
            self.create = lambda data, user: services.create_object(self.model, data, user)
        if self.update is None:
            self.update = lambda obj, data, user, expected_version=None: services.update_object(
                obj, data, user, expected_version
            )
        if not hasattr(self.model, "get_absolute_url"):
            prefix = self.url_prefix
            self.model.get_absolute_url = lambda obj: reverse(f"{prefix}_detail", args=[obj.pk])
        voidable = any(f.name == "is_void" for f in meta.get_fields())
        if self.void is None and voidable:
            self.void = lambda obj, reason, user: services.void_object(obj, reason, user)
        if self.delete is None and not voidable and self.can_delete:
            self.delete = lambda obj, user: services.delete_object(obj, user)

    @property
    def url_prefix(self) -> str:
        return f"{self.app_label}:{self.model_name}"

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    @property
    def voidable(self) -> bool:
        return any(f.name == "is_void" for f in self.model._meta.get_fields())

    def queryset(self, user, action="view"):
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.ordering:
            qs = qs.order_by(*self.ordering)
        return qs.for_user(user, action)


REGISTRY: dict[type[models.Model], Registration] = {}


def register(model, **options) -> Registration:
    registration = Registration(model=model, **options)
    REGISTRY[model] = registration
    return registration


def get(model) -> Registration:
    return REGISTRY[model]


def for_app(app_label: str) -> list[Registration]:
    return [r for r in REGISTRY.values() if r.app_label == app_label]


def menu(user=None) -> list[tuple[str, list[Registration]]]:
    """Menu groups with the registrations the user can see (office records only for the office)."""
    groups: dict[str, list[Registration]] = {}
    office = user is None or user.is_office_admin or user.is_auditor
    for registration in REGISTRY.values():
        if (
            getattr(registration.model, "scope", None)
            and registration.model.scope.kind == "office"
            and not office
        ):
            continue
        if registration.menu_group:
            groups.setdefault(str(registration.menu_group), []).append(registration)
    return list(groups.items())
