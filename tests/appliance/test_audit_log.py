"""The audit log: every staff and admin action, who and when, visible to the manager."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from queue_core.service import audit, auth
from queue_core.cli import main
from queue_core.config import Settings
from queue_core.storage import Store

Headers = dict[str, str]
PASSWORD = "mat-khau-an-toan"


@pytest.fixture
def officer(app: Any, clock: Any) -> str:
    auth.add_user(app.extensions["xephang"].store, "lan", PASSWORD, role="staff", counter=2,
                  now=clock.now())
    return "lan"


def login(client: Any, username: str = "lan", password: str = PASSWORD) -> Headers:
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.get_json()
    return {"X-CSRFToken": answer.get_json()["csrf_token"]}


def audit_log(client: Any, manager: Headers, **query: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/audit", query_string=query, headers=manager)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()  # type: ignore[no-any-return]


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.get_json()
    return answer.get_json()  # type: ignore[no-any-return]


def test_every_staff_action_is_recorded(client: Any, officer: str, kiosk: Headers,
                                        manager: Headers, clock: Any) -> None:
    def act(method: str, path: str, body: Any = None, headers: Headers | None = None) -> Any:
        clock.advance(seconds=7)
        return ok(client.open(path, method=method, json=body,
                              headers=csrf if headers is None else headers))

    csrf = login(client)
    waiting = [act("POST", "/api/v1/tickets", {"service": "A"}, kiosk) for _ in range(4)]
    mine = act("POST", "/api/v1/tickets", {"service": "B"})
    act("POST", "/api/v1/counters/2/call-next")
    act("POST", "/api/v1/counters/2/recall")
    act("POST", "/api/v1/counters/2/no-show")
    act("POST", f"/api/v1/tickets/{waiting[0]['id']}/restore", {"keep_place": True})
    act("POST", "/api/v1/counters/2/call", {"ticket": waiting[1]["id"]})
    act("POST", "/api/v1/counters/2/transfer", {"service": "F"})
    act("POST", "/api/v1/counters/2/call-next")
    act("POST", "/api/v1/counters/2/finish")
    act("PUT", f"/api/v1/tickets/{waiting[3]['id']}/priority", {"priority": "elderly"})
    act("POST", f"/api/v1/tickets/{mine['id']}/cancel")
    act("PUT", "/api/v1/counters/2/state", {"state": "paused"})
    act("POST", f"/api/v1/tickets/{waiting[3]['id']}/print")
    act("POST", "/api/v1/auth/logout", headers={})

    entries = audit_log(client, manager)
    by_lan = [(e["action"], e["target"]) for e in entries if e["actor"] == "user:lan"]
    actions = [action for action, _ in by_lan]
    for action in ("login", "issue", "call", "recall", "no_show", "restore", "transfer",
                   "finish", "priority", "cancel", "counter_state", "print_ticket", "logout"):
        assert action in actions, f"no audit entry for {action}: {actions}"
    assert ("counter_state", "counter:2") in by_lan
    assert ("issue", mine["label"]) in by_lan
    assert ("cancel", mine["label"]) in by_lan
    state = next(e for e in entries if e["action"] == "counter_state")
    assert state["detail"] == "paused" and state["counter"] == 2
    # Newest first, each with its time.
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    assert entries[0]["action"] == "logout"
    # The citizens' own tickets from the kiosk are not staff actions.
    assert not [e for e in entries if e["action"] == "issue" and e["actor"].startswith("device:")]
    everything = audit_log(client, manager, all="1")
    assert len([e for e in everything if e["action"] == "issue"]) == 5


def test_devices_at_a_counter_are_recorded(client: Any, kiosk: Headers, manager: Headers,
                                           token_for: Callable[..., Headers]) -> None:
    keypad = token_for("keypad", 1, name="keypad-quay-1")
    ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk))
    ok(client.post("/api/v1/counters/1/call-next", headers=keypad))
    ok(client.post("/api/v1/counters/1/finish", headers=keypad))
    entries = audit_log(client, manager, actor="keypad-quay-1")
    assert [e["action"] for e in entries] == ["finish", "call"]
    assert all(e["actor"] == "device:keypad-quay-1" and e["counter"] == 1 for e in entries)


def test_logins_that_fail_are_recorded(client: Any, officer: str, manager: Headers) -> None:
    for _ in range(5):
        assert client.post("/api/v1/auth/login",
                           json={"username": "lan", "password": "wrong"}).status_code == 401
    assert client.post("/api/v1/auth/login",
                       json={"username": "lan", "password": PASSWORD}).status_code == 429
    entries = audit_log(client, manager, actor="anonymous")
    # Five failures of one name from one address: one entry that counts them.
    failed = [e for e in entries if e["action"] == "login_failed"]
    assert [(e["target"], e["count"]) for e in failed] == [("user:lan", 5)]
    assert entries[0]["action"] == "login_throttled" and entries[0]["target"] == "user:lan"
    assert audit_log(client, manager, action="login") == []


def test_filters_and_limits(client: Any, officer: str, manager: Headers, clock: Any) -> None:
    login(client)
    clock.advance(days=1)
    login(client)
    day = clock.now().date().isoformat()
    assert len(audit_log(client, manager, action="login")) == 2
    assert len(audit_log(client, manager, action="login", **{"from": day, "to": day})) == 1
    assert len(audit_log(client, manager, action="login", limit="1")) == 1
    assert len(audit_log(client, manager, actor="user:lan")) == 2
    bad = client.get("/api/v1/audit", query_string={"from": "yesterday"}, headers=manager)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_input"
    backwards = client.get("/api/v1/audit", query_string={"from": day, "to": "2020-01-01"},
                           headers=manager)
    assert backwards.status_code == 422


def test_only_managers_read_the_log(client: Any, token_for: Callable[..., Headers]) -> None:
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit", headers=token_for("staff", 2)).status_code == 403
    assert client.get("/api/v1/audit", headers=token_for("manager")).status_code == 200


def test_people_and_tokens_made_at_the_command_line(settings: Settings) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(settings.data_path)]
    made = runner.invoke(main, ["user", "add", "giamdoc", "--role", "manager",
                                "--password-stdin", *data], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    token = runner.invoke(main, ["token", "create", "kiosk-sanh", "--role", "kiosk", *data])
    assert token.exit_code == 0, token.output
    store = Store.in_data_dir(settings.data_path)
    try:
        entries = audit.entries(store)
    finally:
        store.close()
    assert [(e["action"], e["target"]) for e in entries] == [
        ("token_created", "token:kiosk-sanh"), ("user_added", "user:giamdoc")]
    assert all(e["actor"].startswith("cli") for e in entries)
    assert "role=manager" in entries[1]["detail"]


def test_a_failing_audit_write_never_fails_the_request(app: Any, client: Any, officer: str,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture,
                                                       tmp_path: Path) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    login(client)
    assert "could not record an audit entry" in caplog.text
