"""Errors of the queue core; each maps to one HTTP status and a snake_case code.

The human text comes from the message catalog (`messages.py`), Vietnamese by default.
"""

from __future__ import annotations

from typing import Any


class XephangError(Exception):
    """Root of every error the queue core raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code, params)

    def message(self, lang: str = "vi") -> str:
        from queue_core.domain.messages import render

        return render(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class ConfigError(XephangError, ValueError):
    """The configuration makes no sense; the text names the key, `field` holds it alone.

    >>> ConfigError("center.closes_at must be after center.opens_at", field="center.closes_at").field
    'center.closes_at'
    """

    code = "invalid_config"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__("invalid_config", detail=detail)
        self.detail = detail
        self.field = field

    def __str__(self) -> str:
        return self.detail


class InvalidInput(XephangError, ValueError):
    """A request value is missing, of the wrong type or out of range."""

    status = 422
    code = "invalid_input"


class MalformedRequest(XephangError, ValueError):
    """The request body is not the JSON object it must be."""

    status = 400
    code = "malformed_request"


class PayloadTooLarge(XephangError, ValueError):
    """The request body is larger than the box takes."""

    status = 413
    code = "payload_too_large"


class NotFound(XephangError, LookupError):
    """No such field, counter, ticket or user."""

    status = 404
    code = "not_found"


class Conflict(XephangError):
    """The request does not fit the current state (busy counter, closed field, rated twice)."""

    status = 409
    code = "conflict"


class Unauthorized(XephangError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"


class Forbidden(XephangError):
    """Valid credentials, but not for this."""

    status = 403
    code = "forbidden"


class TooManyRequests(XephangError):
    """Slow down."""

    status = 429
    code = "too_many_requests"


class StorageFull(XephangError, OSError):
    """The box's storage is full: nothing new can be written until space is freed."""

    status = 507
    code = "storage_full"


class CatalogInvalid(InvalidInput):
    """A procedure catalog cannot be imported: its line (when one is to blame) and why.

    >>> CatalogInvalid(7, "duplicate_code", code="1.001", first=3).message("en")
    'The catalog was not imported. Line 7: the code 1.001 is already on line 3.'
    """

    code = "catalog_invalid"

    def __init__(self, line: int | None, reason: str, /, **params: Any) -> None:
        super().__init__("catalog_invalid" if line is not None else "catalog_invalid_file",
                         line=line, reason=reason, **params)
        self.line = line
        self.reason = reason

    def message(self, lang: str = "vi") -> str:
        from queue_core.domain.messages import render, render_reason

        details = {k: v for k, v in self.params.items() if k not in ("line", "reason")}
        return render(self.code, lang, line=self.line,
                      reason=render_reason(self.reason, lang, **details))


class CatalogTooLarge(XephangError):
    """A catalog file is over the size the box reads."""

    status = 413
    code = "catalog_too_large"


class ConnectorUnavailable(XephangError):
    """The one-door system cannot answer now (off, down, slow or answering nonsense)."""

    status = 503
    code = "connector_unavailable"


class ServiceUnavailable(XephangError):
    """Something the answer needs cannot be made now (a speech engine missing or too slow)."""

    status = 503
    code = "service_unavailable"
