"""Forms, tables, filter sets and serializers built from a Registration (PATTERNS.md 8):
one filter set serves page and API; one table serves the page and the .xlsx/.csv export."""

from __future__ import annotations

from decimal import Decimal

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import personal
from .personal import mask


# ---------------------------------------------------------------- forms
def style_form(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput,)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
    return form


class ScopedModelForm(forms.ModelForm):
    """A model form whose foreign-key choices are limited to what the user may see."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                field.queryset = queryset.for_user(user)
        if self.instance.pk and getattr(self.instance, "updated_at", None):
            self.fields["version"].initial = self.instance.updated_at.isoformat()
        self.shows_personal_in_full = False
        if self.instance.pk:
            self._mask_personal_fields()
        style_form(self)

    def _mask_personal_fields(self):
        """Personal data in the form is masked unless the user may see it in full."""
        present = {n: k for n, k in personal.fields_of(self.instance).items() if n in self.fields}
        if not present:
            return
        if personal.may_see_personal(self.user, type(self.instance), self.instance):
            self.shows_personal_in_full = True
            return
        for name, kind in present.items():
            self.initial[name] = mask(kind, getattr(self.instance, name))

    def service_data(self) -> dict:
        data = {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }
        return personal.keep_unchanged(self.instance, data)  # a masked value sent back is no change

    def _post_clean(self):
        # Model validation runs in the service (the only place that saves); the form only parses.
        check_uploaded_files(self.cleaned_data, self.add_error)


def _upload_validator(value):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import UploadedFile

    from . import uploads

    if isinstance(value, UploadedFile):
        try:
            uploads.validate(value, uploads.EVIDENCE)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from None


def check_uploaded_files(values: dict, add_error):
    """Every file field of a registered form or serializer goes through the one upload path."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import UploadedFile

    from . import uploads

    for name, value in list(values.items()):
        if isinstance(value, UploadedFile):
            try:
                uploads.validate(value, uploads.EVIDENCE)
            except ValidationError as exc:
                values.pop(name, None)
                add_error(name, exc.messages[0])


def form_for(registration):
    if registration.form_class:
        return registration.form_class
    widgets = {}
    for name in registration.fields:
        field = registration.model._meta.get_field(name)
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            widgets[name] = forms.DateInput()
        if isinstance(field, models.TextField):
            widgets[name] = forms.Textarea(attrs={"rows": 3})
    return forms.modelform_factory(
        registration.model, form=ScopedModelForm, fields=registration.fields, widgets=widgets
    )


# ---------------------------------------------------------------- tables
class MaskedColumn(tables.Column):
    def __init__(self, kind, *args, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value):
        return mask(self.kind, value)

    def value(self, value):
        return mask(self.kind, value)


def plain_decimal(value) -> str:
    """A stored decimal as people write it: 98.5000 → 98.5, 100.0000 → 100 (the column's
    scale is storage, not precision)."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return "0" if text in ("-0", "") else text


def plain_json(value) -> str:
    """A JSON field's value as text: — when empty, else its items as 键：值；… (no braces)."""
    if not value:
        return "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


class PlainDecimalColumn(tables.Column):
    def render(self, value):
        return plain_decimal(value)


def table_for(registration):
    if registration.table_class:
        return registration.table_class
    attrs = {}
    first = registration.list_display[0]
    for name in registration.list_display:
        if name in registration.masked:
            attrs[name] = MaskedColumn(
                registration.masked[name], verbose_name=field_label(registration.model, name)
            )
        elif isinstance(model_field(registration.model, name), models.DecimalField):
            attrs[name] = PlainDecimalColumn(verbose_name=field_label(registration.model, name))
    attrs[first] = (
        tables.Column(linkify=True, verbose_name=field_label(registration.model, first))
        if first not in attrs
        else attrs[first]
    )
    meta = type(
        "Meta",
        (),
        {
            "model": registration.model,
            "fields": registration.list_display,
            "attrs": {"class": "table table-sm table-hover align-middle qc-table"},
            "empty_text": _("没有符合条件的记录"),
            "per_page": 25,
        },
    )
    attrs["Meta"] = meta
    return type(f"{registration.model.__name__}Table", (tables.Table,), attrs)


def model_field(model, name: str):
    """The field ``name`` names on ``model`` — a column such as region_id names region — or
    None (no model, or a name it does not have, e.g. renamed since a change was logged)."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def field_label(model, name: str) -> str:
    """A field as the user knows it (its verbose name), never the column name."""
    field = model_field(model, name)
    return str(field.verbose_name) if getattr(field, "verbose_name", None) else name


# ---------------------------------------------------------------- filters
class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    search_fields: list[str] = []

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.filters.values():
            queryset = getattr(f, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user") and user is not None:
                f.queryset = queryset.for_user(user)
        for field in self.form.fields.values():
            field.required = False
            if isinstance(field.widget, forms.NullBooleanSelect):
                field.widget = forms.Select(
                    choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]
                )
            elif getattr(field, "empty_label", None) == "---------":
                field.empty_label = _("全部")
        style_form(self.form)


def filterset_for(registration):
    if registration.filterset_class:
        return registration.filterset_class
    meta = type("Meta", (), {"model": registration.model, "fields": registration.filter_fields})
    return type(
        f"{registration.model.__name__}FilterSet",
        (SearchFilterSet,),
        {"Meta": meta, "search_fields": registration.search_fields},
    )


# ---------------------------------------------------------------- serializers
def serializer_for(registration):
    if registration.serializer_class:
        return registration.serializer_class
    read_only = ["id", "created_at", "updated_at"]
    fields = ["id", *[f for f in registration.fields if f != "id"]]
    extra = [
        f
        for f in ("is_void", "void_reason", "created_at", "updated_at")
        if model_field(registration.model, f) is not None
    ]
    meta = type(
        "Meta",
        (),
        {
            "model": registration.model,
            "fields": fields + extra,
            "read_only_fields": read_only + extra,
        },
    )
    attrs = {"Meta": meta}
    for name, kind in registration.masked.items():
        field = registration.model._meta.get_field(name)
        attrs[name] = MaskedField(
            kind,
            required=False,
            allow_blank=True,
            max_length=field.max_length,
            label=field.verbose_name,
        )
    return type(f"{registration.model.__name__}Serializer", (ScopedSerializer,), attrs)


class MaskedField(serializers.CharField):
    """Personal data: written in full, read back masked."""

    def __init__(self, kind, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_representation(self, value):
        return mask(self.kind, value)


class ScopedSerializer(serializers.ModelSerializer):
    """Related-object choices limited to the requesting user's scope; validation left to the service."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                field.queryset = queryset.for_user(user)
            if isinstance(field, serializers.FileField):
                field.validators.append(_upload_validator)  # the one upload path
            child = getattr(field, "child_relation", None)
            if child is not None and hasattr(getattr(child, "queryset", None), "for_user"):
                child.queryset = child.queryset.for_user(user)
        return fields

    def get_validators(self):
        return []  # uniqueness and model rules are checked by the service, with Chinese messages

    def validate(self, attrs):
        # a read-then-write sends the masked strings back: they are ignored, never stored
        if self.instance is not None and not isinstance(self.instance, (list, models.QuerySet)):
            for name, kind in personal.fields_of(self.instance).items():
                if name in attrs and personal.is_masked_echo(
                    kind, getattr(self.instance, name), attrs[name]
                ):
                    attrs.pop(name)
        return super().validate(attrs)
