"""What serving is handed by its composition root: the app factory and the Socket.IO server.

Serving never imports the web layer (`queue_core.web.app` builds the app,
`queue_core.web.realtime_asyncio` the asyncio Socket.IO server around its handlers);
`xephang serve` passes both in.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, Protocol

AppFactory = Callable[..., Any]


class RealtimeServer(Protocol):
    """The asyncio mode's Socket.IO server, serving the app's own handlers."""

    @property
    def engineio(self) -> Any:
        """The Engine.IO server under it (the limits count its polling sessions)."""

    def asgi_app(self, other: Any) -> Any:
        """The ASGI application: Socket.IO under /socket.io/, everything else to `other`."""


RealtimeFactory = Callable[[Any, Executor], RealtimeServer]
