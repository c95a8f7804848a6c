"""The ingest protocol: a box's batch of forwarded events, checked into plain values.

Pure: no database, no request, no clock. `parse_batch` checks the batch's envelope (a bad
envelope refuses the whole batch: nothing is stored); `parse_event` checks one event and
either returns an `Event` or raises `BadEvent` naming the field, so that one malformed event
is reported while the good ones of the same batch are applied. The full specification, with
every field a box must send, is `README.md` beside this module ("The ingest protocol").

>>> batch = parse_batch({"stream": "box-1", "events": [
...     {"seq": 1, "event": "counter_updated", "at": "2026-11-23T08:00:00.000+07:00",
...      "data": {"counter": {"number": 1}}}]})
>>> event = parse_event(batch.events[0])
>>> event.seq, event.name, event.day
(1, 'counter_updated', '2026-11-23')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..domain.model import RATING_LEVELS, TICKET_STATES
from ..stats.figures import StepRow, TicketRow

# The events the hub reads figures from; any other name is kept as it came and not read.
TICKET_EVENTS = ("ticket_issued", "ticket_called", "ticket_updated")
RATING_GIVEN = "rating_given"

# Every transition of a ticket's life a `step` may name (queue_core.domain.lifecycle).
STEP_ACTIONS = ("issue", "call", "restore_call", "recall", "finish", "no_show", "transfer",
                "restore", "cancel", "expire", "day_end", "priority")

MAX_EVENTS = 1000
DEFAULT_STREAM = "main"
STREAM_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Days outside these bounds come from a box whose clock is lost (a Pi starts in 1970).
FIRST_DAY = "2000-01-01"
LAST_DAY = "2099-12-31"


class BadBatch(ValueError):
    """The batch itself is not what the protocol says: nothing of it is stored."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class BadEvent(ValueError):
    """One event of a batch is malformed; it is reported and never applied."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Profile:
    """What a box says about itself: names shown on the dashboard and its target wait."""

    name: str | None = None
    target_wait_minutes: float | None = None
    services: tuple[tuple[str, str], ...] = ()
    counters: tuple[tuple[int, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "target_wait_minutes": self.target_wait_minutes,
                "services": [{"code": c, "name": n} for c, n in self.services],
                "counters": [{"number": c, "name": n} for c, n in self.counters]}


@dataclass(frozen=True)
class Batch:
    """A checked batch envelope; its events are still raw (see `parse_event`)."""

    stream: str
    events: tuple[Any, ...]
    sent_at: datetime | None = None
    oldest_available: int | None = None
    profile: Profile | None = None


@dataclass(frozen=True)
class RatingGiven:
    """A citizen's rating of a served ticket."""

    ticket: str
    day: str
    level: str
    at: datetime


@dataclass(frozen=True)
class Event:
    """One checked event: its place in the stream, and what the hub reads from it."""

    seq: int
    name: str
    at: datetime
    day: str
    raw: dict[str, Any]
    ticket: TicketRow | None = None
    step: StepRow | None = None
    rating: RatingGiven | None = None


# --- small checks ---------------------------------------------------------------------------

def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_time(value: Any, field: str, error: type[BadEvent] | type[BadBatch] = BadEvent,
               ) -> datetime:
    """Return an ISO 8601 time with its UTC offset (the box's clock), or raise naming `field`."""
    if not isinstance(value, str) or len(value) > 40:
        raise error(field, "an ISO 8601 time with offset, such as 2026-11-23T08:05:00+07:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise error(field, "an ISO 8601 time with offset") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise error(field, "the time needs its UTC offset (+07:00)")
    return moment


def _optional_time(value: Any, field: str) -> datetime | None:
    return None if value is None else parse_time(value, field)


def _day(value: Any, field: str) -> str:
    if not isinstance(value, str) or not DAY_RE.match(value):
        raise BadEvent(field, "a date such as 2026-11-23")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise BadEvent(field, "a date that exists") from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise BadEvent(field, f"a date from {FIRST_DAY} to {LAST_DAY} (is the box's clock set?)")
    return value


def _text(value: Any, field: str, *, longest: int = 64, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= longest:
        raise BadEvent(field, f"text of 1 to {longest} characters")
    return value


def _counter(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if not _int(value) or not 0 < value < 100_000:
        raise BadEvent(field, "null or a counter number")
    return int(value)


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadEvent(field, "a JSON object")
    return value


# --- the batch ------------------------------------------------------------------------------

def parse_batch(body: Any) -> Batch:
    """Check a batch's envelope; raise BadBatch naming the field."""
    if not isinstance(body, dict):
        raise BadBatch("body", "a JSON object {\"events\": [...]}")
    events = body.get("events")
    if not isinstance(events, list):
        raise BadBatch("events", "a list of events (it may be empty)")
    if len(events) > MAX_EVENTS:
        raise BadBatch("events", f"at most {MAX_EVENTS} events in one batch")
    stream = body.get("stream", DEFAULT_STREAM)
    if not isinstance(stream, str) or not STREAM_RE.match(stream):
        raise BadBatch("stream", "1 to 64 letters, digits or . _ : -")
    sent_at = body.get("sent_at")
    sent = None if sent_at is None else parse_time(sent_at, "sent_at", BadBatch)
    oldest = body.get("oldest_available")
    if oldest is not None and (not _int(oldest) or oldest < 1):
        raise BadBatch("oldest_available", "null or a sequence number of at least 1")
    profile = body.get("center")
    return Batch(stream, tuple(events), sent, oldest,
                 None if profile is None else parse_profile(profile))


def parse_profile(value: Any) -> Profile:
    """Check the optional `center` object of a batch."""
    if not isinstance(value, dict):
        raise BadBatch("center", "a JSON object")
    name = value.get("name")
    if name is not None and (not isinstance(name, str) or not 0 < len(name) <= 200):
        raise BadBatch("center.name", "text of 1 to 200 characters")
    target = value.get("target_wait_minutes")
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))
                               or not 0 < target <= 24 * 60):
        raise BadBatch("center.target_wait_minutes", "a number of minutes from 1 to 1440")
    services: list[tuple[str, str]] = []
    for i, item in enumerate(value.get("services") or []):
        if (not isinstance(item, dict) or not isinstance(item.get("code"), str)
                or not isinstance(item.get("name"), str)):
            raise BadBatch(f"center.services[{i}]", "{\"code\", \"name\"}")
        services.append((item["code"][:16], item["name"][:200]))
    counters: list[tuple[int, str]] = []
    for i, item in enumerate(value.get("counters") or []):
        if (not isinstance(item, dict) or not _int(item.get("number"))
                or not isinstance(item.get("name"), str)):
            raise BadBatch(f"center.counters[{i}]", "{\"number\", \"name\"}")
        counters.append((int(item["number"]), item["name"][:200]))
    return Profile(name, target, tuple(services),
                   tuple(counters))


