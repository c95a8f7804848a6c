"""The center: the one writer path for every change to the queue.

Each operation runs the domain inside one `Store.write()` transaction (with the audit
row of what a person did: ticket steps are their own `transitions` rows, counter
states an `audit_log` row), raises the board's `seq` once, commits, and only then
hands its events to `publish`.

>>> from queue_core.config import load_settings
>>> from queue_core.storage import Store
>>> sent = []
>>> center = Center(load_settings(env={"XEPHANG_CENTER_OPENS_AT": "00:00",
...                                    "XEPHANG_CENTER_CLOSES_AT": "24:00",
...                                    "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7"}),
...                 Store.open(":memory:"), publish=sent.extend)
>>> center.issue("A", actor="kiosk:hall")["label"]
'A001'
>>> center.call_next(1, actor="staff:lan")["state"]
'called'
>>> [event.name for event in sent]
['ticket_issued', 'ticket_called', 'counter_updated']
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from queue_core.config import CounterSettings, LiveSettings, ServiceSettings, Settings
from queue_core.domain import (
    businessday,
    calls,
    counters,
    dossiers,
    eta,
    holder,
    lifecycle,
    numbering,
    policy,
    vocabulary,
)
from queue_core.domain import speech as speech_text
from queue_core.domain.clock import Clock, SystemClock, time_text
from queue_core.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from queue_core.domain.events import (
    COUNTER_UPDATED,
    DOSSIER_ATTACHED,
    RATING_GIVEN,
    RATING_REQUESTED,
    ROOM_ANNOUNCER,
    ROOM_BOARD,
    ROOM_KIOSK,
    TICKET_CALLED,
    TICKET_ISSUED,
    TICKET_ROOM_EVENTS,
    TICKET_UPDATED,
    Event,
    counter_room,
    ticket_room,
)
from queue_core.domain.model import (
    CALLED,
    CHANNELS,
    COUNTER_STATES,
    DONE,
    OPEN,
    PRIORITIES,
    RATING_LEVELS,
    TICKET_STATES,
    WAITING,
    CounterStatus,
    Rating,
    Ticket,
    Transition,
)
from queue_core.domain.outbox import TICKET_EVENTS
from queue_core.domain.payloads import (
    center_json,
    counter_json,
    dossier_json,
    forwarded_ticket_json,
    service_json,
    step_json,
    ticket_json,
)
from queue_core.service import audit, workdays
from queue_core.storage import Store
from queue_core.storage.marks import Marks

RECENT_CALLS = 10
# Below this much free space where the database lives, the box says its storage is low.
LOW_STORAGE_BYTES = 20 * 1024 * 1024
# Calls and recalls read to make the recent calls (a recall folds into its call's entry).
ANNOUNCEMENTS_READ = 4 * RECENT_CALLS

Publish = Callable[[list[Event]], None]


class _Change:
    """The events one transaction will publish once it commits, and keep in the outbox."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now
        self.events: list[Event] = []
        # Events for the outbox only (no Socket.IO room, the board's seq unchanged).
        self.kept: list[tuple[str, dict[str, Any]]] = []
        # The latest step of each ticket changed here: ticket events carry it out of the box.
        self.steps: dict[str, tuple[Ticket, Transition]] = {}

    def stepped(self, ticket: Ticket, transition: Transition) -> None:
        self.steps[ticket.id] = (ticket, transition)

    def emit(self, name: str, payload: dict[str, Any], *rooms: str) -> None:
        shown = payload.get("ticket")
        if name in TICKET_ROOM_EVENTS and isinstance(shown, dict):
            # The citizen's own page hears every change of its ticket.
            rooms = (*rooms, ticket_room(shown["id"]))
        forward = None
        if name in TICKET_EVENTS:
            ticket, transition = self.steps[payload["ticket"]["id"]]
            forward = {"ticket": forwarded_ticket_json(ticket, payload["ticket"]),
                       "step": step_json(transition)}
        self.events.append(Event(name, payload, rooms, forward=forward))

    def keep(self, name: str, data: dict[str, Any]) -> None:
        self.kept.append((name, data))


