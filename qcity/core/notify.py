"""In-app messages, 待办 items, and the outgoing-notification interface.

Adapters (email, SMS gateway …) implement ``send(recipient, subject, body)`` and are listed in
``settings.QCITY_NOTIFY_ADAPTERS``; the ``LogAdapter`` that ships writes a NotificationLog row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string


class LogAdapter:
    channel = "log"

    def send(self, recipient, subject: str, body: str):
        from .models import NotificationLog

        NotificationLog.objects.create(
            channel=self.channel, recipient=str(recipient), subject=subject, body=body
        )


def adapters():
    return [import_string(path)() for path in settings.QCITY_NOTIFY_ADAPTERS]


def message(recipient, title: str, body: str = "", link: str = "", notify_out: bool = False):
    from .models import Message

    msg = Message.objects.create(recipient=recipient, title=title, body=body, link=link)
    if notify_out:
        for adapter in adapters():
            adapter.send(recipient, title, body)
    return msg


def add_todo(
    title: str, *, user=None, unit=None, link: str = "", due=None, kind: str = "", obj=None
):
    from .models import Todo

    ct = ContentType.objects.get_for_model(type(obj)) if obj is not None else None
    existing = Todo.objects.filter(
        user=user,
        unit=unit,
        kind=kind,
        content_type=ct,
        object_id=str(obj.pk) if obj else "",
        done_at=None,
    ).first()
    if existing and kind:
        return existing
    return Todo.objects.create(
        title=title,
        user=user,
        unit=unit,
        link=link,
        due=due,
        kind=kind,
        content_type=ct,
        object_id=str(obj.pk) if obj is not None else "",
    )


def close_todos(obj, kind: str | None = None):
    from .models import Todo

    qs = Todo.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        done_at=None,
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(done_at=timezone.now())


def todos_for(user):
    from .models import Todo

    if not user.is_authenticated:
        return Todo.objects.none()
    return Todo.objects.filter(Q(user=user) | Q(unit_id__in=user.unit_ids()), done_at=None)
