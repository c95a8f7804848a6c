"""The `asyncio` serving model (the default): one process, one event loop, a bounded REST pool.

uvicorn accepts every connection on an asyncio loop. Socket.IO (screens, consoles,
devices, citizens' phones) stays on the loop: an idle websocket costs about 50 KB
and no thread, so thousands are held. Each REST request, and each Socket.IO handler,
runs on a pool of `server.request_threads` threads, exactly as under a threaded server: a
slow SQLite write or a long statistics query never stalls the loop, and no number of
websockets can take the threads away from the counters (`limits.Guard`).

There is no arbiter process: the serving process is the one systemd watches; it says
READY=1 once it listens and beats the watchdog from the app's own health check.
The process runs its cycle collector on the loop's schedule (`collector.Collector`), so
no collection pause grows with the number of open connections.
SIGTERM (or SIGINT) closes the listening socket, lets requests in flight finish for a
few seconds, closes the websockets and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from queue_core.config import Settings
from queue_core.ops.serving.limits import ConnectionLimits, Guard, with_header_timeout
from queue_core.ops.serving.types import AppFactory, RealtimeFactory

log = logging.getLogger("xephang")

GRACEFUL_SECONDS = 5


def build(settings: Settings, app: Any, realtime_factory: RealtimeFactory) -> Guard:
    """Build the ASGI application around the Flask `app` and its Socket.IO handlers."""
    from a2wsgi import WSGIMiddleware

    server = settings.server
    # Socket.IO handlers (connect, subscribe: short, may read SQLite) get a pool of their
    # own, the REST API another of the same size (a2wsgi's): a storm of reconnecting
    # screens never takes a thread from a counter's call.
    pool = ThreadPoolExecutor(max_workers=server.request_threads, thread_name_prefix="socketio")
    realtime = realtime_factory(app, pool)
    rest: Any = WSGIMiddleware(terminated_chunked_input(app), workers=server.request_threads)
    return Guard(realtime.asgi_app(other=rest), rest, ConnectionLimits(
        server.max_connections, server.max_connections_per_address),
        rest_threads=server.request_threads, body_timeout=server.body_timeout_seconds,
        engineio_server=realtime.engineio)


def terminated_chunked_input(wsgi_app: Any) -> Any:
    """Let the app read a chunked body (the ASGI body ends at the last chunk).

    Without `wsgi.input_terminated` Werkzeug reads a body without a Content-Length as
    empty; with it, a chunked body past the size limit is 413 as under the other servers.
    """

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            environ["wsgi.input_terminated"] = True
        return wsgi_app(environ, start_response)

    return app


def run(settings: Settings, app_factory: AppFactory, realtime_factory: RealtimeFactory, *,
        when_listening: Callable[[], Any] = lambda: None) -> None:
    """Serve `app_factory(settings, background=True)` until SIGTERM or SIGINT.

    `when_listening()` runs on the loop once the socket listens, before any client is served
    (they wait in the backlog meanwhile: it is meant for quick work such as starting a thread).
    """
    import uvicorn

    from queue_core.ops.serving.collector import Collector
    from queue_core.ops.upkeep import WATCHDOG_EXTENSION
    from queue_core.ops.watchdog import Notifier

    server = settings.server
    # uvicorn handles SIGTERM and SIGINT while it serves, then raises the signal again
    # for whoever handled it before: here, a plain exit, so atexit work (the in-process
    # announcer) runs and the status is 0. Before it serves, the same ends the start.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _exit_cleanly)
    app = app_factory(settings, background=True)
    guard = build(settings, app, realtime_factory)
    notifier = app.extensions.get(WATCHDOG_EXTENSION) or Notifier()
    # Thousands of open connections would make every collection a pause the counters feel.
    collector = Collector(closed=lambda: guard.limits.closed_in_all,
                          open_now=lambda: guard.limits.open)

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:
                collector.start(asyncio.get_running_loop())
                when_listening()
                # systemd hears READY=1 once the socket listens and the app is built.
                notifier.ready(f"serving on {server.host}:{server.port}")

        async def shutdown(self, sockets: Any = None) -> None:
            collector.stop()
            await super().shutdown(sockets)

    config = uvicorn.Config(
        guard, host=server.host, port=server.port, lifespan="on",
        http=with_header_timeout(server.header_timeout_seconds), ws="wsproto",
        # Engine.IO pings every client itself; a second ping layer would only cost.
        ws_ping_interval=None, ws_ping_timeout=None, ws_max_size=1024 * 1024,
        timeout_keep_alive=5, timeout_graceful_shutdown=GRACEFUL_SECONDS,
        backlog=2048, access_log=False, server_header=False,
        log_level=os.environ.get("XEPHANG_LOG_LEVEL", "info").lower())
    Server(config).run()


def _exit_cleanly(signum: int, frame: Any) -> None:
    raise SystemExit(0)
