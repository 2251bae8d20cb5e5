"""API tokens that expire and can be revoked, and the API side of the forced password change.

Rules implemented (issue 10, GB/T 22239-2019 8.1.4.1 身份鉴别):
- only the SHA-256 digest of a token is stored; the key is shown once, when issued;
- a token ends after an absolute lifetime (QCITY_TOKEN_LIFETIME_SECONDS) and after an idle
  period without use (QCITY_TOKEN_IDLE_SECONDS), both from settings;
- a token is revoked by its owner (the 我的API令牌 page), and automatically on a password
  change or an office reset, a role change and deactivation (signals below, so every path
  that saves a user or a role assignment is covered);
- a user who must change the password (first login, office reset, expired password) gets 403
  with a Chinese message on every API call, by token or session, except the API's own
  password-change endpoint;
- DRF throttles: anonymous, per user, and a strict one per address on the token endpoint,
  with rates read from settings at every request (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, throttling
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)

PREFIX = "qc_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user):
    """A new token for ``user``; returns (token, key). The key is not stored."""
    from .models import ApiToken

    key = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        digest=digest(key),
        prefix=key[len(PREFIX) : len(PREFIX) + 8],
        created_at=now,
        last_used_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.QCITY_TOKEN_LIFETIME_SECONDS),
    )
    return token, key


def active(queryset, now=None):
    now = now or timezone.now()
    idle = datetime.timedelta(seconds=settings.QCITY_TOKEN_IDLE_SECONDS)
    return queryset.filter(revoked_at=None, expires_at__gt=now, last_used_at__gt=now - idle)


def status(token, now=None) -> str:
    now = now or timezone.now()
    if token.revoked_at:
        return _("已撤销")
    if token.expires_at <= now:
        return _("已过期")
    if token.last_used_at <= now - datetime.timedelta(seconds=settings.QCITY_TOKEN_IDLE_SECONDS):
        return _("闲置超时")
    return _("有效")


REVOKE_REASONS = {
    "owner": _lazy("本人撤销"),
    "password": _lazy("密码已修改或重置"),
    "role": _lazy("角色变更"),
    "deactivated": _lazy("账号停用"),
}


def revoke_all(user, reason: str) -> int:
    from .models import ApiToken

    return ApiToken.objects.filter(user=user, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def revoke(token, reason: str = "owner"):
    from .models import ApiToken

    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


# ---------------------------------------------------------------- the forced password change
def password_change_required(user) -> bool:
    from .middleware import password_expired

    return bool(user.must_change_password or password_expired(user))


def check_password_current(user, request):
    if request.path == reverse("api-password") or not password_change_required(user):
        return
    raise exceptions.PermissionDenied(
        _(
            "您须先修改密码才能使用接口：请登录后在“修改密码”页面（{page}）设置新密码，或调用 {api}"
        ).format(page=reverse("core:password_change"), api=reverse("api-password"))
    )


# ---------------------------------------------------------------- authentication classes
class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``)."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        from .models import ApiToken

        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确"))
        key = parts[1].decode("latin-1")
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已撤销，请重新获取令牌"))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取令牌"))
        idle = datetime.timedelta(seconds=settings.QCITY_TOKEN_IDLE_SECONDS)
        if token.last_used_at <= now - idle:
            raise exceptions.AuthenticationFailed(_("令牌闲置超时，请重新获取令牌"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用"))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        check_password_current(token.user, request)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class PasswordCheckedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            check_password_current(result[0], request)
        return result


# ---------------------------------------------------------------- throttles
class _RateFromSettings:
    def get_rate(self):
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # not DRF's X-Forwarded-For reading, which a client can forge to dodge the limit
        from .security import client_ip

        return client_ip(request) or ""


class AnonThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    pass


class UserThrottle(_RateFromSettings, throttling.UserRateThrottle):
    pass


class TokenEndpointThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """The token endpoint, per address (the per-account limit is in security.sign_in)."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# ---------------------------------------------------------------- automatic revocation
def _remember_old(sender, instance, update_fields=None, **kwargs):
    instance._qcity_old_auth = None
    if instance.pk is None:
        return
    fields = set(update_fields or ())
    # A hasher upgrade inside check_password() saves update_fields=["password"] with the same
    # password: not a change. Other saves that leave both fields out need no lookup.
    if fields == {"password"} or (fields and not fields & {"password", "is_active"}):
        return
    instance._qcity_old_auth = (
        sender.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    )


def _revoke_on_user_change(sender, instance, created, **kwargs):
    old = getattr(instance, "_qcity_old_auth", None)
    if created or old is None:
        return
    password, was_active = old
    if password != instance.password:
        revoke_all(instance, "password")
    if was_active and not instance.is_active:
        revoke_all(instance, "deactivated")


def _revoke_on_role_change(sender, instance, **kwargs):
    revoke_all(instance.user_id, "role")


def connect_signals():
    from .models import RoleAssignment, User

    pre_save.connect(_remember_old, sender=User, dispatch_uid="qcity.tokens.old")
    post_save.connect(_revoke_on_user_change, sender=User, dispatch_uid="qcity.tokens.user")
    post_save.connect(_revoke_on_role_change, sender=RoleAssignment, dispatch_uid="qcity.tokens.r")
    post_delete.connect(
        _revoke_on_role_change, sender=RoleAssignment, dispatch_uid="qcity.tokens.rd"
    )


# ---------------------------------------------------------------- OpenAPI (drf-spectacular)
class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "qcity.core.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }


class PasswordCheckedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "qcity.core.tokens.PasswordCheckedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
