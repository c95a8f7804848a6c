"""Backups taken while the queue writes, rotation, the nightly schedule, restore."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from queue_core.ops import backup
from queue_core.service.center import Center
from queue_core.cli import main
from queue_core.domain.clock import FakeClock
from queue_core.config import Settings
from queue_core.storage import DATABASE_FILE, Store

WAIT = 30.0


def issue_some(settings: Settings, clock: FakeClock, count: int) -> list[str]:
    store = Store.in_data_dir(settings.data_path)
    try:
        center = Center(settings, store, clock=clock)
        return [center.issue("AB"[i % 2], actor="device:kiosk")["id"] for i in range(count)]
    finally:
        store.close()


def ticket_ids(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM tickets")}
    finally:
        conn.close()


class Writer(threading.Thread):
    """Issue tickets through the one writer path until told to stop; remember each commit."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.clock = clock
        self.committed: list[str] = []
        self.lock = threading.Lock()
        self.progress = threading.Condition(self.lock)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        store = Store.in_data_dir(self.settings.data_path)
        center = Center(self.settings, store, clock=self.clock)
        try:
            services = [s.code for s in self.settings.services]
            n = 0
            while not self.stop.is_set() and n < 5000:
                ticket = center.issue(services[n % len(services)], actor="device:kiosk")
                n += 1
                with self.progress:
                    self.committed.append(ticket["id"])
                    self.progress.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc
        finally:
            store.close()
            with self.progress:
                self.progress.notify_all()

    def count(self) -> int:
        with self.lock:
            return len(self.committed)

    def wait_for(self, count: int) -> list[str]:
        with self.progress:
            ok = self.progress.wait_for(lambda: len(self.committed) >= count or self.error
                                        or not self.is_alive(), timeout=WAIT)
            assert ok and self.error is None, f"writer stuck or failed: {self.error}"
            return list(self.committed)


