"""Stored per-day summaries: the same figures as counting the tickets, and never stale."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from queue_core.cli.simulate import simulate_history
from queue_core.config import Settings, load_settings
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.service.center import Center
from queue_core.stats import figures as stats
from queue_core.stats import reader as history
from queue_core.stats import summary
from queue_core.stats.figures import Filters
from queue_core.storage import MIGRATIONS, Store, migrate

TARGET = 900.0
END = date(2026, 11, 20)            # a Friday: the simulated history's last day
TODAY = "2026-11-21"
NOW = datetime(2026, 11, 21, 18, 0, tzinfo=VIETNAM)


def figures(store: Store, date_from: str, date_to: str, cache: history.DayCache,
            target_wait_s: float = TARGET, now: datetime = NOW) -> dict[str, Any]:
    """What GET /stats computes: the day cache's tallies, added up."""
    days = stats.days_between(date_from, date_to)
    parts = cache.tallies(store, days, Filters(), target_wait_s=target_wait_s, now=now,
                          today=now.date().isoformat())
    return stats.report(stats.combine(parts), date_from=date_from, date_to=date_to,
                        target_wait_s=target_wait_s)


def counted_from_tickets(store: Store, date_from: str, date_to: str,
                         target_wait_s: float = TARGET, now: datetime = NOW) -> dict[str, Any]:
    """The figures counted straight from every ticket, with no cache and no summary."""
    facts = history.load_facts(store, date_from, date_to)
    return stats.summarize(facts, date_from=date_from, date_to=date_to,
                           target_wait_s=target_wait_s, now=now)


