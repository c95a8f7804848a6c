"""The OpenAPI 3.1 description of the REST API under /api/v1 (CONTRACT.md, as served).

Written by hand, next to the contract it describes; `tests/fuzz/test_openapi_document.py`
keeps it true (every route of the app is described, nothing else is) and schemathesis
fuzzes the app from it. Each operation names the roles that may call it in `x-roles`
(empty: no login needed).

>>> document = build_document(version="0.1.0")
>>> document["openapi"], sorted(document["paths"]["/counters/{number}/call-next"])
('3.1.0', ['post'])
"""

from __future__ import annotations

import copy
from typing import Any

from queue_core.domain.dossiers import STATUSES as DOSSIER_STATUSES
from queue_core.domain.model import (
    CHANNELS,
    COUNTER_STATES,
    PRIORITIES,
    RATING_LEVELS,
    TICKET_STATES,
)

PREFIX = "/api/v1"
JSON = "application/json"

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


TEXT = {"type": "string"}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date", "example": "2026-11-23"}
OPTIONAL_TIME = _nullable(TIME)
OPTIONAL_SECONDS = _nullable(NUMBER)
PRIORITY = {"enum": [None, *PRIORITIES]}
DURATIONS = _object({"count": INT, "mean_s": OPTIONAL_SECONDS, "median_s": OPTIONAL_SECONDS,
                     "p90_s": OPTIONAL_SECONDS, "max_s": OPTIONAL_SECONDS})
DEVICE_STATES = ["ok", "degraded", "error", "offline", "emulated", "none", "unknown"]
SECTION = {"type": "object"}

