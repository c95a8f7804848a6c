"""The web side of the queue core: app factory, REST API, Socket.IO hub, pages."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect
from display.pages import blueprint as display_pages

from ..center import Center
from ..clock import Clock
from ..config import Settings, load_settings
from ..store import Store
from . import errors
from .api import api
from .hub import Hub
from .manager import manager_pages
from .openapi_api import openapi_api
from .pages import pages
from .security import Throttle
from .staff import staff_pages
from .stats_api import stats_api

log = logging.getLogger("xephang")


@dataclass
class Xephang:
    """What one app owns; found as `app.extensions["xephang"]`."""

    settings: Settings
    store: Store
    center: Center
    hub: Hub
    socketio: SocketIO
    login_throttle: Throttle


def _secret_key(settings: Settings) -> str:
    """Return the configured key, or one kept in the data dir so sessions survive restarts."""
    if settings.server.secret_key:
        return settings.server.secret_key
    path = settings.data_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               store: Store | None = None, background: bool = False,
               test_config: dict[str, Any] | None = None) -> Flask:
    """Build one independent appliance: its own database, Socket.IO server and hub."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="xephang_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # A counter page stays open all day; the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.from_mapping(test_config)
    store = store or Store.in_data_dir(settings.data_path)
    center = Center(settings, store, clock=clock)
    # Short pings: a screen notices a dead link within seconds and shows it.
    socketio = SocketIO(app, async_mode=settings.server.async_mode, ping_interval=10,
                        ping_timeout=20)
    hub = Hub(socketio, center, store, settings)
    center.publish = hub.publish
    app.extensions["xephang"] = Xephang(settings, store, center, hub, socketio,
                                        Throttle(limit=5, window=60))
    CSRFProtect(app)
    errors.register(app)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(stats_api)
    app.register_blueprint(openapi_api)
    app.register_blueprint(manager_pages)
    app.register_blueprint(display_pages)
    # Imported here: the kiosk's pages use this package's security helpers.
    from kiosk.pages import blueprint as kiosk_pages
    from kiosk.printing import attach_printing

    app.register_blueprint(kiosk_pages)
    attach_printing(app, background=background)
    app.register_blueprint(staff_pages)
    from . import headers
    from .audit_api import audit_api

    app.register_blueprint(audit_api)
    headers.install(app)
    if background:
        socketio.start_background_task(_day_keeper, app)
        from .upkeep import start_upkeep

        start_upkeep(app)
    return app


def _day_keeper(app: Flask) -> None:
    """Expire tickets left waiting after closing; runs for the life of the server."""
    xephang: Xephang = app.extensions["xephang"]
    while True:
        try:
            closed = xephang.center.close_day()
            if closed:
                log.info("closed %d tickets left from the business day", closed)
        except Exception:
            log.exception("closing the day failed; trying again in a minute")
        xephang.socketio.sleep(30)


def socketio_of(app: Flask) -> SocketIO:
    socketio: SocketIO = app.extensions["xephang"].socketio
    return socketio


__all__ = ["Path", "Xephang", "create_app", "socketio_of"]