def event_seq(raw: Any) -> int | None:
    """Return the event's sequence number if it has a usable one (else it cannot be placed)."""
    if isinstance(raw, dict) and _int(raw.get("seq")) and raw["seq"] >= 1:
        return int(raw["seq"])
    return None


# --- one event ------------------------------------------------------------------------------

def parse_event(raw: Any) -> Event:
    """Check one event envelope and, for the events statistics read, its data."""
    if not isinstance(raw, dict):
        raise BadEvent("event", "a JSON object {\"seq\", \"event\", \"at\", \"data\"}")
    seq = event_seq(raw)
    if seq is None:
        raise BadEvent("seq", "a whole number of at least 1")
    name = raw.get("event")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise BadEvent("event", "a snake_case event name")
    at = parse_time(raw.get("at"), "at")
    data = _object(raw.get("data"), "data")
    ident = raw.get("id")
    if ident is not None:
        _text(ident, "id", longest=128)
    if name in TICKET_EVENTS:
        ticket = parse_ticket(data.get("ticket"))
        step = parse_step(data.get("step"))
        return Event(seq, name, at, ticket.day, raw, ticket=ticket, step=step)
    if name == RATING_GIVEN:
        rating = parse_rating(data)
        return Event(seq, name, at, rating.day, raw, rating=rating)
    return Event(seq, name, at, _day(at.date().isoformat(), "at"), raw)


def parse_ticket(value: Any) -> TicketRow:
    """Check the Ticket a ticket event carries, as the row the box's statistics read."""
    t = _object(value, "data.ticket")
    state = t.get("state")
    if state not in TICKET_STATES:
        raise BadEvent("data.ticket.state", f"one of {', '.join(TICKET_STATES)}")
    recalls = t.get("recalls", 0)
    if not _int(recalls) or recalls < 0:
        raise BadEvent("data.ticket.recalls", "a whole number of at least 0")
    return TicketRow(
        id=_text(t.get("id"), "data.ticket.id"),
        label=_text(t.get("label"), "data.ticket.label", longest=16),
        day=_day(t.get("day"), "data.ticket.day"),
        series=_text(t.get("series"), "data.ticket.series", longest=16),
        service=_text(t.get("service"), "data.ticket.service", longest=16),
        state=state,
        issued_at=parse_time(t.get("issued_at"), "data.ticket.issued_at"),
        priority=_text(t.get("priority"), "data.ticket.priority", longest=32, optional=True),
        channel=_text(t.get("channel"), "data.ticket.channel", longest=32, optional=True),
        counter=_counter(t.get("counter"), "data.ticket.counter"),
        officer=_text(t.get("officer"), "data.ticket.officer", optional=True),
        called_at=_optional_time(t.get("called_at"), "data.ticket.called_at"),
        finished_at=_optional_time(t.get("finished_at"), "data.ticket.finished_at"),
        recalls=int(recalls),
    )


def parse_step(value: Any) -> StepRow:
    """Check the `step` of a ticket event: the transition it records."""
    s = _object(value, "data.step")
    action = s.get("action")
    if action not in STEP_ACTIONS:
        raise BadEvent("data.step.action", f"one of {', '.join(STEP_ACTIONS)}")
    return StepRow(action=action, at=parse_time(s.get("at"), "data.step.at"),
                actor=_text(s.get("actor"), "data.step.actor", longest=128),
                service=_text(s.get("service"), "data.step.service", longest=16),
                counter=_counter(s.get("counter"), "data.step.counter"))


def parse_rating(data: dict[str, Any]) -> RatingGiven:
    """Check a `rating_given` event's data."""
    level = data.get("level")
    if level not in RATING_LEVELS:
        raise BadEvent("data.level", f"one of {', '.join(RATING_LEVELS)}")
    return RatingGiven(ticket=_text(data.get("ticket"), "data.ticket"),
                       day=_day(data.get("day"), "data.day"), level=level,
                       at=parse_time(data.get("at"), "data.at"))


__all__ = [
    "DEFAULT_STREAM",
    "MAX_EVENTS",
    "RATING_GIVEN",
    "STEP_ACTIONS",
    "TICKET_EVENTS",
    "BadBatch",
    "BadEvent",
    "Batch",
    "Event",
    "Profile",
    "RatingGiven",
    "event_seq",
    "parse_batch",
    "parse_event",
    "parse_time",
]
