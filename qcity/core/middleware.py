"""Request context: who acts and under which request id (for the change log), and the forced
password change at first login."""

import uuid

from django.shortcuts import redirect
from django.urls import reverse

from . import audit


def password_expired(user) -> bool:
    """Passwords older than the rule-table limit must be changed (等保: periodic change)."""
    import datetime

    from django.utils import timezone

    from . import rulebook

    if user.password_changed_at is None:
        return False
    max_age = rulebook.value("core.password.max_age_days")
    return bool(max_age) and timezone.now() - user.password_changed_at > datetime.timedelta(
        days=max_age
    )


class ChineseByDefaultMiddleware:
    """The UI is Chinese unless the user picked another language (the language cookie):
    a browser's English Accept-Language header does not switch a bureau's system to English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.request_id = request_id
        user = getattr(request, "user", None)
        with audit.acting_as(
            user if user is not None and user.is_authenticated else None, request_id=request_id
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ForcePasswordChangeMiddleware:
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/public/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and (user.must_change_password or password_expired(user))
        ):
            return redirect(reverse("core:password_change"))
        return self.get_response(request)