@pytest.fixture
def tickets_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many tickets the statistics read from the tickets table (one count per read)."""
    reads: list[int] = []
    reading = history.facts_by_month

    def counting(store: Store, days: Any) -> Any:
        for chunk, facts in reading(store, days):
            reads.append(len(facts))
            yield chunk, facts

    monkeypatch.setattr(history, "facts_by_month", counting)
    return reads


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_figures_from_stored_summaries_equal_those_counted_from_the_tickets(
        settings: Settings, seed: int, tickets_read: list[int]) -> None:
    chance = random.Random(seed)
    store = Store.open(":memory:")
    days = chance.randint(5, 25)
    simulate_history(store, settings, days=days, per_day=chance.randint(20, 160), end=END,
                     seed=seed)
    # Some visits became one-door dossiers (the statistics count them by procedure).
    with store.write():
        ids = [row[0] for row in store.conn.execute("SELECT id FROM tickets ORDER BY id")]
        for ticket_id in chance.sample(ids, len(ids) // 4):
            store.conn.execute("UPDATE tickets SET dossier = ?, procedure = ? WHERE id = ?",
                               [f"HS-{ticket_id}", chance.choice(["1.001", "2.002", "3.003"]),
                                ticket_id])
    first = (END - timedelta(days=days * 7 // 5 + 3)).isoformat()
    ranges = [(first, TODAY)]
    for _ in range(4):
        a, b = sorted(chance.sample(stats.days_between(first, TODAY), 2))
        ranges.append((a, b))
    # A restart: the first request counts and stores the days, later ones read the summaries.
    figures(store, first, TODAY, history.DayCache())
    assert store.summaries_kept() > 0
    assert counted_from_tickets(store, first, TODAY)["by_procedure"]
    for date_from, date_to in ranges:
        tickets_read.clear()
        assert figures(store, date_from, date_to, history.DayCache()) == counted_from_tickets(
            store, date_from, date_to)
        assert sum(tickets_read) == 0  # every day with tickets came from its summary
    # Another target wait: the stored days do not fit, they are counted again, and still agree.
    tickets_read.clear()
    assert figures(store, first, TODAY, history.DayCache(), target_wait_s=600) == (
        counted_from_tickets(store, first, TODAY, target_wait_s=600))
    with store.read():
        issued = store.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    assert sum(tickets_read) == issued
    store.close()


def test_a_change_to_a_past_day_makes_its_summary_stale(center: Center,
                                                        clock: FakeClock) -> None:
    ids = [center.issue("A", actor="kiosk:hall")["id"] for _ in range(3)]
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(minutes=5)
    center.finish(1, actor="user:lan")
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(minutes=3)
    center.no_show(1, actor="user:lan")
    center.call_next(2, actor="user:hoa", officer="hoa")      # still at counter 2 at night
    clock.advance(days=1)
    store = center.store
    monday = "2026-11-23"
    figures(store, monday, monday, history.DayCache(), now=clock.now())
    assert store.summaries_kept() == 1
    def in_transaction(sql: str, params: list[Any]) -> None:
        with store.write():
            store.conn.execute(sql, params)

    changes = [
        # The day keeper closes Monday's open visit on Tuesday.
        lambda: center.close_day(),
        # A rating that arrived late (written as the rating device's service would).
        lambda: in_transaction("INSERT INTO ratings (ticket_id, level, at) VALUES (?, ?, ?)",
                               [ids[0], "satisfied", clock.now().isoformat()]),
        # Any direct edit of a ticket (a repair by hand) counts too.
        lambda: in_transaction("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", [ids[1]]),
    ]
    for change in changes:
        change()
        assert store.summaries_kept() == 0
        restarted = history.DayCache()
        assert figures(store, monday, monday, restarted, now=clock.now()) == (
            counted_from_tickets(store, monday, monday, now=clock.now()))
        assert restarted.days_counted == 1 and store.summaries_kept() == 1


def test_a_day_still_waiting_is_not_stored(center: Center, clock: FakeClock) -> None:
    center.issue("A", actor="kiosk:hall")                      # left waiting on Monday
    clock.advance(days=1)
    figures(center.store, "2026-11-23", "2026-11-23", history.DayCache(), now=clock.now())
    # Its wait still grows with the clock until the day keeper expires it.
    assert center.store.summaries_kept() == 0


def test_a_day_changed_while_it_was_counted_is_not_stored(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path)})
    center = Center(settings, Store.in_data_dir(tmp_path), clock=clock)
    center.issue("A", actor="kiosk:hall")
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(days=1)
    reading = history.facts_by_month

    def meddling(store: Store, days: Any) -> Any:
        for chunk, facts in reading(store, days):
            # Meanwhile the day keeper closes Monday's open visit.
            center.close_day()
            yield chunk, facts

    monkeypatch.setattr(history, "facts_by_month", meddling)
    stale = history.count_days(center.store, ["2026-11-23"], Filters(), target_wait_s=TARGET,
                               now=clock.now(), keep_before="2026-11-24")
    assert stale["2026-11-23"].total.in_service == 1          # read before the close
    assert center.store.summaries_kept() == 0                  # and so not stored
    monkeypatch.setattr(history, "facts_by_month", reading)
    again = history.count_days(center.store, ["2026-11-23"], Filters(), target_wait_s=TARGET,
                               now=clock.now(), keep_before="2026-11-24")
    assert again["2026-11-23"].total.served == 1 and center.store.summaries_kept() == 1
    center.store.close()


def test_a_database_of_the_previous_version_gains_summaries(tmp_path: Path,
                                                            settings: Settings) -> None:
    path = tmp_path / "old.sqlite3"
    before = [step for step in MIGRATIONS if step[0] != "0007_day_summaries"]
    assert [name for name, _ in MIGRATIONS][-1] == "0007_day_summaries"
    old = sqlite_utils.Database(str(path))
    migrate(old, before)
    old.conn.close()
    store = Store.open(path)                                   # upgrades itself
    simulate_history(store, settings, days=3, per_day=40, end=END, seed=9)
    first = (END - timedelta(days=6)).isoformat()
    assert figures(store, first, TODAY, history.DayCache()) == counted_from_tickets(
        store, first, TODAY)
    assert store.summaries_kept() == 3
    store.close()


def test_a_purge_takes_the_summaries_of_its_days(settings: Settings) -> None:
    from queue_core.ops import retention

    store = Store.open(":memory:")
    simulate_history(store, settings, days=4, per_day=30, end=END, seed=11)
    first = (END - timedelta(days=8)).isoformat()
    figures(store, first, TODAY, history.DayCache())
    assert store.summaries_kept() == 4
    retention.purge(store, before=END)
    with store.read():
        kept = [day for (day,) in store.conn.execute("SELECT day FROM day_summaries")]
    assert kept == [END.isoformat()] and store.summaries_kept() == 1
    store.close()


def test_the_codec_gives_back_what_it_was_given(settings: Settings) -> None:
    store = Store.open(":memory:")
    simulate_history(store, settings, days=2, per_day=80, end=END, seed=5)
    facts = history.load_facts(store, "2026-11-01", TODAY)
    for day, tallies in stats.tally_days(facts, target_wait_s=TARGET, now=NOW).items():
        again = summary.decode(day, *summary.encode(tallies))
        assert _plain(again) == _plain(tallies)
        assert again.by_day[day] is again.total
    store.close()


def _plain(tallies: stats.Tallies) -> list[Any]:
    """Every count and duration of a Tallies, as comparable values (in their order)."""
    def plain(t: stats.Tally) -> dict[str, Any]:
        return {name: getattr(t, name) for name in stats.Tally.__slots__}

    return [plain(tallies.total),
            *({key: plain(t) for key, t in group.items()}
              for group in (tallies.by_service, tallies.by_counter, tallies.by_officer,
                            tallies.by_procedure, tallies.by_hour, tallies.by_day)),
            list(tallies.by_service), list(tallies.by_counter), list(tallies.by_officer),
            list(tallies.by_procedure),
            tallies.heat, tallies.priorities, tallies.priority_waits]
