"""`create_app`: the one composition root of the core's web side.

It builds one independent appliance (its own database, center, Socket.IO server and hub)
and is the only place that wires the kiosk's and the displays' web parts, the core's
printer and the serving core's upkeep into it.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from display.web import blueprint as display_pages
from announcer.synthesis import Synthesizer
from kiosk.web import attach_printing, attach_speech
from kiosk.web import blueprint as kiosk_pages
from queue_core.config import LiveSettings, Settings, load_settings
from queue_core.domain import vocabulary
from queue_core.domain.clock import Clock, SystemClock
from queue_core.domain.errors import StorageFull
from queue_core.ops import upkeep
from queue_core.ops.relay import Relay
from queue_core.ops.watchdog import Notifier
from queue_core.service.center import Center, open_center
from queue_core.service.auth import LoginLimits
from queue_core.service.kiosks import KioskLimit
from queue_core.service.pairing import Pairings
from queue_core.service.settings import ConsoleSettings
from queue_core.service.throttle import Throttle
from queue_core.web import errors, headers
from queue_core.web.admin import admin_pages
from queue_core.web.api import api
from queue_core.web.api.audit import audit_api
from queue_core.web.api.dossiers import dossiers_api
from queue_core.web.api.openapi import openapi_api
from queue_core.web.api.procedures import procedures_api
from queue_core.web.api.stats import stats_api
from queue_core.web.api.stats import warm_up as summarise_past_days
from queue_core.web.api.webhooks import webhooks_api
from queue_core.web.console import staff_pages
from queue_core.web.dashboard import manager_pages
from queue_core.web.pages import pages
from queue_core.web.realtime import Hub
from queue_core.web.realtime_asyncio import flask_socketio_mode

if TYPE_CHECKING:
    from queue_core.storage import Store

log = logging.getLogger("xephang")


@dataclass
class Xephang:
    """What one app owns; found as `app.extensions["xephang"]`."""

    live: LiveSettings
    store: Store
    center: Center
    hub: Hub
    socketio: SocketIO
    login_limits: LoginLimits
    kiosk_limit: KioskLimit
    console: ConsoleSettings | None = None
    pairings: Pairings | None = None
    setup_throttle: Throttle | None = None
    # Delivers the outbox to webhooks and the hub (started only by a serving app).
    relay: Relay | None = None

    @property
    def settings(self) -> Settings:
        """The settings in force now (the admin console changes them while serving)."""
        return self.live.current


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
    live = LiveSettings(settings)
    center = open_center(live, store=store, clock=clock)
    store = center.store
    # The console's saved changes over the file's settings, in force before anything serves.
    console = ConsoleSettings(live, store, base=settings, clock=center.clock.now,
                              guard=center.publishing, bump=True)
    console.load()
    # Short pings: a screen notices a dead link within seconds and shows it.
    socketio = SocketIO(app, async_mode=flask_socketio_mode(settings.server.async_mode),
                        ping_interval=10, ping_timeout=20)
    hub = Hub(socketio, center, live.current)
    center.publish = hub.publish
    live.listen(hub.settings_changed)
    security = settings.security
    kiosk_limit = KioskLimit(settings.kiosk.tickets_per_minute)

    def kiosk_limit_changed(old: Settings, new: Settings) -> None:
        # The admin console changed the kiosk's rate: the next press counts against it.
        kiosk_limit.throttle.limit = new.kiosk.tickets_per_minute

    live.listen(kiosk_limit_changed)
    app.extensions["xephang"] = Xephang(
        live, store, center, hub, socketio,
        LoginLimits(per_name=security.login_attempts_per_minute,
                    per_address=security.login_attempts_per_address_per_minute),
        kiosk_limit, console, Pairings(store), Throttle(limit=5, window=60))
    CSRFProtect(app)
    errors.register(app)
    for blueprint in (api, pages, stats_api, openapi_api, manager_pages, display_pages,
                      kiosk_pages, staff_pages, audit_api, procedures_api, dossiers_api,
                      webhooks_api, admin_pages):
        app.register_blueprint(blueprint)
    attach_printing(app, background=background)
    # The kiosk says its numbers with the announcer's engine and cache; the command line
    # espeak-ng only, so this process never holds a second pyttsx3 engine.
    attach_speech(app, lambda: Synthesizer.from_settings(live.current, engine_factory=None))
    # Every page reads the citizens' words from the one vocabulary.
    app.jinja_env.globals["vocabulary"] = vocabulary

    @app.context_processor
    def demo_mode() -> dict[str, bool]:
        return {"demo_mode": live.current.center.demo}

    headers.install(app)
    if background:
        socketio.start_background_task(_day_keeper, app)
        socketio.start_background_task(_connection_keeper, app)
        start_upkeep(app)
        start_relay(app)
        # Past days not summarised yet (after an upgrade, or changed since) are counted now,
        # in the background, so the first statistics request reads summaries.
        with app.app_context():
            summarise_past_days()
    return app


def _connection_keeper(app: Flask) -> None:
    """Drop connections whose credential ended elsewhere (a token revoked or a person
    disabled from the command line, a logout in another browser)."""
    xephang: Xephang = app.extensions["xephang"]
    while True:
        xephang.socketio.sleep(10)
        try:
            xephang.hub.sweep()
        except Exception:
            log.exception("checking live connections failed; trying again shortly")


def _day_keeper(app: Flask) -> None:
    """Expire tickets left waiting after closing; runs for the life of the server."""
    xephang: Xephang = app.extensions["xephang"]
    while True:
        try:
            closed = xephang.center.close_day()
            if closed:
                log.info("closed %d tickets left from the business day", closed)
        except StorageFull:
            log.warning("storage full: the day is closed once space returns")
        except Exception:
            log.exception("closing the day failed; trying again in a minute")
        xephang.socketio.sleep(30)


def socketio_of(app: Flask) -> SocketIO:
    socketio: SocketIO = app.extensions["xephang"].socketio
    return socketio





def start_relay(app: Flask) -> Relay:
    """Start delivering the outbox to the configured webhooks and hub, on `app`'s server."""
    xephang: Xephang = app.extensions["xephang"]
    zone = ZoneInfo(xephang.settings.center.timezone)
    # Back-off waits are real seconds, whatever clock the center is given.
    relay = Relay(xephang.settings, xephang.store, now=SystemClock(zone).now)
    xephang.relay = relay
    xephang.center.outbox_grew = relay.wake
    relay.start(xephang.socketio.start_background_task)
    return relay


def start_upkeep(app: Flask, *, notifier: Notifier | None = None) -> Notifier:
    """Start the serving core's heartbeat, nightly backup and retention on `app`'s server."""
    xephang: Xephang = app.extensions["xephang"]
    notifier = upkeep.start_upkeep(xephang.settings, xephang.center,
                                   start_task=xephang.socketio.start_background_task,
                                   sleep=xephang.socketio.sleep, notifier=notifier)
    app.extensions[upkeep.WATCHDOG_EXTENSION] = notifier
    return notifier


__all__ = ["Xephang", "create_app", "socketio_of", "start_relay", "start_upkeep"]
