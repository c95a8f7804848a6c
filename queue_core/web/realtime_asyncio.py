"""Serve the app's Socket.IO handlers from an asyncio server, the REST API staying on threads.

In `asyncio` mode every websocket lives on one event loop (python-socketio's
`AsyncServer`), so an idle screen or phone costs about 50 KB and no thread. The
handlers are the app's own, registered through Flask-SocketIO as in every other mode
(the hub does not know which server runs it): `AsyncRealtime` takes the place of the
synchronous server inside the app's `SocketIO` object and

* runs each handler on the REST thread pool, inside the app and request context
  Flask-SocketIO gives it, so a handler may read the database like any view;
* forwards `emit`, `enter_room` and `leave_room` from those threads to the loop. Emits go
  through one queue in the order they were made, so events pushed after commit keep
  their `seq` order, and what a handler emits reaches its client before the handler's
  acknowledgement; a room of thousands is told a slice at a time, so requests are
  answered in between;
* sends what carries no `seq` and may come late (a ticket page's place in the queue,
  `emit_when_quiet`) only while no ordered emit waits, a few at a time, so a round of
  thousands of places never stands between a call and the screens;
* starts background tasks as threads, as in threading mode.

>>> # realtime = for_app(app, pool)                 # in the serving process (xephang serve)
>>> # asgi_app = realtime.asgi_app(other=rest_asgi_app)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

log = logging.getLogger("xephang.realtime")

ASYNCIO_MODE = "asyncio"
NAMESPACE = "/"
# How long a handler's thread waits for the loop to join or leave a room.
ROOM_CHANGE_TIMEOUT = 10.0
# Clients told of an event before the loop serves anything else.
FAN_OUT_SLICE = 100
# Late messages (places) sent before the loop looks again for an ordered event: each wakes
# its client's writer, and an event that comes meanwhile waits behind those wake-ups.
LATE_SLICE = 20
# Screens and consoles are pinged every `ping_interval` seconds, so a dead link shows within
# seconds. A quiet page that asks for a relaxed pace (a citizen's ticket page: `?pace=relaxed`)
# is pinged this often instead: each ping wakes the loop twice, and thousands of phones
# pinged every 10 s kept a sixth of a core busy doing nothing else. The ping timeout gives
# such a client (which waits ping interval + timeout for the next ping) room for it.
RELAXED_PING_SECONDS = 30.0
PING_TIMEOUT_SECONDS = 30.0


def flask_socketio_mode(async_mode: str) -> str:
    """The async mode Flask-SocketIO is built in for the configured `server.async_mode`.

    In asyncio mode Flask-SocketIO only collects the handlers (threading mode needs no
    server library); `AsyncRealtime` serves them.
    """
    return "threading" if async_mode == ASYNCIO_MODE else async_mode


class AsyncRealtime:
    """The stand-in for Flask-SocketIO's server: handlers on `pool`, sockets on the loop."""

    def __init__(self, app: Any, flask_socketio: Any, pool: Executor, *,
                 ping_interval: float = 10, ping_timeout: float = PING_TIMEOUT_SECONDS,
                 max_message_bytes: int = 64 * 1024) -> None:
        import socketio

        self.app = app
        self.pool = pool
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sio = socketio.AsyncServer(async_mode="asgi", ping_interval=ping_interval,
                                        ping_timeout=ping_timeout,
                                        max_http_buffer_size=max_message_bytes)
        self._outbox: asyncio.Queue[tuple[Any, ...]] | None = None
        # Set while the ordered emitter waits on an empty outbox: the late messages' turn.
        self._idle: asyncio.Event | None = None
        self._late: asyncio.Queue[tuple[str, list[tuple[str, Any]]]] | None = None
        # The emitters' tasks, held here: the loop keeps only weak references to tasks.
        self._tasks: list[asyncio.Task[None]] = []
        synchronous = flask_socketio.server
        for event, handler in synchronous.handlers.get(NAMESPACE, {}).items():
            self.sio.on(event, self._on_loop(event, handler), namespace=NAMESPACE)
        # From here on, Flask-SocketIO's emit, join_room and background tasks come to us.
        flask_socketio.server = self

    @property
    def engineio(self) -> Any:
        """The Engine.IO server under Socket.IO."""
        return self.sio.eio

    # --- on the loop -----------------------------------------------------------------------

    def asgi_app(self, other: Any) -> Any:
        """The ASGI application: Socket.IO under /socket.io/, everything else to `other`."""
        import socketio

        return socketio.ASGIApp(self.sio, other_asgi_app=other, on_startup=self.start)

    async def start(self) -> None:
        """Bind to the running loop and start the ordered emitter (ASGI lifespan startup)."""
        self.loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue()
        self._idle = asyncio.Event()
        self._late = asyncio.Queue()
        self._tasks = [self.loop.create_task(self._send_in_order()),
                       self.loop.create_task(self._send_when_quiet())]

    async def _send_in_order(self) -> None:
        assert self._outbox is not None and self._idle is not None
        while True:
            if self._outbox.empty():
                self._idle.set()
            batch = [await self._outbox.get()]
            self._idle.clear()
            # The events of one operation come together: each client gets them in one go.
            while not self._outbox.empty() and not isinstance(batch[-1][0], asyncio.Future):
                batch.append(self._outbox.get_nowait())
            marker = batch.pop()[0] if isinstance(batch[-1][0], asyncio.Future) else None
            try:
                plain = [item for item in batch if item[2].get("callback") is None]
                if plain:
                    await self._fan_out(plain)
                for event, args, kwargs in batch:
                    if kwargs.get("callback") is not None:
                        await self.sio.emit(event, *args, **kwargs)
            except Exception:  # noqa: BLE001 - one bad emit must not stop the rest
                log.exception("could not push %s", [item[0] for item in batch])
            if marker is not None:
                marker.set_result(None)

    async def _send_when_quiet(self) -> None:
        """Send the late messages, a slice at a time, whenever the ordered outbox is empty."""
        assert self._late is not None and self._idle is not None and self._outbox is not None
        while True:
            event, messages = await self._late.get()
            for start in range(0, len(messages), LATE_SLICE):
                # The emitter may not have woken yet for what was just queued: let it go first.
                while not (self._idle.is_set() and self._outbox.empty()):
                    await self._idle.wait()
                    await asyncio.sleep(0)
                try:
                    await self._fan_out([(event, (data,), {"to": room})
                                         for room, data in messages[start:start + LATE_SLICE]])
                except Exception:  # noqa: BLE001 - one bad message must not stop the rest
                    log.exception("could not push %s", event)
                await asyncio.sleep(0)

    async def _fan_out(self, batch: list[tuple[Any, ...]]) -> None:
        """Send events to their rooms: each client gets its share in order, a slice at a time.

        python-socketio would start one task per recipient and event at once, and every
        request answered meanwhile would wait behind thousands of them. Here each packet is
        encoded once, each client is handed all the events of the batch meant for it, in
        the order they were emitted (its writer then wakes once for the lot), and the loop
        is given back after every `FAN_OUT_SLICE` clients, so a counter's call-next is
        answered while a hall full of phones is being told.
        """
        from engineio import packet as eio_packet
        from socketio import packet

        frames_for: dict[str, list[Any]] = {}
        for event, args, kwargs in batch:
            namespace = kwargs.get("namespace") or NAMESPACE
            skip = kwargs.get("skip_sid")
            skipped = set(skip) if isinstance(skip, list) else {skip}
            encoded = self.sio.packet_class(packet.EVENT, namespace=namespace,
                                            data=[event, *args]).encode()
            frames = [eio_packet.Packet(eio_packet.MESSAGE, part)
                      for part in (encoded if isinstance(encoded, list) else [encoded])]
            for sid, eio_sid in self.sio.manager.get_participants(namespace, kwargs.get("to")):
                if sid not in skipped:
                    frames_for.setdefault(eio_sid, []).extend(frames)
        for index, (eio_sid, frames) in enumerate(frames_for.items()):
            for frame in frames:
                await self.sio._send_eio_packet(eio_sid, frame)  # noqa: SLF001
            if index % FAN_OUT_SLICE == FAN_OUT_SLICE - 1:
                await asyncio.sleep(0)

    def _on_loop(self, event: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a Flask-SocketIO handler so the loop awaits it on the pool."""

        async def handle(sid: str, *args: Any) -> Any:
            assert self.loop is not None
            relaxed = False
            if event == "connect" and args:
                self._prepare_environ(args[0])
                relaxed = "pace=relaxed" in str(args[0].get("QUERY_STRING", ""))
            answer = await self.loop.run_in_executor(
                self.pool, functools.partial(handler, sid, *args))
            if relaxed and answer is not False:
                self._relax_pings(sid)
            await self._flushed()
            return answer

        handle.__name__ = f"on_{event}"
        return handle

    def _relax_pings(self, sid: str) -> None:
        """Ping this client every `RELAXED_PING_SECONDS` from its next ping on."""
        from engineio import packet as eio_packet

        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        link = self.sio.eio.sockets.get(eio_sid) if eio_sid else None
        if link is None:
            return

        async def send_ping() -> None:
            # python-engineio's own `_send_ping`, with this client's interval.
            await asyncio.sleep(RELAXED_PING_SECONDS)
            if not link.closing and not link.closed:
                link.last_ping = time.time()
                await link.send(eio_packet.Packet(eio_packet.PING))

        link._send_ping = send_ping  # noqa: SLF001 - the one hook python-engineio offers

    def _prepare_environ(self, environ: dict[str, Any]) -> None:
        # What Flask-SocketIO's WSGI middleware would have put there, and the real peer.
        environ["flask.app"] = self.app
        environ.setdefault("wsgi.url_scheme", "http")
        client = (environ.get("asgi.scope") or {}).get("client")
        if client:
            environ["REMOTE_ADDR"] = str(client[0])

    async def _flushed(self) -> None:
        """Return once every emit queued before now has been sent."""
        assert self._outbox is not None and self.loop is not None
        marker = self.loop.create_future()
        self._outbox.put_nowait((marker,))
        await marker

    # --- from threads: what Flask-SocketIO calls on its server --------------------------------

    def emit(self, event: str, *args: Any, namespace: str = NAMESPACE, to: Any = None,
             skip_sid: Any = None, callback: Any = None, **kwargs: Any) -> None:
        """Queue an emit; events leave in the order they were queued."""
        kwargs.pop("ignore_queue", None)
        if self.loop is None or self._outbox is None:
            log.warning("dropped %s: the realtime server is not running", event)
            return
        item = (event, args, {"to": to, "namespace": namespace, "skip_sid": skip_sid,
                              "callback": callback, **kwargs})
        self.loop.call_soon_threadsafe(self._outbox.put_nowait, item)

    def emit_when_quiet(self, event: str, messages: list[tuple[str, Any]]) -> None:
        """Queue `event` with each (room, data) of `messages`, in one handoff to the loop.

        For messages without a `seq` that may come late: they leave only while no ordered
        emit waits, so the board's events and the answers to requests go first.
        """
        if self.loop is None or self._late is None:
            log.warning("dropped %s: the realtime server is not running", event)
            return
        self.loop.call_soon_threadsafe(self._late.put_nowait, (event, list(messages)))

    def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self._run(self.sio.enter_room(sid, room, namespace=namespace or NAMESPACE))

    def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self._run(self.sio.leave_room(sid, room, namespace=namespace or NAMESPACE))

    def disconnect(self, sid: str, namespace: str | None = None, **kwargs: Any) -> None:
        """Drop a client (its credential no longer holds): out of its rooms before returning,
        so no event queued after this reaches it."""
        if self.loop is None:
            return
        self._run(self.sio.disconnect(sid, namespace=namespace or NAMESPACE))

    def get_environ(self, sid: str, namespace: str | None = None) -> Any:
        return self.sio.get_environ(sid, namespace=namespace or NAMESPACE)

    def _run(self, coroutine: Any) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(ROOM_CHANGE_TIMEOUT)

    @staticmethod
    def start_background_task(target: Callable[..., Any], *args: Any,
                              **kwargs: Any) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)
        thread.start()
        return thread

    @staticmethod
    def sleep(seconds: float = 0) -> None:
        time.sleep(seconds)


def for_app(app: Any, pool: Executor) -> AsyncRealtime:
    """The asyncio Socket.IO server for an app made by `create_app`, handlers on `pool`."""
    # Imported here: the app factory itself imports `flask_socketio_mode` from this module.
    from queue_core.web.app import socketio_of

    return AsyncRealtime(app, socketio_of(app), pool)
