"""Paced `queue_moved` nudges for the citizens' ticket pages, one room per field.

A hall may hold thousands of ticket pages (phones). They need their own ticket's changes
(sent at once to its `ticket:<id>` room) and, now and then, word that their field's queue
moved, so they can ask for their place again. Sending them every board event would cost
the server a message per page per event. Instead the hub marks a field as moved whenever
an event changes its waiting count, concerns one of its tickets, or changes a counter
serving it, and a background task tells each moved field's room at most once every
`interval` seconds: `queue_moved {"service", "waiting"}`, with no `seq` (it changes no
state; a page answers with `GET /tickets/{id}`, spread over a few seconds).

>>> sent = []
>>> notices = QueueNotices(lambda room, payload: sent.append((room, payload)), interval=3)
>>> notices.moved(["A"], {"A": 4})
>>> notices.send_due(now=10.0)
1
>>> notices.moved([], {"A": 3})
>>> notices.send_due(now=11.0), notices.send_due(now=13.0)
(0, 1)
>>> sent[-1]
('queue:A', {'service': 'A', 'waiting': 3})
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from queue_core.domain.events import COUNTER_UPDATED, Event, queue_room

log = logging.getLogger("xephang.hub")

# At most one nudge per field this often: the "people ahead" figure may lag by as much.
QUEUE_NOTICE_SECONDS = 3.0
# How often the background task looks for fields to tell.
TICK_SECONDS = 0.5

Send = Callable[[str, dict[str, Any]], None]


class QueueNotices:
    """Which fields moved, and the paced nudges that tell their rooms."""

    def __init__(self, send: Send, *, interval: float = QUEUE_NOTICE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.send = send
        self.interval = interval
        self.clock = clock
        self._moved: set[str] = set()
        self._waiting: dict[str, int] = {}
        self._last_sent: dict[str, float] = {}
        self._lock = threading.Lock()

    def moved(self, services: Iterable[str], waiting: Mapping[str, int]) -> None:
        """Mark `services` (and every field whose waiting count changed) as moved."""
        with self._lock:
            for code, count in waiting.items():
                if self._waiting.get(code) != count:
                    self._moved.add(code)
                self._waiting[code] = count
            self._moved.update(services)

    def published(self, events: Sequence[Event]) -> None:
        """Note the fields that committed `events` moved."""
        fields: set[str] = set()
        waiting: Mapping[str, int] = {}
        for event in events:
            payload = event.payload
            ticket = payload.get("ticket")
            if isinstance(ticket, dict) and isinstance(ticket.get("service"), str):
                fields.add(ticket["service"])
            if isinstance(payload.get("transferred_from"), str):
                fields.add(payload["transferred_from"])
            counter = payload.get("counter")
            if event.name == COUNTER_UPDATED and isinstance(counter, dict):
                # Opening or pausing a counter changes the estimated wait of its fields.
                fields.update(code for code in counter.get("services") or ()
                              if isinstance(code, str))
            if isinstance(payload.get("waiting"), dict):
                waiting = payload["waiting"]
        self.moved(fields, waiting)

    def send_due(self, now: float | None = None) -> int:
        """Tell the rooms of moved fields not told for `interval` seconds; return how many."""
        now = self.clock() if now is None else now
        with self._lock:
            due = [code for code in sorted(self._moved)
                   if now - self._last_sent.get(code, -self.interval) >= self.interval]
            for code in due:
                self._moved.discard(code)
                self._last_sent[code] = now
            notices = [(code, self._waiting.get(code, 0)) for code in due]
        for code, waiting in notices:
            self.send(queue_room(code), {"service": code, "waiting": waiting})
        return len(notices)

    def run(self, sleep: Callable[[float], Any]) -> None:
        """Send the due nudges every `TICK_SECONDS`, for the life of the server."""
        while True:
            try:
                self.send_due()
            except Exception:  # noqa: BLE001 - a failed push must not end the nudges
                log.exception("could not tell the fields' rooms that their queue moved")
            sleep(TICK_SECONDS)


__all__ = ["QUEUE_NOTICE_SECONDS", "QueueNotices"]
