"""The announcer satellite: listen to the core over Socket.IO and speak every call.

It connects with its device token, subscribes to the ``announcer`` room, speaks
each ``ticket_called`` (the exact ``speech`` sentence the core sends; rebuilt
locally only when missing) in ``seq`` order, pre-renders the sentences of the
calls likely to come next, and reports its health to the core as
``device_status``. A lost connection is retried with growing delays.

>>> run("http://127.0.0.1:8000", token, load_settings())   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import socketio

from .health import DeviceStatus
from .playback import Announcer
from .warmup import CallForecast

if TYPE_CHECKING:
    from queue_core.config import Settings

__all__ = ["AnnouncerSatellite", "run"]

log = logging.getLogger(__name__)

ROOMS = ("announcer",)


class AnnouncerSatellite:
    """One Socket.IO connection to the core, feeding one `Announcer`.

    >>> satellite = AnnouncerSatellite("http://127.0.0.1:8000", token, announcer)  # doctest: +SKIP
    >>> satellite.start()            # connects in the background, retrying   # doctest: +SKIP
    >>> satellite.connected.wait(5)                                            # doctest: +SKIP
    True
    """

    def __init__(
        self,
        core_url: str,
        token: str,
        announcer: Announcer,
        *,
        rooms: Sequence[str] = ROOMS,
        forecast: CallForecast | None = None,
        reconnect_delay: float = 1.0,
        reconnect_delay_max: float = 30.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self.core_url = core_url
        self.announcer = announcer
        self.rooms = list(rooms)
        self.forecast = forecast or CallForecast()
        self.connected = threading.Event()
        self.last_seq: int | None = None
        self._token = token
        self._delay = reconnect_delay
        self._delay_max = reconnect_delay_max
        self._connect_timeout = connect_timeout
        self._stop = threading.Event()
        # Set when the connection ended for good (stop, or the core closed it): connect anew.
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._handled: dict[str, int] = {}
        self._handled_changed = threading.Condition()
        self.sio = self._new_client()
        announcer.health.add_listener(self._report)

    def _new_client(self) -> socketio.Client:
        # A fresh client per attempt: one that was refused may keep stale state.
        client = socketio.Client(
            reconnection=True,
            reconnection_delay=self._delay,
            reconnection_delay_max=self._delay_max,
            logger=False,
            engineio_logger=False,
        )
        client.on("connect", self._on_connect)
        client.on("disconnect", self._on_disconnect)
        # python-socketio's signal that it will not reconnect by itself.
        client.on("__disconnect_final", self._on_final_disconnect)
        client.on("connect_error", self._on_connect_error)
        events: tuple[tuple[str, Callable[[Any], None]], ...] = (
            ("board", self._on_board),
            ("ticket_called", self._on_ticket_called),
            ("ticket_issued", self._on_ticket_issued),
            ("counter_updated", self._on_counter_updated),
        )
        for event, handler in events:
            client.on(event, self._counted(event, handler))
        return client

    def _counted(self, event: str, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def handle(data: Any = None) -> None:
            try:
                handler(data)
            finally:
                with self._handled_changed:
                    self._handled[event] = self._handled.get(event, 0) + 1
                    self._handled_changed.notify_all()

        return handle

    def wait_for_event(self, event: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Return True once `count` events named `event` have been handled (tests and tools)."""
        with self._handled_changed:
            return self._handled_changed.wait_for(lambda: self._handled.get(event, 0) >= count,
                                                  timeout)

    # -- life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Connect in a background thread (retrying until `stop`)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run_forever, daemon=True,
                                            name="announcer-socketio")
            self._thread.start()

    def run_forever(self) -> None:
        """Connect and stay connected until `stop` is called (blocks)."""
        delay = self._delay
        while not self._stop.is_set():
            self._wake.clear()
            client = self.sio = self._new_client()
            try:
                client.connect(
                    self.core_url,
                    auth={"token": self._token},
                    headers={"Authorization": f"Bearer {self._token}"},
                    wait_timeout=self._connect_timeout,
                )
            except socketio.exceptions.ConnectionError as exc:
                log.warning("cannot reach the core at %s (%s); retrying in %.0f s",
                            self.core_url, exc, delay)
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, self._delay_max)
                continue
            delay = self._delay
            # From here python-socketio reconnects by itself after a network drop, with growing
            # delays; only when the core itself closed the connection must we start over.
            self._wake.wait()
            _shutdown(client, self._connect_timeout)
            if not self._stop.is_set():
                log.warning("the core closed the connection; reconnecting in %.0f s", delay)
                self._stop.wait(delay)

    def stop(self, timeout: float = 3.0) -> None:
        """Disconnect and stop retrying."""
        self._stop.set()
        self._wake.set()
        _shutdown(self.sio, timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- Socket.IO handlers -----------------------------------------------------

    def _on_connect(self) -> None:
        log.info("connected to the core at %s", self.core_url)
        self.connected.set()
        self.sio.emit("subscribe", {"rooms": self.rooms})
        # The client counts as connected only after this handler: emit without _report's check.
        self.sio.emit("device_status", self.announcer.status.payload())

    def _on_disconnect(self, *reason: Any) -> None:
        log.warning("disconnected from the core (%s)", reason[0] if reason else "unknown")
        self.connected.clear()
        if reason and reason[0] == socketio.Client.reason.SERVER_DISCONNECT:
            self._wake.set()

    def _on_final_disconnect(self, *args: Any) -> None:
        self._wake.set()

    def _on_connect_error(self, data: Any = None) -> None:
        log.warning("the core refused the connection: %s", data)

    def _on_board(self, board: Any) -> None:
        if not isinstance(board, Mapping):
            return
        seq = board.get("seq")
        if isinstance(seq, int):
            with self._lock:
                if self.last_seq is not None and seq < self.last_seq:
                    # The core's numbering started over (new database): old seqs mean nothing now.
                    self.announcer.forget_seqs()
                self.last_seq = seq
        self.forecast.apply_board(board)
        self._warm()

    def _on_ticket_called(self, data: Any) -> None:
        if not isinstance(data, Mapping):
            log.error("ignoring a ticket_called that is not an object: %r", data)
            return
        raw_ticket = data.get("ticket")
        ticket: Mapping[str, Any] = raw_ticket if isinstance(raw_ticket, Mapping) else {}
        label = str(ticket.get("label") or "")
        counter = _positive_int(data.get("counter"), ticket.get("counter"))
        seq = data.get("seq") if isinstance(data.get("seq"), int) else None
        speech = data.get("speech") if isinstance(data.get("speech"), str) else None
        recall = bool(data.get("recall"))
        with self._lock:
            if seq is not None:
                self.last_seq = seq if self.last_seq is None else max(self.last_seq, seq)
        call = self.announcer.announce(label, counter, text=speech, recall=recall, seq=seq)
        if call is None:
            return
        self.forecast.apply_called(ticket, counter)
        extra = []
        if label and counter:
            try:
                extra.append(self.announcer.sentence(label, counter, recall=True))
            except ValueError:
                pass
        self._warm(extra)

    def _on_ticket_issued(self, data: Any) -> None:
        if isinstance(data, Mapping):
            self.forecast.apply_issued(data.get("ticket"))
            self._warm()

    def _on_counter_updated(self, data: Any) -> None:
        if isinstance(data, Mapping):
            self.forecast.apply_counter(data.get("counter"))

    # -- helpers ----------------------------------------------------------------

    def _warm(self, extra: Sequence[str] = ()) -> None:
        sentences = list(extra)
        for label, counter in self.forecast.likely_calls():
            try:
                sentences.append(self.announcer.sentence(label, counter))
            except ValueError:
                continue
        if sentences:
            self.announcer.warm(sentences)

    def _report(self, status: DeviceStatus) -> None:
        if not self.sio.connected:
            return
        try:
            self.sio.emit("device_status", status.payload())
        except Exception:
            log.exception("could not report device_status")


def _shutdown(client: socketio.Client, timeout: float) -> None:
    """Close a client, giving up after `timeout` (a long-poll may hold it for a ping interval)."""

    def close() -> None:
        try:
            client.shutdown()
        except Exception as exc:  # noqa: BLE001 - already gone is fine
            log.debug("closing the Socket.IO client: %s", exc)

    closer = threading.Thread(target=close, daemon=True, name="announcer-socketio-close")
    closer.start()
    closer.join(timeout)


def _positive_int(*values: Any) -> int:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.isdigit() and int(value) > 0:
            return int(value)
    return 0


def run(core_url: str, token: str, settings: Settings) -> None:
    """Run the announcer satellite until interrupted (Ctrl-C or SIGTERM)."""
    announcer = Announcer.from_settings(settings)
    satellite = AnnouncerSatellite(core_url, token, announcer)
    announcer.start()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: satellite.stop(timeout=0))
    log.info("announcer: %s", announcer.status.message)
    try:
        satellite.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        satellite.stop()
        announcer.stop()