SCHEMAS: dict[str, Schema] = {
    "Error": _object({
        "error": _object({
            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "message": {"type": "string", "minLength": 1},
            "field": {"type": "string", "description": "the key of a refused setting"},
        }, ("code", "message")),
    }, ("error",)),
    "Ticket": _object({
        "id": TEXT, "label": TEXT, "number": INT, "service": TEXT, "priority": PRIORITY,
        "state": {"enum": list(TICKET_STATES)}, "counter": _nullable(INT),
        "channel": _nullable(TEXT), "day": DATE, "issued_at": TIME,
        "called_at": OPTIONAL_TIME, "finished_at": OPTIONAL_TIME,
        "recalls": {"type": "integer", "minimum": 0},
        "ahead": _nullable({"type": "integer", "minimum": 0}),
        "eta_minutes": _nullable({"type": "integer", "minimum": 0}),
        "holder_key": {"type": "string", "description": (
            "the holder's key, only in the answer that issued the ticket (printed in its QR "
            "code: /t/{id}?k={holder_key}); the one credential of its citizen rating")},
        "dossier": _nullable(_object({"code": TEXT, "procedure": _nullable(TEXT)},
                                     ("code", "procedure"))),
    }, ("id", "label", "service", "priority", "state", "counter", "issued_at", "called_at",
        "finished_at", "recalls")),
    "Delivery": _object({
        "id": INT, "delivery": TEXT, "seq": INT, "event": TEXT, "url": TEXT,
        "receiver": {"enum": ["webhook", "hub"]},
        "status": {"enum": ["pending", "delivered", "failed", "rejected", "lost"]},
        "attempts": {"type": "integer", "minimum": 0}, "last_error": _nullable(TEXT),
        "next_attempt_at": _nullable(TEXT), "created_at": TIME, "updated_at": TIME,
    }, ("id", "delivery", "event", "url", "status", "attempts", "last_error")),
    "Webhooks": _object({
        "stream": TEXT,
        "outbox": _object({"oldest_seq": _nullable(INT), "newest_seq": INT, "rows": INT,
                           "retention_days": INT, "max_rows": INT}),
        "receivers": {"type": "array", "items": _object({
            "receiver": {"enum": ["webhook", "hub"]}, "url": TEXT,
            "events": {"type": "array", "items": TEXT}, "cursor": _nullable(INT),
            "behind": _nullable(INT), "attempts": INT, "next_attempt_at": _nullable(TEXT),
            "last_error": _nullable(TEXT), "last_success_at": _nullable(TEXT),
            "state": _nullable(TEXT), "lost": INT,
            "deliveries": {"type": "object", "additionalProperties": INT}})},
    }, ("stream", "outbox", "receivers")),
    "Counter": _object({
        "number": INT, "name": TEXT, "services": {"type": "array", "items": TEXT},
        "state": {"enum": list(COUNTER_STATES)}, "current": _nullable(ref("Ticket")),
    }, ("number", "name", "services", "state", "current")),
    "Service": _object({
        "code": TEXT, "name": TEXT, "name_en": _nullable(TEXT), "open": BOOL,
        "waiting": {"type": "integer", "minimum": 0},
    }, ("code", "name", "open", "waiting")),
    "Board": _object({
        "seq": {"type": "integer", "minimum": 0}, "date": DATE, "now": TIME, "open": BOOL,
        "opens_next": _nullable(TIME), "closed_reason": _nullable(TEXT), "demo": BOOL,
        "center": _object({"name": TEXT}, ("name",)),
        "counters": {"type": "array", "items": ref("Counter")},
        "services": {"type": "array", "items": _object({
            "code": TEXT, "name": TEXT, "waiting": {"type": "integer", "minimum": 0}},
            ("code", "name", "waiting"))},
        "recent_calls": {"type": "array", "items": _object({
            "label": TEXT, "counter": INT, "at": TIME, "recall": BOOL, "ticket": TEXT,
            "speech": TEXT, "caption": TEXT},
            ("label", "counter", "at"))},
    }, ("seq", "date", "center", "counters", "services", "recent_calls")),
    "Transition": _object({
        "action": TEXT, "from": _nullable(TEXT), "to": TEXT, "at": TIME, "actor": TEXT,
        "service": TEXT, "counter": _nullable(INT), "detail": _nullable(TEXT),
    }, ("action", "from", "to", "at", "actor", "service")),
    "Rating": _object({"ticket": TEXT, "level": {"enum": list(RATING_LEVELS)}, "at": TIME},
                      ("ticket", "level", "at")),
    "Print": _object({
        "ticket": TEXT, "label": TEXT,
        "state": {"enum": ["printed", "failed", "printing", "not_printed"]},
        "printed": _nullable(BOOL), "code": TEXT, "message": TEXT,
    }, ("ticket", "label", "state", "printed", "code", "message")),
    "Person": _object({
        "user": _object({"username": TEXT, "role": TEXT, "kind": TEXT,
                         "counter": _nullable(INT)}, ("username", "role", "kind")),
        "csrf_token": TEXT,
    }, ("user", "csrf_token")),
    "Settings": _object({
        "version": INT, "center": SECTION, "policy": SECTION, "speech": SECTION,
        "display": SECTION, "kiosk": SECTION, "ratings": SECTION, "hardware": SECTION,
        "services": {"type": "array", "items": SECTION},
        "counters": {"type": "array", "items": SECTION},
        "holidays": {"type": "array", "items": DATE},
        "working_days": {"type": "array", "items": DATE},
        "fixed": {"type": "object", "description": "keys an XEPHANG_* variable sets, with it"},
        "read_only": {"type": "array", "items": TEXT},
        "changed": {"type": "array", "items": TEXT},
        "problem": _nullable(TEXT),
    }, ("version", "center", "policy", "speech", "display", "kiosk", "services", "counters",
        "holidays", "working_days", "fixed")),
    "User": _object({"username": TEXT, "role": TEXT, "counter": _nullable(INT),
                     "created_at": _nullable(TEXT), "disabled": BOOL},
                    ("username", "role", "counter", "disabled")),
    "Token": _object({"id": INT, "name": TEXT, "role": TEXT, "counter": _nullable(INT),
                      "created_at": _nullable(TEXT), "last_used_at": _nullable(TEXT)},
                     ("id", "name", "role", "counter", "created_at", "last_used_at")),
    "PairingStarted": _object({"id": TEXT, "code": {"type": "string", "pattern": "^[0-9]{6}$"},
                               "device": TEXT, "expires_at": TIME, "address": TEXT,
                               "admin_url": TEXT},
                              ("id", "code", "device", "expires_at", "address")),
    "PairingState": _object({"status": {"enum": ["waiting", "approved"]}, "code": TEXT,
                             "expires_at": TIME, "token": TEXT, "role": TEXT,
                             "counter": _nullable(INT), "name": TEXT}, ("status",)),
    "PendingPairing": _object({"code": TEXT, "device": TEXT, "name": _nullable(TEXT),
                               "address": _nullable(TEXT), "created_at": TIME,
                               "expires_at": TIME, "role": TEXT},
                              ("code", "device", "created_at", "expires_at", "role")),
    "ClosedDay": _object({"date": DATE, "name": TEXT, "source": {"enum": ["public", "settings"]},
                          "open": BOOL}, ("date", "name", "source")),
    "Health": _object({
        "status": {"enum": ["ok", "degraded"]}, "database": {"enum": ["ok", "error"]},
        "printer": {"enum": DEVICE_STATES}, "audio": {"enum": DEVICE_STATES},
        "storage": {"enum": ["ok", "low", "full"]},
        "devices": {"type": "object", "description": (
            "each device's report about itself (kiosk:NAME, …); it never makes the box degraded")},
        "reasons": {"type": "array", "items": _object({"code": TEXT, "message": TEXT},
                                                      ("code", "message"))},
        "version": TEXT,
    }, ("status", "database", "printer", "audio", "version")),
    "Stats": _object({
        "from": DATE, "to": DATE, "issued": INT, "served": INT, "no_show": INT,
        "cancelled": INT, "expired": INT, "wait": DURATIONS, "service_time": DURATIONS,
        "within_target_pct": _nullable(NUMBER),
        "by_service": {"type": "array", "items": {"type": "object"}},
        "by_counter": {"type": "array", "items": {"type": "object"}},
        "by_hour": {"type": "array", "items": {"type": "object"}},
        "ratings": _object({level: INT for level in RATING_LEVELS}
                           | {"satisfied_pct": _nullable(NUMBER)}),
    }, ("from", "to", "issued", "served", "no_show", "cancelled", "expired", "wait",
        "service_time", "within_target_pct", "by_service", "by_counter", "by_hour", "ratings")),
    "LiveStats": _object({
        "now": TIME, "date": DATE, "waiting": INT,
        "fields": {"type": "array", "items": {"type": "object"}},
        "counters": {"type": "array", "items": {"type": "object"}},
        "queue": {"type": "array", "items": {"type": "object"}},
        "staffing_hints": {"type": "array", "items": _object({
            "group": INT, "services": {"type": "array", "items": TEXT},
            "names": {"type": "array", "items": TEXT}, "waiting": INT, "counters_open": INT,
            "counters_needed": INT, "extra": INT, "clearable": INT})},
    }, ("now", "date", "waiting", "fields", "counters")),
    "Staffing": _object({
        "date": DATE, "weekday": INT, "target_wait_minutes": INT, "service_level": NUMBER,
        "open": BOOL,
        "hours": {"type": "array", "items": _object({
            "hour": INT, "arrivals": NUMBER, "mean_service_s": OPTIONAL_SECONDS,
            "counters_needed": INT, "counters_open": INT, "expected_wait_s": OPTIONAL_SECONDS,
            "overloaded": BOOL, "within_target_pct": NUMBER,
            "groups": {"type": "array", "items": {"type": "object"}},
        }, ("hour", "arrivals", "mean_service_s", "counters_needed", "counters_open",
            "expected_wait_s"))},
        "periods": {"type": "array", "items": _object({
            "group": INT, "start": INT, "end": INT, "counters_needed": INT,
            "counters_open": INT, "arrivals": NUMBER, "expected_wait_s": OPTIONAL_SECONDS,
            "verdict": {"enum": ["none", "short", "enough", "spare"]}})},
        "groups": {"type": "array", "items": _object({
            "group": INT, "services": {"type": "array", "items": TEXT},
            "names": {"type": "array", "items": TEXT},
            "counters": {"type": "array", "items": INT}})},
        "history": _nullable({"type": "object"}),
    }, ("date", "hours")),
    "CounterQueue": _object({
        "seq": INT, "now": TIME, "date": DATE, "counter": ref("Counter"),
        "waiting": {"type": "array", "items": ref("Ticket")},
        "no_show": {"type": "array", "items": ref("Ticket")},
        "today": {"type": "object"},
    }, ("seq", "date", "counter", "waiting", "no_show", "today")),
    "RatingOptions": _object({
        "levels": {"type": "array", "items": _object({"level": TEXT, "label": TEXT},
                                                     ("level", "label"))},
        "reasons": {"type": "array", "items": TEXT},
        "idle_seconds": INT, "window_seconds": INT,
    }, ("levels", "reasons")),
    "KioskConfig": _object({
        "center": _object({"name": TEXT}, ("name",)),
        "services": {"type": "array", "items": _object({
            "code": TEXT, "name": TEXT, "counters": {"type": "array", "items": INT}})},
        "tickets_per_minute": INT,
    }, ("center", "services")),
    "KioskIssue": _object({"ticket": ref("Ticket"), "print": _nullable(ref("Print")),
                           "where": TEXT,
                           "speech": _nullable(_object({
                               "text": TEXT, "caption": TEXT, "url": TEXT,
                               "volume": {"type": "number", "exclusiveMinimum": 0,
                                          "maximum": 1}}))},
                          ("ticket", "print")),
    "ProcedureSummary": _object({
        "code": TEXT, "name": TEXT, "service": TEXT, "level": TEXT, "deadline": TEXT,
        "fee": TEXT, "score": {"type": "number", "minimum": 0, "maximum": 1},
    }, ("code", "name", "service", "level", "deadline", "fee", "score")),
    "Procedure": _object({
        "code": TEXT, "name": TEXT, "service": TEXT, "level": TEXT, "deadline": TEXT,
        "fee": TEXT, "documents": {"type": "array", "items": TEXT},
        "legal_basis": {"type": "array", "items": TEXT},
        "forms": {"type": "array", "items": _object({"name": TEXT, "url": TEXT},
                                                     ("name", "url"))},
    }, ("code", "name", "service", "level", "deadline", "fee", "documents", "legal_basis",
        "forms")),
    "CatalogFacts": _object({
        "source": _nullable(TEXT), "imported_at": _nullable(TIME),
        "procedures": {"type": "integer", "minimum": 0}, "forms": INT, "sample": BOOL,
    }, ("source", "imported_at", "procedures", "sample")),
    "Dossier": _object({
        "code": TEXT, "status": {"enum": list(DOSSIER_STATUSES)}, "status_text": TEXT,
        "received_at": OPTIONAL_TIME, "due_at": OPTIONAL_TIME, "updated_at": OPTIONAL_TIME,
    }, ("code", "status", "status_text", "received_at", "due_at", "updated_at")),
    "ListPrint": _object({
        "procedure": TEXT, "state": {"enum": ["printed", "failed", "printing"]},
        "printed": _nullable(BOOL), "code": TEXT, "message": TEXT,
    }, ("procedure", "state", "printed", "code", "message")),
}

