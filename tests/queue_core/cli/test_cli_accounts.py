"""`xephang token list|revoke`, `xephang user disable|enable`: the console's device and
people administration from the command line; and what `serve` says on a first run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_serve_offers_the_first_run_in_a_browser(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import os

    from queue_core.cli.serve import prepare_serving
    from queue_core.config import load_settings

    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var"),
                                  "XEPHANG_PORT": "8123"})
    lock = prepare_serving(settings, interactive=False)
    os.close(lock)
    said = capsys.readouterr().err
    code_file = tmp_path / "var" / "setup-code"
    code = code_file.read_text().strip()
    assert code in said and ":8123/setup" in said
    assert code_file.stat().st_mode & 0o777 == 0o600
    # A second start makes a new code (the old one is void); once an admin exists, none.
    lock = prepare_serving(settings, interactive=False)
    os.close(lock)
    assert code_file.read_text().strip() != code
    store = Store.in_data_dir(settings.data_path)
    auth.add_user(store, "an", "mat-khau-quan-tri", role="admin", counter=None,
                  now=SystemClock().now())
    store.close()
    capsys.readouterr()
    lock = prepare_serving(settings, interactive=False)
    os.close(lock)
    assert not code_file.exists() and "setup" not in capsys.readouterr().err


def test_serve_warns_when_tickets_would_point_at_localhost() -> None:
    from queue_core.cli.serve import localhost_warning
    from queue_core.config import load_settings

    local = load_settings(env={"XEPHANG_KIOSK_PUBLIC_URL": "http://localhost:8000"})
    warning = localhost_warning(local)
    assert warning is not None and "localhost" in warning and "public_url" in warning
    lan = load_settings(env={"XEPHANG_KIOSK_PUBLIC_URL": "http://192.168.1.20:8000"})
    assert localhost_warning(lan) is None
