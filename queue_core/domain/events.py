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
# The admin console saved new settings: pages refetch what they show (the kiosk its fields),
# the announcer takes the new voice (`speech` in the payload).
SETTINGS_CHANGED = "settings_changed"
# The admin console's "Nghe thử": the announcer plays this sentence now.
SPEECH_TEST = "speech_test"
# Kept in the outbox (webhooks, the province hub) and sent to the staff room only.
RATING_GIVEN = "rating_given"
DOSSIER_ATTACHED = "dossier_attached"
# A citizen's page hears its ticket's place in the queue (paced; not a change of state).
TICKET_PLACE = "ticket_place"
# Events about one ticket: they also go to that ticket's own room (its citizen's page).
TICKET_ROOM_EVENTS = (TICKET_CALLED, TICKET_UPDATED)

ROOM_BOARD = "board"
ROOM_KIOSK = "kiosk"
ROOM_ANNOUNCER = "announcer"
ROOM_STAFF = "staff"


def counter_room(number: int) -> str:
    return f"counter:{number}"


# A citizen's ticket page joins its ticket's room: it hears that ticket's events and its
# place, not every event of the board (a hall may hold thousands of these pages).
TICKET_ROOM_PREFIX = "ticket:"


def ticket_room(ticket_id: str) -> str:
    return f"{TICKET_ROOM_PREFIX}{ticket_id}"


@dataclass(frozen=True)
class Event:
    """One push to clients; `seq` is given when its transaction commits."""

    name: str
    payload: dict[str, Any]
    rooms: tuple[str, ...]
    seq: int | None = field(default=None)
    # What the outbox keeps over the payload: the ticket as it leaves the box (its series,
    # officer and dossier) and the step the event records. Never sent to Socket.IO rooms.
    forward: dict[str, Any] | None = field(default=None, compare=False)

    def forwarded(self) -> dict[str, Any]:
        """Return the event's data as the outbox keeps it: the message, `forward` over it."""
        return {**self.message(), **(self.forward or {})}

    def message(self) -> dict[str, Any]:
        """Return the payload as sent, with `seq` first."""
        if self.seq is None:
            return dict(self.payload)
        return {"seq": self.seq, **self.payload}
