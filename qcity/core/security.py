"""Security basics a 等保 (GB/T 22239-2019) assessment checks: password complexity, login
lockout after repeated failures (django-axes, limits in the rule table), one login log and one
rate limit for every way in (form, API token, future SSO: ``sign_in``), a rate limit on public
pages, forced password change at first login, and masking of personal data in lists, exports
and public pages. GB/T 22239-2019 8.1.4.1 身份鉴别 a)–b) (登录失败处理、会话超时).
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rulebook


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with our own Chinese message (Django 5.2's zh-hans catalogue lacks
    the new wording, so users read English)."""

    def get_error_message(self):
        return _("密码太短，至少需要 {n} 个字符").format(n=self.min_length)

    def get_help_text(self):
        return _("密码至少需要 {n} 个字符").format(n=self.min_length)


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


# ---------------------------------------------------------------- one way in
# Every way in (the login form, the API token endpoint, any future SSO) calls sign_in(): the
# per-address and per-account rate limit, the django-axes lockout (limits from the rule table
# core.login.max_failures / core.login.lock_minutes) and the login log are the same for all.
class LoginRefused(Exception):
    def __init__(self, message: str, reason: str, status: int):
        super().__init__(message)
        self.message, self.reason, self.status = message, reason, status


def axes_failure_limit(request, credentials) -> int:
    return int(rulebook.value("core.login.max_failures"))


def axes_cool_off(request=None) -> datetime.timedelta:
    return datetime.timedelta(minutes=int(rulebook.value("core.login.lock_minutes")))


def axes_lockout_response(request, original_response=None, credentials=None):
    """Our views answer a lockout themselves (Chinese page or JSON); keep their response."""
    from django.http import HttpResponseForbidden

    return original_response or HttpResponseForbidden(_("账号已临时锁定"))


def _lockout_backend():
    from axes.backends import AxesStandaloneBackend
    from axes.exceptions import AxesBackendPermissionDenied

    class LockoutBackend(AxesStandaloneBackend):
        """django-axes' check, marking a refusal of a locked account (for the login log)."""

        def authenticate(self, request, username=None, password=None, **kwargs):
            try:
                return super().authenticate(request, username, password, **kwargs)
            except AxesBackendPermissionDenied:
                request.qcity_refused_locked = True
                raise

    return LockoutBackend


LockoutBackend = _lockout_backend()


def locked_message() -> str:
    return _("连续登录失败次数过多，账号已临时锁定，请{minutes}分钟后再试或联系管理员").format(
        minutes=rulebook.value("core.login.lock_minutes")
    )


def is_locked(user) -> bool:
    """Locked by django-axes (the user page shows locked_until, kept in step by a signal)."""
    if user is None:
        return False
    from axes.models import AccessAttempt

    limit = int(rulebook.value("core.login.max_failures"))
    since = timezone.now() - axes_cool_off()
    return AccessAttempt.objects.filter(
        username=user.get_username(), failures_since_start__gte=limit, attempt_time__gte=since
    ).exists()


def unlock(user):
    """Office reset: forget the failures and the lock (django-axes and the user's fields)."""
    from axes.utils import reset

    reset(username=user.get_username())
    type(user).objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the header the local proxy sets (nginx:
    X-Real-IP, settings.QCITY_CLIENT_IP_HEADER) when the request comes from a trusted proxy.
    A header sent by the client itself is never believed (it would dodge the rate limits)."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or None
    header = settings.QCITY_CLIENT_IP_HEADER
    if header and remote in settings.QCITY_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45]
    return remote


def sign_in(request, username: str, password: str, channel: str = "form"):
    """Authenticate through django-axes; log every attempt; start a session for the form.
    Returns the user or raises LoginRefused (429 over the rate, 401 locked or wrong)."""
    from django.conf import settings
    from django.contrib.auth import authenticate, login, user_logged_in

    request.qcity_login_channel = channel
    wait = rate_limited(f"login-ip:{client_ip(request)}", settings.QCITY_LOGIN_RATE_PER_ADDRESS)
    wait = wait or rate_limited(
        # hashed: a user name may hold any character, a cache key may not
        "login-user:" + hashlib.sha256(username.lower().encode()).hexdigest(),
        settings.QCITY_LOGIN_RATE_PER_ACCOUNT,
    )
    if wait:
        log_login(request, username, _candidate(username), False, "throttled")
        raise LoginRefused(too_many_message(wait), "throttled", 429)
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):  # locked before or by this attempt
            raise LoginRefused(locked_message(), "locked", 401)
        raise LoginRefused(_("用户名或密码错误"), "bad_credentials", 401)
    if channel == "form":
        login(request, user)
    else:  # no session: the same signal writes the log and resets the failures
        user_logged_in.send(sender=type(user), request=request, user=user)
    return user


def _candidate(username):
    from .models import User

    return User.objects.filter(username=username).first() if username else None


def log_login(request, username: str, user, success: bool, reason: str = ""):
    from .models import LoginLog

    LoginLog.objects.create(
        username=(username or "")[:150],
        user=user,
        success=success,
        reason=reason,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        channel=getattr(request, "qcity_login_channel", "form"),
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = credentials.get("username") or ""
    # Refused because already locked, or a wrong password (which may just have caused the lock)
    reason = "locked" if getattr(request, "qcity_refused_locked", False) else "bad_credentials"
    log_login(request, username, _candidate(username), False, reason)


def on_logged_in(sender, request, user, **kwargs):
    # The test client's force_login() passes a bare request with no address: not a login.
    if request is None or not request.META:
        return
    log_login(request, user.get_username(), user, True)
    if user.failed_logins or user.locked_until:
        type(user).objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    from .models import User

    User.objects.filter(username=username).update(
        locked_until=timezone.now() + axes_cool_off(), failed_logins=0
    )


def connect_signals():
    from axes.signals import user_locked_out
    from django.contrib.auth import user_logged_in, user_login_failed

    user_login_failed.connect(on_login_failed, dispatch_uid="qcity.login_failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="qcity.logged_in")
    user_locked_out.connect(on_locked_out, dispatch_uid="qcity.locked_out")


# ---------------------------------------------------------------- rate limits
def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/min" → (30, 60); the DRF notation (s, min, h, d)."""
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]


def rate_limited(key: str, rate: str | None) -> int:
    """Count one hit in a fixed window (the default cache: LocMem, or Redis when configured);
    return the seconds to wait when over the rate, else 0."""
    import time

    from django.core.cache import cache

    if not rate:
        return 0
    allowed, period = parse_rate(rate)
    now = time.time()
    cache_key = f"qcity:rate:{key}:{int(now // period)}"
    cache.add(cache_key, 0, period + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, period + 1)
        hits = 1
    return int(period - now % period) + 1 if hits > allowed else 0


def too_many_message(wait: int) -> str:
    return _("请求过于频繁，请{seconds}秒后再试").format(seconds=wait)


class AnonymousRateLimitMiddleware:
    """Public (anonymous) pages: at most QCITY_ANON_PAGE_RATE requests per address, then 429."""

    EXEMPT = ("/static/", "/api/")  # the API has DRF throttles of its own

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.http import HttpResponse

        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated) and not request.path.startswith(self.EXEMPT):
            wait = rate_limited(f"anon:{client_ip(request)}", settings.QCITY_ANON_PAGE_RATE)
            if wait:
                response = HttpResponse(
                    f"<!doctype html><meta charset=utf-8><title>429</title>"
                    f"<p>{too_many_message(wait)}</p>",
                    status=429,
                    content_type="text/html; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
