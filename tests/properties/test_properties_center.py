"""Any sequence of queue operations keeps the center's invariants (hypothesis state machine).

The machine drives `queue_core.center.Center` on an in-memory store and a fake clock with
every operation an officer, a kiosk or the day keeper performs, valid or not. After each
step it checks what CONTRACT.md and DOMAIN.md promise:

- each ticket is in exactly one state, and the state filters of `tickets()` partition the day;
- no ticket is current at two counters; a counter's current ticket is `called` there, and
  every `called` ticket is the current ticket of its counter;
- numbers are unique per series and day and run 1, 2, 3… without holes; labels match them;
- wait times are never negative (issue ≤ queue ≤ call ≤ finish);
- `seq` rises by exactly one per state-changing operation, and every event of that
  operation carries it; an operation refused with a domain error changes nothing at all;
- each ticket's transitions chain from → to, from its issue to its present state;
- call-next takes whom the policy puts first among *all* waiting tickets of the counter's
  fields (the indexed `head_of_queue` read agrees with sorting the whole queue);
- `ahead` of the waiting tickets of a field counts 0, 1, 2… in call order;
- a screen that applies the pushed events (the display's own `LiveBoard`) shows what
  `board()` says.

`XEPHANG_PROPERTY_EXAMPLES` raises the number of runs (default 50 per machine).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from display.board import LiveBoard
from queue_core.domain import businessday, numbering, policy
from queue_core.service import center as center_module
from queue_core.service.center import Center
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import Settings, load_settings
from queue_core.domain.errors import XephangError
from queue_core.domain.model import (
    CALLED,
    CHANNELS,
    COUNTER_STATES,
    PRIORITIES,
    RATING_LEVELS,
    TICKET_STATES,
    WAITING,
    Ticket,
)
from queue_core.storage import Store

MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)
EXAMPLES = int(os.environ.get("XEPHANG_PROPERTY_EXAMPLES", "50"))
STEPS = int(os.environ.get("XEPHANG_PROPERTY_STEPS", "40"))
ACTOR = "user:lan"
MISSING_ID = "khong-co-ve-nay"

# Counter numbers 1–5 exist in the built-in center; 0 and 6 do not.
counters = st.integers(min_value=0, max_value=6)
services = st.sampled_from(["A", "B", "C", "D", "E", "F", "Z", "a"])
priorities = st.sampled_from([None, *PRIORITIES, "vip"])
keep_places = st.one_of(st.booleans(), st.just("yes"))


class CountingIds:
    """Stands in for `secrets` in the center module: ids t0001, t0002… in issue order."""

    def __init__(self) -> None:
        self.issued = 0

    def token_urlsafe(self, nbytes: int | None = None) -> str:
        self.issued += 1
        return f"t{self.issued:04d}"


def snapshot(store: Store) -> dict[str, Any]:
    """Everything an operation may change, read in one transaction."""
    with store.read():
        return {
            "seq": store.seq(),
            "tickets": {t.id: t for t in store.tickets()},
            "transitions": len(store.transitions()),
            "counters": {n: store.counter_status(n) for n in range(1, 6)},
            "ratings": store.conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0],
        }


def screen_view(board: dict[str, Any], calls: int) -> dict[str, Any]:
    """What a wall screen shows of a Board (recent calls by who, where and whether again)."""
    return {
        "seq": board["seq"],
        "counters": [(c["number"], c["state"], c["current"]) for c in board["counters"]],
        "services": [(s["code"], s["waiting"]) for s in board["services"]],
        "recent_calls": [(c["label"], c["counter"], c["recall"], c["ticket"])
                         for c in board["recent_calls"][:calls]],
    }


class CenterMachine(RuleBasedStateMachine):
    """The queue of one center, driven by arbitrary operations."""

    tickets = Bundle("tickets")

    def configure(self) -> Settings:
        return load_settings(env={})

    def __init__(self) -> None:
        super().__init__()
        self.settings = self.configure()
        self.clock = FakeClock(MONDAY_8AM)
        self.store = Store.open(":memory:")
        # Ticket ids decide ties in the store's order: the same steps must give the same ids,
        # or hypothesis could not replay (and shrink) a failing run.
        self._real_secrets = center_module.secrets
        center_module.secrets = CountingIds()  # type: ignore[assignment]
        self.events: list[Any] = []
        self.center = Center(self.settings, self.store, clock=self.clock,
                             publish=self.events.extend)
        self.seq = 0
        self.screen = LiveBoard(recent_limit=8)
        self.day = businessday.day_of(self.clock.now())

    def teardown(self) -> None:
        center_module.secrets = self._real_secrets
        self.store.close()

    # --- running one operation ---------------------------------------------------------------

    def attempt(self, operation: Any, *args: Any, bumps: Any = True, **kwargs: Any) -> Any:
        """Run an operation; check seq and events, or that a refusal changed nothing.

        `bumps` says whether success changes the queue: a bool, or a function of the result.
        Returns the result, or None when a domain error refused the operation.
        """
        before = snapshot(self.store)
        published = len(self.events)
        try:
            result = operation(*args, **kwargs)
        except XephangError as error:
            assert 400 <= error.status < 500, f"{error!r} is not a client error"
            assert snapshot(self.store) == before, f"{error!r} left changes behind"
            assert len(self.events) == published, f"{error!r} published events"
            return None
        changed = bumps(result) if callable(bumps) else bumps
        after = snapshot(self.store)
        new_events = self.events[published:]
        if changed:
            self.seq += 1
            assert after["seq"] == before["seq"] + 1, (operation.__name__, before["seq"],
                                                       after["seq"])
            assert new_events, f"{operation.__name__} changed the queue without an event"
            assert {e.seq for e in new_events} == {after["seq"]}
        else:
            assert after["seq"] == before["seq"], f"{operation.__name__} moved seq for nothing"
            assert not new_events
        for event in new_events:
            self.screen.apply(event.name, event.message(), now=0.0)
        return result

    def queue_key(self, ticket: Ticket) -> tuple[Any, ...]:
        return policy.queue_key(ticket, now=self.clock.now(),
                                aging_minutes=self.settings.policy.aging_minutes)

    # --- rules ---------------------------------------------------------------------------------

    @initialize()
    def open_screen(self) -> None:
        self.screen.load(self.center.board(), now=0.0)

    @rule(target=tickets, service=services, priority=priorities,
          channel=st.sampled_from([*CHANNELS, "fax"]))
    def issue(self, service: str, priority: str | None, channel: str) -> Any:
        ticket = self.attempt(self.center.issue, service, priority=priority, channel=channel,
                              actor="kiosk:hall")
        if ticket is None:
            return multiple()
        assert ticket["state"] == WAITING and ticket["ahead"] >= 0
        assert ticket["eta_minutes"] is None or ticket["eta_minutes"] >= 0
        return ticket["id"]

    @rule(counter=counters)
    def call_next(self, counter: int) -> None:
        config = self.settings.counter(counter)
        expected = None
        if config is not None:
            with self.store.read():
                waiting = [t for t in self.store.tickets(states=[WAITING])
                           if t.service in config.services]
            ordered = policy.order_queue(waiting, now=self.clock.now(),
                                         aging_minutes=self.settings.policy.aging_minutes)
            expected = self.queue_key(ordered[0]) if ordered else None
        called = self.attempt(self.center.call_next, counter, actor=ACTOR,
                              bumps=lambda result: result is not None)
        if called is not None:
            with self.store.read():
                chosen = self.store.ticket(called["id"])
            # The key ends with the id: exactly one ticket is at the head.
            assert chosen is not None and self.queue_key(chosen) == expected, \
                "call-next skipped the head of the queue"
            assert called["state"] == CALLED and called["counter"] == counter
        elif config is not None and expected is not None:
            # Nobody called although someone waits: only a busy or not-open counter may refuse.
            status = self.center.counter_view(counter)
            assert status["state"] != "open" or status["current"] is not None

    @rule(counter=counters, ticket=st.one_of(tickets, st.just(MISSING_ID)))
    def call(self, counter: int, ticket: str) -> None:
        called = self.attempt(self.center.call, counter, ticket, actor=ACTOR)
        if called is not None:
            assert called["id"] == ticket and called["counter"] == counter

    @rule(counter=counters)
    def recall(self, counter: int) -> None:
        before = self.center.counter_view(counter)["current"] if 1 <= counter <= 5 else None
        again = self.attempt(self.center.recall, counter, actor=ACTOR)
        if again is not None:
            assert before is not None and again["id"] == before["id"]
            assert again["recalls"] == before["recalls"] + 1

    @rule(counter=counters)
    def no_show(self, counter: int) -> None:
        ticket = self.attempt(self.center.no_show, counter, actor=ACTOR)
        if ticket is not None:
            assert ticket["state"] == "no_show"

    @rule(counter=counters)
    def finish(self, counter: int) -> None:
        ticket = self.attempt(self.center.finish, counter, actor=ACTOR)
        if ticket is not None:
            assert ticket["state"] == "done"

    @rule(counter=counters, service=services, keep_place=keep_places)
    def transfer(self, counter: int, service: str, keep_place: Any) -> None:
        ticket = self.attempt(self.center.transfer, counter, service, actor=ACTOR,
                              keep_place=keep_place)
        if ticket is not None:
            assert ticket["state"] == WAITING and ticket["service"] == service.strip().upper()

    @rule(counter=counters, state=st.sampled_from([*COUNTER_STATES, "broken"]))
    def set_counter_state(self, counter: int, state: str) -> None:
        view = self.attempt(self.center.set_counter_state, counter, state, actor=ACTOR)
        if view is not None:
            assert view["state"] == state

    @rule(ticket=st.one_of(tickets, st.just(MISSING_ID)))
    def cancel(self, ticket: str) -> None:
        self.attempt(self.center.cancel, ticket, actor=ACTOR)

    @rule(ticket=st.one_of(tickets, st.just(MISSING_ID)), keep_place=keep_places)
    def restore(self, ticket: str, keep_place: Any) -> None:
        restored = self.attempt(self.center.restore, ticket, actor=ACTOR, keep_place=keep_place)
        if restored is not None:
            assert restored["state"] == WAITING

    @rule(ticket=tickets, priority=priorities)
    def set_priority(self, ticket: str, priority: str | None) -> None:
        self.attempt(self.center.set_priority, ticket, priority, actor=ACTOR)

    @rule(ticket=st.one_of(tickets, st.just(MISSING_ID)),
          level=st.sampled_from([*RATING_LEVELS, "meh"]),
          comment=st.one_of(st.none(), st.text(max_size=20), st.just("x" * 501)))
    def rate(self, ticket: str, level: str, comment: str | None) -> None:
        with self.store.read():
            known = self.store.ticket(ticket)
            rated_before = self.store.rating(ticket) is not None
        answer = self.attempt(self.center.rate, ticket, level, comment=comment, bumps=False)
        if answer is not None:
            assert known is not None and known.state == "done" and not rated_before

    @rule(seconds=st.integers(min_value=1, max_value=4 * 3600))
    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)
        self.turn_of_day()

    @rule()
    def next_morning(self) -> None:
        now = self.clock.now()
        self.clock.set(datetime.combine(now.date() + timedelta(days=1),
                                        datetime.min.time(), VIETNAM) + timedelta(hours=7))
        self.turn_of_day()

    @rule()
    def close_day(self) -> None:
        self.attempt(self.center.close_day, bumps=lambda closed: closed > 0)

    def turn_of_day(self) -> None:
        day = businessday.day_of(self.clock.now())
        if day != self.day:
            # Screens fetch the Board once when the day turns (yesterday's calls go away).
            self.day = day
            self.screen.load(self.center.board(), now=0.0)

    # --- invariants ----------------------------------------------------------------------------

    def all_tickets(self) -> list[Ticket]:
        with self.store.read():
            return self.store.tickets()

    @invariant()
    def one_state_each(self) -> None:
        everything = self.all_tickets()
        assert all(t.state in TICKET_STATES for t in everything)
        for day in {t.day for t in everything}:
            by_filter = [t["id"] for state in TICKET_STATES
                         for t in self.center.tickets(state=state, date=day)]
            assert Counter(by_filter) == Counter(t.id for t in everything if t.day == day)

    @invariant()
    def counters_and_called_tickets_match(self) -> None:
        currents = {}
        for view in self.center.counters():
            current = view["current"]
            if current is not None:
                assert current["state"] == CALLED, view
                assert current["counter"] == view["number"], view
                currents[view["number"]] = current["id"]
        assert len(set(currents.values())) == len(currents), "a ticket current at two counters"
        called = {t.id: t.counter for t in self.all_tickets() if t.state == CALLED}
        assert called == {ticket: number for number, ticket in currents.items()}

    @invariant()
    def numbers_unique_and_contiguous(self) -> None:
        series: dict[tuple[str, str], list[int]] = defaultdict(list)
        style = self.settings.center.label_style
        for t in self.all_tickets():
            series[(t.series, t.day)].append(t.number)
            base = self.settings.service(t.series).numeric_base  # type: ignore[union-attr]
            assert t.label == numbering.format_label(t.series, t.number, style=style,
                                                     numeric_base=base)
        for numbers in series.values():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))

    @invariant()
    def times_in_order(self) -> None:
        for t in self.all_tickets():
            assert t.issued_at <= t.queued_at
            if t.called_at is not None:
                assert t.called_at >= t.issued_at, t
            if t.finished_at is not None:
                assert t.finished_at >= t.issued_at, t
                if t.called_at is not None and t.state in ("done", "no_show"):
                    assert t.finished_at >= t.called_at, t

    @invariant()
    def seq_counts_changes(self) -> None:
        with self.store.read():
            assert self.store.seq() == self.seq

    @invariant()
    def transitions_chain(self) -> None:
        with self.store.read():
            steps = self.store.transitions()
            tickets = {t.id: t for t in self.store.tickets()}
        chains: dict[str, list[Any]] = defaultdict(list)
        for step in steps:
            chains[step.ticket_id].append(step)
        assert set(chains) == set(tickets)
        for ticket_id, chain in chains.items():
            assert chain[0].action == "issue" and chain[0].from_state is None
            assert chain[0].to_state == WAITING
            for earlier, later in pairwise(chain):
                assert later.from_state == earlier.to_state, (earlier, later)
                assert later.at >= earlier.at
            assert chain[-1].to_state == tickets[ticket_id].state
            assert chain[-1].service == tickets[ticket_id].service

    @invariant()
    def ahead_counts_in_call_order(self) -> None:
        today = businessday.day_of(self.clock.now())
        waiting = [t for t in self.all_tickets() if t.state == WAITING]
        if any(t.day != today for t in waiting):
            return  # the day keeper has yet to expire yesterday's queue
        by_id = {t.id: t for t in waiting}
        for code in {t.service for t in waiting}:
            queue = self.center.tickets(state=WAITING, service=code)
            keys = [self.queue_key(by_id[t["id"]]) for t in queue]
            assert keys == sorted(keys), "tickets(state=waiting) is not in call order"
            assert [t["ahead"] for t in queue] == list(range(len(queue)))
            assert all(t["eta_minutes"] is None or t["eta_minutes"] >= 0 for t in queue)

    @invariant()
    def screen_shows_the_board(self) -> None:
        if self.screen.board is None:
            return
        assert not self.screen.wants_resync, "the events had a gap"
        calls = self.screen.recent_limit + 1
        assert screen_view(self.screen.board, calls) == screen_view(self.center.board(), calls)
        # The large panel shows only a call still true: its ticket at its counter, open.
        call = self.screen.call
        if call is not None:
            counter = self.center.counter_view(call.counter)
            assert counter["state"] == "open" and counter["current"] is not None
            assert counter["current"]["id"] == call.ticket


class AgingNumericMachine(CenterMachine):
    """The same, with 4-digit numbers and long waits going ahead of newer priority tickets."""

    def configure(self) -> Settings:
        return load_settings(env={"XEPHANG_LABEL_STYLE": "numeric",
                                  "XEPHANG_POLICY_AGING_MINUTES": "30"})


RUN = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

TestCenterMachine = CenterMachine.TestCase
TestCenterMachine.settings = RUN
TestAgingNumericMachine = AgingNumericMachine.TestCase
TestAgingNumericMachine.settings = RUN