# --- parameters and bodies ---------------------------------------------------------------------

COUNTER_NUMBER = {"name": "number", "in": "path", "required": True,
                  "description": "the counter's number",
                  "schema": {"type": "integer", "minimum": 0}}
TICKET_ID = {"name": "ticket_id", "in": "path", "required": True,
             "description": "the ticket's id (unguessable; as in the ticket's QR code)",
             "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "a client-chosen text, 8 to 100 characters: a retry with the "
                                  "same key returns the ticket issued the first time",
                   "schema": {"type": "string", "minLength": 8, "maxLength": 100}}
STATS_QUERY = [
    {"name": "from", "in": "query", "schema": DATE, "description": "first day (default today)"},
    {"name": "to", "in": "query", "schema": DATE, "description": "last day, included"},
    {"name": "service", "in": "query", "schema": TEXT, "description": "a field code"},
    {"name": "counter", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "officer", "in": "query", "schema": TEXT, "description": "a username"},
]
STAFFING_QUERY = [
    {"name": "date", "in": "query", "schema": DATE, "description": "the day to plan (default today)"},
    {"name": "target_wait_minutes", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": 240},
     "description": "the target wait (default policy.target_wait_minutes)"},
    {"name": "service_level", "in": "query",
     "schema": {"type": "number", "minimum": 0.5, "maximum": 0.99, "default": 0.8},
     "description": "the share of citizens to call within the target"},
]
WIDTH = {"name": "width", "in": "query", "schema": {"enum": [384, 576]},
         "description": "dots across: 384 (58 mm paper) or 576 (80 mm paper)"}
HOLDER_KEY = {"name": "k", "in": "query", "schema": TEXT,
              "description": "the ticket's holder key, from its QR code"}
LEVEL = {"enum": list(RATING_LEVELS)}
RATING_BODY = _object({"level": LEVEL, "comment": _nullable({"type": "string",
                                                               "maxLength": 500})}, ("level",))
