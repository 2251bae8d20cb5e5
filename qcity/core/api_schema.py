"""The OpenAPI schema states the error answers of every operation (issue 10, "Fuzzing in CI").

drf-spectacular documents only the success answer of each operation; a client (and the
schemathesis run in CI, qcity/core/tests/test_api_fuzz.py) also has to know which errors it may
get and what their body looks like. This post-processing hook adds them to every operation of
docs/api/openapi.yaml:

* the one error body, ``ApiError`` (written by qcity/core/errors.py): a stable machine code and
  a Chinese message (``{"code": str, "detail": str}``), with per-field messages under
  ``errors`` for a 400, what still references a record under ``references`` for a 409, and
  the request id;
* 400 (bad query or body), 401 (no or expired credentials), 403 (no permission), 404 (out of
  scope or missing; also a page past the end of a list), 429 (throttled) and 500 on every
  operation; 409 (a stale ``If-Match`` version or a record still referenced) on every write.

A status the operation documents itself is left as it is.
"""

from __future__ import annotations

ERROR_COMPONENT = "ApiError"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a stable code and a Chinese message.",
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable machine-readable code (e.g. validation_error, "
            "not_authenticated, permission_denied, not_found, conflict, referenced, throttled, "
            "server_error).",
        },
        "detail": {"type": "string", "description": "What went wrong, in Chinese."},
        "errors": {
            "type": "object",
            "description": "Per-field messages of a 400: field name → list of messages.",
            "additionalProperties": True,
        },
        "references": {
            "type": "array",
            "description": "A 409 referenced: what still references the record.",
            "items": {
                "type": "object",
                "properties": {
                    "model": {"type": "string"},
                    "name": {"type": "string"},
                    "count": {"type": "integer"},
                },
            },
        },
        "request_id": {
            "type": "string",
            "nullable": True,
            "description": "The request id the change log and the server log record.",
        },
    },
    "required": ["code", "detail"],
}

# status → description; the first set applies to every operation, WRITE_ERRORS to writes only
COMMON_ERRORS = {
    "400": "请求参数或内容有误（errors 按字段列出原因）",
    "401": "未登录或凭据已失效",
    "403": "无权执行该操作",
    "404": "记录不存在或您无权查看",
    "429": "请求过于频繁，请稍后再试",
    "500": "服务器内部错误（已记录，附请求编号）",
}
WRITE_ERRORS = {"409": "记录已被他人修改，或仍被其他记录引用"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def declare_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: error responses on every operation.

    Each status is one shared response (``#/components/responses/Error<status>``), so the
    committed schema names it once."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    shared = components.setdefault("responses", {})
    for status, description in {**COMMON_ERRORS, **WRITE_ERRORS}.items():
        shared.setdefault(
            f"Error{status}",
            {
                "description": description,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
                    }
                },
            },
        )
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = list(COMMON_ERRORS)
            if method in WRITE_METHODS:
                statuses += list(WRITE_ERRORS)
            for status in statuses:
                operation["responses"].setdefault(
                    status, {"$ref": f"#/components/responses/Error{status}"}
                )
    return result
