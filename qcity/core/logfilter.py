"""Log records carry the request id and path (issue 10, "Errors"): a 500 in the server log can
be matched with the change-log rows and the error answer of the same request. Loaded by the
LOGGING setting before the apps are ready, so the audit context is imported lazily."""

import logging


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None)
        if not request_id:
            try:
                from . import audit

                request_id = audit.current_request_id()
            except Exception:  # apps not loaded yet (early start-up messages)
                request_id = ""
        record.request_id = request_id or "-"
        if not hasattr(record, "path"):
            record.path = getattr(request, "path", "-")
        return True