class Center:
    """Every operation on the queue, for the web layer, the CLI and tests alike."""

    def __init__(self, settings: Settings | LiveSettings, store: Store, *,
                 clock: Clock | None = None, publish: Publish | None = None,
                 marks: Marks | None = None, outbox: bool = True) -> None:
        # The settings in force: the admin console swaps them while the center serves.
        self.live = settings if isinstance(settings, LiveSettings) else LiveSettings(settings)
        settings = self.live.current
        self.store = store
        # The day's highest numbers, kept beside the database (None: in-memory stores).
        self.marks = marks
        self.clock: Clock = clock or SystemClock(_zone(settings))
        self.publish: Publish = publish or (lambda events: None)
        # Told after a commit that added outbox rows (the senders wake up on it).
        self.outbox_grew: Callable[[], None] = lambda: None
        # Off only to measure what the outbox costs (bench/bench_outbox.py).
        self.keeps_outbox = outbox
        # Held from BEGIN to the end of publishing, so events leave in `seq` order.
        self._order = threading.RLock()

    @property
    def settings(self) -> Settings:
        return self.live.current

    # --- the writer path -------------------------------------------------------------------

    def publishing(self) -> threading.RLock:
        """Return the lock that orders commits and pushes (hold it to send a consistent Board)."""
        return self._order

    @contextmanager
    def _change(self) -> Iterator[_Change]:
        with self._order:
            now = self.clock.now()
            with self.store.write():
                change = _Change(self.store, now)
                yield change
                if change.events:
                    seq = self.store.bump_seq()
                    waiting = self._waiting_counts()
                    change.events = [
                        Event(e.name, {**e.payload, "waiting": waiting}, e.rooms, seq, e.forward)
                        for e in change.events
                    ]
                kept = self.keeps_outbox and bool(change.events or change.kept)
                if kept:
                    self._keep(change)
            if change.events:
                self.publish(change.events)
            if kept:
                self.outbox_grew()

    def _keep(self, change: _Change) -> None:
        """Write the change's events to the outbox, inside its transaction."""
        board_seq = change.events[0].seq if change.events else self.store.seq()
        at = time_text(change.now)
        self.store.add_outbox(
            [(board_seq or 0, e.name, at, e.forwarded()) for e in change.events]
            + [(board_seq or 0, name, at, {"seq": board_seq, **data})
               for name, data in change.kept])

    def _record(self, change: _Change, step: lifecycle.Step) -> Ticket:
        change.store.update_ticket(step.ticket)
        change.store.add_transition(step.transition)
        change.stepped(step.ticket, step.transition)
        return step.ticket

    # --- lookups ---------------------------------------------------------------------------

    def service(self, code: Any) -> ServiceSettings:
        if not isinstance(code, str):
            raise InvalidInput(field="service", reason="a field code such as 'A'")
        found = self.settings.service(code.strip().upper())
        if found is None:
            raise NotFound("unknown_service", service=code)
        return found

    def counter(self, number: Any) -> CounterSettings:
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidInput(field="counter", reason="a counter number")
        found = self.settings.counter(number)
        if found is None:
            raise NotFound("unknown_counter", counter=number)
        return found

    def _ticket(self, ticket_id: Any) -> Ticket:
        ticket = self.store.ticket(ticket_id) if isinstance(ticket_id, str) else None
        if ticket is None:
            raise NotFound("unknown_ticket")
        return ticket

    # --- issuing ---------------------------------------------------------------------------

    def issue(self, service: Any, *, priority: Any = None, channel: Any = "kiosk",
              actor: str) -> dict[str, Any]:
        """Give the next number of a field's series for today; returns the Ticket."""
        return self.issue_once(service, priority=priority, channel=channel, actor=actor)[0]

    def issue_once(self, service: Any, *, priority: Any = None, channel: Any = "kiosk",
                   actor: str, request_key: str | None = None) -> tuple[dict[str, Any], bool]:
        """Issue a ticket, or return the one an earlier try with the same key got.

        Returns the Ticket with its `holder_key` (for the issuer to print in the QR code;
        no event or other answer carries it) and whether it was created now.
        """
        field = self.service(service)
        if priority is not None and priority not in PRIORITIES:
            raise InvalidInput(field="priority", reason=f"null or one of {', '.join(PRIORITIES)}")
        if channel not in CHANNELS:
            raise InvalidInput(field="channel", reason=f"one of {', '.join(CHANNELS)}")
        with self._change() as change:
            if request_key is not None:
                earlier = change.store.ticket_by_request_key(request_key)
                if earlier is not None:
                    return {**self._ticket_view(earlier),
                            "holder_key": change.store.ticket_secret(earlier.id)}, False
            now = change.now
            if not workdays.is_open(self.settings, now):
                raise self._closed(now)
            if not field.open:
                raise Conflict("service_closed", name=field.name)
            day = businessday.day_of(now)
            style = self.settings.center.label_style
            last = change.store.last_number(field.code, day)
            if self.marks is not None:
                # After a restore of an older copy the database forgets numbers already
                # printed today; the mark beside it does not.
                last = max(last or 0, self.marks.issued(day, field.code)) or None
            number = numbering.next_number(last, code=field.code, style=style)
            label = numbering.format_label(field.code, number, style=style,
                                           numeric_base=field.numeric_base)
            step = lifecycle.issue(ticket_id=secrets.token_urlsafe(12), service=field.code,
                                   number=number, label=label, priority=priority,
                                   channel=channel, now=now, actor=actor)
            key = holder.new_key()
            change.store.insert_ticket(step.ticket, request_key=request_key, secret=key)
            change.store.add_transition(step.transition)
            if self.marks is not None:
                # On disk before the ticket commits, so no number printed is ever above the
                # mark (a small synced file; a failed write leaves no ticket behind).
                self.marks.reserve(day, field.code, number, seq=change.store.seq())
            change.stepped(step.ticket, step.transition)
            view = self._ticket_view(step.ticket)
            change.emit(TICKET_ISSUED, {"ticket": view}, ROOM_BOARD, ROOM_KIOSK, ROOM_ANNOUNCER)
        return {**view, "holder_key": key}, True

    # --- counter operations ----------------------------------------------------------------

    def call_next(self, counter: int, *, actor: str, officer: str | None = None) -> dict[str, Any] | None:
        """Call the next ticket for this counter's fields; None when nobody waits."""
        config = self.counter(counter)
        with self._change() as change:
            status = change.store.counter_status(counter)
            counters.ensure_can_call(status, change.store.current_ticket(status))
            chosen = policy.choose_next(change.store.head_of_queue(config.services), now=change.now,
                                        aging_minutes=self.settings.policy.aging_minutes)
            if chosen is None:
                return None
            return self._call(change, config, status, chosen, actor, officer)

    def call(self, counter: int, ticket_id: Any, *, actor: str,
             officer: str | None = None) -> dict[str, Any]:
        """Call a specific waiting ticket, or a no-show of today who turned up."""
        config = self.counter(counter)
        with self._change() as change:
            ticket = self._ticket(ticket_id)
            status = change.store.counter_status(counter)
            counters.ensure_can_call(status, change.store.current_ticket(status))
            counters.ensure_serves(config, ticket.service)
            return self._call(change, config, status, ticket, actor, officer)

    def _call(self, change: _Change, config: CounterSettings, status: CounterStatus,
              ticket: Ticket, actor: str, officer: str | None) -> dict[str, Any]:
        called = self._record(change, lifecycle.call(ticket, counter=config.number, now=change.now,
                                                     actor=actor, officer=officer))
        status = status.evolve(current=called.id, officer=officer or status.officer)
        change.store.save_counter(status)
        return self._announce(change, config, status, called, recall=False)

    def _announce(self, change: _Change, config: CounterSettings, status: CounterStatus,
                  ticket: Ticket, *, recall: bool) -> dict[str, Any]:
        view = ticket_json(ticket)
        change.emit(TICKET_CALLED, {"ticket": view, "counter": config.number, "recall": recall,
                                    "at": time_text(change.now),
                                    "speech": self.speech(ticket.label, config.number, recall=recall),
                                    "caption": self.caption(ticket.label, config.number,
                                                            recall=recall)},
                    ROOM_BOARD, counter_room(config.number), ROOM_ANNOUNCER)
        if not recall:
            change.emit(COUNTER_UPDATED, {"counter": counter_json(config, status, view)},
                        ROOM_BOARD, counter_room(config.number))
        return view

    def recall(self, counter: int, *, actor: str) -> dict[str, Any]:
        """Announce the ticket being served again."""
        config = self.counter(counter)
        with self._change() as change:
            status = change.store.counter_status(counter)
            current = counters.require_current(status, change.store.current_ticket(status))
            ticket = self._record(change, lifecycle.recall(current, now=change.now, actor=actor))
            return self._announce(change, config, status, ticket, recall=True)

    def no_show(self, counter: int, *, actor: str) -> dict[str, Any]:
        """Mark the called citizen as not come; the counter is free again."""
        return self._close_current(counter, lifecycle.no_show, actor=actor)

    def finish(self, counter: int, *, actor: str) -> dict[str, Any]:
        """Close the ticket being served as done and ask for a rating."""
        return self._close_current(counter, lifecycle.finish, actor=actor)

    def _close_current(self, counter: int, step: Callable[..., lifecycle.Step], *,
                       actor: str) -> dict[str, Any]:
        config = self.counter(counter)
        with self._change() as change:
            status = change.store.counter_status(counter)
            current = counters.require_current(status, change.store.current_ticket(status))
            ticket = self._record(change, step(current, now=change.now, actor=actor))
            status = status.evolve(current=None)
            change.store.save_counter(status)
            view = ticket_json(ticket)
            room = counter_room(counter)
            change.emit(TICKET_UPDATED, {"ticket": view}, ROOM_BOARD, room)
            change.emit(COUNTER_UPDATED, {"counter": counter_json(config, status, None)},
                        ROOM_BOARD, room)
            if ticket.state == DONE:
                change.emit(RATING_REQUESTED, {"counter": counter, "ticket": view}, room)
            return view

    def transfer(self, counter: int, service: Any, *, actor: str,
                 keep_place: Any = True) -> dict[str, Any]:
        """Send the citizen being served to wait in another field."""
        config = self.counter(counter)
        field = self.service(service)
        if not isinstance(keep_place, bool):
            raise InvalidInput(field="keep_place", reason="true or false")
        with self._change() as change:
            status = change.store.counter_status(counter)
            current = counters.require_current(status, change.store.current_ticket(status))
            ticket = self._record(change, lifecycle.transfer(
                current, service=field.code, now=change.now, actor=actor, keep_place=keep_place))
            status = status.evolve(current=None)
            change.store.save_counter(status)
            view = self._ticket_view(ticket)
            room = counter_room(counter)
            change.emit(TICKET_UPDATED, {"ticket": view, "transferred_from": current.service},
                        ROOM_BOARD, room)
            change.emit(COUNTER_UPDATED, {"counter": counter_json(config, status, None)},
                        ROOM_BOARD, room)
            return view

    def set_counter_state(self, counter: int, state: Any, *, actor: str,
                          officer: str | None = None) -> dict[str, Any]:
        """Open, pause or close a counter."""
        config = self.counter(counter)
        if state not in COUNTER_STATES:
            raise InvalidInput(field="state", reason=f"one of {', '.join(COUNTER_STATES)}")
        with self._change() as change:
            status = change.store.counter_status(counter)
            current = change.store.current_ticket(status)
            status = counters.change_state(status, state, current=current, now=change.now,
                                           officer=officer)
            change.store.save_counter(status)
            # Who opened, paused or closed it is kept with the change itself.
            change.store.add_audit(at=change.now, actor=actor, action=audit.COUNTER_STATE,
                                   target=f"counter:{counter}", detail=state)
            view = counter_json(config, status, ticket_json(current) if current else None)
            change.emit(COUNTER_UPDATED, {"counter": view}, ROOM_BOARD, counter_room(counter))
            return view

    # --- ticket operations -----------------------------------------------------------------

    def cancel(self, ticket_id: Any, *, actor: str) -> dict[str, Any]:
        """Withdraw a waiting ticket."""
        with self._change() as change:
            ticket = self._record(change, lifecycle.cancel(self._ticket(ticket_id), now=change.now,
                                                           actor=actor))
            view = ticket_json(ticket)
            change.emit(TICKET_UPDATED, {"ticket": view}, ROOM_BOARD)
            return view

    def restore(self, ticket_id: Any, *, actor: str, keep_place: Any = True) -> dict[str, Any]:
        """Put a no-show of today back in the queue."""
        if not isinstance(keep_place, bool):
            raise InvalidInput(field="keep_place", reason="true or false")
        with self._change() as change:
            ticket = self._record(change, lifecycle.restore(
                self._ticket(ticket_id), now=change.now, actor=actor, keep_place=keep_place))
            view = self._ticket_view(ticket)
            change.emit(TICKET_UPDATED, {"ticket": view}, ROOM_BOARD)
            return view

    def set_priority(self, ticket_id: Any, priority: Any, *, actor: str) -> dict[str, Any]:
        """Mark a waiting ticket as priority (or take the mark away with None)."""
        if priority is not None and priority not in PRIORITIES:
            raise InvalidInput(field="priority", reason=f"null or one of {', '.join(PRIORITIES)}")
        with self._change() as change:
            ticket = self._record(change, lifecycle.set_priority(
                self._ticket(ticket_id), priority=priority, now=change.now, actor=actor))
            view = self._ticket_view(ticket)
            change.emit(TICKET_UPDATED, {"ticket": view}, ROOM_BOARD)
            return view

    def rate(self, ticket_id: Any, level: Any, *, comment: Any = None) -> dict[str, Any]:
        """Keep a citizen's one rating of a served ticket."""
        if level not in self.rating_levels():
            raise InvalidInput(field="level", reason=f"one of {', '.join(self.rating_levels())}")
        if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
            raise InvalidInput(field="comment", reason="text of at most 500 characters")
        with self._change() as change:
            ticket = self._ticket(ticket_id)
            if ticket.state != DONE:
                raise Conflict("not_rateable")
            if change.store.rating(ticket.id) is not None:
                raise Conflict("already_rated")
            rating = Rating(ticket_id=ticket.id, level=level, at=change.now,
                            service=ticket.service, counter=ticket.counter,
                            officer=ticket.officer, comment=comment or None)
            change.store.add_rating(rating)
            # The comment stays on the box.
            change.keep(RATING_GIVEN, {"ticket": ticket.id, "day": ticket.day,
                                       "level": rating.level, "at": time_text(rating.at),
                                       "service": ticket.service, "counter": ticket.counter,
                                       "officer": ticket.officer})
        return {"ticket": ticket.id, "level": rating.level, "at": time_text(rating.at)}

    def _closed(self, now: datetime) -> Conflict:
        """Return the refusal of a closed center: why, and when it opens next."""
        settings = self.settings
        center = settings.center
        holiday = workdays.closed_today(settings, now)
        if holiday:
            why, why_en = f"Hôm nay trung tâm nghỉ ({holiday}).", f"holiday: {holiday}"
        else:
            why = f"Ngoài giờ làm việc ({center.opens_at}–{center.closes_at})."
            why_en = f"opening hours {center.opens_at}–{center.closes_at}"
        opens = workdays.next_opening(settings, now)
        return Conflict("center_closed", opens_at=center.opens_at, closes_at=center.closes_at,
                        why=why, why_en=why_en,
                        opens_next=vocabulary.opening_words(opens) if opens else "—",
                        opens_next_en=opens.strftime("%Y-%m-%d %H:%M") if opens else "—")

    def attach_dossier(self, ticket_id: Any, code: Any, *, procedure: Any = None, actor: str,
                       counter: int | None = None) -> dict[str, Any]:
        """Attach the one-door dossier (its code, maybe its procedure) the visit became.

        `counter` is the caller's counter when bound to one: only the counter that calls or
        called the ticket may attach its dossier. Attaching again replaces the code.
        Returns the Ticket with its dossier.
        """
        dossier = dossiers.ticket_code(code)
        if procedure is not None:
            procedure = dossiers.procedure_code(procedure)
        with self._change() as change:
            ticket = self._ticket(ticket_id)
            if counter is not None and ticket.counter != counter:
                raise Forbidden("wrong_counter", allowed=counter)
            # The transition is the audit row, and tells the statistics the day changed.
            ticket = self._record(change, lifecycle.attach_dossier(
                ticket, code=dossier, procedure=procedure, now=change.now, actor=actor))
            view = self._ticket_view(ticket, dossier=True)
            change.keep(DOSSIER_ATTACHED, {
                "ticket": forwarded_ticket_json(ticket, view), "dossier": dossier_json(ticket),
                "actor": actor})
            return view

    def rating_levels(self) -> tuple[str, ...]:
        return tuple(level for level in self.settings.ratings.levels if level in RATING_LEVELS)

    # --- the end of the day ----------------------------------------------------------------

    def close_day(self) -> int:
        """Expire tickets still waiting after closing, finish calls left open; return how many."""
        with self._change() as change:
            closed = 0
            # In demo mode the day has no closing hour: tickets wait until the day is over.
            demo = self.settings.center.demo
            for ticket in change.store.tickets(states=[WAITING, CALLED]):
                if ticket.state == WAITING and (
                        ticket.day < businessday.day_of(change.now) if demo
                        else businessday.is_past_closing(ticket.day, change.now,
                                                         self.settings.center)):
                    step = lifecycle.expire(ticket, now=change.now)
                elif ticket.state == CALLED and ticket.day < businessday.day_of(change.now):
                    step = lifecycle.close_forgotten(ticket, now=change.now)
                else:
                    continue
                self._record(change, step)
                change.emit(TICKET_UPDATED, {"ticket": ticket_json(step.ticket)}, ROOM_BOARD)
                if ticket.counter is not None and ticket.state == CALLED:
                    status = change.store.counter_status(ticket.counter)
                    if status.current == ticket.id:
                        change.store.save_counter(status.evolve(current=None))
                closed += 1
            return closed

    # --- reading ---------------------------------------------------------------------------

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        with self.store.read():
            return self._ticket_view(self._ticket(ticket_id), dossier=True)

    def ticket_at_seq(self, ticket_id: str) -> tuple[dict[str, Any], int]:
        """Return a ticket and the `seq` it is current at, read together."""
        with self.store.read():
            return self._ticket_view(self._ticket(ticket_id), dossier=True), self.store.seq()

    def tickets(self, *, state: str | None = None, service: str | None = None,
                date: str | None = None,
                among: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """List a day's tickets; `among` keeps only those fields (an officer's own)."""
        if state is not None and state not in TICKET_STATES:
            raise InvalidInput(field="state", reason=f"one of {', '.join(TICKET_STATES)}")
        code = self.service(service).code if service else None
        fields = [code] if code else (list(among) if among is not None else None)
        with self.store.read():
            found = self.store.tickets(states=[state] if state else None,
                                       services=fields,
                                       day=date or businessday.day_of(self.clock.now()))
            if state == WAITING:
                now = self.clock.now()
                found = policy.order_queue(found, now=now,
                                           aging_minutes=self.settings.policy.aging_minutes)
            return [self._ticket_view(t, dossier=True) for t in found]

    def holder_key(self, ticket_id: str) -> str | None:
        """Return the key printed in a ticket's QR code (for printing it again)."""
        with self.store.read():
            self._ticket(ticket_id)
            return self.store.ticket_secret(ticket_id)

    def holder_key_matches(self, ticket_id: str, given: object) -> bool:
        """Tell whether `given` is the ticket's holder key (constant time)."""
        with self.store.read():
            self._ticket(ticket_id)
            return holder.matches(self.store.ticket_secret(ticket_id), given)

    def transitions(self, ticket_id: str) -> list[dict[str, Any]]:
        with self.store.read():
            self._ticket(ticket_id)
            return [{"action": t.action, "from": t.from_state, "to": t.to_state, "at": time_text(t.at),
                     "actor": t.actor, "service": t.service, "counter": t.counter,
                     "detail": t.detail} for t in self.store.transitions(ticket_id)]

    def services(self) -> list[dict[str, Any]]:
        with self.store.read():
            waiting = self._waiting_counts()
        open_now = workdays.is_open(self.settings, self.clock.now())
        return [service_json(s, open_now=open_now and s.open, waiting=waiting.get(s.code, 0))
                for s in self.settings.services]

    def counters(self) -> list[dict[str, Any]]:
        with self.store.read():
            return self._counters_view()

    def counter_view(self, number: int) -> dict[str, Any]:
        config = self.counter(number)
        with self.store.read():
            status = self.store.counter_status(number)
            current = self.store.current_ticket(status)
            return counter_json(config, status, ticket_json(current) if current else None)

    def _counters_view(self) -> list[dict[str, Any]]:
        views = []
        for config in self.settings.counters:
            status = self.store.counter_status(config.number)
            current = self.store.current_ticket(status)
            views.append(counter_json(config, status, ticket_json(current) if current else None))
        return views

    def board(self) -> dict[str, Any]:
        """Return the whole Board snapshot, consistent with its `seq`."""
        now = self.clock.now()
        settings = self.settings
        is_open = workdays.is_open(settings, now)
        opens = None if is_open else workdays.next_opening(settings, now)
        with self.store.read():
            waiting = self._waiting_counts()
            return {
                "seq": self.store.seq(),
                "date": businessday.day_of(now),
                "now": time_text(now),
                "open": is_open,
                # When a closed center opens again, and the holiday that closes it today.
                "opens_next": time_text(opens) if opens else None,
                "closed_reason": None if is_open else workdays.closed_today(settings, now),
                "demo": settings.center.demo,
                "center": center_json(settings.center),
                "counters": self._counters_view(),
                "services": [{"code": s.code, "name": s.name, "name_en": s.name_en,
                              "open": s.open, "waiting": waiting.get(s.code, 0)}
                             for s in self.settings.services],
                "recent_calls": self._recent_calls(businessday.day_of(now)),
            }

    def _recent_calls(self, day: str) -> list[dict[str, Any]]:
        """Return today's recent calls, newest first, a recall folded into its call's entry."""
        recent = calls.fold_calls(self.store.recent_announcements(day, ANNOUNCEMENTS_READ),
                                  limit=RECENT_CALLS)
        for entry in recent:
            entry["speech"] = self.speech(entry["label"], entry["counter"], recall=entry["recall"])
            entry["caption"] = self.caption(entry["label"], entry["counter"],
                                            recall=entry["recall"])
        return recent

    def speech(self, label: str, counter: int, *, recall: bool = False) -> str:
        """Return the exact sentence the announcer says for a call."""
        speech = self.settings.speech
        return speech_text.call_sentence(label, counter, recall=recall, template=speech.template,
                                         recall_template=speech.recall_template,
                                         dialect=speech.dialect)

    def seq(self) -> int:
        """Return the board's `seq` now."""
        with self.store.read():
            return self.store.seq()

    def check_settings_change(self, old: Settings, new: Settings) -> None:
        """Refuse new settings that would strand today's citizens: a field removed while its
        tickets wait or are served, a counter removed while it serves someone."""
        kept_fields = {s.code for s in new.services}
        kept_counters = {c.number for c in new.counters}
        with self.store.read():
            today = businessday.day_of(self.clock.now())
            for service in old.services:
                if service.code in kept_fields:
                    continue
                held = self.store.tickets(states=[WAITING, CALLED], services=[service.code],
                                          day=today)
                if held:
                    raise Conflict("service_in_use", service=service.code, count=len(held))
            for config in old.counters:
                if config.number in kept_counters:
                    continue
                current = self.store.current_ticket(self.store.counter_status(config.number))
                if current is not None:
                    raise Conflict("counter_in_use", counter=config.number, label=current.label)

    def caption(self, label: str, counter: int, *, recall: bool = False) -> str:
        """Return the written form of that sentence, shown for people who cannot hear it."""
        speech = self.settings.speech
        return speech_text.call_caption(label, counter, recall=recall, template=speech.template,
                                        recall_template=speech.recall_template)

    def check_database(self) -> None:
        """Ask the database one question through the lock every request uses; raise if it cannot."""
        with self.store.read():
            self.store.seq()

    def storage_state(self) -> str:
        """Return "full" (the last write found no room), "low" (little room left) or "ok"."""
        if self.store.storage_full:
            return "full"
        free = self.store.free_bytes()
        if free is not None and free < LOW_STORAGE_BYTES:
            return "low"
        return "ok"

    def issued_for(self, request_key: str) -> bool:
        """Tell whether a ticket was already issued for this request key (a retry)."""
        with self.store.read():
            return self.store.ticket_by_request_key(request_key) is not None

    def _waiting_counts(self) -> dict[str, int]:
        counts = self.store.waiting_counts()
        return {s.code: counts.get(s.code, 0) for s in self.settings.services}

    def _ticket_view(self, ticket: Ticket, *, dossier: bool = False) -> dict[str, Any]:
        if ticket.state != WAITING:
            return ticket_json(ticket, dossier=dossier)
        ahead, minutes = self._position(ticket)
        return ticket_json(ticket, ahead=ahead, eta_minutes=minutes, dossier=dossier)

    def places(self, service: str) -> list[tuple[str, int, int | None]]:
        """Return every waiting ticket of a field, in call order, with its place.

        Each is (id, how many are ahead, minutes to its call): the same figures as the
        ticket's own `ahead` and `eta_minutes` (the same order `count_ahead` counts in),
        found for the whole field at once, without loading its tickets.
        """
        # Read apart from the writer: a hall of thousands of pages must not hold up a call.
        reader = self.store.reader()
        with reader.read():
            ordered = reader.waiting_order(service, aged_before=self._aged_before())
            mean, counters_open = self._service_pace(service, store=reader)
        return [(ticket_id, ahead, eta.estimate_minutes(ahead=ahead, mean_service_s=mean,
                                                        counters=counters_open))
                for ahead, ticket_id in enumerate(ordered)]

    def _aged_before(self) -> datetime | None:
        """Tickets queued at or before this have waited long enough to go ahead (aging)."""
        aging = self.settings.policy.aging_minutes
        return self.clock.now() - timedelta(minutes=aging) if aging > 0 else None

    def _service_pace(self, service: str, *, store: Store | None = None) -> tuple[float, int]:
        """Return the typical service time of a field and how many open counters serve it."""
        store = store or self.store
        serving = [c for c in self.settings.counters if service in c.services
                   and store.counter_status(c.number).state == OPEN]
        mean = eta.mean_service_seconds(
            store.recent_service_seconds(service, self.settings.policy.eta_sample_size),
            default_minutes=self.settings.policy.default_service_minutes)
        return mean, len(serving)

    def _position(self, ticket: Ticket) -> tuple[int, int | None]:
        """Return how many will be called before `ticket`, and the minutes until its call."""
        ahead = self.store.count_ahead(ticket, aged_before=self._aged_before())
        mean, counters_open = self._service_pace(ticket.service)
        return ahead, eta.estimate_minutes(ahead=ahead, mean_service_s=mean, counters=counters_open)


def open_center(settings: Settings | LiveSettings, *, store: Store | None = None,
                clock: Clock | None = None) -> Center:
    """Return the center over `store`, or over the data dir's database (opened and upgraded).

    Over the data dir's database, the day's number marks are kept beside it.
    """
    data_path = (settings.current if isinstance(settings, LiveSettings) else settings).data_path
    if store is not None:
        return Center(settings, store, clock=clock)
    return Center(settings, Store.in_data_dir(data_path), clock=clock,
                  marks=Marks.in_data_dir(data_path))


def _zone(settings: Settings) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.center.timezone)


__all__ = ["Center", "Publish", "Sequence", "open_center"]
