"""Turn a request body into checked values, or an error that names the field."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from queue_core.domain.errors import InvalidInput, MalformedRequest, PayloadTooLarge

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING = object()


def json_body(*, required: bool = True) -> dict[str, Any]:
    """Return the JSON object sent, {} for an empty optional body.

    A body past the size limit is 413 `payload_too_large`, one that cannot be read (a
    broken chunked upload, a client gone) 400: neither is the server's fault, nor logged
    as one.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(limit=(limit or 0) // 1024) from None
    except HTTPException:
        raise
    except Exception:
        raise MalformedRequest(reason="the body could not be read") from None
    # A streamed (chunked) body is cut at the limit without an error: one that fills it
    # is taken as one that went past it.
    streamed = request.content_length is None
    if limit is not None and (len(raw) > limit or (streamed and len(raw) >= limit)):
        raise PayloadTooLarge(limit=limit // 1024)
    if not raw.strip():
        if required:
            raise MalformedRequest(reason="a JSON object is required")
        return {}
    try:
        body = request.get_json(force=True, silent=False)
    except Exception:
        raise MalformedRequest(reason="the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise MalformedRequest(reason="the body must be a JSON object")
    return body


def take(body: dict[str, Any], name: str, kind: type | tuple[type, ...], *,
         default: Any = _MISSING, reason: str) -> Any:
    """Return body[name] if it has the right type; a missing required key is an error too."""
    if name not in body:
        if default is _MISSING:
            raise InvalidInput(field=name, reason=f"required: {reason}")
        return default
    value = body[name]
    if value is None and default is None:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise InvalidInput(field=name, reason=reason)
    if not isinstance(value, kinds):
        raise InvalidInput(field=name, reason=reason)
    return value


def query_date(name: str) -> str | None:
    """Return an ISO date from the query string, if given."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not DATE_RE.match(value):
        raise InvalidInput(field=name, reason="a date such as 2026-11-23")
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field=name, reason="a date such as 2026-11-23") from None
    return value


def query_int(name: str, *, required: bool = False, low: int = 0, high: int = 1_000_000) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(field=name, reason="required: a whole number")
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise InvalidInput(field=name, reason=f"a whole number from {low} to {high}")
    return int(value)
