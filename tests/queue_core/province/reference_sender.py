"""A reference sender: a box's events, as the hub's ingest protocol wants them, from its SQLite.

The box forwards from its own durable outbox (`queue_core/ops/forwarder.py`; the end-to-end
test runs it in real `xephang serve` processes). The hub's own tests keep this helper, which
needs no running box and no outbox: it reads
a box's database (tickets, transitions, ratings) in one snapshot, numbers every change it
has not numbered yet (1, 2, 3 … in commit order, never renumbering one already numbered,
as an outbox does), rebuilds the event each change published (`ticket_issued`,
`ticket_called`, `ticket_updated` with the ticket after the change and its `step`;
`rating_given`), and posts them in batches, following the hub's `applied_through`.
The shapes are exactly those of queue_core/province/README.md ("The ingest protocol").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from queue_core.stats.figures import officer_of

EVENT_OF_ACTION = {"issue": "ticket_issued", "call": "ticket_called",
                   "restore_call": "ticket_called", "recall": "ticket_called"}
ENDS = ("finish", "no_show", "cancel", "expire", "day_end")
TICKET_COLUMNS = ("id", "label", "number", "service", "series", "day", "state", "priority",
                  "channel", "counter", "officer", "issued_at", "called_at", "finished_at",
                  "recalls")


def ticket_view(row: dict[str, Any]) -> dict[str, Any]:
    """The Ticket a forwarded event carries: the box's Ticket plus `series` and `officer`."""
    return {key: row[key] for key in TICKET_COLUMNS} | {"recalls": row["recalls"] or 0}


def _replay(before: dict[str, Any] | None, step: dict[str, Any]) -> dict[str, Any]:
    """The ticket after one transition, from the transition alone (for intermediate events)."""
    t = dict(before or {})
    action, at = step["action"], step["at"]
    t["state"] = step["to_state"]
    if action == "issue":
        t.update(service=step["service"], series=step["service"], issued_at=at, counter=None,
                 officer=None, called_at=None, finished_at=None, recalls=0)
    elif action in ("call", "restore_call"):
        t.update(counter=step["counter"], officer=officer_of(step["actor"]), called_at=at,
                 recalls=0)
    elif action == "recall":
        t["recalls"] = (t.get("recalls") or 0) + 1
    elif action in ENDS:
        t["finished_at"] = at
    elif action in ("transfer", "restore"):
        t.update(service=step["service"], counter=None, officer=None, finished_at=None)
    elif action == "priority":
        t["priority"] = None if step["detail"] in (None, "none") else step["detail"]
    return t


