"""`create_app`: the hub's one composition root (database, background counting, routes).

The hub is its own service: it shares no process, database or session with a box. Its pages
look like the box's manager page because they load the same stylesheets and the same
vendored Chart.js, served from the box's package folder (nothing from a CDN).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

from hardware.fonts import FONT_DIR

from ...domain import vocabulary
from ...domain.clock import VIETNAM, Clock, SystemClock
from ...domain.errors import XephangError
from ...domain.messages import render
from ..aggregate import Aggregator
from ..ingest import Partitions
from ..storage import accounts as account_rows
from ..storage.database import Database, DatabaseUnavailable
from ..storage.migrations import migrate
from .api import api
from .pages import pages
from .security import anyone

log = logging.getLogger("xephang.hub")

# The box's own stylesheets and vendored scripts (Chart.js, chartjs-chart-matrix).
BOX_WEB = Path(str(resources.files("queue_core"))) / "web"
BOX_STATIC = BOX_WEB / "static"
BOX_TEMPLATES = BOX_WEB / "templates"
DEFAULT_TITLE = "Các Trung tâm Phục vụ Hành chính công trong tỉnh"
MAX_BODY = 8 * 1024 * 1024

HTTP_CODES = {400: "malformed_request", 401: "unauthorized", 403: "forbidden",
              404: "unknown_route", 405: "method_not_allowed", 413: "payload_too_large",
              429: "too_many_requests"}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    # No inline script anywhere: the pages' settings travel as application/json data.
    # No 'unsafe-eval' either, as on the box: nothing evaluates text as code.
    "Content-Security-Policy": "default-src 'self'; script-src 'self';"
                               " style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
                               " font-src 'self' data:; object-src 'none'; base-uri 'self';"
                               " form-action 'self'; frame-ancestors 'self'",
}


@dataclass
class Hub:
    """What one hub app owns; found as `app.extensions["xephang_hub"]`."""

    db: Database
    clock: Clock
    partitions: Partitions = field(default_factory=Partitions)
    title: str = DEFAULT_TITLE
    aggregator: Aggregator | None = None

    def today(self) -> str:
        return self.clock.now().astimezone(VIETNAM).date().isoformat()


# Named "pages" like the box's, so the box's base layout and partials work unchanged here.
box_assets = Blueprint("pages", __name__, static_folder=str(BOX_STATIC),
                       static_url_path="/static/core", template_folder=str(BOX_TEMPLATES))


@box_assets.get("/static/fonts/<path:name>")
@anyone
def font(name: str) -> Response:
    """Serve the bundled fonts the box's stylesheet names."""
    return send_from_directory(FONT_DIR, name, max_age=86400)


def _language() -> str:
    return "en" if request.accept_languages.best_match(["vi", "en"]) == "en" else "vi"


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(XephangError)
    def known(error: XephangError) -> Response:
        return _error(error.status, error.code, error.message(_language()))

    @app.errorhandler(DatabaseUnavailable)
    def database_down(error: DatabaseUnavailable) -> Response:
        log.warning("PostgreSQL unavailable: %s", error)
        response = _error(503, "database_unavailable", render("database_unavailable", _language()))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = HTTP_CODES.get(error.code or 500, "internal_error")
        return _error(error.code or 500, code, render(code, _language(),
                                                      reason=error.description or "",
                                                      limit=MAX_BODY // 1024))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _error(500, "internal_error", render("internal_error", _language()))


def create_app(database: Database | str, *, clock: Clock | None = None,
               background: bool = False, title: str | None = None,
               test_config: dict[str, Any] | None = None) -> Flask:
    """Build one hub: upgrade its database, and serve the API and the dashboard."""
    db = database if isinstance(database, Database) else Database(database).open()
    with db.transaction() as conn:
        migrate(conn)
        secret = account_rows.session_key(conn)
    hub = Hub(db, clock or SystemClock(VIETNAM), title=title or DEFAULT_TITLE)
    hub.partitions.ahead(db, hub.clock.now().date())
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="xephang_hub_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["xephang_hub"] = hub
    # The box's statistics words (stats_text.html) read the one vocabulary, as on the box.
    app.jinja_env.globals["vocabulary"] = vocabulary
    _register_errors(app)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(box_assets)

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if background:
        hub.aggregator = Aggregator(db, hub.partitions, clock=hub.clock.now).start()
    return app


__all__ = ["BOX_STATIC", "BOX_TEMPLATES", "Hub", "create_app"]
