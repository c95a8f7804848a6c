"""Serve the core: asyncio (uvicorn, the default), gunicorn gthread (threading) or eventlet.

One process, because Socket.IO needs every client of a room in one process. In asyncio
mode (`queue_core.ops.serving`) websockets live on one event loop and the REST API on a
bounded thread pool; in threading mode gunicorn's gthread worker gives every request and
every websocket a thread. The app comes from the factory the caller passes
(`queue_core.web.app.create_app`), and so does the Socket.IO server of the asyncio mode:
serving knows nothing of the web layer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from queue_core.config import Settings
from queue_core.ops.serving.files import raise_open_file_limit
from queue_core.ops.serving.types import AppFactory, RealtimeFactory
from queue_core.ops.upkeep import WATCHDOG_EXTENSION
from queue_core.ops.watchdog import Notifier, hide_notify_socket


def run(settings: Settings, app_factory: AppFactory, *, eventlet_entry: str,
        realtime: RealtimeFactory | None = None,
        beside: Callable[[Settings], Any] = lambda settings: None) -> None:
    """Serve until stopped; `beside(settings)` starts what runs next to the server.

    `beside` runs once the server's socket listens, so what it starts (the loudspeaker's
    announcer, a client of this server) finds it there instead of being refused at first.

    `realtime(app, pool)` is the asyncio mode's Socket.IO server around the app's handlers.
    In eventlet mode the process becomes `python -m eventlet_entry`, which starts its own.
    """
    # systemd hears READY=1 from the serving worker, not from gunicorn's arbiter.
    hide_notify_socket()
    # Every open connection is a file; the limit carries over to eventlet's exec and
    # gunicorn's worker.
    raise_open_file_limit(settings.server.max_connections)
    if settings.server.async_mode == "eventlet":
        exec_eventlet(settings, entry=eventlet_entry)
    elif settings.server.async_mode == "threading":
        run_gunicorn(settings, app_factory, when_listening=lambda: beside(settings))
    else:
        from queue_core.ops.serving import asgi

        if realtime is None:
            raise ValueError("asyncio mode needs the realtime server factory")
        asgi.run(settings, app_factory, realtime, when_listening=lambda: beside(settings))


def run_gunicorn(settings: Settings, app_factory: AppFactory,
                 when_listening: Callable[[], Any] = lambda: None) -> None:
    """Serve `app_factory(settings, background=True)` with gunicorn until stopped.

    `when_listening()` runs in the arbiter once its socket is bound, before the worker starts:
    a client connecting then waits in the socket's backlog instead of being refused.
    """
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
                "when_ready": lambda arbiter: when_listening(),
            }
            # No control socket: it would write under $HOME, which a hardened service cannot.
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app_factory(settings, background=True)

    Appliance().run()


def _worker_ready(worker: Any) -> None:
    """Tell systemd the core serves, once the worker has loaded the app."""
    app = getattr(worker, "wsgi", None)
    notifier = app.extensions.get(WATCHDOG_EXTENSION) if app is not None else None
    (notifier or Notifier()).ready(f"serving on {','.join(worker.cfg.bind)}")


def exec_eventlet(settings: Settings, *, entry: str) -> None:
    """Replace this process with eventlet's server, started from the module `entry`."""
    # eventlet must patch the standard library before anything else imports it.
    # -P: a `queue_core/` folder in the working directory must not shadow the installed package.
    os.execv(sys.executable, [sys.executable, "-P", "-m", entry,
                              "--config", settings.config_file or "",
                              "--data-dir", settings.server.data_dir,
                              "--host", settings.server.host, "--port", str(settings.server.port)])
