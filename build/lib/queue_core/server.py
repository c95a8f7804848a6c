"""Run the core: gunicorn (gthread, one worker) in threading mode, eventlet's server otherwise.

One worker, because Socket.IO needs every client of a room in one process; threads
serve the screens and counters concurrently.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .config import Settings


LOCAL_ANNOUNCER = "announcer@serve"


def run(settings: Settings) -> None:
    """Serve until stopped."""
    from .watchdog import hide_notify_socket

    # systemd hears READY=1 from the serving worker, not from gunicorn's arbiter.
    hide_notify_socket()
    if settings.server.async_mode == "eventlet":
        _run_eventlet(settings)
    else:
        start_local_announcer(settings)
        _run_gunicorn(settings)


def start_local_announcer(settings: Settings) -> Any:
    """Run the announcer beside the core when the loudspeaker hangs on this box.

    Speech lives in a supervised child process, so a crash in the speech engine never
    touches the queue. Each start gets a fresh token; the previous one is revoked.
    """
    hardware = settings.hardware
    if not hardware.speaker_attached or hardware.audio == "none":
        return None
    import atexit

    from announcer.supervisor import AnnouncerProcess

    from . import auth
    from .clock import SystemClock
    from .store import Store

    store = Store.in_data_dir(settings.data_path)
    try:
        now = SystemClock().now()
        auth.revoke_tokens(store, LOCAL_ANNOUNCER, now=now)
        token = auth.create_token(store, LOCAL_ANNOUNCER, role="announcer", counter=None, now=now)
    finally:
        store.close()
    host = settings.server.host
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    child = AnnouncerProcess(f"http://{host}:{settings.server.port}", token,
                             config_file=settings.config_file,
                             data_dir=str(settings.data_path.resolve()))
    child.start()
    atexit.register(child.stop)
    return child


def _run_gunicorn(settings: Settings) -> None:
    from gunicorn.app.base import BaseApplication

    class Appliance(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{settings.server.host}:{settings.server.port}",
                "workers": 1,
                "worker_class": "gthread",
                "threads": settings.server.threads,
                # Websocket connections live for weeks; the gthread worker must not time them out.
                "timeout": 0,
                "graceful_timeout": 5,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": os.environ.get("XEPHANG_LOG_LEVEL", "info"),
                "proc_name": "xephang",
                "post_worker_init": _worker_ready,
            }
            # No control socket: it would write under $HOME, which a hardened service cannot.
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .web import create_app

            return create_app(settings, background=True)

    Appliance().run()


def _worker_ready(worker: Any) -> None:
    """Tell systemd the core serves, once the worker has loaded the app."""
    from .watchdog import Notifier
    from .web.upkeep import WATCHDOG_EXTENSION

    app = getattr(worker, "wsgi", None)
    notifier = app.extensions.get(WATCHDOG_EXTENSION) if app is not None else None
    (notifier or Notifier()).ready(f"serving on {','.join(worker.cfg.bind)}")


def _run_eventlet(settings: Settings) -> None:
    # eventlet must patch the standard library before anything else imports it.
    # -P: a `queue_core/` folder in the working directory must not shadow the installed package.
    os.execv(sys.executable, [sys.executable, "-P", "-m", "queue_core.eventlet_server",
                              "--config", settings.config_file or "",
                              "--data-dir", settings.server.data_dir,
                              "--host", settings.server.host, "--port", str(settings.server.port)])
