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
from typing import TYPE_CHECKING, Any, Mapping, Sequence

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
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_delay=reconnect_delay,
            reconnection_delay_max=reconnect_delay_max,
            logger=False,
            engineio_logger=False,
        )
        for event, handler in (
            ("connect", self._on_connect),
            ("disconnect", self._on_disconnect),
            ("connect_error", self._on_connect_error),
            ("board", self._on_board),
            ("ticket_called", self._on_ticket_called),
            ("ticket_issued", self._on_ticket_issued),
            ("counter_updated", self._on_counter_updated),
        ):
            self.sio.on(event, handler)
        announcer.health.add_listener(self._report)

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
            try:
                self.sio.connect(
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
            # python-socketio reconnects by itself after a drop; wait() returns on disconnect().
            self.sio.wait()

    def stop(self, timeout: float = 3.0) -> None:
        """Disconnect and stop retrying."""
        self._stop.set()
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001 - already gone is fine
            pass
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- Socket.IO handlers -----------------------------------------------------

    def _on_connect(self) -> None:
        log.info("connected to the core at %s", self.core_url)
        self.connected.set()
        self.sio.emit("subscribe", {"rooms": self.rooms})
        self._report(self.announcer.status)

    def _on_disconnect(self, *reason: Any) -> None:
        log.warning("disconnected from the core")
        self.connected.clear()

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
        ticket = data.get("ticket") if isinstance(data.get("ticket"), Mapping) else {}
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
        except Exception:  # noqa: BLE001 - health reports must never break playback
            log.exception("could not report device_status")


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