@dataclass
class ReferenceOutbox:
    """The numbered events of one box, read from its database as it grows."""

    connect: Callable[[], sqlite3.Connection]
    stream: str = "box-1"
    profile: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    acked: int = 0
    _last_transition: int = 0
    _last_rating: int = 0
    _tickets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of_file(cls, path: Path, **options: Any) -> ReferenceOutbox:
        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)

        return cls(connect, **options)

    @property
    def last_seq(self) -> int:
        return len(self.events)

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.rollback()
            conn.close()

    def collect(self) -> int:
        """Number the changes committed since the last look; return how many are new."""
        with self._snapshot() as conn:
            steps = [dict(r) for r in conn.execute(
                "SELECT id, ticket_id, action, from_state, to_state, at, actor, service, counter,"
                " detail FROM transitions WHERE id > ? ORDER BY id", [self._last_transition])]
            ratings = [dict(r) for r in conn.execute(
                "SELECT rowid AS rowid, ticket_id, level, at FROM ratings WHERE rowid > ?"
                " ORDER BY rowid", [self._last_rating])]
            ids = {s["ticket_id"] for s in steps} | {r["ticket_id"] for r in ratings}
            rows = {r["id"]: dict(r) for r in conn.execute(
                f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE id IN"
                f" ({', '.join('?' for _ in ids)})", list(ids))} if ids else {}
        last_step_of = {s["ticket_id"]: s["id"] for s in steps}
        changes: list[tuple[str, int, str, dict[str, Any]]] = (
            [(s["at"], 0, "step", s) for s in steps]
            + [(r["at"], 1, "rating", r) for r in ratings])
        ordered = sorted(changes, key=_commit_order(steps))
        for _, _, kind, change in ordered:
            if kind == "step":
                ticket_id = change["ticket_id"]
                after = _replay(self._tickets.get(ticket_id), change)
                if last_step_of[ticket_id] == change["id"]:
                    # The row is the ticket after its latest transition: send it as it is.
                    after = ticket_view(rows[ticket_id])
                else:
                    after = {**ticket_view(rows[ticket_id]), **{
                        k: after[k] for k in after if k in TICKET_COLUMNS}}
                self._tickets[ticket_id] = after
                self._add_step(change, after)
            else:
                row = rows[change["ticket_id"]]
                self._append("rating_given", change["at"], {
                    "ticket": change["ticket_id"], "day": row["day"], "level": change["level"],
                    "at": change["at"], "service": row["service"], "counter": row["counter"],
                    "officer": row["officer"]})
        if steps:
            self._last_transition = steps[-1]["id"]
        if ratings:
            self._last_rating = ratings[-1]["rowid"]
        return len(ordered)

    def _add_step(self, step: dict[str, Any], ticket: dict[str, Any]) -> None:
        action = step["action"]
        data: dict[str, Any] = {"ticket": ticket, "step": {
            "action": action, "at": step["at"], "actor": step["actor"],
            "service": step["service"], "counter": step["counter"]}}
        if action in ("call", "restore_call", "recall"):
            data.update(counter=step["counter"], recall=action == "recall")
        self._append(EVENT_OF_ACTION.get(action, "ticket_updated"), step["at"], data)

    def _append(self, name: str, at: str, data: dict[str, Any]) -> None:
        seq = len(self.events) + 1
        self.events.append({"id": f"{self.stream}-{seq}", "seq": seq, "event": name, "at": at,
                            "data": data})

    def batch(self, first: int, size: int, *, sent_at: datetime | None = None) -> dict[str, Any]:
        """The body of a batch of events from seq `first` on."""
        body: dict[str, Any] = {"stream": self.stream,
                                "events": self.events[first - 1:first - 1 + size]}
        if sent_at is not None:
            body["sent_at"] = sent_at.isoformat(timespec="milliseconds")
        if self.profile is not None:
            body["center"] = self.profile
        return body


def _commit_order(steps: list[dict[str, Any]]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Order transitions by id and put each rating after the last transition not later than it."""
    def key(change: tuple[Any, ...]) -> tuple[Any, ...]:
        at, _, kind, row = change
        if kind == "step":
            return (row["id"], 0, 0)
        before = [s["id"] for s in steps if s["at"] <= at]
        return (max(before) if before else 0, 1, row["rowid"])

    return key


class SendFailed(RuntimeError):
    """The hub did not take the batch (down, or refused it)."""

    def __init__(self, status: int | None, text: str) -> None:
        super().__init__(f"{status}: {text}")
        self.status = status


def forward(outbox: ReferenceOutbox, post: Callable[[dict[str, Any]], tuple[int, Any]], *,
            size: int = 200, now: Callable[[], datetime] | None = None) -> list[Any]:
    """Send every numbered event the hub has not acknowledged; return the hub's answers.

    `post(body)` returns (HTTP status, JSON answer) or raises; anything but 200 stops the
    sending with SendFailed, and the next call starts again from the last acknowledgement.
    """
    outbox.collect()
    answers = []
    while outbox.acked < outbox.last_seq:
        body = outbox.batch(outbox.acked + 1, size, sent_at=now() if now else None)
        status, answer = post(body)
        if status != 200:
            raise SendFailed(status, str(answer))
        answers.append(answer)
        if answer["applied_through"] <= outbox.acked:
            raise SendFailed(status, f"no progress: {answer}")
        outbox.acked = answer["applied_through"]
    return answers


def box_profile(settings: Any) -> dict[str, Any]:
    """The `center` object of a batch, from a box's settings."""
    return {"name": settings.center.name,
            "target_wait_minutes": settings.policy.target_wait_minutes,
            "services": [{"code": s.code, "name": s.name} for s in settings.services],
            "counters": [{"number": c.number, "name": c.display_name} for c in settings.counters]}


__all__ = ["ReferenceOutbox", "SendFailed", "box_profile", "forward", "ticket_view"]
