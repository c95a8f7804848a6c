"""Statistics over histories made by the real center on a fake clock, read back from the store."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from queue_core.config import load_settings
from queue_core.domain.clock import FakeClock
from queue_core.service.center import Center
from queue_core.stats import figures as stats
from queue_core.stats import reader as history
from queue_core.stats.figures import Filters, StepRow, TicketHistory
from queue_core.storage import Store

DAY = "2026-11-23"
TARGET = 900.0


def run_morning(center: Center, clock: FakeClock) -> dict[str, str]:
    """Monday 08:00 onwards: one of each way a ticket can go. Returns ids by name."""
    ids: dict[str, str] = {}
    ids["plain"] = center.issue("A", actor="kiosk:hall")["id"]            # 08:00
    clock.advance(minutes=2)
    ids["moved"] = center.issue("A", actor="kiosk:hall")["id"]            # 08:02
    clock.advance(minutes=2)
    ids["absent"] = center.issue("B", actor="kiosk:hall")["id"]           # 08:04
    clock.advance(minutes=1)
    center.call_next(1, actor="user:lan", officer="lan")                  # 08:05 plain @1
    center.call_next(3, actor="device:keypad-3")                          # 08:05 absent @3
    clock.advance(minutes=4)
    center.finish(1, actor="user:lan")                                    # 08:09 plain done 4m
    center.rate(ids["plain"], "very_satisfied")
    center.call_next(1, actor="user:lan", officer="lan")                  # 08:09 moved @1 (7m)
    clock.advance(minutes=1)
    center.no_show(3, actor="device:keypad-3")                            # 08:10 absent gone
    clock.advance(minutes=2)
    center.transfer(1, "F", actor="user:lan")                             # 08:12 moved → F
    clock.advance(minutes=10)
    center.call_next(5, actor="user:minh", officer="minh")                # 08:22 moved @5 (F)
    clock.advance(minutes=3)
    center.finish(5, actor="user:minh")                                   # 08:25 moved done 3m
    center.rate(ids["moved"], "satisfied")
    center.restore(ids["absent"], actor="user:lan")                       # 08:25 absent back
    clock.advance(minutes=5)
    center.call_next(2, actor="user:hoa", officer="hoa")                  # 08:30 absent @2
    clock.advance(minutes=6)
    center.finish(2, actor="user:hoa")                                    # 08:36 absent done 6m
    center.rate(ids["absent"], "unsatisfied")
    ids["gone"] = center.issue("C", actor="kiosk:hall")["id"]             # 08:36
    clock.advance(minutes=20)
    center.cancel(ids["gone"], actor="user:lan")                          # 08:56 gone (20m)
    ids["waiting"] = center.issue("D", actor="kiosk:hall", priority="elderly")["id"]  # 08:56
    clock.advance(minutes=4)                                              # now 09:00
    return ids


def test_figures_of_a_morning_made_through_the_center(center: Center, clock: FakeClock) -> None:
    run_morning(center, clock)
    facts = history.load_facts(center.store, DAY, DAY)
    s = stats.summarize(facts, date_from=DAY, date_to=DAY, target_wait_s=TARGET, now=clock.now())
    assert (s["issued"], s["served"], s["no_show"], s["cancelled"], s["waiting"]) == (5, 3, 0, 1, 1)
    # Waits: plain 5 min, moved 7 min, absent 1 min (its first call).
    assert s["wait"]["mean_s"] == (300 + 420 + 60) / 3
    # Final services: plain 4 min, moved 3 min (at counter 5), absent 6 min.
    assert s["service_time"]["mean_s"] == (240 + 180 + 360) / 3
    assert s["transfers"] == 1 and s["transfer_wait"]["mean_s"] == 600.0
    # Met: plain, moved, absent; missed: gone (cancelled after 20 min); waiting 4 min: not judged.
    assert s["within_target_pct"] == 75.0
    counters = {r["counter"]: r for r in s["by_counter"]}
    assert (counters[1]["calls"], counters[1]["served"], counters[1]["transferred"]) == (2, 1, 1)
    assert counters[1]["service_time"]["mean_s"] == (240 + 180) / 2
    assert (counters[3]["calls"], counters[3]["no_show"]) == (1, 1)
    assert counters[2]["ratings"]["unsatisfied"] == 1
    officers = {r["officer"]: r for r in s["by_officer"]}
    assert officers[None]["no_show"] == 1  # the keypad's visit
    assert officers["minh"]["ratings"]["satisfied"] == 1
    assert s["priority"]["elderly"] == 1


def test_history_leaves_out_only_steps_the_row_already_tells(center: Center,
                                                             clock: FakeClock) -> None:
    run_morning(center, clock)
    loaded = {h.ticket.id: h for h in history.load(center.store, DAY, DAY)}
    with center.store.read():
        every = center.store.transitions()
    for ticket_id, h in loaded.items():
        steps = tuple(StepRow(t.action, t.at, t.actor, t.service, t.counter) for t in every
                      if t.ticket_id == ticket_id and t.action in stats.STEP_ACTIONS)
        full = stats.ticket_facts(TicketHistory(h.ticket, steps, h.rating))
        assert stats.ticket_facts(h) == full, ticket_id
    kept = {ticket_id for ticket_id, h in loaded.items() if h.steps}
    assert len(kept) == 2  # the transferred and the restored ticket


def test_loading_a_range_takes_only_its_days(center: Center, clock: FakeClock) -> None:
    center.issue("A", actor="kiosk:hall")
    clock.advance(days=1)
    center.issue("A", actor="kiosk:hall")
    center.issue("B", actor="kiosk:hall")
    assert [h.ticket.day for h in history.load(center.store, "2026-11-24", "2026-11-24")] == [
        "2026-11-24", "2026-11-24"]
    assert len(history.load(center.store, days=["2026-11-23", "2026-11-25"])) == 1


def test_day_cache_counts_a_past_day_once_and_forgets_it_when_it_changes(
        center: Center, clock: FakeClock) -> None:
    run_morning(center, clock)
    center.issue("E", actor="kiosk:hall")
    center.call_next(3, actor="user:hoa", officer="hoa")  # and never finished
    clock.advance(days=1)  # Tuesday
    center.issue("A", actor="kiosk:hall")
    cache = history.DayCache()
    days = ["2026-11-23", "2026-11-24"]

    def counted(filters: Filters | None = None) -> list[stats.Tally]:
        parts = cache.tallies(center.store, days, filters or Filters(), target_wait_s=TARGET,
                              now=clock.now(), today="2026-11-24")
        return [part.total for part in parts]

    monday, tuesday = counted()
    assert (monday.issued, monday.served, monday.in_service, tuesday.issued) == (6, 3, 1, 1)
    assert cache.loads == 1
    assert counted()[0] is monday
    assert cache.loads == 2  # today is always read again; Monday came from the cache
    center.issue("B", actor="kiosk:hall")
    assert [t.issued for t in counted()] == [6, 2]
    # The day keeper closes Monday's leftovers on Tuesday: Monday is counted again.
    assert center.close_day() == 2
    monday = counted()[0]
    assert (monday.served, monday.in_service, monday.expired, monday.waiting) == (4, 0, 1, 0)
    # Filters are counted apart.
    assert [t.issued for t in counted(Filters(service="B"))] == [1, 1]
    assert [t.issued for t in counted(Filters(counter=5))] == [1, 0]


def test_day_cache_starts_over_on_another_database(settings: Any, clock: FakeClock) -> None:
    cache = history.DayCache()
    first = Center(settings, Store.open(":memory:"), clock=clock)
    first.issue("A", actor="kiosk:hall")
    first.issue("A", actor="kiosk:hall")
    clock.advance(days=1)
    args: dict[str, Any] = {"target_wait_s": TARGET, "now": clock.now(), "today": "2026-11-24"}
    assert cache.tallies(first.store, [DAY], Filters(), **args)[0].total.issued == 2
    second = Center(settings, Store.open(":memory:"), clock=clock)
    clock.set(clock.now() - timedelta(days=1))
    second.issue("B", actor="kiosk:hall")
    clock.advance(days=1)
    assert cache.tallies(second.store, [DAY], Filters(), **args)[0].total.issued == 1


def test_a_long_read_does_not_wait_for_the_store_lock(tmp_path: Path, clock: FakeClock) -> None:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path)})
    store = Store.in_data_dir(tmp_path)
    center = Center(settings, store, clock=clock)
    center.issue("A", actor="kiosk:hall")
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.write():
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=hold)
    writer.start()
    assert holding.wait(10)
    result: list[int] = []
    reader = threading.Thread(target=lambda: result.append(len(history.load(store, DAY, DAY))))
    reader.start()
    reader.join(10)
    finished_while_held = not reader.is_alive()
    release.set()
    writer.join(10)
    reader.join(10)
    store.close()
    assert finished_while_held and result == [1]


@pytest.mark.parametrize("name,role,listed", [("lan", "staff", True), ("giamdoc", "manager", False),
                                              ("quantri", "admin", False)])
def test_officers_are_staff_and_names_in_history(center: Center, clock: FakeClock, name: str,
                                                 role: str, listed: bool) -> None:
    from queue_core.service import auth

    auth.add_user(center.store, name, "mat-khau-1234", role=role, counter=None, now=clock.now())
    center.issue("A", actor="kiosk:hall")
    center.call_next(1, actor="user:cu", officer="cu")
    # A manager or admin who never served anyone is not an officer (the dashboard's filter).
    assert history.officers(center.store) == sorted({name, "cu"} if listed else {"cu"})
    assert history.officer_known(center.store, "cu") and history.officer_known(center.store, name)
    assert not history.officer_known(center.store, "ai-do")


def test_a_day_changed_while_it_was_being_counted_is_not_kept(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a database file the count reads its own snapshot while the center goes on writing.
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path)})
    center = Center(settings, Store.in_data_dir(tmp_path), clock=clock)
    center.issue("A", actor="kiosk:hall")
    clock.advance(days=1)
    cache = history.DayCache()
    args: dict[str, Any] = {"target_wait_s": TARGET, "now": clock.now(), "today": "2026-11-24"}
    reading = history.facts_by_month
    meddled: list[bool] = []

    def meddling(store: Store, days: Any) -> Any:
        for chunk, facts in reading(store, days):
            if not meddled:
                meddled.append(True)
                # Meanwhile: Monday's ticket is called, and another request notices the change.
                center.call_next(1, actor="user:lan", officer="lan")
                cache.tallies(center.store, ["2026-11-22"], Filters(), **args)
            yield chunk, facts

    monkeypatch.setattr(history, "facts_by_month", meddling)
    stale = cache.tallies(center.store, [DAY], Filters(), **args)[0]
    assert stale.total.in_service == 0  # read before the call
    monkeypatch.setattr(history, "facts_by_month", reading)
    assert cache.tallies(center.store, [DAY], Filters(), **args)[0].total.in_service == 1
    center.store.close()


def test_warming_counts_past_days_once_at_a_time(center: Center, clock: FakeClock) -> None:
    center.issue("A", actor="kiosk:hall")
    center.call_next(1, actor="user:lan", officer="lan")
    center.finish(1, actor="user:lan")
    clock.advance(days=1)
    center.issue("B", actor="kiosk:hall")
    cache = history.DayCache()
    args: dict[str, Any] = {"target_wait_s": TARGET, "now": clock.now(), "today": "2026-11-24"}
    with cache._warming:
        assert cache.warm(center.store, [DAY, "2026-11-24"], **args) is False
    assert cache.days_counted == 0
    assert cache.warm(center.store, [DAY, "2026-11-24"], **args) is True
    assert cache.days_counted == 1 and center.store.summaries_kept() == 1
    # A second warm-up finds Monday summarised and counts nothing.
    assert cache.warm(center.store, [DAY, "2026-11-24"], **args) is True
    assert cache.days_counted == 1
    assert cache.tallies(center.store, [DAY], Filters(), **args)[0].total.served == 1
    assert cache.days_counted == 1  # Monday came from its stored summary; today was left alone


def test_exports_read_a_month_at_a_time_from_one_snapshot(center: Center,
                                                          clock: FakeClock) -> None:
    for _ in range(3):
        center.issue("A", actor="kiosk:hall")
        clock.advance(days=21)  # Mondays three weeks apart
    days = stats.days_between("2026-11-01", "2027-01-31")
    chunks = list(history.facts_by_month(center.store, days))
    assert [len(chunk) for chunk, _ in chunks] == [31, 31, 30]
    assert [[f.day for f in facts] for _, facts in chunks] == [
        ["2026-11-23"], ["2026-12-14"], ["2027-01-04"]]
    assert list(history.facts_by_month(center.store, [])) == []


def test_day_cache_forgets_days_a_retention_purge_removed(center: Center,
                                                         clock: FakeClock) -> None:
    from datetime import date

    from queue_core.ops import retention

    center.issue("A", actor="kiosk:hall")
    clock.advance(days=1)
    center.issue("A", actor="kiosk:hall")
    cache = history.DayCache()
    args: dict[str, Any] = {"target_wait_s": TARGET, "now": clock.now(), "today": "2026-11-25"}
    days = [DAY, "2026-11-24"]
    assert [t.total.issued for t in cache.tallies(center.store, days, Filters(), **args)] == [1, 1]
    retention.purge(center.store, before=date(2026, 11, 24))
    assert [t.total.issued for t in cache.tallies(center.store, days, Filters(), **args)] == [0, 1]


def test_a_request_for_past_days_waits_for_the_warm_up_instead_of_counting_twice(
        center: Center, clock: FakeClock) -> None:
    center.issue("A", actor="kiosk:hall")
    clock.advance(days=1)
    cache = history.DayCache()
    args: dict[str, Any] = {"target_wait_s": TARGET, "now": clock.now(), "today": "2026-11-24"}
    answers: list[int] = []

    def ask(filters: Filters, days: list[str]) -> threading.Thread:
        thread = threading.Thread(target=lambda: answers.append(
            cache.tallies(center.store, days, filters, **args)[0].total.issued))
        thread.start()
        return thread

    with cache._warming:  # a warm-up is counting
        today_only = ask(Filters(), ["2026-11-24"])
        filtered = ask(Filters(service="A"), [DAY])
        today_only.join(10)
        filtered.join(10)
        assert not today_only.is_alive() and not filtered.is_alive()
        assert cache.loads == 2
        waiting = ask(Filters(), [DAY])
        waiting.join(0.2)
        assert waiting.is_alive() and cache.loads == 2
    waiting.join(10)
    assert sorted(answers) == [0, 1, 1]
