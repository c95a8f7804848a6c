"""The `xephang` command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from queue_core.cli import main
from queue_core.cli.serve import hardware_notice
from queue_core.config import load_settings
from queue_core.service import auth
from queue_core.storage import Store


@pytest.mark.parametrize("command", [[], ["serve"], ["user"], ["user", "add"], ["token"],
                                     ["token", "create"], ["announcer"], ["display"], ["kiosk"],
                                     ["keypad"], ["ratingpad"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_user_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["user", "add", "lan", "--role", "staff", "--counter", "2",
                                       "--password-stdin", "--data-dir", str(tmp_path)],
                                input="mat-khau-an-toan\n")
    assert result.exit_code == 0, result.output
    store = Store.in_data_dir(tmp_path)
    principal = auth.authenticate(store, "lan", "mat-khau-an-toan")
    assert principal is not None and (principal.role, principal.counter) == ("staff", 2)
    again = CliRunner().invoke(main, ["user", "add", "lan", "--role", "staff", "--password-stdin",
                                      "--data-dir", str(tmp_path)], input="mat-khau-an-toan\n")
    assert again.exit_code != 0 and "exists" in again.output


def test_user_add_refuses_a_short_password_and_unknown_counter(tmp_path: Path) -> None:
    short = CliRunner().invoke(main, ["user", "add", "lan", "--role", "staff", "--password-stdin",
                                      "--data-dir", str(tmp_path)], input="123\n")
    assert short.exit_code != 0 and "8 characters" in short.output
    unknown = CliRunner().invoke(main, ["user", "add", "lan", "--role", "staff", "--counter", "9",
                                        "--password-stdin", "--data-dir", str(tmp_path)], input="x" * 9)
    assert unknown.exit_code != 0 and "no counter 9" in unknown.output


def test_token_create_prints_the_token_last(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["token", "create", "keypad-2", "--role", "keypad", "--counter",
                                       "2", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    principal = auth.token_principal(Store.in_data_dir(tmp_path), secret)
    assert principal is not None and (principal.role, principal.counter) == ("keypad", 2)
    unbound = CliRunner().invoke(main, ["token", "create", "k", "--role", "keypad",
                                        "--data-dir", str(tmp_path)])
    assert unbound.exit_code != 0 and "bound to a counter" in unbound.output


def test_bad_config_stops_the_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nport = 0\n")
    result = CliRunner().invoke(main, ["token", "create", "x", "--role", "kiosk", "--config", str(bad),
                                       "--data-dir", str(tmp_path)])
    assert result.exit_code != 0 and "server.port" in result.output


def test_emulated_hardware_is_announced() -> None:
    lines = hardware_notice(load_settings(env={}))
    assert any("GIẢ LẬP" in line and "printer" in line for line in lines)
    assert any("GIẢ LẬP" in line and "audio" in line for line in lines)
    real = hardware_notice(load_settings(env={"XEPHANG_PRINTER": "network", "XEPHANG_AUDIO": "pygame"}))
    assert not any("GIẢ LẬP" in line for line in real)


def test_serve_refuses_to_start_on_bad_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from queue_core.ops import server

    started: list[object] = []
    monkeypatch.setattr(server, "run", lambda settings, *args, **kwargs: started.append(settings))
    bad = tmp_path / "bad.toml"
    bad.write_text("[center]\ncloses_at = '5pm'\n")
    result = CliRunner().invoke(main, ["serve", "--config", str(bad), "--data-dir", str(tmp_path)])
    assert result.exit_code != 0 and "center.closes_at" in result.output
    assert started == []


def test_serve_prints_every_screen_and_the_emulated_devices(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from queue_core.ops import server

    started: list[object] = []
    monkeypatch.setattr(server, "run", lambda settings, *args, **kwargs: started.append(settings))
    result = CliRunner().invoke(main, ["serve", "--port", "8765", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/api/v1/state" in result.output
    assert "GIẢ LẬP" in result.output
    assert len(started) == 1 and started[0].server.port == 8765  # type: ignore[attr-defined]


def test_every_screen_serve_names_exists(client: object) -> None:
    from queue_core.cli.serve import SCREENS

    for _, path in SCREENS:
        response = client.get(path.format(n=1))  # type: ignore[attr-defined]
        # A page behind a login answers with its login form (401), never 404.
        assert response.status_code in (200, 401), path
        assert response.content_type.startswith(("text/html", "application/json")), path


def test_simulate_fills_a_history_the_stats_can_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", "--days", "3", "--per-day", "40",
                                       "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    store = Store.in_data_dir(tmp_path)
    days = {row[0] for row in store.conn.execute("SELECT day FROM tickets")}
    tickets = store.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    served = store.conn.execute("SELECT COUNT(*) FROM tickets WHERE state = 'done'").fetchone()[0]
    store.close()
    assert len(days) == 3 and 60 <= tickets <= 200 and served > tickets // 2
    assert f"{tickets} tickets over 3 days" in result.output


def test_simulate_a_textbook_history_nobody_gives_up_and_nothing_is_cancelled(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", "--days", "3", "--per-day", "60",
                                       "--scenario", "textbook", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    store = Store.in_data_dir(tmp_path)
    states = dict(store.conn.execute("SELECT state, COUNT(*) FROM tickets GROUP BY state"))
    priority = store.conn.execute(
        "SELECT COUNT(*) FROM tickets WHERE priority IS NOT NULL").fetchone()[0]
    store.close()
    # Poisson arrivals, exponential service, no priority, no-shows or people giving up.
    assert set(states) <= {"done", "expired"} and states["done"] > 0 and priority == 0
    bad = CliRunner().invoke(main, ["simulate", "--scenario", "messy", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "--scenario" in bad.output
