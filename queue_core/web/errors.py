"""Every error leaves as {"error": {"code", "message"}}; never a bare 500 page."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from queue_core.domain.errors import Forbidden, XephangError
from queue_core.domain.messages import render

log = logging.getLogger("xephang")

HTTP_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "unknown_route",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "malformed_request",
    429: "too_many_requests",
}


def language() -> str:
    return "en" if request.accept_languages.best_match(["vi", "en"]) == "en" else "vi"


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    error = {"code": code, "message": message}
    if field:
        # Which value was wrong (`center.closes_at`, `counters[2].services`), for forms.
        error["field"] = field
    response = jsonify({"error": error})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(XephangError)
    def domain_error(error: XephangError) -> Response:
        # A refused setting also says its key apart (`"field": "center.closes_at"`).
        field = error.params.get("field") if getattr(error, "names_field", False) else None
        return error_response(error.status, error.code, error.message(language()),
                              field if isinstance(field, str) else None)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return domain_error(Forbidden("csrf_failed"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = HTTP_CODES.get(status, "http_error")
        reason = error.description or ""
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024
        return error_response(status, code, render(code, language(), reason=reason, limit=limit))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", render("internal_error", language()))
