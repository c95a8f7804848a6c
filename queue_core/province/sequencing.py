"""Which events of a batch to apply: each (stream, seq) once, in order, and where a gap is.

Pure. A stream's events are applied strictly in `seq` order, so everything at or below
the stream's high-water mark (`applied`) has been seen: a resent event is a duplicate, and
the first missing number is where the box must resend from. A malformed event still takes
its place in the order (it is reported and recorded, never applied, and never asked for
again); an event without a usable `seq` cannot be placed and is only reported.

>>> from queue_core.province.protocol import parse_event
>>> raw = lambda seq: {"seq": seq, "event": "counter_updated",
...                    "at": "2026-11-23T08:00:00+07:00", "data": {}}
>>> plan = plan_batch(2, None, [raw(2), raw(3), raw(5)])
>>> [e.seq for e in plan.apply], plan.duplicates, plan.resend_from, plan.applied_through
([3], 1, 4, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .protocol import BadEvent, Event, event_seq, parse_event


@dataclass(frozen=True)
class Rejection:
    """A malformed event: where it stood (None if nowhere) and why."""

    seq: int | None
    field: str
    reason: str
    raw: Any

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "field": self.field, "reason": self.reason}


@dataclass
class Plan:
    """What to do with one batch, given the stream's high-water mark."""

    apply: list[Event] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: int = 0
    # Events after a gap: not applied now, the box sends them again from `resend_from`.
    deferred: int = 0
    resend_from: int | None = None
    applied_through: int = 0
    # Numbers the box said it no longer holds (its `oldest_available`): lost for good.
    lost: int = 0


def plan_batch(applied: int, oldest_available: int | None, raw_events: Sequence[Any]) -> Plan:
    """Return what to apply, skip and report, for a stream applied up to `applied`."""
    plan = Plan()
    if oldest_available is not None and oldest_available > applied + 1:
        plan.lost = oldest_available - 1 - applied
        applied = oldest_available - 1
    placed: list[tuple[int, int, Any]] = []
    for index, raw in enumerate(raw_events):
        seq = event_seq(raw)
        if seq is None:
            try:
                parse_event(raw)
            except BadEvent as bad:
                plan.rejected.append(Rejection(None, bad.field, bad.reason, raw))
            continue
        placed.append((seq, index, raw))
    placed.sort(key=lambda item: (item[0], item[1]))
    for seq, _, raw in placed:
        if seq <= applied:
            plan.duplicates += 1
            continue
        if seq > applied + 1:
            if plan.resend_from is None:
                plan.resend_from = applied + 1
            plan.deferred += 1
            continue
        applied = seq
        try:
            plan.apply.append(parse_event(raw))
        except BadEvent as bad:
            plan.rejected.append(Rejection(seq, bad.field, bad.reason, raw))
    plan.applied_through = applied
    return plan


__all__ = ["Plan", "Rejection", "plan_batch"]
