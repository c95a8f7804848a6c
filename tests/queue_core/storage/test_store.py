"""Storage: durability settings, migrations, the unique number index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from queue_core.config import Settings
from queue_core.domain.clock import FakeClock
from queue_core.service.center import Center
from queue_core.storage import MIGRATIONS, Store, migrate


def test_file_database_is_durable(tmp_path: Path) -> None:
    store = Store.in_data_dir(tmp_path)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_migrations_apply_once_in_order(tmp_path: Path) -> None:
    store = Store.in_data_dir(tmp_path)
    applied = [r[0] for r in store.conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert applied == [name for name, _ in MIGRATIONS]
    assert migrate(store.db) == []
    store.close()


def test_an_older_database_upgrades_itself(tmp_path: Path, settings: Settings,
                                            clock: FakeClock) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    assert migrate(old, MIGRATIONS[:1]) == ["0001_create_queue_tables"]
    old.conn.execute(
        "INSERT INTO tickets (id, service, series, day, number, label, state, issued_at, queued_at,"
        " recalls) VALUES ('old1', 'A', 'A', '2026-11-23', 1, 'A001', 'waiting',"
        " '2026-11-23T07:30:00.000+07:00', '2026-11-23T07:30:00.000+07:00', 0)")
    old.conn.close()
    store = Store.open(path)
    assert "users" in store.db.table_names() and "request_key" in store.db["tickets"].columns_dict
    center = Center(settings, store, clock=clock)
    assert center.ticket("old1")["label"] == "A001"
    assert center.issue("A", actor="k")["label"] == "A002"
    store.close()


def test_unique_index_refuses_a_duplicate_number(store: Store, center: Center) -> None:
    ticket = center.issue("A", actor="k")
    row = dict(store.db["tickets"].get(ticket["id"]))
    row["id"] = "another"
    with pytest.raises(sqlite3.IntegrityError):
        store.db["tickets"].insert(row)


def test_write_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.write():
            store.bump_seq()
            raise RuntimeError("boom")
    assert store.seq() == 0


def test_numbers_survive_a_reopen(tmp_path: Path, settings: Settings, clock: FakeClock) -> None:
    store = Store.in_data_dir(tmp_path)
    Center(settings, store, clock=clock).issue("B", actor="k")
    store.close()
    store = Store.in_data_dir(tmp_path)
    assert Center(settings, store, clock=clock).issue("B", actor="k")["label"] == "B002"
    store.close()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("aging", [0, 15])
def test_queue_queries_agree_with_the_policy(seed: int, aging: int, settings: Settings,
                                             store: Store, clock: FakeClock) -> None:
    import random
    from datetime import timedelta

    from queue_core.domain import policy

    rng = random.Random(seed)
    center = Center(settings.replace(policy={"aging_minutes": aging}), store, clock=clock)
    for _ in range(40):
        clock.advance(seconds=rng.randint(0, 120))
        center.issue(rng.choice("AB"), priority=rng.choice([None, None, None, "elderly"]), actor="k")
        if rng.random() < 0.2:
            counter = rng.choice([1, 2])
            if center.counter_view(counter)["current"] is None:
                center.call_next(counter, actor="s")
            else:
                center.finish(counter, actor="s")
    now = clock.now()
    cutoff = now - timedelta(minutes=aging) if aging else None
    for services in (["A"], ["B"], ["A", "B"]):
        waiting = store.waiting(services)
        expected = policy.choose_next(waiting, now=now, aging_minutes=aging)
        chosen = policy.choose_next(store.head_of_queue(services), now=now, aging_minutes=aging)
        assert (chosen.id if chosen else None) == (expected.id if expected else None)
    for service in "AB":
        ordered = policy.order_queue(store.waiting([service]), now=now, aging_minutes=aging)
        assert [store.count_ahead(t, aged_before=cutoff) for t in ordered] == list(range(len(ordered)))


def test_the_reading_connection_never_waits_for_the_writer(tmp_path: Path, settings: Settings,
                                                          clock: FakeClock) -> None:
    """A hall's places are read apart: a writer holding the store does not hold them up."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    store = Store.in_data_dir(tmp_path)
    center = Center(settings, store, clock=clock)
    ids = [center.issue("A", actor="kiosk")["id"] for _ in range(3)]
    reader = store.reader()
    assert reader is not store and store.reader() is reader
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store.write():                  # the store's lock and SQLite's write lock
            store.bump_seq()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        # Worked out while the writer holds the store: the committed queue, in call order.
        with ThreadPoolExecutor(1) as pool:
            places = pool.submit(center.places, "A").result(timeout=5)
        assert [(ticket_id, ahead) for ticket_id, ahead, _ in places] == [
            (ids[0], 0), (ids[1], 1), (ids[2], 2)]
    finally:
        release.set()
        thread.join(10)
    with pytest.raises(sqlite3.OperationalError):           # it only reads
        reader.conn.execute("DELETE FROM tickets")
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):           # and closes with the store
        reader.conn.execute("SELECT 1")


def test_an_in_memory_store_reads_on_its_only_connection(store: Store) -> None:
    assert store.reader() is store
