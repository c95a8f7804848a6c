"""The core's record of printed tickets (`ticket_prints`), and reprints audited as staff actions.

What a print job came to is saved once the printer has answered, in its own short
transaction: no device I/O ever runs inside a transaction.

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> from queue_core.storage import Store
>>> records = PrintRecords(Store.open(":memory:"), lambda: datetime(2026, 11, 23, tzinfo=VIETNAM))
>>> records.get("t1") is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from queue_core.domain.model import PRINTED, PRINTING
from queue_core.service import audit
from queue_core.storage import Store

REPRINT = "print_ticket"


class Outcome(Protocol):
    """What one print job came to (the kiosk's `PrintOutcome`)."""

    @property
    def ticket_id(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...


class PrintRecords:
    """Whether each ticket's paper came out (the `ticket_prints` table of the core's database)."""

    def __init__(self, store: Store, now: Callable[[], datetime], printer: str = "") -> None:
        self.store = store
        self.now = now
        self.printer = printer

    def save(self, outcome: Outcome) -> None:
        """Keep a finished job's outcome (a later attempt overwrites, counting attempts)."""
        if outcome.state == PRINTING:
            return
        with self.store.write():
            self.store.save_print(outcome.ticket_id, printed=outcome.state == PRINTED,
                                  code=outcome.code, message=outcome.message,
                                  printer=self.printer, at=self.now())

    def get(self, ticket_id: str) -> dict[str, Any] | None:
        with self.store.read():
            return self.store.print_record(ticket_id)

    def not_printed(self, day: str) -> list[dict[str, Any]]:
        """Return today's tickets whose paper did not come out (for staff)."""
        with self.store.read():
            return self.store.not_printed(day)

    def record_reprint(self, ticket: Mapping[str, Any], *, actor: str) -> None:
        """Keep, as a staff action, that `actor` had `ticket` printed again."""
        audit.record(self.store, actor=actor, action=REPRINT, target=str(ticket["label"]),
                     detail=f"ticket {ticket['id']}", now=self.now())
