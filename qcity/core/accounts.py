"""Accounts: login, logout (POST only), password change (page and API), the API token endpoint
and the user's own token list (我的API令牌).

Both the login form and the token endpoint go through ``security.sign_in`` (one lockout, one
rate limit, one login log); tokens follow the rules in ``tokens.py`` (issue 10).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import security, tokens
from .models import ApiToken


def login_view(request):
    error = ""
    username = ""
    code = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        try:
            security.sign_in(request, username, request.POST.get("password", ""), channel="form")
        except security.LoginRefused as refused:
            error, code = refused.message, refused.status
        else:
            target = request.POST.get("next") or request.GET.get("next") or reverse("core:home")
            if not target.startswith("/") or target.startswith("//"):
                target = reverse("core:home")
            return HttpResponseRedirect(target)
    return render(
        request,
        "core/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", "")},
        status=code,
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:login")


def save_new_password(form, request=None):
    """One password change for the page and the API: the form saves the hash (the user's tokens
    are revoked by the signal in tokens.py), the forced-change flag goes."""
    user = form.save()
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    if request is not None and request.session.session_key:
        update_session_auth_hash(request, user)
    return user


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    from .generic import style_form

    style_form(form)
    if request.method == "POST" and form.is_valid():
        save_new_password(form, request)
        messages.success(request, _("密码已修改"))
        return redirect("core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )


@login_required
def token_list(request):
    if request.method == "POST":
        _token, key = tokens.issue(request.user)
        messages.warning(
            request,
            _(
                "新令牌：{key}（只显示这一次，请妥善保存；在请求头中写 Authorization: Token 令牌）"
            ).format(key=key),
        )
        return redirect("core:token_list")
    now = timezone.now()
    mine = ApiToken.objects.filter(user=request.user)
    active_ids = set(tokens.active(mine, now).values_list("pk", flat=True))
    rows = [
        {
            "token": t,
            "status": tokens.status(t, now),
            "active": t.pk in active_ids,
            "reason": tokens.REVOKE_REASONS.get(t.revoked_reason, ""),
        }
        for t in mine[:50]
    ]
    return render(request, "core/tokens.html", {"rows": rows})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke(token, "owner")
    messages.success(request, _("令牌已撤销"))
    return redirect("core:token_list")


# ---------------------------------------------------------------- API
class TokenRequest(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(
        label=_("密码"), max_length=200, style={"input_type": "password"}
    )


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    idle_seconds = serializers.IntegerField()


class ObtainTokenView(APIView):
    """Username and password → a new expiring token (same lockout and log as the login form)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [tokens.TokenEndpointThrottle]
    serializer_class = TokenRequest

    def throttled(self, request, wait):
        """A throttled attempt is still an attempt: it goes into the login log."""
        request._request.qcity_login_channel = "token"
        username = (
            str(request.data.get("username", ""))[:150] if hasattr(request.data, "get") else ""
        )
        security.log_login(
            request._request, username, security._candidate(username), False, "throttled"
        )
        super().throttled(request, wait)

    @extend_schema(
        request=TokenRequest,
        responses={
            200: TokenResponse,
            401: OpenApiResponse(description="用户名或密码错误，或账号已临时锁定"),
            429: OpenApiResponse(description="请求过于频繁"),
        },
    )
    def post(self, request):
        from django.conf import settings

        form = TokenRequest(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            user = security.sign_in(
                request._request,
                form.validated_data["username"].strip(),
                form.validated_data["password"],
                channel="token",
            )
        except security.LoginRefused as refused:
            return Response(
                {"code": refused.reason, "detail": refused.message}, status=refused.status
            )
        token, key = tokens.issue(user)
        return Response(
            {
                "token": key,
                "expires_at": token.expires_at,
                "idle_seconds": settings.QCITY_TOKEN_IDLE_SECONDS,
            }
        )


class PasswordChangeRequest(serializers.Serializer):
    old_password = serializers.CharField(max_length=200)
    new_password = serializers.CharField(max_length=200)


class ApiPasswordChangeView(APIView):
    """The one API call open to a user who must change the password; all tokens end after it."""

    permission_classes = [IsAuthenticated]
    serializer_class = PasswordChangeRequest

    @extend_schema(
        request=PasswordChangeRequest,
        responses={200: OpenApiResponse(description="密码已修改，原有令牌全部撤销")},
    )
    def post(self, request):
        data = PasswordChangeRequest(data=request.data)
        data.is_valid(raise_exception=True)
        form = PasswordChangeForm(
            request.user,
            {
                "old_password": data.validated_data["old_password"],
                "new_password1": data.validated_data["new_password"],
                "new_password2": data.validated_data["new_password"],
            },
        )
        if not form.is_valid():  # the form's two new-password fields are one field here
            errors = {}
            for field, messages in form.errors.items():
                name = "new_password" if field.startswith("new_password") else field
                errors.setdefault(name, []).extend(
                    m for m in messages if m not in errors.get(name, [])
                )
            raise serializers.ValidationError(errors)
        save_new_password(form, request._request)
        return Response({"detail": _("密码已修改；原有令牌已全部撤销，请重新获取令牌")})
