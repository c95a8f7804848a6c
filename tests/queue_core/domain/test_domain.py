"""The pure domain: lifecycle, policy, numbering, ETA, business day."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from queue_core.config import CenterSettings, CounterSettings
from queue_core.domain import businessday, counters, eta, lifecycle, numbering, policy
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.domain.errors import Conflict
from queue_core.domain.model import CLOSED, OPEN, PAUSED, CounterStatus, Ticket

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)


def make(ticket_id: str, minutes: float = 0, *, service: str = "A", priority: str | None = None,
         number: int = 1) -> Ticket:
    at = T0 + timedelta(minutes=minutes)
    return lifecycle.issue(ticket_id=ticket_id, service=service, number=number,
                           label=f"{service}{number:03d}", priority=priority, channel="kiosk",
                           now=at, actor="kiosk:test").ticket


def test_domain_modules_import_no_flask_sqlite_or_hardware() -> None:
    code = (
        "import sys\n"
        "import pkgutil, importlib, queue_core.domain\n"
        "for m in pkgutil.iter_modules(queue_core.domain.__path__):\n"
        "    importlib.import_module('queue_core.domain.' + m.name)\n"
        "bad = [m for m in ('flask', 'sqlite3', 'sqlite_utils', 'flask_socketio', 'escpos',"
        " 'gpiozero', 'pygame', 'pyttsx3') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("code,number,style,base,label", [
    ("A", 1, "prefix", 0, "A001"),
    ("A", 23, "prefix", 0, "A023"),
    ("F", 999, "prefix", 0, "F999"),
    ("B", 1000, "prefix", 0, "B1000"),
    ("A", 23, "numeric", 1000, "1023"),
    ("B", 7, "numeric", 2000, "2007"),
    ("F", 999, "numeric", 6000, "6999"),
    # Past 999 a series widens: never the next field's range, never a label seen before.
    ("A", 1000, "numeric", 1000, "11000"),
    ("F", 1000, "numeric", 6000, "61000"),
    ("A", 12345, "numeric", 1000, "112345"),
])
def test_labels(code: str, number: int, style: str, base: int, label: str) -> None:
    assert numbering.format_label(code, number, style=style, numeric_base=base) == label


def test_numbering_continues_past_999_in_both_styles() -> None:
    assert numbering.next_number(None, code="A") == 1
    assert numbering.next_number(41, code="A") == 42
    assert numbering.next_number(999, code="A", style="prefix") == 1000
    assert numbering.next_number(999, code="A", style="numeric") == 1000
    with pytest.raises(Conflict) as error:
        numbering.next_number(numbering.MAX_NUMBER_PER_DAY, code="A", style="numeric")
    assert error.value.code == "series_exhausted"


def test_widened_numeric_labels_never_meet_another_fields_labels() -> None:
    bases = range(1000, 10_000, 1000)
    seen: set[str] = set()
    for base in bases:
        for number in (*range(1, 2100), 9999, 10_000, 99_999):
            label = numbering.format_label("X", number, style="numeric", numeric_base=base)
            assert label not in seen
            assert label[0] == str(base // 1000)
            seen.add(label)


def test_life_of_a_ticket_records_every_step() -> None:
    ticket = make("t1")
    steps = [lifecycle.call(ticket, counter=3, now=T0 + timedelta(minutes=5), actor="staff:lan")]
    steps.append(lifecycle.recall(steps[-1].ticket, now=T0 + timedelta(minutes=6), actor="staff:lan"))
    steps.append(lifecycle.finish(steps[-1].ticket, now=T0 + timedelta(minutes=9), actor="staff:lan"))
    final = steps[-1].ticket
    assert (final.state, final.counter, final.recalls) == ("done", 3, 1)
    assert final.called_at == T0 + timedelta(minutes=5)
    assert final.finished_at == T0 + timedelta(minutes=9)
    assert [(s.transition.action, s.transition.from_state, s.transition.to_state) for s in steps] == [
        ("call", "waiting", "called"), ("recall", "called", "called"), ("finish", "called", "done")]


def test_no_show_can_be_restored_the_same_day_only() -> None:
    called = lifecycle.call(make("t1"), counter=1, now=T0, actor="a").ticket
    gone = lifecycle.no_show(called, now=T0 + timedelta(minutes=2), actor="a").ticket
    assert gone.state == "no_show"
    back = lifecycle.restore(gone, now=T0 + timedelta(hours=1), actor="a").ticket
    assert back.state == "waiting" and back.queued_at == T0 and back.counter is None
    again = lifecycle.call(gone, counter=2, now=T0 + timedelta(hours=1), actor="a")
    assert again.ticket.state == "called" and again.transition.action == "restore_call"
    with pytest.raises(Conflict):
        lifecycle.restore(gone, now=T0 + timedelta(days=1), actor="a")
    with pytest.raises(Conflict):
        lifecycle.call(gone, counter=1, now=T0 + timedelta(days=1), actor="a")


def test_transfer_keeps_place_unless_told_otherwise() -> None:
    called = lifecycle.call(make("t1"), counter=1, now=T0 + timedelta(minutes=3), actor="a").ticket
    later = T0 + timedelta(minutes=10)
    kept = lifecycle.transfer(called, service="F", now=later, actor="a").ticket
    assert (kept.state, kept.service, kept.series, kept.queued_at) == ("waiting", "F", "A", T0)
    fresh = lifecycle.transfer(called, service="F", now=later, actor="a", keep_place=False).ticket
    assert fresh.queued_at == later
    with pytest.raises(Conflict):
        lifecycle.transfer(called, service="A", now=later, actor="a")


@pytest.mark.parametrize("step", [lifecycle.recall, lifecycle.no_show, lifecycle.finish])
def test_steps_of_a_called_ticket_refuse_a_waiting_one(step) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict):
        step(make("t1"), now=T0, actor="a")


@pytest.mark.parametrize("state", ["called", "done", "cancelled", "expired"])
def test_only_waiting_or_no_show_tickets_are_called(state: str) -> None:
    with pytest.raises(Conflict):
        lifecycle.call(make("t1").evolve(state=state), counter=1, now=T0, actor="a")


def test_cancel_and_expire() -> None:
    assert lifecycle.cancel(make("t1"), now=T0, actor="a").ticket.state == "cancelled"
    expired = lifecycle.expire(make("t2"), now=T0)
    assert expired.ticket.state == "expired" and expired.transition.actor == "system"
    with pytest.raises(Conflict):
        lifecycle.expire(make("t3").evolve(state="done"), now=T0)


def test_policy_priority_first_then_oldest() -> None:
    queue = [make("old", 0, number=1), make("prio", 20, priority="elderly", number=2),
             make("mid", 10, number=3), make("prio2", 30, priority="pregnant", number=4)]
    order = [t.id for t in policy.order_queue(queue, now=T0 + timedelta(minutes=31))]
    assert order == ["prio", "prio2", "old", "mid"]


def test_policy_aging_lets_long_waits_pass_newer_priority_tickets() -> None:
    queue = [make("old", 0, number=1), make("prio", 20, priority="elderly", number=2),
             make("mid", 10, number=3)]
    now = T0 + timedelta(minutes=25)
    order = [t.id for t in policy.order_queue(queue, now=now, aging_minutes=15)]
    # old (25 min) and mid (15 min) have aged; each goes ahead of the priority ticket issued later.
    assert order == ["old", "mid", "prio"]
    assert [t.id for t in policy.order_queue(queue, now=now, aging_minutes=20)] == ["old", "prio", "mid"]


def test_choose_next_only_from_the_counters_fields() -> None:
    queue = [make("a", 0, service="A"), make("b", 5, service="B", priority="elderly")]
    assert policy.choose_next(queue, now=T0, services=["A"]).id == "a"  # type: ignore[union-attr]
    assert policy.choose_next(queue, now=T0, services=["A", "B"]).id == "b"  # type: ignore[union-attr]
    assert policy.choose_next(queue, now=T0, services=["C"]) is None


@pytest.mark.parametrize("ahead,mean,counters_,minutes", [
    (0, 300, 1, 3), (4, 300, 2, 12), (10, 120, 3, 7), (3, 300, 0, None)])
def test_eta(ahead: int, mean: float, counters_: int, minutes: int | None) -> None:
    assert eta.estimate_minutes(ahead=ahead, mean_service_s=mean, counters=counters_) == minutes


def test_mean_service_uses_default_until_there_is_history() -> None:
    assert eta.mean_service_seconds([100, 200], default_minutes=5) == 300
    assert eta.mean_service_seconds([100, 200, 900], default_minutes=5) == 200


@pytest.mark.parametrize("moment,open_", [
    (datetime(2026, 11, 23, 6, 59, tzinfo=VIETNAM), False),
    (datetime(2026, 11, 23, 7, 0, tzinfo=VIETNAM), True),
    (datetime(2026, 11, 23, 17, 29, tzinfo=VIETNAM), True),
    (datetime(2026, 11, 23, 17, 30, tzinfo=VIETNAM), False),
    (datetime(2026, 11, 29, 9, 0, tzinfo=VIETNAM), False),  # Sunday
])
def test_opening_hours(moment: datetime, open_: bool) -> None:
    assert businessday.is_open(moment, CenterSettings()) is open_


def test_past_closing() -> None:
    center = CenterSettings()
    assert not businessday.is_past_closing("2026-11-23", T0, center)
    assert businessday.is_past_closing("2026-11-23", T0.replace(hour=17, minute=30), center)
    assert businessday.is_past_closing("2026-11-22", T0, center)


def test_counter_rules() -> None:
    busy = make("t1").evolve(state="called")
    with pytest.raises(Conflict) as error:
        counters.ensure_can_call(CounterStatus(1, OPEN), busy)
    assert error.value.code == "counter_busy"
    with pytest.raises(Conflict) as error:
        counters.ensure_can_call(CounterStatus(1, PAUSED), None)
    assert error.value.code == "counter_not_open"
    counters.ensure_can_call(CounterStatus(1, OPEN), None)
    with pytest.raises(Conflict):
        counters.change_state(CounterStatus(1, OPEN), CLOSED, current=busy, now=T0, officer=None)
    assert counters.change_state(CounterStatus(1, OPEN), PAUSED, current=busy, now=T0,
                                 officer=None).state == PAUSED
    with pytest.raises(Conflict):
        counters.ensure_serves(CounterSettings(1, ("A",)), "B")


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(T0)
    assert clock.now() == T0
    assert clock.advance(minutes=90) == T0 + timedelta(minutes=90)
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))
