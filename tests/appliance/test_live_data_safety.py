"""A center's data on a bad day, with the real `xephang serve`: private files, a full disk,
a damaged or replaced database, a restore the same day, a body too big to read.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from support_live import ASYNC_MODES, LiveServer, pause

pytestmark = [pytest.mark.slow]

DATABASE = "xephang.sqlite3"
REFUSED_EXIT = 4


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def cli(server: LiveServer, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(server._cli(*args), env=server.env, capture_output=True, text=True,
                          input=stdin, timeout=120, cwd=server.data_dir.parent)


def serve_until_exit(server: LiveServer, timeout: float = 60) -> tuple[int, str]:
    """Run `xephang serve` expecting it to refuse; return its exit status and output."""
    proc = subprocess.run(server._cli("serve", "--host", "127.0.0.1", "--port", str(server.port)),
                          env=server.env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=server.data_dir.parent)
    return proc.returncode, proc.stdout + proc.stderr


def issue(server: LiveServer, token: str, count: int, service: str = "A") -> list[dict[str, Any]]:
    made = []
    for _ in range(count):
        answer = server.post("/tickets", token, {"service": service})
        assert answer.status_code == 201, answer.text
        made.append(answer.json())
    return made


def fold(path: Path) -> None:
    """Fold the WAL into the database file (the server is stopped)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "var")
    yield live
    live.stop()


# --- 7. private files ----------------------------------------------------------------------------

def test_the_data_dir_and_every_file_in_it_are_private(server: LiveServer) -> None:
    manager = server.token("manager")
    data = server.data_dir
    # The command that made the database made it private; the folder (made by the test
    # with the default umask) is put right by serve below.
    assert mode_of(data / DATABASE) == 0o600
    # A box installed by an older version: everything readable by every user.
    for path in (data, data / DATABASE):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    (data / "notes.txt").write_text("x")
    os.chmod(data / "notes.txt", 0o644)
    server.start()
    issue(server, manager, 2)
    assert server.post("/kiosk/tickets", server.token("kiosk"),
                       {"service": "B"}).status_code == 201
    backup = cli(server, "backup")
    assert backup.returncode == 0, backup.stderr
    found = {}
    for root, folders, files in os.walk(data):
        for name in folders:
            found[Path(root) / name] = (mode_of(Path(root) / name), 0o700)
        for name in files:
            found[Path(root) / name] = (mode_of(Path(root) / name), 0o600)
    names = {path.name for path in found}
    assert {DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", "secret_key", "serve.lock",
            "marks.json", "notes.txt", "backups", "printer-jobs"} <= names
    assert any(path.suffix == ".png" for path in found)
    assert any(path.parent.name == "backups" for path in found)
    wrong = {str(path): oct(mode) for path, (mode, wanted) in found.items() if mode != wanted}
    assert wrong == {} and mode_of(data) == 0o700


# --- 9. a damaged, emptied, missing or replaced database -------------------------------------------