def test_backup_during_writes_restores_consistently(settings: Settings, clock: FakeClock,
                                                    tmp_path: Path) -> None:
    Store.in_data_dir(settings.data_path).close()
    database = settings.data_path / DATABASE_FILE
    folder = tmp_path / "backups"
    writer = Writer(settings, clock)
    writer.start()
    made = []
    try:
        for round_ in range(3):
            before = writer.wait_for(writer.count() + 25)
            copy = backup.take(database, folder, now=datetime(2026, 11, 23, 12, 0, round_))
            made.append((before, copy))
        after = writer.wait_for(writer.count() + 25)
    finally:
        writer.stop.set()
        writer.join(WAIT)
    assert writer.error is None
    assert len(after) > len(made[-1][0]), "the queue kept writing during the backups"
    for before, copy in made:
        assert copy.path.exists() and not copy.path.with_name(copy.path.name + ".part").exists()
        kept = ticket_ids(copy.path)
        # Every ticket committed before the copy began is in it.
        assert set(before) <= kept
        assert kept <= set(after)
        conn = sqlite3.connect(f"file:{copy.path}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            # One snapshot: each ticket's issue is in, and the board's seq counts them all.
            tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
            issues = conn.execute("SELECT COUNT(*) FROM transitions WHERE action = 'issue'"
                                  ).fetchone()[0]
            seq = int(conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
            assert tickets == issues == seq == copy.tickets
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        finally:
            conn.close()
        assert not Path(f"{copy.path}-wal").exists(), "a backup is one self-contained file"
    # The last copy restores into a working database holding exactly its tickets.
    before, last = made[-1]
    target = settings.replace(server={"data_dir": str(tmp_path / "restored")})
    restored = backup.restore(target, last.path, now=datetime(2026, 11, 23, 13, 0))
    assert restored.previous is None and restored.tickets == last.tickets
    store = Store.in_data_dir(target.data_path)
    try:
        assert {t.id for t in store.tickets()} == ticket_ids(last.path)
        assert store.seq() == last.tickets
    finally:
        store.close()


def test_restore_keeps_the_previous_database_aside(settings: Settings, clock: FakeClock) -> None:
    first = issue_some(settings, clock, 3)
    copy = backup.take(settings.data_path / DATABASE_FILE, backup.backup_dir(settings),
                       now=datetime(2026, 11, 23, 9, 0))
    later = issue_some(settings, clock, 2)
    done = backup.restore(settings, copy.path, now=datetime(2026, 11, 23, 10, 0))
    assert done.previous is not None and done.previous.parent == backup.backup_dir(settings)
    assert ticket_ids(settings.data_path / DATABASE_FILE) == set(first)
    assert ticket_ids(done.previous) == set(first) | set(later), "nothing is lost by a restore"
    assert not done.previous.with_name(done.previous.name + "-wal").exists()
    # The copy set aside is not one of the rotated backups.
    assert [p for _, p in backup.backups(backup.backup_dir(settings))] == [copy.path]


def test_restore_checks_the_file_before_touching_anything(settings: Settings, clock: FakeClock,
                                                          tmp_path: Path) -> None:
    ids = issue_some(settings, clock, 2)
    damaged = tmp_path / "damaged.sqlite3"
    good = backup.take(settings.data_path / DATABASE_FILE, tmp_path / "b",
                       now=datetime(2026, 11, 23, 9, 0))
    data = bytearray(good.path.read_bytes())
    data[4096:8192] = b"\x00\xff" * 2048
    damaged.write_bytes(bytes(data))
    stranger = tmp_path / "stranger.sqlite3"
    sqlite3.connect(stranger).execute("CREATE TABLE notes (x)").connection.close()
    for bad in (damaged, stranger, tmp_path / "missing.sqlite3"):
        with pytest.raises(backup.BackupError):
            backup.restore(settings, bad, now=datetime(2026, 11, 23, 10, 0))
        assert ticket_ids(settings.data_path / DATABASE_FILE) == set(ids)
    assert not list(settings.data_path.glob("*.restoring*"))


def test_restore_refuses_while_serving(settings: Settings, clock: FakeClock) -> None:
    issue_some(settings, clock, 1)
    copy = backup.take(settings.data_path / DATABASE_FILE, backup.backup_dir(settings),
                       now=datetime(2026, 11, 23, 9, 0))
    lock = backup.hold_serving_lock(settings.data_path)
    try:
        assert backup.is_serving(settings.data_path)
        with pytest.raises(backup.ServerRunning, match="systemctl stop xephang"):
            backup.restore(settings, copy.path, now=datetime(2026, 11, 23, 10, 0))
        result = CliRunner().invoke(main, ["restore", str(copy.path), "--yes",
                                           "--data-dir", str(settings.data_path)])
        assert result.exit_code != 0 and "đang chạy" in result.output
        with pytest.raises(backup.ServerRunning):
            backup.hold_serving_lock(settings.data_path)
    finally:
        import os

        os.close(lock)
    assert not backup.is_serving(settings.data_path)


def test_backup_and_restore_commands(settings: Settings, clock: FakeClock) -> None:
    ids = issue_some(settings, clock, 4)
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--data-dir", str(settings.data_path)])
    assert made.exit_code == 0, made.output
    assert "4 vé (tickets)" in made.output
    (_, path), = backup.backups(backup.backup_dir(settings))
    issue_some(settings, clock, 1)
    refused = runner.invoke(main, ["restore", str(path), "--data-dir", str(settings.data_path)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    done = runner.invoke(main, ["restore", str(path), "--yes", "--data-dir",
                                str(settings.data_path)])
    assert done.exit_code == 0, done.output
    assert "previous database kept at" in done.output
    assert ticket_ids(settings.data_path / DATABASE_FILE) == set(ids)
    store = Store.in_data_dir(settings.data_path)
    try:
        actions = [r[0] for r in store.conn.execute("SELECT action FROM audit_log")]
    finally:
        store.close()
    assert "backup_restored" in actions


def test_backup_of_a_missing_database_says_so(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["backup", "--data-dir", str(settings.data_path)])
    assert result.exit_code != 0 and "no database" in result.output


def _names(folder: Path, moments: list[datetime]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for moment in moments:
        (folder / f"xephang-{moment:%Y%m%d-%H%M%S}.sqlite3").write_bytes(b"")


def test_rotation_by_count_and_age(tmp_path: Path) -> None:
    start = datetime(2026, 11, 1, 2, 0)
    _names(tmp_path, [start + timedelta(days=d) for d in range(20)])
    (tmp_path / "xephang-before-restore-20261101-020000.sqlite3").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("mine")
    deleted = backup.rotate(tmp_path, keep_count=14, keep_days=30)
    assert len(deleted) == 6
    kept = [t for t, _ in backup.backups(tmp_path)]
    assert kept[0] == start + timedelta(days=19) and len(kept) == 14
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "xephang-before-restore-20261101-020000.sqlite3").exists()
    backup.rotate(tmp_path, keep_count=14, keep_days=5)
    assert [t for t, _ in backup.backups(tmp_path)] == [start + timedelta(days=d)
                                                        for d in range(19, 13, -1)]


def test_rotation_never_drops_the_only_copy(tmp_path: Path) -> None:
    _names(tmp_path, [datetime(2020, 1, 1)])
    assert backup.rotate(tmp_path, keep_count=1, keep_days=1) == []
    assert len(backup.backups(tmp_path)) == 1


@pytest.mark.parametrize(("now", "newest", "expected"), [
    (datetime(2026, 11, 23, 2, 0), None, True),
    (datetime(2026, 11, 23, 1, 59), datetime(2026, 11, 22, 2, 0), False),
    (datetime(2026, 11, 23, 2, 0), datetime(2026, 11, 22, 2, 0), True),
    (datetime(2026, 11, 23, 2, 5), datetime(2026, 11, 23, 2, 1), False),
    # Switched off at night: the copy is made when the box next runs.
    (datetime(2026, 11, 23, 7, 30), datetime(2026, 11, 22, 7, 31), True),
    (datetime(2026, 11, 23, 7, 40), datetime(2026, 11, 23, 7, 30), False),
])
def test_nightly_is_due(now: datetime, newest: datetime | None, expected: bool) -> None:
    assert backup.due(now, newest=newest, hour=2) is expected


def test_nightly_loop_takes_one_copy_a_night(settings: Settings, clock: FakeClock) -> None:
    issue_some(settings, clock, 2)
    made: list[Any] = []
    naps: list[float] = []
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        clock.advance(minutes=5)
        if len(naps) >= 4:
            stop.set()

    backup.keep_nightly(settings, clock=clock.now, sleep=sleep, after=made.append,
                        stop=stop.is_set)
    assert len(made) == 1 and made[0].tickets == 2
    assert naps == [backup.SCHEDULE_SECONDS] * 4
    clock.advance(days=1)
    assert backup.nightly(settings, now=clock.now()) is not None


def test_nightly_failure_is_logged_and_retried(settings: Settings, clock: FakeClock,
                                               caplog: pytest.LogCaptureFixture) -> None:
    stop = threading.Event()
    calls: list[float] = []

    def sleep(seconds: float) -> None:
        calls.append(seconds)
        stop.set()

    # No database yet: the night fails, the loop survives.
    backup.keep_nightly(settings, clock=clock.now, sleep=sleep, stop=stop.is_set)
    assert calls and "nightly backup failed" in caplog.text
