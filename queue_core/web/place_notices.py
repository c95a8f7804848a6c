"""Paced `ticket_place` messages: each citizen's ticket page hears its own place in the queue.

A hall may hold thousands of ticket pages (phones). Each needs its own ticket's changes
(sent at once to its `ticket:<id>` room with the board's events) and, now and then, how
many are ahead of it and the minutes to its call. Sending every page every board event
would cost the server a message per page per event, and each page would then ask
`GET /tickets/{id}` (thousands of requests after every call). Instead the hub marks a
field as moved whenever an event changes its waiting count, concerns one of its tickets
or changes a counter serving it; a background task works out the places of a moved field
at most once every `interval` seconds (one query for the whole field) and sends
`ticket_place {"id", "ahead", "eta_minutes"}` to the rooms of the watched tickets whose
place changed enough to matter: every change near the front, a tenth of the number far
back. No `seq`: a place is not a change of state.

>>> sent = []
>>> places = {"A": [("t1", 0, 2), ("t2", 1, 5)]}
>>> notices = PlaceNotices(sent.extend, places=places.__getitem__, interval=3)
>>> notices.watch("t2")
>>> notices.moved(["A"], {"A": 2})
>>> notices.send_due(now=10.0)
1
>>> sent
[('ticket:t2', {'id': 't2', 'ahead': 1, 'eta_minutes': 5})]
>>> places["A"] = [("t2", 0, 2)]
>>> notices.moved([], {"A": 1})
>>> notices.send_due(now=11.0), notices.send_due(now=13.0), sent[-1][1]["ahead"]
(0, 1, 0)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from queue_core.domain.events import COUNTER_UPDATED, Event, ticket_room

log = logging.getLogger("xephang.hub")

# A field's places are worked out at most this often: a page's figures may lag by as much.
PLACE_NOTICE_SECONDS = 3.0
# How often the background task looks for moved fields.
TICK_SECONDS = 0.5
# Within this many of the front, every change of place is told.
NEAR_THE_FRONT = 10
# Messages handed over at once (one `send`); the rest follow a moment later, so a long
# round never keeps the server from answering a counter.
MESSAGES_PER_BATCH = 200
BATCH_PAUSE_SECONDS = 0.02

Message = tuple[str, dict[str, Any]]
# Sends a batch of (room, payload) messages.
Send = Callable[[list[Message]], None]
Place = tuple[str, int, int | None]


def worth_telling(before: tuple[int, int | None] | None, now: tuple[int, int | None]) -> bool:
    """Whether a page showing `before` (ahead, minutes) should be told `now`.

    >>> worth_telling((40, 60), (39, 59)), worth_telling((40, 60), (35, 52))
    (False, True)
    >>> worth_telling((3, 5), (2, 4)), worth_telling(None, (200, 300))
    (True, True)
    """
    if before is None:
        return True
    if before == now:
        return False
    (ahead_then, minutes_then), (ahead, minutes) = before, now
    if ahead <= NEAR_THE_FRONT or (minutes_then is None) != (minutes is None):
        return True
    if abs(ahead - ahead_then) * 10 >= ahead_then:
        return True
    return (minutes is not None and minutes_then is not None
            and abs(minutes - minutes_then) * 10 >= max(minutes_then, 10))


class PlaceNotices:
    """Which fields moved, which tickets have a page open, and the paced messages to them."""

    def __init__(self, send: Send, *, places: Callable[[str], Sequence[Place]],
                 interval: float = PLACE_NOTICE_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], Any] = lambda seconds: None) -> None:
        self.send = send
        self.places = places
        self.interval = interval
        self.clock = clock
        self.pause = pause
        self._moved: set[str] = set()
        self._waiting: dict[str, int] = {}
        self._last_round: dict[str, float] = {}
        self._watched: Counter[str] = Counter()
        self._told: dict[str, tuple[int, int | None]] = {}
        # Two locks: a round going through thousands of pages (`_pages_lock`) must not hold
        # up the writer path, which only marks fields as moved (`_fields_lock`).
        self._fields_lock = threading.Lock()
        self._pages_lock = threading.Lock()

    # --- pages ------------------------------------------------------------------------------

    def watch(self, ticket_id: str, told: tuple[int, int | None] | None = None) -> None:
        """A page of `ticket_id` opened (and was shown `told`: ahead, minutes)."""
        with self._pages_lock:
            self._watched[ticket_id] += 1
            if told is not None:
                self._told[ticket_id] = told

    def unwatch(self, ticket_id: str) -> None:
        """A page of `ticket_id` closed."""
        with self._pages_lock:
            self._watched[ticket_id] -= 1
            if self._watched[ticket_id] <= 0:
                del self._watched[ticket_id]
                self._told.pop(ticket_id, None)

    # --- fields -----------------------------------------------------------------------------

    def moved(self, services: Iterable[str], waiting: Mapping[str, int]) -> None:
        """Mark `services` (and every field whose waiting count changed) as moved."""
        with self._fields_lock:
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

    # --- telling ------------------------------------------------------------------------------

    def send_due(self, now: float | None = None) -> int:
        """Tell the watched tickets of moved fields their new place; return how many were told.

        A field is looked at no more than once every `interval` seconds.
        """
        now = self.clock() if now is None else now
        with self._fields_lock:
            due = [code for code in sorted(self._moved)
                   if now - self._last_round.get(code, -self.interval) >= self.interval]
            for code in due:
                self._moved.discard(code)
                self._last_round[code] = now
        anyone = bool(self._watched)
        told = 0
        for code in due if anyone else ():
            messages: list[Message] = []
            places = self.places(code)
            with self._pages_lock:
                for ticket_id, ahead, minutes in places:
                    if ticket_id in self._watched and worth_telling(
                            self._told.get(ticket_id), (ahead, minutes)):
                        self._told[ticket_id] = (ahead, minutes)
                        messages.append((ticket_room(ticket_id), {
                            "id": ticket_id, "ahead": ahead, "eta_minutes": minutes}))
            for start in range(0, len(messages), MESSAGES_PER_BATCH):
                if start:
                    self.pause(BATCH_PAUSE_SECONDS)
                self.send(messages[start:start + MESSAGES_PER_BATCH])
            told += len(messages)
        return told

    def run(self, sleep: Callable[[float], Any]) -> None:
        """Send what is due every `TICK_SECONDS`, for the life of the server."""
        self.pause = sleep
        while True:
            try:
                self.send_due()
            except Exception:  # noqa: BLE001 - a failed round must not end the messages
                log.exception("could not tell the ticket pages their place")
            sleep(TICK_SECONDS)


__all__ = ["PLACE_NOTICE_SECONDS", "PlaceNotices", "worth_telling"]
