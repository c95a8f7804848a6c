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

ROOM_BOARD = "board"
ROOM_KIOSK = "kiosk"
ROOM_ANNOUNCER = "announcer"
ROOM_STAFF = "staff"


def counter_room(number: int) -> str:
    return f"counter:{number}"


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
