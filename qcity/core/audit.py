"""The automatic, read-only change log (PATTERNS.md 3).

Services call ``record(...)`` inside their transaction. Who acts and under which request id
comes from a context set by the request middleware, by ``acting_as`` in commands and jobs,
so no change is anonymous.

What a row keeps (issue 10, personal data): never a password hash, token digest or secret
(left out of every snapshot and diff), and personal fields only in masked form
(``personal.for_change_log``); no law requires this platform to keep them in full.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import uuid
from contextlib import contextmanager

from django.db import models
from django.db.models.fields.files import FieldFile

from .choices import ChangeAction

_actor = contextvars.ContextVar("qcity_actor", default=None)
_actor_label = contextvars.ContextVar("qcity_actor_label", default="")
_request_id = contextvars.ContextVar("qcity_request_id", default="")
_bulk = contextvars.ContextVar("qcity_bulk_import", default=None)


@contextmanager
def bulk_import():
    """Inside an import job, created rows are covered by the job's one log entry; updates keep
    their before/after rows. Yields a counter of the creations it absorbed."""
    counter = {"created": 0}
    token = _bulk.set(counter)
    try:
        yield counter
    finally:
        _bulk.reset(token)


@contextmanager
def acting_as(user=None, label: str = "", request_id: str | None = None):
    tokens = (
        _actor.set(user),
        _actor_label.set(label),
        _request_id.set(request_id or uuid.uuid4().hex),
    )
    try:
        yield
    finally:
        _actor.reset(tokens[0])
        _actor_label.reset(tokens[1])
        _request_id.reset(tokens[2])


def current_actor():
    return _actor.get()


def current_request_id() -> str:
    return _request_id.get()


def plain(value):
    """A value as JSON-ready data for the change log (dates as ISO text, models by id)."""
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # an empty one has no url: test the type, not hasattr
        return value.name or None
    return value


def snapshot(obj) -> dict:
    """Field values of a model instance as JSON-ready data (foreign keys by id)."""
    from .personal import is_secret

    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in ("created_at", "updated_at") or is_secret(field.name):
            continue
        data[field.attname] = plain(getattr(obj, field.attname))
    return data


def record(
    obj,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    actor=None,
):
    from django.contrib.contenttypes.models import ContentType

    from .models import ChangeLog
    from .personal import for_change_log

    bulk = _bulk.get()
    if bulk is not None and action == ChangeAction.CREATE:
        bulk["created"] += 1
        return None
    actor = actor if actor is not None else current_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = _actor_label.get()
    if actor is None and not label:
        raise RuntimeError("a change needs an actor: use audit.acting_as() in commands and jobs")
    return ChangeLog.objects.create(
        actor=actor,
        actor_label=label,
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk) if obj.pk is not None else "",
        object_repr=str(obj)[:300],
        before=for_change_log(type(obj), before),
        after=for_change_log(type(obj), after),
        request_id=current_request_id() or uuid.uuid4().hex,
        note=note[:500],
    )


def history(obj):
    from django.contrib.contenttypes.models import ContentType

    from .models import ChangeLog

    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


__all__ = ["ChangeAction", "acting_as", "current_actor", "history", "record", "snapshot"]
