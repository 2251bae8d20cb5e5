"""Security basics a 等保 (GB/T 22239-2019) assessment checks: password complexity, login
lockout after repeated failures (limits in the rule table), a login log, forced password change
at first login, and masking of personal data in lists, exports and public pages.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rulebook


class CharacterClassValidator:
    """At least three of: lower-case, upper-case, digits, symbols."""

    def validate(self, password, user=None):
        classes = sum(
            bool(re.search(pattern, password or ""))
            for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]")
        )
        if classes < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类"), code="password_classes"
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类")


def is_locked(user) -> bool:
    return bool(user and user.locked_until and user.locked_until > timezone.now())


def register_failure(user):
    user.failed_logins += 1
    if user.failed_logins >= rulebook.value("core.login.max_failures"):
        user.locked_until = timezone.now() + datetime.timedelta(
            minutes=rulebook.value("core.login.lock_minutes")
        )
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "locked_until"])


def register_success(user):
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["failed_logins", "locked_until"])


def log_login(request, username: str, user, success: bool, reason: str = ""):
    from .models import LoginLog

    LoginLog.objects.create(
        username=username[:150],
        user=user,
        success=success,
        reason=reason,
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


# ---------------------------------------------------------------- masking of personal data
def mask_phone(value: str) -> str:
    digits = str(value or "")
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value: str) -> str:
    text = str(value or "")
    if len(text) >= 8:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    return "*" * len(text)


def mask_address(value: str) -> str:
    """Keep the administrative part (up to 区/县/镇/街道), hide the street number and room."""
    text = str(value or "")
    match = re.match(r"^(.*?(?:区|县|市|镇|街道|乡))", text)
    keep = match.group(1) if match else text[:6]
    return keep + "****" if len(text) > len(keep) else keep


def mask_name(value: str) -> str:
    text = str(value or "")
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 1)


MASKERS = {
    "phone": mask_phone,
    "id_number": mask_id_number,
    "address": mask_address,
    "person_name": mask_name,
}


def mask(kind: str, value) -> str:
    return MASKERS[kind](value)
