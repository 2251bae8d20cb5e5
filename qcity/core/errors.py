"""Errors as a user or a client program sees them (issue 10, "Errors").

- The API answers every error as JSON in Chinese with a stable machine code:
  ``{"code": "...", "detail": "...", "request_id": "...", ...}``; validation errors keep their
  field errors under ``errors``; deleting a record other records still reference is a 409
  ``referenced`` naming what references it (model and count). Unhandled exceptions become a
  logged JSON 500 (logger ``qcity``, with the request id and path) instead of an HTML page.
- Pages get Chinese 400/403/404/500 pages (``qcity/templates/<status>.html``); any path under
  ``/api/`` gets the JSON form instead, also for URLs no view matched.
- The 500 page is rendered without a request context, so it needs no database.

等保 (GB/T 22239-2019, 8.1.4.3 安全审计 / 8.1.4.4 入侵防范): errors reveal no internals to the
client and every server error is recorded with the request id that ties it to the change log.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import set_rollback

from . import audit

logger = logging.getLogger("qcity.errors")

API_PREFIX = "/api/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _messages():
    """Chinese text per stable code (evaluated per request, so the active language applies)."""
    return {
        "validation_error": _("提交的数据有误，请按字段说明修改"),
        "parse_error": _("请求内容无法解析，请检查 JSON 格式"),
        "not_authenticated": _("未登录或未提供有效的访问令牌"),
        "authentication_failed": _("身份认证失败，请重新登录或更换令牌"),
        "permission_denied": _("您无权执行该操作"),
        "not_found": _("记录不存在或您无权查看"),
        "method_not_allowed": _("不支持该请求方法"),
        "not_acceptable": _("无法按请求的格式返回结果"),
        "unsupported_media_type": _("不支持该请求内容类型"),
        "conflict": _("记录已被他人修改或与现有记录冲突"),
        "referenced": _("该记录仍被其他记录引用，不能删除"),
        "throttled": _("请求过于频繁，请稍后再试"),
        "bad_request": _("请求有误"),
        "server_error": _("服务器内部错误，请稍后再试或联系管理员"),
    }


def _body(code: str, detail: str | None = None, **extra) -> dict:
    body = {"code": code, "detail": detail or _messages().get(code, _("请求有误"))}
    body.update(extra)
    body["request_id"] = audit.current_request_id()
    return body


def _respond(body: dict, status: int, headers: dict | None = None) -> JsonResponse:
    """Always JSON, whatever renderer the view negotiated (the schema view's is YAML)."""
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def references(objects) -> list[dict]:
    """What still references a record: one entry per model with its Chinese name and a count."""
    counts = Counter(type(o) for o in objects)
    return [
        {
            "model": model._meta.label_lower,
            "name": str(model._meta.verbose_name),
            "count": count,
        }
        for model, count in sorted(counts.items(), key=lambda item: item[0]._meta.label_lower)
    ]


def _references_of_target(context) -> list[dict]:
    """After a database-level refusal (IntegrityError) on delete: count the rows that point at
    the record through a relation that does not cascade."""
    view = context.get("view")
    if view is None or not hasattr(view, "get_object"):
        return []
    try:
        obj = view.get_queryset().get(pk=view.kwargs.get("pk"))
    except Exception:  # the record may be gone or the query refused: no detail then
        return []
    found = []
    for rel in obj._meta.related_objects:
        if rel.many_to_many or getattr(rel.on_delete, "__name__", "") == "CASCADE":
            continue
        try:
            count = rel.related_model._base_manager.filter(**{rel.field.name: obj}).count()
        except Exception:
            continue
        if count:
            found.append(
                {
                    "model": rel.related_model._meta.label_lower,
                    "name": str(rel.related_model._meta.verbose_name),
                    "count": count,
                }
            )
    return found


def _api_exception(exc: exceptions.APIException) -> JsonResponse:
    headers = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return _respond(
            _body("validation_error", errors=detail), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc.detail, (list, dict)):  # a view raised a structured error: keep it
        code = exc.default_code if exc.default_code in _messages() else "bad_request"
        return _respond(_body(code, errors=exc.detail), status=exc.status_code)
    code = getattr(exc.detail, "code", None) or exc.default_code
    detail = str(exc.detail)
    if detail == str(exc.default_detail) or not CJK.search(detail):
        # DRF's or a parser's own wording: ours instead (Chinese, stable); a view's own
        # Chinese message is kept
        detail = None
    status_code = exc.status_code
    extra = {}
    if isinstance(exc, exceptions.NotAuthenticated):
        status_code = status.HTTP_401_UNAUTHORIZED
        headers["WWW-Authenticate"] = 'Token realm="api"'
    elif getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.MethodNotAllowed):
        detail = _("不支持该请求方法：{method}").format(method=exc.args[0] if exc.args else "")
    if isinstance(exc, exceptions.Throttled):
        code = "throttled"
        if exc.wait:
            headers["Retry-After"] = str(int(exc.wait))
            extra["wait"] = int(exc.wait)
            detail = _("请求过于频繁，请{seconds}秒后再试").format(seconds=int(exc.wait))
    if code not in _messages() and status_code < 500:
        code = "bad_request" if status_code == 400 else code
    return _respond(_body(code, detail, **extra), status=status_code, headers=headers)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error of the API as Chinese JSON with a stable code."""
    from .services import ConflictError

    if isinstance(exc, ValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        set_rollback()
        return _respond(_body("validation_error", errors=errors), status=400)
    if isinstance(exc, ConflictError):
        set_rollback()
        return _respond(
            _body("conflict", str(exc), errors={"non_field_errors": [str(exc)]}), status=409
        )
    if isinstance(exc, (ProtectedError, RestrictedError)):
        found = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        set_rollback()
        return _respond(_body("referenced", references=references(found)), status=409)
    request = context.get("request")
    if isinstance(exc, IntegrityError) and request is not None and request.method == "DELETE":
        set_rollback()
        return _respond(_body("referenced", references=_references_of_target(context)), status=409)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.APIException):
        set_rollback()
        return _api_exception(exc)
    set_rollback()
    logger.error(
        "API 500 %s %s (request %s)",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        audit.current_request_id(),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return _respond(_body("server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


# ---------------------------------------------------------------- Django's handler40x/500
def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(code: str, status_code: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse(
        _body(code, detail), status=status_code, json_dumps_params={"ensure_ascii": False}
    )


def bad_request(request, exception):
    if _is_api(request):
        return _json("bad_request", 400)
    return defaults.bad_request(request, exception, template_name="400.html")


def permission_denied(request, exception):
    if _is_api(request):
        return _json("permission_denied", 403, str(exception) or None)
    return defaults.permission_denied(request, exception, template_name="403.html")


def page_not_found(request, exception):
    if _is_api(request):
        return _json("not_found", 404)
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request):
    """Rendered without context processors, so a database outage still gets this page."""
    if _is_api(request):
        return _json("server_error", 500)
    try:
        template = loader.get_template("500.html")
    except Exception:  # a broken template set must not hide the error page itself
        return HttpResponseServerError("<h1>服务器内部错误</h1>", content_type="text/html")
    return HttpResponseServerError(
        template.render({"request_id": getattr(request, "request_id", "")})
    )


# ---------------------------------------------------------------- API docs page
def api_docs_view():
    """Swagger UI with its start script served as a file (no inline script under the CSP);
    its template keeps one small inline <style>, allowed on this page only. Outside DEBUG the
    page asks for a login first, as the schema does (SPECTACULAR_SETTINGS.SERVE_PERMISSIONS)."""
    from csp.constants import UNSAFE_INLINE
    from csp.decorators import csp_update
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from drf_spectacular.views import SpectacularSwaggerSplitView

    view = SpectacularSwaggerSplitView.as_view(url_name="api-schema")
    view = csp_update({"style-src-elem": [UNSAFE_INLINE]})(view)
    return view if settings.DEBUG else login_required(view)
