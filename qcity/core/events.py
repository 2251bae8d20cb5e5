"""Business-event timeline helpers (PATTERNS.md 4): written in the same transaction as the change."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .audit import current_actor


def emit(obj, type_: str, label: str, actor=None, at=None, **params):
    """Write one timeline event; ``at`` backdates it (imports of past records, the demo)."""
    from .models import Event

    actor = actor if actor is not None else current_actor()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return Event.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        type=type_,
        label=label,
        **({"time": at} if at is not None else {}),
        params={
            k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v))
            for k, v in params.items()
        },
        actor=actor,
    )


def timeline(obj):
    from .models import Event

    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")
