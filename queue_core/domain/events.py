"""Real-time event names, rooms and the value that carries one event to clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BOARD = "board"
TICKET_ISSUED = "ticket_issued"
TICKET_CALLED = "ticket_called"
TICKET_UPDATED = "ticket_updated"
COUNTER_UPDATED = "counter_updated"
RATING_REQUESTED = "rating_requested"
DEVICE_STATUS = "device_status"
# A nudge to the citizens' pages of one field: the queue moved, ask for your place again.
QUEUE_MOVED = "queue_moved"
# Events about one ticket: they also go to that ticket's own room (its citizen's page).
TICKET_EVENTS = (TICKET_CALLED, TICKET_UPDATED)

ROOM_BOARD = "board"
ROOM_KIOSK = "kiosk"
ROOM_ANNOUNCER = "announcer"
ROOM_STAFF = "staff"


def counter_room(number: int) -> str:
    return f"counter:{number}"


# The citizens' rooms: a ticket page hears its own ticket and a paced nudge for its field,
# not every event of the board (a hall may hold thousands of these pages).
TICKET_ROOM_PREFIX = "ticket:"
QUEUE_ROOM_PREFIX = "queue:"


def ticket_room(ticket_id: str) -> str:
    return f"{TICKET_ROOM_PREFIX}{ticket_id}"


def queue_room(service: str) -> str:
    return f"{QUEUE_ROOM_PREFIX}{service}"


@dataclass(frozen=True)
class Event:
    """One push to clients; `seq` is given when its transaction commits."""

    name: str
    payload: dict[str, Any]
    rooms: tuple[str, ...]
    seq: int | None = field(default=None)

    def message(self) -> dict[str, Any]:
        """Return the payload as sent, with `seq` first."""
        if self.seq is None:
            return dict(self.payload)
        return {"seq": self.seq, **self.payload}
