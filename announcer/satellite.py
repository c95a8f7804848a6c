"""The announcer satellite: listen to the core over Socket.IO and speak every call.

It follows the ``announcer`` room through a `CoreLink` (token, retries, resync: the
same link every satellite uses), speaks each ``ticket_called`` (the exact ``speech``
sentence the core sends; rebuilt locally only when missing) in ``seq`` order,
pre-renders the sentences of the calls likely to come next, and reports its health
to the core as ``device_status``.

>>> run("http://127.0.0.1:8000", token, load_settings())   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from queue_core.client.link import CoreLink
from queue_core.client.rest import CoreClient, CoreUnreachable

from .health import DeviceStatus
from .playback import Announcer
from .warmup import CallForecast

if TYPE_CHECKING:
    from queue_core.config import Settings

__all__ = ["AnnouncerSatellite", "run"]

log = logging.getLogger(__name__)

ROOMS = ("announcer",)


class AnnouncerSatellite:
    """The announcer's link to the core (a `CoreLink` on the ``announcer`` room), feeding one
    `Announcer`.

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
        self.last_seq: int | None = None
        self._lock = threading.Lock()
        self._handled: dict[str, int] = {}
        self._handled_changed = threading.Condition()
        self._handlers: dict[str, Callable[[Any], None]] = {
            "ticket_called": self._on_ticket_called,
            "ticket_issued": self._on_ticket_issued,
            "counter_updated": self._on_counter_updated,
            "settings_changed": self._on_settings_changed,
            "speech_test": self._on_speech_test,
        }
        self.link = CoreLink(core_url, rooms=self.rooms, token=token, on_board=self._board,
                             on_event=self._event, on_link=self._on_link,
                             reconnect_delay=reconnect_delay,
                             reconnect_delay_max=reconnect_delay_max,
                             connect_timeout=connect_timeout, name="announcer-link")
        self.connected = self.link.connected
        # The voice in force is the core's (the admin console may have changed it since the
        # files this box was started with): asked at every link, pushed on every change.
        self.client = CoreClient(core_url, token, timeout=connect_timeout)
        announcer.health.add_listener(self._report)

    def handle(self, name: str, data: Any) -> None:
        """Take one message of the core as the link hands it on (a simulation feeds it directly)."""
        if name == "board":
            self._board(data)
        else:
            self._event(name, data)

    def _board(self, board: Mapping[str, Any]) -> None:
        self._counted("board", self._on_board, board)

    def _event(self, name: str, data: Any) -> None:
        handler = self._handlers.get(name)
        if handler is not None:
            self._counted(name, handler, data)

    def _counted(self, event: str, handler: Callable[[Any], None], data: Any) -> None:
        try:
            handler(data)
        finally:
            with self._handled_changed:
                self._handled[event] = self._handled.get(event, 0) + 1
                self._handled_changed.notify_all()

    def wait_for_event(self, event: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Return True once `count` events named `event` have been handled (tests and tools)."""
        with self._handled_changed:
            return self._handled_changed.wait_for(lambda: self._handled.get(event, 0) >= count,
                                                  timeout)

    # -- life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Connect in a background thread (retrying until `stop`)."""
        self.link.start()

    def run_forever(self) -> None:
        """Connect and stay connected until `stop` is called (blocks)."""
        self.link.run_forever()

    def stop(self, timeout: float = 3.0) -> None:
        """Disconnect and stop retrying."""
        self.link.stop(timeout)

    # -- what the core says -----------------------------------------------------

    def _on_link(self, up: bool) -> None:
        if up:
            # The core shows the loudspeaker's health as soon as the announcer is there.
            self.link.emit("device_status", self.announcer.status.payload())
            threading.Thread(target=self.fetch_speech, daemon=True, name="announcer-speech").start()

    def fetch_speech(self) -> bool:
        """Take the speech settings in force at the core; tell whether they came."""
        try:
            reply = self.client.get("/api/v1/settings/speech")
        except CoreUnreachable:
            return False
        if not reply.ok or not isinstance(reply.data, Mapping):
            return False
        self.announcer.apply_speech(reply.data)
        return True

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

    def _on_settings_changed(self, data: Any) -> None:
        """The admin console saved new settings: take the new voice, words and dialect."""
        speech = data.get("speech") if isinstance(data, Mapping) else None
        if isinstance(speech, Mapping):
            # A new voice starts its engine: not on the link's thread, which must keep reading.
            threading.Thread(target=self.announcer.apply_speech, args=(speech,), daemon=True,
                             name="announcer-retune").start()

    def _on_speech_test(self, data: Any) -> None:
        """The admin console's "Nghe thử": play this sentence now."""
        if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
            return
        self.announcer.announce(str(data.get("label") or ""), _positive_int(data.get("counter")),
                                text=data["text"])

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
        if self.link.connected.is_set():
            self.link.emit("device_status", status.payload())


def _positive_int(*values: Any) -> int:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.isdigit() and int(value) > 0:
            return int(value)
    return 0


# How long a stop asked by SIGTERM may take before the process leaves anyway: an orphaned
# announcer (its serving process was killed) must never linger beside the next one.
STOP_GRACE_SECONDS = 10.0


def _leave(satellite: AnnouncerSatellite) -> None:
    """SIGTERM: stop cleanly, and leave for sure if a clean stop hangs."""
    timer = threading.Timer(STOP_GRACE_SECONDS, os._exit, args=(0,))
    timer.daemon = True
    timer.start()
    satellite.stop(timeout=0)


def run(core_url: str, token: str, settings: Settings) -> None:
    """Run the announcer satellite until interrupted (Ctrl-C or SIGTERM)."""
    announcer = Announcer.from_settings(settings)
    satellite = AnnouncerSatellite(core_url, token, announcer)
    announcer.start()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: _leave(satellite))
    log.info("announcer: %s", announcer.status.message)
    try:
        satellite.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        satellite.stop()
        announcer.stop()