HOLDER_RATING_BODY = _object({
    "level": LEVEL, "comment": _nullable({"type": "string", "maxLength": 500}),
    "key": {"type": "string", "description": "the holder's key from the ticket's QR code"},
}, ("level", "key"))
PROCEDURE_CODE = {"name": "code", "in": "path", "required": True,
                  "description": "the procedure's code in the catalog",
                  "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}
FORM_FILE = {"name": "file", "in": "path", "required": True,
             "description": "the form's file as kept (the last part of its url)",
             "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}
BINARY = {"type": "string", "contentEncoding": "binary"}
KEEP_PLACE = {"type": "boolean", "default": True,
              "description": "keep the place by original issue time"}


def _body(schema: Schema, *, required: bool = True) -> Schema:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _list(name: str) -> Schema:
    return {"type": "array", "items": ref(name)}


ERRORS = {
    400: "the body is not a JSON object",
    401: "no valid credentials",
    403: "the credentials do not allow this",
    404: "no such field, counter or ticket",
    409: "the request does not fit the current state",
    422: "a value is missing or wrong; the message names the field",
    413: "the body or file is larger than the box reads",
    429: "too many requests",
    503: "a system the answer needs cannot answer now (the one-door system, the speech engine)",
    507: "storage_full: the box's storage is full, nothing was written",
}
# Methods that write: each may meet a full disk (507 storage_full).
WRITES = ("post", "put", "delete")


def _operation(endpoint: str, summary: str, tag: str, roles: tuple[str, ...], ok: dict[int, Schema],
               *, parameters: list[Schema] | None = None, body: Schema | None = None,
               errors: tuple[int, ...] = ()) -> Schema:
    responses: dict[str, Schema] = {str(status): answer for status, answer in ok.items()}
    codes = set(errors) | ({401, 403} if roles else set())
    if body is not None:
        codes |= {400, 422}
    for status in sorted(codes):
        responses[str(status)] = _json(ERRORS[status], ref("Error"))
    # Any other client error (405, 413, 415…) has the same shape; no 5xx but 507 (a full disk).
    responses["4XX"] = _json("a client error", ref("Error"))
    operation: Schema = {"operationId": endpoint, "summary": summary, "tags": [tag],
                         "x-roles": list(roles), "responses": responses}
    if roles:
        operation["security"] = [{"bearer": []}, {"session": []}]
    else:
        operation["security"] = [{}]
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = body
    return operation


def _paths() -> dict[str, dict[str, Schema]]:
    staff = ("staff",)
    operators = ("staff", "keypad")
    kiosk = ("kiosk",)
    manager = ("manager",)
    counter = [COUNTER_NUMBER]
    ticket = [TICKET_ID]
    paths: dict[str, dict[str, Schema]] = {
        "/health": {"get": _operation(
            "api.health", "Tell whether the database, printer and audio work", "board", (),
            {200: _json("health", ref("Health"))})},
        "/state": {"get": _operation(
            "api.state", "Return the whole Board, consistent with its seq", "board", (),
            {200: _json("the Board", ref("Board"))})},
        "/services": {"get": _operation(
            "api.services", "List the fields with how many wait in each", "board", (),
            {200: _json("the fields", _list("Service"))})},
        "/counters": {"get": _operation(
            "api.counters", "List the counters with their state and current ticket", "board", (),
            {200: _json("the counters", _list("Counter"))})},
        "/counters/{number}": {"get": _operation(
            "api.counter", "Return one counter", "board", (),
            {200: _json("the counter", ref("Counter"))}, parameters=counter, errors=(404,))},
        "/speech": {"get": _operation(
            "api.speech", "Return the sentence the announcer says for a call", "board", (),
            {200: _json("the sentence spoken, and as written on the screens",
                        _object({"text": TEXT, "caption": TEXT}, ("text", "caption")))},
            parameters=[
                {"name": "label", "in": "query", "required": True,
                 "schema": {"type": "string", "minLength": 1}, "example": "A023"},
                {"name": "counter", "in": "query", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 99999}},
                {"name": "recall", "in": "query", "schema": {"enum": ["0", "1"]}},
            ], errors=(422,))},
        "/tickets": {
            "post": _operation(
                "api.issue_ticket", "Issue the next number of a field", "tickets",
                ("kiosk", "staff"),
                {201: _json("the new ticket", ref("Ticket")),
                 200: _json("the ticket an earlier try with the same key got", ref("Ticket"))},
                parameters=[IDEMPOTENCY_KEY],
                body=_body(_object({
                    "service": {"type": "string", "example": "A"}, "priority": PRIORITY,
                    "channel": {"enum": list(CHANNELS)},
                    "request_key": {"type": "string", "minLength": 8, "maxLength": 100},
                }, ("service",))),
                errors=(404, 409, 429)),
            "get": _operation(
                "api.list_tickets", "List a day's tickets (waiting ones in call order)",
                "tickets", staff, {200: _json("the tickets", _list("Ticket"))},
                parameters=[
                    {"name": "state", "in": "query", "schema": {"enum": list(TICKET_STATES)}},
                    {"name": "service", "in": "query", "schema": TEXT},
                    {"name": "date", "in": "query", "schema": DATE},
                ], errors=(404, 422)),
        },
        "/tickets/{ticket_id}": {"get": _operation(
            "api.get_ticket", "Return a ticket (with its place while it waits; its dossier only "
            "for a kiosk, staff or its holder key)", "tickets", (),
            {200: _json("the ticket", ref("Ticket"))}, parameters=[*ticket, HOLDER_KEY],
            errors=(404,))},
        "/tickets/{ticket_id}/transitions": {"get": _operation(
            "api.ticket_transitions", "Return every step of a ticket's life", "tickets", staff,
            {200: _json("the steps, oldest first", _list("Transition"))}, parameters=ticket,
            errors=(404,))},
        "/tickets/{ticket_id}/cancel": {"post": _operation(
            "api.cancel_ticket", "Withdraw a waiting ticket or a no-show", "tickets", staff,
            {200: _json("the ticket, cancelled", ref("Ticket"))}, parameters=ticket,
            errors=(404, 409))},
        "/tickets/{ticket_id}/restore": {"post": _operation(
            "api.restore_ticket", "Put a no-show of today back in the queue", "tickets", staff,
            {200: _json("the ticket, waiting", ref("Ticket"))}, parameters=ticket,
            body=_body(_object({"keep_place": KEEP_PLACE}), required=False), errors=(404, 409))},
        "/tickets/{ticket_id}/priority": {"put": _operation(
            "api.ticket_priority", "Mark a waiting ticket as priority, or unmark it", "tickets",
            staff, {200: _json("the ticket", ref("Ticket"))}, parameters=ticket,
            body=_body(_object({"priority": PRIORITY})), errors=(404, 409))},
        "/tickets/{ticket_id}/dossier": {"put": _operation(
            "api.ticket_dossier", "Attach the one-door dossier the visit became (the counter "
            "that called the ticket, or a manager)", "tickets", staff,
            {200: _json("the ticket with its dossier", ref("Ticket"))}, parameters=ticket,
            body=_body(_object({
                "code": {"type": "string", "maxLength": 200,
                         "description": "the dossier code (mã hồ sơ); kept trimmed, spaces "
                                        "made one, upper case: 3–50 of A–Z 0-9 . - _ / space"},
                "procedure": _nullable({"type": "string", "description":
                                        "a procedure code of the catalog"}),
            }, ("code",))), errors=(404,))},
        "/webhooks": {"get": _operation(
            "webhooks_api.webhooks_status", "Tell where each receiver of the outbox stands",
            "webhooks", ("admin",), {200: _json("the outbox and its receivers", ref("Webhooks"))})},
        "/webhooks/deliveries": {"get": _operation(
            "webhooks_api.webhook_deliveries", "List deliveries of events, newest first",
            "webhooks", ("admin",), {200: _json("the deliveries", _list("Delivery"))},
            parameters=[
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                {"name": "status", "in": "query", "schema": {
                    "enum": ["pending", "delivered", "failed", "rejected", "lost"]}},
            ], errors=(422,))},
        "/webhooks/deliveries/{delivery_id}/retry": {"post": _operation(
            "webhooks_api.retry_delivery", "Send a delivery again (audited)", "webhooks",
            ("admin",), {200: _json("the delivery, asked again", ref("Delivery"))},
            parameters=[{"name": "delivery_id", "in": "path", "required": True,
                         "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}],
            errors=(404, 409))},
        "/tickets/{ticket_id}/rating": {"post": _operation(
            "api.rate_ticket", "Keep the one rating of a served ticket", "ratings", kiosk,
            {201: _json("the rating", ref("Rating"))}, parameters=ticket, body=_body(RATING_BODY),
            errors=(404, 409, 429))},
        "/tickets/{ticket_id}/citizen-rating": {"post": _operation(
            "api.rate_by_holder", "Rate a served ticket from its own page (same day)", "ratings",
            (), {201: _json("the rating", ref("Rating"))}, parameters=ticket,
            body=_body(HOLDER_RATING_BODY), errors=(403, 404, 409, 429))},
        "/counters/{number}/call-next": {"post": _operation(
            "api.call_next", "Call whom the policy puts first among the counter's fields",
            "counters", operators,
            {200: _json("the ticket, now called here", ref("Ticket")),
             204: {"description": "nobody waits for this counter's fields"}},
            parameters=counter, errors=(404, 409))},
        "/counters/{number}/call": {"post": _operation(
            "api.call_ticket", "Call a given waiting ticket or a no-show of today", "counters",
            staff, {200: _json("the ticket, now called here", ref("Ticket"))},
            parameters=counter, body=_body(_object({"ticket": TEXT}, ("ticket",))),
            errors=(404, 409))},
        "/counters/{number}/recall": {"post": _operation(
            "api.recall", "Announce the ticket being served again", "counters", operators,
            {200: _json("the ticket", ref("Ticket"))}, parameters=counter, errors=(404, 409))},
        "/counters/{number}/no-show": {"post": _operation(
            "api.no_show", "Mark the called citizen as not come", "counters", operators,
            {200: _json("the ticket, no_show", ref("Ticket"))}, parameters=counter,
            errors=(404, 409))},
        "/counters/{number}/finish": {"post": _operation(
            "api.finish", "Close the ticket being served and ask for a rating", "counters",
            operators, {200: _json("the ticket, done", ref("Ticket"))}, parameters=counter,
            errors=(404, 409))},
        "/counters/{number}/transfer": {"post": _operation(
            "api.transfer", "Send the citizen being served to wait in another field",
            "counters", staff, {200: _json("the ticket, waiting in the new field", ref("Ticket"))},
            parameters=counter,
            body=_body(_object({"service": {"type": "string", "example": "F"},
                                "keep_place": KEEP_PLACE}, ("service",))),
            errors=(404, 409))},
        "/counters/{number}/state": {"put": _operation(
            "api.counter_state", "Open, pause or close a counter", "counters", staff,
            {200: _json("the counter", ref("Counter"))}, parameters=counter,
            body=_body(_object({"state": {"enum": list(COUNTER_STATES)}}, ("state",))),
            errors=(404, 409))},
        "/counters/{number}/queue": {"get": _operation(
            "api.counter_queue", "Return what the counter's console shows", "counters", staff,
            {200: _json("the counter's queue", ref("CounterQueue"))}, parameters=counter,
            errors=(404,))},
        "/counters/{number}/rating": {"post": _operation(
            "api.rate_at_counter", "Keep the rating the counter's device took", "ratings", kiosk,
            {201: _json("the rating", ref("Rating"))}, parameters=counter,
            body=_body(_object({"ticket": TEXT, "level": LEVEL,
                                "comment": _nullable({"type": "string", "maxLength": 500})},
                               ("ticket", "level"))),
            errors=(404, 409))},
        "/ratings/options": {"get": _operation(
            "api.rating_options", "Return the rating levels, reasons and device timings",
            "ratings", (), {200: _json("the options", ref("RatingOptions"))})},
        "/auth/login": {"post": _operation(
            "api.login", "Log a person in (session cookie)", "people", (),
            {200: _json("who logged in, and the CSRF token for forms", ref("Person"))},
            body=_body(_object({"username": TEXT, "password": TEXT,
                                "counter": _nullable({"type": "integer", "minimum": 1})},
                               ("username", "password"))),
            errors=(401, 404, 429))},
        "/auth/logout": {"post": _operation(
            "api.logout", "End the session", "people", (),
            {200: _json("done", _object({"ok": BOOL}, ("ok",)))})},
        "/auth/me": {"get": _operation(
            "api.me", "Return who is logged in", "people", (),
            {200: _json("the person", ref("Person"))}, errors=(401,))},
        "/stats": {"get": _operation(
            "stats_api.get_stats", "Return the statistics of a period", "statistics", manager,
            {200: _json("the figures", ref("Stats"))}, parameters=STATS_QUERY,
            errors=(404, 422))},
        "/stats/live": {"get": _operation(
            "stats_api.get_live", "Return who waits and who is served now", "statistics",
            manager, {200: _json("the live view", ref("LiveStats"))})},
        "/stats/staffing": {"get": _operation(
            "stats_api.get_staffing",
            "Return the counters needed hour by hour on a date (Erlang C over its weekday's "
            "history)", "statistics", manager,
            {200: _json("the advice", ref("Staffing"))}, parameters=STAFFING_QUERY,
            errors=(422,))},
        "/stats/export.csv": {"get": _operation(
            "stats_api.export_csv", "Export one row per ticket as CSV", "statistics", manager,
            {200: {"description": "the rows", "content": {"text/csv": {"schema": TEXT}}}},
            parameters=STATS_QUERY, errors=(404, 422))},
        "/stats/export.xlsx": {"get": _operation(
            "stats_api.export_xlsx", "Export the figures and one row per ticket as Excel",
            "statistics", manager,
            {200: {"description": "the workbook", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "contentEncoding": "binary"}}}}},
            parameters=STATS_QUERY, errors=(404, 422))},
        "/kiosk/tickets": {"post": _operation(
            "kiosk.issue_and_print", "Issue a ticket for the kiosk, then print it", "kiosk",
            kiosk, {201: _json("the ticket and how its printing went", ref("KioskIssue")),
                    200: _json("the ticket of an earlier try with the same key",
                               ref("KioskIssue"))},
            parameters=[IDEMPOTENCY_KEY],
            body=_body(_object({
                "service": {"type": "string", "example": "A"}, "priority": PRIORITY,
                "print": {"type": "boolean", "default": True},
                "request_key": {"type": "string", "minLength": 8, "maxLength": 100},
            }, ("service",))),
            errors=(404, 409, 429))},
        "/kiosk/config": {"get": _operation(
            "kiosk.kiosk_config", "Return what a kiosk satellite prints with", "kiosk", kiosk,
            {200: _json("the kiosk's configuration", ref("KioskConfig"))})},
        "/kiosk/tickets/{ticket_id}/speech.wav": {"get": _operation(
            "kiosk.ticket_speech", "Say a just-issued ticket's number (WAV, played once)",
            "kiosk", kiosk,
            {200: {"description": "the sentence, spoken", "content": {"audio/wav": {
                "schema": {"type": "string", "contentEncoding": "binary"}}}}},
            parameters=ticket, errors=(404, 503))},
        "/kiosk/not-printed": {"get": _operation(
            "kiosk.not_printed", "List today's tickets whose paper did not come out", "kiosk",
            staff, {200: _json("the tickets", {"type": "array", "items": {"type": "object"}})})},
        "/kiosk/sample-ticket.png": {"get": _operation(
            "kiosk.sample_ticket_png", "Draw a sample ticket, to check the layout", "kiosk", (),
            {200: {"description": "the image", "content": {"image/png": {
                "schema": {"type": "string", "contentEncoding": "binary"}}}}},
            parameters=[WIDTH, {"name": "priority", "in": "query",
                                "schema": {"enum": list(PRIORITIES)}}],
            errors=(422,))},
        "/tickets/{ticket_id}/print": {
            "post": _operation(
                "kiosk.print_ticket", "Print a ticket (a kiosk once, staff again)", "kiosk",
                ("kiosk", "staff"), {200: _json("how the printing went", ref("Print"))},
                parameters=ticket, errors=(404, 409)),
            "get": _operation(
                "kiosk.print_status", "Tell how a ticket's printing went", "kiosk",
                ("kiosk", "staff"), {200: _json("as far as known", ref("Print"))},
                parameters=ticket, errors=(404,)),
        },
        "/tickets/{ticket_id}/print-result": {"post": _operation(
            "kiosk.print_result", "Keep what a kiosk satellite's own printer did", "kiosk", kiosk,
            {200: _json("the outcome kept", ref("Print"))}, parameters=ticket,
            body=_body(_object({"printed": BOOL, "code": TEXT, "message": TEXT,
                                "status": {"enum": DEVICE_STATES}}, ("printed",))),
            errors=(404,))},
        "/tickets/{ticket_id}/ticket.png": {"get": _operation(
            "kiosk.ticket_png", "Draw the ticket as it prints", "kiosk", (),
            {200: {"description": "the image", "content": {"image/png": {
                "schema": {"type": "string", "contentEncoding": "binary"}}}}},
            parameters=[TICKET_ID, WIDTH, HOLDER_KEY], errors=(404, 422))},
        "/audit": {"get": _operation(
            "audit_api.audit_log", "Who did what: ticket actions and the rest, newest first",
            "people", manager,
            {200: _json("the entries", {"type": "array", "items": _object({
                "at": TIME, "actor": TEXT, "action": TEXT, "target": _nullable(TEXT),
                "ticket": _nullable(TEXT), "counter": _nullable(INT),
                "detail": _nullable(TEXT)}, ("at", "actor", "action"))})},
            parameters=[
                {"name": "from", "in": "query", "schema": DATE, "description": "first day"},
                {"name": "to", "in": "query", "schema": DATE, "description": "last day"},
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "actor", "in": "query", "schema": TEXT,
                 "description": "a username, or an actor such as user:lan"},
                {"name": "action", "in": "query", "schema": TEXT},
                {"name": "all", "in": "query", "schema": {"enum": ["0", "1"]},
                 "description": "1: also tickets issued by devices and automatic expiries"},
            ], errors=(422,))},
        "/procedures": {"get": _operation(
            "procedures_api.search_procedures",
            "Find procedures by words (accents optional, any order, a typo), code or documents",
            "lookup", (), {200: _json("the procedures, best first", _list("ProcedureSummary"))},
            parameters=[
                {"name": "q", "in": "query", "schema": TEXT,
                 "description": "what was typed; empty lists the catalog"},
                {"name": "service", "in": "query", "schema": TEXT, "description": "a field code"},
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
            ], errors=(404, 422))},
        "/procedures/{code}": {"get": _operation(
            "procedures_api.get_procedure", "Return a procedure with its documents and forms",
            "lookup", (), {200: _json("the procedure", ref("Procedure"))},
            parameters=[PROCEDURE_CODE], errors=(404,))},
        "/procedures/{code}/forms/{file}": {"get": _operation(
            "procedures_api.download_form", "Download a form of a procedure", "lookup", (),
            {200: {"description": "the form's file, as an attachment",
                   "content": {"application/octet-stream": {"schema": BINARY}}}},
            parameters=[PROCEDURE_CODE, FORM_FILE], errors=(404,))},
        "/procedures/{code}/forms/{file}/qr.svg": {"get": _operation(
            "procedures_api.form_qr", "Draw the QR code of a form's address, for a phone",
            "lookup", (), {200: {"description": "the QR code",
                                 "content": {"image/svg+xml": {"schema": TEXT}}}},
            parameters=[PROCEDURE_CODE, FORM_FILE], errors=(404,))},
        "/procedures/{code}/print": {"post": _operation(
            "kiosk.print_procedure", "Print a procedure's list of documents on the kiosk's "
            "printer", "lookup", kiosk, {200: _json("how the printing went", ref("ListPrint"))},
            parameters=[PROCEDURE_CODE], errors=(404, 429))},
        "/catalog": {
            "get": _operation(
                "procedures_api.catalog_facts", "Tell where the procedure catalog came from",
                "lookup", (), {200: _json("the catalog's facts", ref("CatalogFacts"))}),
            "post": _operation(
                "procedures_api.import_catalog",
                "Replace the procedure catalog with a file and its forms (all or nothing)",
                "lookup", ("admin",),
                {201: _json("what was imported", ref("CatalogFacts"))},
                body={"required": True, "content": {"multipart/form-data": {"schema": _object({
                    "file": BINARY, "forms": {"type": "array", "items": BINARY}}, ("file",))}}},
                errors=(413,)),
        },
        "/dossiers/{code}": {"get": _operation(
            "dossiers_api.dossier_status", "Tell where a dossier stands (one-door system)",
            "lookup", (), {200: _json("the dossier's status and dates", ref("Dossier"))},
            parameters=[{"name": "code", "in": "path", "required": True,
                         "description": "the code on the receipt (phiếu tiếp nhận)",
                         "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}],
            errors=(404, 422, 429, 503))},
        "/openapi.json": {"get": _operation(
            "openapi_api.openapi_document", "Return this description", "board", (),
            {200: _json("the OpenAPI document", {"type": "object"})})},
    }
    paths.update(_admin_paths())
    for operations in paths.values():
        for method, operation in operations.items():
            if method in WRITES:
                operation["responses"]["507"] = _json(ERRORS[507], ref("Error"))
    return paths


USERNAME = {"name": "username", "in": "path", "required": True, "description": "the login name",
            "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}
TOKEN_ID = {"name": "token_id", "in": "path", "required": True,
            "description": "the token's id (GET /tokens)", "schema": {"type": "integer",
                                                                      "minimum": 0}}
PAIRING_ID = {"name": "pairing_id", "in": "path", "required": True,
              "description": "the pairing's id: the device's own secret",
              "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": 'the ETag read with the settings ("3"): a save over a newer version '
                           "is refused with 409 settings_conflict",
            "schema": {"type": "string"}}
SETTINGS_BODY = _object({
    "version": INT, "center": SECTION, "policy": SECTION, "speech": SECTION, "display": SECTION,
    "kiosk": SECTION, "ratings": SECTION, "hardware": SECTION,
    "services": {"type": "array", "items": SECTION}, "counters": {"type": "array", "items": SECTION},
    "holidays": {"type": "array", "items": DATE}, "working_days": {"type": "array", "items": DATE},
})


def _admin_paths() -> dict[str, dict[str, Schema]]:
    """Setup, settings, people, device tokens and pairing (the admin console's API)."""
    admin = ("admin",)
    return {
        "/setup": {"post": _operation(
            "api.run_setup", "Create the first admin with the setup code (first run only)",
            "admin", (), {201: _json("the admin, logged in", ref("Person"))},
            body=_body(_object({"code": TEXT, "username": TEXT, "password": TEXT,
                                "center_name": TEXT, "opens_at": TEXT, "closes_at": TEXT,
                                "workdays": {"type": "array", "items": INT}, "demo": BOOL},
                               ("code", "username", "password"))),
            errors=(403, 409, 429))},
        "/settings": {
            "get": _operation("api.get_settings", "Read the settings in force, with their version",
                              "admin", admin, {200: _json("the settings", ref("Settings"))}),
            "patch": _operation(
                "api.patch_settings",
                "Change settings (JSON merge patch; a list replaces the whole list); live at once",
                "admin", admin, {200: _json("the settings now", ref("Settings"))},
                parameters=[IF_MATCH], body=_body(SETTINGS_BODY), errors=(409,)),
        },
        "/settings/speech": {"get": _operation(
            "api.speech_settings", "Read the voice in force (an announcer refetches it)",
            "admin", ("admin", "announcer"), {200: _json("the speech settings", SECTION)})},
        "/settings/speech-test": {"post": _operation(
            "api.speech_test", "Play a call through the announcers with these speech settings",
            "admin", admin, {200: _json("the sentence, and how many announcers heard it",
                                        _object({"text": TEXT, "announcers": INT},
                                                ("text", "announcers")))},
            body=_body(_object({"label": TEXT, "counter": INT, "speech": SECTION}),
                       required=False))},
        "/closed-days": {"get": _operation(
            "api.closed_days", "List the days of a year the center is closed (holidays)",
            "admin", (), {200: _json("the closed days", {"type": "array",
                                                         "items": ref("ClosedDay")})},
            parameters=[{"name": "year", "in": "query",
                         "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}}],
            errors=(422,))},
        "/users": {
            "get": _operation("api.list_users", "List the people who log in", "admin", admin,
                              {200: _json("the people", _list("User"))}),
            "post": _operation("api.add_user", "Add a person", "admin", admin,
                               {201: _json("the person", ref("User"))},
                               body=_body(_object({"username": TEXT, "password": TEXT,
                                                   "role": {"enum": ["staff", "manager", "admin"]},
                                                   "counter": _nullable(INT)},
                                                  ("username", "password", "role"))),
                               errors=(409,)),
        },
        "/users/{username}": {"patch": _operation(
            "api.update_user", "Change a person's role, counter, password; disable or enable",
            "admin", admin, {200: _json("the person", ref("User"))}, parameters=[USERNAME],
            body=_body(_object({"role": {"enum": ["staff", "manager", "admin"]},
                                "counter": _nullable(INT), "disabled": BOOL, "password": TEXT})),
            errors=(404, 409))},
        "/tokens": {"get": _operation(
            "api.list_tokens", "List the live device tokens (never the tokens themselves)",
            "admin", admin, {200: _json("the device tokens", _list("Token"))})},
        "/tokens/{token_id}": {
            "delete": _operation(
                "api.revoke_token", "Revoke a device token; its connections are dropped",
                "admin", admin, {200: _json("what was revoked", _object({
                    "revoked": {"type": "array", "items": INT}, "connections_dropped": INT},
                    ("revoked", "connections_dropped")))},
                parameters=[TOKEN_ID], errors=(404,)),
            "patch": _operation(
                "api.rename_token", "Rename a device", "admin", admin,
                {200: _json("the device token", ref("Token"))}, parameters=[TOKEN_ID],
                body=_body(_object({"name": TEXT}, ("name",))), errors=(404,)),
        },
        "/pairing": {
            "post": _operation(
                "api.start_pairing", "A device without a token asks for a 6-digit code",
                "admin", (), {201: _json("the pairing", ref("PairingStarted"))},
                body=_body(_object({"device": {"enum": ["kiosk", "display", "rating",
                                                        "announcer", "keypad", "lookup"]},
                                    "name": _nullable(TEXT)}, ("device",))),
                errors=(429,)),
            "get": _operation(
                "api.pending_pairings", "List the devices showing a code now", "admin", admin,
                {200: _json("the devices waiting", _list("PendingPairing"))}),
        },
        "/pairing/{pairing_id}": {"get": _operation(
            "api.collect_pairing", "Waiting, or the device's token once after approval",
            "admin", (), {200: _json("the pairing's state", ref("PairingState"))},
            parameters=[PAIRING_ID], errors=(404,))},
        "/kiosk/test-print": {"post": _operation(
            "kiosk.test_print", "Print a sample ticket on the core's printer", "admin", admin,
            {200: _json("how the printing went", ref("Print"))})},
        "/pairing/approve": {"post": _operation(
            "api.approve_pairing", "Let the device showing a code in, with a role and counter",
            "admin", admin, {200: _json("the device approved", _object({
                "device": TEXT, "name": TEXT, "role": TEXT, "counter": _nullable(INT)},
                ("device", "name", "role", "counter")))},
            body=_body(_object({"code": TEXT, "role": TEXT, "counter": _nullable(INT),
                                "name": _nullable(TEXT)}, ("code", "role"))),
            errors=(404, 429))},
    }


def build_document(*, version: str, server_url: str = PREFIX) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document; paths are relative to `server_url`."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "xephang queue core",
            "version": version,
            "description": "The REST API of the queue core (CONTRACT.md). Every 4xx body is "
                           '{"error": {"code", "message"}}; the message is Vietnamese unless '
                           "Accept-Language asks for English. Real-time events go over "
                           "Socket.IO, outside this document.",
        },
        "servers": [{"url": server_url}],
        "paths": copy.deepcopy(_paths()),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "a device token from `xephang token create`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "xephang_session",
                            "description": "a person's session from POST /auth/login; "
                                           "changes also need the X-CSRFToken header"},
            },
        },
    }


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    """Return the (METHOD, full path) pairs a document describes, e.g. ('GET', '/api/v1/state')."""
    found = set()
    for path, methods in document["paths"].items():
        for method in methods:
            found.add((method.upper(), PREFIX + path))
    return found


__all__ = ["PREFIX", "SCHEMAS", "build_document", "operations", "ref"]
