"""Request context: who acts and under which request id (for the change log), and the forced
password change at first login.

A client may send its own ``X-Request-ID`` (a proxy's or a batch client's correlation id) only
if it matches ``REQUEST_ID_PATTERN`` (at most 36 letters, digits and hyphens, the width of the
change log's column); anything else is replaced by a fresh UUID, so a forged or oversized id
never reaches the audit log (issue 10, "Errors"). The response echoes the id used.
"""

import re
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


REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{1,36}")


def accepted_request_id(supplied: str | None) -> str:
    """The client's id when it is well-formed, otherwise a fresh one."""
    if supplied and REQUEST_ID_PATTERN.fullmatch(supplied):
        return supplied
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accepted_request_id(request.headers.get("X-Request-ID"))
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
