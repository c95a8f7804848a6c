"""`CoreLink`: a satellite's live Socket.IO link to the core, kept up until it is stopped.

What every satellite needs, done once:

- connect with the device token (in the Socket.IO `auth` and as a Bearer header);
- join its rooms on every connection; the core answers each `subscribe` with a fresh
  `board` snapshot, so a reconnect is also a resync;
- a dropped connection is retried by python-socketio with growing delays; a connection
  the core closed on purpose (or never opened) is started again here, with delays
  doubling from `reconnect_delay` to `reconnect_delay_max`;
- on the `board` room, events carry consecutive `seq` numbers: an event past `seq` + 1
  means something was missed, and the link subscribes again to get a fresh Board (a
  client of `counter:N` or `announcer` only sees jumps by design, so there is no such
  check there);
- `stop()` closes the link within its timeout, and no callback runs after it returns.

Callbacks run on the link's own thread, in the order the core sent: `on_board(board)`,
`on_event(name, payload)` for every other event, `on_link(up)` when the link comes or goes.

>>> link = CoreLink("http://192.168.1.10:8000", rooms=["counter:3"], token=token,
...                 on_event=print, on_link=show)          # doctest: +SKIP
>>> link.start(); link.connected.wait(5)                    # doctest: +SKIP
True
>>> link.stop()                                             # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import socketio

from queue_core.domain.events import BOARD, ROOM_BOARD

__all__ = ["CoreLink"]

log = logging.getLogger("xephang.link")

OnEvent = Callable[[str, Any], None]
OnBoard = Callable[[Mapping[str, Any]], None]
OnLink = Callable[[bool], None]


class CoreLink:
    """One Socket.IO connection to the core, joined to `rooms`, kept up until `stop`."""

    def __init__(self, core_url: str, *, rooms: Sequence[str], token: str | None = None,
                 on_event: OnEvent | None = None, on_board: OnBoard | None = None,
                 on_link: OnLink | None = None, reconnect_delay: float = 1.0,
                 reconnect_delay_max: float = 30.0, connect_timeout: float = 5.0,
                 name: str = "core-link") -> None:
        self.core_url = core_url.rstrip("/")
        self.rooms = list(rooms)
        self.connected = threading.Event()
        # Set once the Board that answers this connection's `subscribe` has arrived: from then
        # on every event of the rooms reaches this link (tests and tools wait on it).
        self.synced = threading.Event()
        # The newest `seq` seen on the board stream (None before the first Board).
        self.seq: int | None = None
        self.resyncs = 0
        self.connects = 0
        self._token = token
        self._on_event = on_event or (lambda name, payload: None)
        self._on_board = on_board or (lambda board: None)
        self._on_link = on_link or (lambda up: None)
        self._delay = reconnect_delay
        self._delay_max = reconnect_delay_max
        self._connect_timeout = connect_timeout
        self._name = name
        self._watch_seq = ROOM_BOARD in self.rooms
        self._awaiting_board = False
        self._up = False
        self._stop = threading.Event()
        # Set when the current client is over for good (stop, or the core hung up on purpose).
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._client: socketio.Client | None = None
        self._thread: threading.Thread | None = None

    # --- life ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in a background thread, again and again until `stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run_forever, daemon=True, name=self._name)
            self._thread.start()

    def run_forever(self) -> None:
        """Connect and stay connected until `stop` is called (blocks)."""
        delay = self._delay
        while not self._stop.is_set():
            self._wake.clear()
            client = self._new_client()
            with self._lock:
                self._client = client
            auth = {"token": self._token} if self._token else None
            headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
            try:
                client.connect(self.core_url, auth=auth, headers=headers,
                               wait_timeout=self._connect_timeout)
            except socketio.exceptions.ConnectionError as exc:
                log.warning("cannot reach the core at %s (%s); again in %.1f s",
                            self.core_url, exc, delay)
                self._set_link(False)
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, self._delay_max)
                continue
            delay = self._delay
            # python-socketio reconnects by itself after a network drop; only when the core
            # closed the connection on purpose (or on `stop`) does this client end.
            self._wake.wait()
            if self._stop.is_set():
                _shutdown(client, self._connect_timeout)
            # Otherwise the core hung up and python-socketio is closing the client itself;
            # closing it from here too would race its own teardown.
            self._set_link(False)
            if not self._stop.is_set():
                log.warning("the core closed the connection; again in %.1f s", delay)
                self._stop.wait(delay)

    def stop(self, timeout: float = 3.0) -> None:
        """Close the link and stop retrying; no callback runs after this returns."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            client = self._client
        if client is not None:
            _shutdown(client, timeout)
        self.connected.clear()
        self.synced.clear()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # --- asking the core -----------------------------------------------------------------------

    def resync(self) -> bool:
        """Ask for a fresh Board (subscribe again); False when not connected.

        A snapshot already asked for and not yet come is not asked for twice.
        """
        with self._lock:
            if self._awaiting_board:
                return True
        if not self.emit("subscribe", {"rooms": self.rooms}):
            return False
        with self._lock:
            self._awaiting_board = True
            self.resyncs += 1
        return True

    def emit(self, event: str, data: Any) -> bool:
        """Send one event to the core; False when the link cannot carry it now."""
        with self._lock:
            client = self._client
        if client is None or self._stop.is_set():
            return False
        try:
            client.emit(event, data)
        except Exception as exc:  # noqa: BLE001 - not connected (yet), or closing
            log.debug("could not send %s: %s", event, exc)
            return False
        return True

    # --- the client ----------------------------------------------------------------------------

    def _new_client(self) -> socketio.Client:
        # A fresh client per attempt: one that was refused may keep stale state.
        client = socketio.Client(reconnection=True, reconnection_delay=self._delay,
                                 reconnection_delay_max=self._delay_max, logger=False,
                                 engineio_logger=False, handle_sigint=False)
        client.on("connect", lambda: self._connected(client))
        client.on("disconnect", lambda *reason: self._disconnected(client, *reason))
        # python-socketio's signal that it will not reconnect by itself.
        client.on("__disconnect_final", lambda *args: self._final(client))
        client.on("connect_error", lambda data=None: log.warning(
            "the core refused the connection: %s", data))
        client.on("*", lambda event, *args: self._dispatch(client, event, *args))
        return client

    def _final(self, client: socketio.Client) -> None:
        if self._current(client):
            self._wake.set()

    def _current(self, client: socketio.Client) -> bool:
        with self._lock:
            return client is self._client

    def _connected(self, client: socketio.Client) -> None:
        if self._stop.is_set():
            return
        if not self._current(client):
            # A client given up on (the core hung up on it) reconnected by itself: only the
            # newest one may speak for the link, or the core would count this satellite twice.
            threading.Thread(target=_shutdown, args=(client, self._connect_timeout),
                             daemon=True, name="core-link-close").start()
            return
        log.info("connected to the core at %s (%s)", self.core_url, ", ".join(self.rooms))
        self.connects += 1
        self.connected.set()
        with self._lock:
            # The answer to `subscribe` is a Board: events before it are not gaps.
            self._awaiting_board = True
        try:
            client.emit("subscribe", {"rooms": self.rooms})
        except Exception as exc:  # noqa: BLE001 - the next connection subscribes again
            log.warning("could not subscribe: %s", exc)
        # After subscribing, so whatever `on_link` sends reaches a core that already
        # counts this client in its rooms. The Board cannot overtake it: this handler runs
        # on the thread that reads the connection.
        self._set_link(True)

    def _disconnected(self, client: socketio.Client, *reason: Any) -> None:
        if not self._current(client):
            return
        if reason and reason[0] == socketio.Client.reason.SERVER_DISCONNECT:
            self._wake.set()
        if self.connected.is_set() and not self._stop.is_set():
            log.warning("lost the link to the core at %s (%s)", self.core_url,
                        reason[0] if reason else "unknown")
        self.connected.clear()
        self.synced.clear()
        self._set_link(False)

    def _set_link(self, up: bool) -> None:
        with self._lock:
            changed = self._up != up
            self._up = up
        if changed and not self._stop.is_set():
            self._on_link(up)

    def _dispatch(self, client: socketio.Client, event: str, *args: Any) -> None:
        if self._stop.is_set() or not self._current(client):
            return
        data = args[0] if args else None
        if event == BOARD:
            if isinstance(data, Mapping):
                seq = data.get("seq")
                with self._lock:
                    self._awaiting_board = False
                    if isinstance(seq, int) and not isinstance(seq, bool):
                        self.seq = seq
                self._on_board(data)
                self.synced.set()
            return
        seq = data.get("seq") if isinstance(data, Mapping) else None
        if self._watch_seq and isinstance(seq, int) and not isinstance(seq, bool):
            with self._lock:
                gap = (self.seq is not None and not self._awaiting_board
                       and seq > self.seq + 1)
                if self.seq is None or seq > self.seq:
                    self.seq = seq
            if gap:
                log.info("missed events before seq %d; asking for a fresh Board", seq)
                self.resync()
        self._on_event(event, data)


def _shutdown(client: socketio.Client, timeout: float) -> None:
    """Close a client, giving up after `timeout` (a long-poll may hold it for a ping interval)."""

    def close() -> None:
        try:
            client.shutdown()
        except Exception as exc:  # noqa: BLE001 - already gone is fine
            log.debug("closing the Socket.IO client: %s", exc)

    closer = threading.Thread(target=close, daemon=True, name="core-link-close")
    closer.start()
    closer.join(timeout)
