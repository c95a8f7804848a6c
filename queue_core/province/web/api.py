"""The hub's REST API under /api/v1. Each route says who may call it (`security`).

| method and path | who |
|---|---|
| `GET /health` | anyone |
| `POST /ingest` | a center's box (center token) |
| `POST /auth/login`, `POST /auth/logout` | anyone (JSON bodies only) |
| `GET /auth/me`, `GET /centers`, `GET /centers/{code}/stats`, `GET /stats`, `GET /compare/centers`, `GET /compare/weeks`, `GET /reports/monthly.xlsx` | viewer token or person; one bound to a center reads only that center |
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, session

from ... import __version__
from .. import accounts, figures, ingest, report
from ...domain.errors import InvalidInput, MalformedRequest, Unauthorized
from ..protocol import BadBatch
from .security import SESSION_USER, anyone, boxes, current_principal, readers, require_json

api = Blueprint("hub_api", __name__, url_prefix="/api/v1")


def _hub() -> Any:
    return current_app.extensions["xephang_hub"]


def _principal() -> accounts.Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    return principal


def _json_body() -> Any:
    require_json()
    body = request.get_json(silent=True)
    if body is None:
        raise MalformedRequest(reason="the body is not valid JSON")
    return body


def _period() -> tuple[str, str]:
    today = _hub().today()
    date_from = request.args.get("from") or request.args.get("to") or today
    date_to = request.args.get("to") or date_from
    return date_from, date_to


@api.get("/health")
@anyone
def health() -> Response:
    database = _hub().db.reachable()
    answer = jsonify({"status": "ok" if database else "degraded",
                      "database": "ok" if database else "unavailable", "version": __version__})
    answer.status_code = 200 if database else 503
    return answer


@api.post("/ingest")
@boxes
def post_ingest() -> Response:
    hub = _hub()
    body = _json_body()
    center_id = _principal().center_id
    assert center_id is not None  # a center token always names its center
    try:
        outcome = ingest.ingest(hub.db, hub.partitions, center_id=center_id, body=body,
                                now=hub.clock.now())
    except BadBatch as bad:
        raise MalformedRequest(reason=f"'{bad.field}': {bad.reason}") from None
    return jsonify(outcome.as_json())


@api.post("/auth/login")
@anyone
def login() -> Response:
    hub = _hub()
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username:
        raise InvalidInput(field="username", reason="required")
    if not isinstance(password, str) or not password:
        raise InvalidInput(field="password", reason="required")
    person = accounts.authenticate(hub.db, username, password,
                                   address=request.remote_addr or "", now=hub.clock.now())
    if person is None:
        raise Unauthorized("bad_credentials")
    session.clear()
    session[SESSION_USER] = person.name
    session.permanent = True
    return jsonify({"user": person.name, "center": person.center_code})


@api.post("/auth/logout")
@anyone
def logout() -> Response:
    require_json()
    session.clear()
    return jsonify({"ok": True})


@api.get("/auth/me")
@readers
def me() -> Response:
    principal = _principal()
    return jsonify({"name": principal.name, "kind": principal.kind,
                    "center": principal.center_code})


@api.get("/centers")
@readers
def centers() -> Response:
    return jsonify(figures.overview(_hub().db, _principal(), now=_hub().clock.now()))


@api.get("/centers/<code>/stats")
@readers
def center_stats(code: str) -> Response:
    date_from, date_to = _period()
    return jsonify(figures.center_stats(_hub().db, _principal(), code, date_from, date_to))


@api.get("/stats")
@readers
def stats() -> Response:
    date_from, date_to = _period()
    return jsonify(figures.province_stats(_hub().db, _principal(), date_from, date_to,
                                          request.args.get("center") or None))


@api.get("/compare/centers")
@readers
def compare_centers() -> Response:
    date_from, date_to = _period()
    return jsonify(figures.compare_centers(_hub().db, _principal(), date_from, date_to))


@api.get("/compare/weeks")
@readers
def compare_weeks() -> Response:
    from datetime import date

    raw = request.args.get("weeks", "12")
    if not raw.isdigit():
        raise InvalidInput(field="weeks", reason="1 to 53")
    return jsonify(figures.compare_weeks(_hub().db, _principal(), weeks=int(raw),
                                         today=date.fromisoformat(_hub().today()),
                                         center=request.args.get("center") or None))


@api.get("/reports/monthly.xlsx")
@readers
def monthly_report() -> Response:
    hub = _hub()
    month = request.args.get("month") or hub.today()[:7]
    date_from, date_to = figures.month_range(month)
    compared = figures.compare_centers(hub.db, _principal(), date_from, date_to)
    body = report.monthly_xlsx(compared, month=month, title=hub.title, made_at=hub.clock.now())
    return Response(body, mimetype=report.XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="bao-cao-thang-{month}.xlsx"'})


__all__ = ["api"]