def damage(path: Path, kind: str) -> None:
    size = path.stat().st_size
    if kind == "header":
        with path.open("r+b") as handle:
            handle.write(b"NOT A DATABASE!!")
    elif kind == "truncated":
        os.truncate(path, size // 2)
    elif kind == "empty":
        os.truncate(path, 0)
    elif kind == "pages":
        page = int.from_bytes(path.read_bytes()[16:18], "big")
        with path.open("r+b") as handle:
            # Every b-tree page after the schema's: its header and first cells overwritten.
            for offset in range(2 * page, size, page):
                handle.seek(offset)
                handle.write(b"\xa7" * 64)
    elif kind == "missing":
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    else:
        raise ValueError(kind)


@pytest.mark.parametrize("kind", ["header", "truncated", "empty", "pages", "missing"])
def test_a_damaged_database_stops_serve_with_a_plain_message(server: LiveServer,
                                                             kind: str) -> None:
    manager = server.token("manager")
    server.start()
    issue(server, manager, 120)
    server.stop()
    database = server.data_dir / DATABASE
    fold(database)
    damage(database, kind)
    before = database.read_bytes() if database.exists() else None
    status, output = serve_until_exit(server)
    assert status == REFUSED_EXIT, output
    assert "xephang restore" in output and "Traceback" not in output
    assert ("Không thấy" in output) if kind == "missing" else ("hỏng" in output or "rỗng" in output)
    # Nothing started fresh: the file is as it was (or still absent).
    assert (database.read_bytes() if database.exists() else None) == before


def test_an_older_copy_put_in_place_is_refused_and_restore_is_the_way(server: LiveServer) -> None:
    manager = server.token("manager")
    server.start()
    issue(server, manager, 5)
    early = server.data_dir.parent / "early.sqlite3"
    assert cli(server, "backup", "--dir", str(early.parent / "early")).returncode == 0
    copy = next((early.parent / "early").glob("xephang-*.sqlite3"))
    issue(server, manager, 5)
    server.stop()
    database = server.data_dir / DATABASE
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(copy, database)
    status, output = serve_until_exit(server)
    assert status == REFUSED_EXIT and "cũ hơn" in output and "Traceback" not in output
    restored = cli(server, "restore", "--yes", str(copy))
    assert restored.returncode == 0, restored.stderr
    server.start()
    assert server.post("/tickets", manager, {"service": "A"}).json()["label"] == "A011"


# --- 10. a restore the same day ---------------------------------------------------------------------

def test_a_same_day_restore_never_gives_a_number_twice(server: LiveServer) -> None:
    manager = server.token("manager")
    server.start()
    issue(server, manager, 10)
    backups = server.data_dir / "backups"
    # The serving box may have made its own copy at start (no tickets yet): take the new one.
    before = set(backups.glob("xephang-*.sqlite3"))
    made = cli(server, "backup")
    assert made.returncode == 0, made.stderr
    (backup_file,) = set(backups.glob("xephang-*.sqlite3")) - before
    labels = [t["label"] for t in issue(server, manager, 10)]
    assert labels[-1] == "A020"
    server.stop()
    restored = cli(server, "restore", "--yes", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "A: 20" in restored.stdout
    server.start()
    state = server.state()
    assert state["services"][0]["waiting"] == 10, state  # the copy's tickets
    assert server.post("/tickets", manager, {"service": "A"}).json()["label"] == "A021"
    assert server.post("/tickets", manager, {"service": "B"}).json()["label"] == "B001"


# --- 8. a full disk ---------------------------------------------------------------------------------

@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a small file system for the full disk needs root: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system `folder` is on (again: the file grows)."""
    filler = folder / "filler"
    with filler.open("ab", buffering=0) as handle:  # unbuffered: nothing left to flush
        for size in (65536, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while True:
                    handle.write(block)
    return filler


def test_a_full_disk_says_so_and_a_start_on_it_is_plain(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    with small_disk(tmp_path / "disk", 6) as disk:
        server = LiveServer(disk / "var")
        try:
            manager = server.token("manager")
            server.start()
            issue(server, manager, 3)
            filler = fill(disk)
            answers = [server.post("/tickets", manager, {"service": "A"}) for _ in range(40)]
            refused = [a for a in answers if a.status_code != 201]
            assert refused, "the disk never filled"
            error = refused[0].json()["error"]
            assert refused[0].status_code == 507 and error["code"] == "storage_full"
            assert error["message"].startswith("Bộ nhớ của máy đầy")
            issued = 3 + len(answers) - len(refused)
            health = server.get("/health").json()
            assert health["status"] == "degraded" and health["storage"] in ("full", "low")
            assert any(r["code"] == "storage_full" for r in health["reasons"])
            # A restart on the full disk: up, serving what it has, saying why in plain words.
            server.kill()
            server.start()
            output = server.output()
            assert "Bộ nhớ của máy đầy" in output and "Traceback" not in output
            fill(disk)  # what the start freed (the log folded into the database) is taken too
            assert sum(s["waiting"] for s in server.state()["services"]) == issued
            assert server.post("/tickets", manager, {"service": "A"}).status_code == 507
            assert server.get("/health").json()["status"] == "degraded"
            filler.unlink()
            again = server.post("/tickets", manager, {"service": "A"})
            assert again.status_code == 201, again.text
            assert again.json()["number"] > issued - 1
            assert "Traceback" not in server.output()
        finally:
            server.stop()


# --- 11. a body too big or broken ---------------------------------------------------------------------

@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_a_login_body_too_big_or_broken_gets_the_error_shape_and_no_traceback(
        tmp_path: Path, mode: str) -> None:
    server = LiveServer(tmp_path / "var", mode=mode)
    try:
        server.start()
        big = json.dumps({"username": "admin", "password": "x" * 70_000}).encode()
        answer = requests.post(f"{server.url}/api/v1/auth/login", data=big, timeout=10,
                               headers={"Content-Type": "application/json",
                                        "Connection": "close"})
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["code"] == "payload_too_large"

        def chunked(body: bytes, *, framed: bool) -> tuple[int, dict[str, Any]]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                pieces = (body[i:i + 8192] for i in range(0, len(body), 8192))
                if framed:
                    conn.request("POST", "/api/v1/auth/login", body=pieces, encode_chunked=True,
                                 headers={"Content-Type": "application/json"})
                else:  # a chunked header over a body that is not chunked (a line of it)
                    conn.request("POST", "/api/v1/auth/login", body=body + b"\r\n",
                                 headers={"Content-Type": "application/json",
                                          "Transfer-Encoding": "chunked"})
                reply = conn.getresponse()
                return reply.status, json.loads(reply.read() or b"{}")
            finally:
                conn.close()

        status, body = chunked(big, framed=True)
        assert status == 413 and body["error"]["code"] == "payload_too_large"
        status, body = chunked(big, framed=False)
        assert status in (400, 413) and "error" in body, (status, body)
        pause(0.2)
        assert server.get("/health").status_code == 200
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_cli_commands_write_private_files(server: LiveServer) -> None:
    server.token("staff", 1)
    added = cli(server, "user", "add", "lan", "--role", "staff", "--counter", "1",
                "--password-stdin", stdin="mat-khau-an-toan\n")
    assert added.returncode == 0, added.stderr
    made = cli(server, "backup")
    assert made.returncode == 0
    backup_file = next((server.data_dir / "backups").glob("xephang-*.sqlite3"))
    assert mode_of(backup_file) == 0o600 and mode_of(backup_file.parent) == 0o700
    assert mode_of(server.data_dir / DATABASE) == 0o600
