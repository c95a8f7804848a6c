"""`xephang token list|revoke` and `xephang user disable|enable`: the console's device and
people administration from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from queue_core.cli import main
from queue_core.domain.clock import SystemClock
from queue_core.service import audit, auth
from queue_core.storage import Store


def _token(data: Path, name: str, role: str = "kiosk") -> str:
    store = Store.in_data_dir(data)
    try:
        return auth.create_token(store, name, role=role, counter=None, now=SystemClock().now())
    finally:
        store.close()


def test_token_list_shows_live_tokens_and_never_the_secret(tmp_path: Path) -> None:
    secret = _token(tmp_path, "kiosk-sanh")
    _token(tmp_path, "man-hinh-tuong", role="display")
    table = CliRunner().invoke(main, ["token", "list", "--data-dir", str(tmp_path)])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "ROLE", "COUNTER"]
    assert "kiosk-sanh" in lines[1] and "never" in lines[1]
    assert "man-hinh-tuong" in lines[2] and "display" in lines[2]
    assert secret not in table.output
    as_json = CliRunner().invoke(main, ["token", "list", "--json", "--data-dir", str(tmp_path)])
    found = json.loads(as_json.stdout)
    assert [t["name"] for t in found] == ["kiosk-sanh", "man-hinh-tuong"]
    assert set(found[0]) == {"id", "name", "role", "counter", "created_at", "last_used_at"}


def test_token_revoke_by_id_or_name_stops_the_token(tmp_path: Path) -> None:
    kiosk = _token(tmp_path, "kiosk-sanh")
    wall = _token(tmp_path, "man-hinh-tuong", role="display")
    by_name = CliRunner().invoke(main, ["token", "revoke", "kiosk-sanh", "--data-dir", str(tmp_path)])
    assert by_name.exit_code == 0, by_name.output
    assert "revoked token 1" in by_name.output
    by_id = CliRunner().invoke(main, ["token", "revoke", "2", "--data-dir", str(tmp_path)])
    assert by_id.exit_code == 0 and "revoked token 2" in by_id.output
    store = Store.in_data_dir(tmp_path)
    try:
        assert auth.token_principal(store, kiosk) is None
        assert auth.token_principal(store, wall) is None
        revocations = [e for e in audit.entries(store) if e["action"] == "token_revoked"]
    finally:
        store.close()
    assert [e["detail"] for e in revocations] == ["ids=2", "ids=1"]  # newest first
    again = CliRunner().invoke(main, ["token", "revoke", "kiosk-sanh", "--data-dir", str(tmp_path)])
    assert again.exit_code != 0 and "kiosk-sanh" in again.output
    empty = CliRunner().invoke(main, ["token", "list", "--data-dir", str(tmp_path)])
    assert empty.exit_code == 0 and "no live device tokens" in empty.output


def test_user_disable_ends_logins_and_enable_brings_them_back(tmp_path: Path) -> None:
    store = Store.in_data_dir(tmp_path)
    now = SystemClock().now()
    auth.add_user(store, "admin", "mat-khau-quan-tri", role="admin", counter=None, now=now)
    auth.add_user(store, "lan", "mat-khau-can-bo", role="staff", counter=1, now=now)
    store.close()
    result = CliRunner().invoke(main, ["user", "disable", "lan", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    store = Store.in_data_dir(tmp_path)
    try:
        assert auth.authenticate(store, "lan", "mat-khau-can-bo") is None
    finally:
        store.close()
    back = CliRunner().invoke(main, ["user", "enable", "lan", "--data-dir", str(tmp_path)])
    assert back.exit_code == 0, back.output
    store = Store.in_data_dir(tmp_path)
    try:
        assert auth.authenticate(store, "lan", "mat-khau-can-bo") is not None
    finally:
        store.close()
    last = CliRunner().invoke(main, ["user", "disable", "admin", "--data-dir", str(tmp_path)])
    assert last.exit_code != 0 and "last admin" in last.output
    unknown = CliRunner().invoke(main, ["user", "disable", "ai-do", "--data-dir", str(tmp_path)])
    assert unknown.exit_code != 0 and "ai-do" in unknown.output
