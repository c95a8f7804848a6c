"""The REST API of CONTRACT.md: shapes, roles, and bad input that never becomes a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from queue_core.service import auth

TICKET_KEYS = {"id", "label", "service", "priority", "state", "counter", "issued_at", "called_at",
               "finished_at", "recalls"}


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


def test_public_board_data(client: Any) -> None:
    assert client.get("/api/v1/health").get_json()["status"] == "ok"
    services = client.get("/api/v1/services").get_json()
    assert services[0] == {"code": "A", "name": "Chứng thực", "name_en": "Certification",
                           "open": True, "waiting": 0}
    counters = client.get("/api/v1/counters").get_json()
    assert counters[1] == {"number": 2, "name": "Quầy 2", "services": ["A", "B"], "state": "open",
                           "current": None}
    board = client.get("/api/v1/state").get_json()
    assert {"seq", "date", "center", "counters", "services", "recent_calls"} <= set(board)


def test_full_ticket_life_over_http(client: Any, kiosk: dict[str, str], manager: dict[str, str]) -> None:
    response = client.post("/api/v1/tickets", json={"service": "A", "priority": None,
                                                    "channel": "kiosk"}, headers=kiosk)
    assert response.status_code == 201
    ticket = response.get_json()
    assert TICKET_KEYS | {"ahead", "eta_minutes"} <= set(ticket)
    assert (ticket["label"], ticket["state"], ticket["ahead"]) == ("A001", "waiting", 0)
    assert client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["label"] == "A001"
    called = client.post("/api/v1/counters/1/call-next", headers=manager)
    assert called.status_code == 200 and called.get_json()["state"] == "called"
    assert "ahead" not in called.get_json()
    assert client.post("/api/v1/counters/1/recall", headers=manager).get_json()["recalls"] == 1
    assert client.post("/api/v1/counters/1/finish", headers=manager).get_json()["state"] == "done"
    rated = client.post(f"/api/v1/tickets/{ticket['id']}/rating", json={"level": "satisfied"},
                        headers=kiosk)
    assert rated.status_code == 201
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/rating", json={"level": "satisfied"},
                             headers=kiosk), 409, "already_rated")
    assert client.post("/api/v1/counters/1/call-next", headers=manager).status_code == 204


def test_idempotent_issue(client: Any, kiosk: dict[str, str]) -> None:
    headers = {**kiosk, "Idempotency-Key": "kiosk-1-press-0001"}
    first = client.post("/api/v1/tickets", json={"service": "B"}, headers=headers)
    again = client.post("/api/v1/tickets", json={"service": "B"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert client.get("/api/v1/services").get_json()[1]["waiting"] == 1


@pytest.mark.parametrize("method,path,body,status,code", [
    ("post", "/api/v1/tickets", {"service": "Z"}, 404, "unknown_service"),
    ("post", "/api/v1/tickets", {"service": 5}, 422, "invalid_input"),
    ("post", "/api/v1/tickets", {}, 422, "invalid_input"),
    ("post", "/api/v1/tickets", {"service": "A", "priority": "vip"}, 422, "invalid_input"),
    ("post", "/api/v1/tickets", {"service": "A", "priority": 1}, 422, "invalid_input"),
    ("post", "/api/v1/tickets", {"service": "A", "channel": "pigeon"}, 422, "invalid_input"),
    ("post", "/api/v1/tickets", "not json", 400, "malformed_request"),
    ("post", "/api/v1/tickets", "[1, 2]", 400, "malformed_request"),
    ("post", "/api/v1/tickets", None, 400, "malformed_request"),
    ("post", "/api/v1/counters/9/call-next", None, 404, "unknown_counter"),
    ("post", "/api/v1/counters/1/finish", None, 409, "counter_idle"),
    ("post", "/api/v1/counters/1/recall", None, 409, "counter_idle"),
    ("post", "/api/v1/counters/1/no-show", None, 409, "counter_idle"),
    ("post", "/api/v1/counters/1/transfer", {"service": "F"}, 409, "counter_idle"),
    ("post", "/api/v1/counters/1/transfer", {"service": "Q"}, 404, "unknown_service"),
    ("post", "/api/v1/counters/1/transfer", {}, 422, "invalid_input"),
    ("post", "/api/v1/counters/1/call", {"ticket": "nope"}, 404, "unknown_ticket"),
    ("post", "/api/v1/counters/1/call", {"ticket": 12}, 422, "invalid_input"),
    ("put", "/api/v1/counters/1/state", {"state": "asleep"}, 422, "invalid_input"),
    ("put", "/api/v1/counters/1/state", {"state": None}, 422, "invalid_input"),
    ("get", "/api/v1/tickets/unknown", None, 404, "unknown_ticket"),
    ("get", "/api/v1/tickets?state=lost", None, 422, "invalid_input"),
    ("get", "/api/v1/tickets?date=2026-13-45", None, 422, "invalid_input"),
    ("get", "/api/v1/tickets?service=Q", None, 404, "unknown_service"),
    ("post", "/api/v1/tickets/unknown/rating", {"level": "satisfied"}, 404, "unknown_ticket"),
    ("get", "/api/v1/speech?label=A023", None, 422, "invalid_input"),
    ("get", "/api/v1/speech?label=A-1&counter=3", None, 422, "invalid_input"),
    ("get", "/api/v1/speech?label=A1&counter=x", None, 422, "invalid_input"),
    ("get", "/api/v1/nothing-here", None, 404, "unknown_route"),
    ("delete", "/api/v1/state", None, 405, "method_not_allowed"),
])
def test_bad_input_gets_a_clear_error(client: Any, manager: dict[str, str], method: str, path: str,
                                      body: Any, status: int, code: str) -> None:
    kwargs: dict[str, Any] = {"headers": manager}
    if isinstance(body, str):
        kwargs["data"] = body
        kwargs["content_type"] = "application/json"
    elif body is not None:
        kwargs["json"] = body
    seq_before = client.get("/api/v1/state").get_json()["seq"]
    assert_error(getattr(client, method)(path, **kwargs), status, code)
    assert client.get("/api/v1/state").get_json()["seq"] == seq_before


def test_conflicts(client: Any, kiosk: dict[str, str], manager: dict[str, str]) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/rating", json={"level": "satisfied"},
                             headers=kiosk), 409, "not_rateable")
    client.post("/api/v1/counters/1/call-next", headers=manager)
    assert_error(client.post("/api/v1/counters/1/call-next", headers=manager), 409, "counter_busy")
    assert_error(client.put("/api/v1/counters/1/state", json={"state": "closed"}, headers=manager),
                 409, "counter_busy")


def test_error_messages_are_vietnamese_by_default_english_on_request(client: Any,
                                                                     kiosk: dict[str, str]) -> None:
    vi = assert_error(client.post("/api/v1/tickets", json={"service": "Z"}, headers=kiosk), 404)
    en = assert_error(client.post("/api/v1/tickets", json={"service": "Z"},
                                  headers={**kiosk, "Accept-Language": "en"}), 404)
    assert vi["message"] == "Không có lĩnh vực 'Z'." and en["message"] == "No field 'Z'."


def test_speech(client: Any) -> None:
    assert client.get("/api/v1/speech?label=A023&counter=3").get_json() == {
        "text": "Xin mời công dân có số thứ tự a không hai ba đến quầy số ba.",
        "caption": "Xin mời công dân có số thứ tự A023 đến quầy số 3."}
    assert client.get("/api/v1/speech?label=1023&counter=2&recall=1").get_json()["text"] == (
        "Nhắc lại: xin mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số hai.")


@pytest.mark.parametrize("role,counter,path,status", [
    (None, None, "/api/v1/counters/1/call-next", 401),
    ("display", None, "/api/v1/counters/1/call-next", 403),
    ("kiosk", None, "/api/v1/counters/1/call-next", 403),
    ("keypad", 2, "/api/v1/counters/1/call-next", 403),
    ("keypad", 1, "/api/v1/counters/1/call-next", 204),
    ("staff", 1, "/api/v1/counters/1/call-next", 204),
    ("manager", None, "/api/v1/counters/3/call-next", 204),
    ("keypad", 1, "/api/v1/counters/1/transfer", 403),
    ("display", None, "/api/v1/tickets", 403),
    (None, None, "/api/v1/tickets", 401),
])
def test_roles(client: Any, token_for: Callable[..., dict[str, str]], role: str | None,
               counter: int | None, path: str, status: int) -> None:
    headers = token_for(role, counter) if role else {}
    body = {"service": "A"} if path.endswith("tickets") or path.endswith("transfer") else None
    response = client.post(path, json=body, headers=headers) if body else client.post(path, headers=headers)
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status


def test_bad_bearer_tokens(client: Any) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer ", "Token x"):
        assert_error(client.post("/api/v1/counters/1/call-next", headers={"Authorization": header}), 401)


def test_staff_ticket_operations(client: Any, kiosk: dict[str, str], manager: dict[str, str]) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    marked = client.put(f"/api/v1/tickets/{ticket['id']}/priority", json={"priority": "elderly"},
                        headers=manager)
    assert marked.get_json()["priority"] == "elderly"
    waiting = client.get("/api/v1/tickets?state=waiting", headers=manager).get_json()
    assert [t["label"] for t in waiting] == ["A001"]
    client.post("/api/v1/counters/1/call-next", headers=manager)
    client.post("/api/v1/counters/1/no-show", headers=manager)
    restored = client.post(f"/api/v1/tickets/{ticket['id']}/restore", headers=manager)
    assert restored.get_json()["state"] == "waiting"
    cancelled = client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=manager)
    assert cancelled.get_json()["state"] == "cancelled"
    trail = client.get(f"/api/v1/tickets/{ticket['id']}/transitions", headers=manager).get_json()
    assert [t["action"] for t in trail] == ["issue", "priority", "call", "no_show", "restore", "cancel"]


# --- people, sessions and CSRF -----------------------------------------------------------------

@pytest.fixture
def officer(app: Any, clock: Any) -> str:
    auth.add_user(app.extensions["xephang"].store, "lan", "mat-khau-an-toan", role="staff",
                  counter=2, now=clock.now())
    return "lan"


def test_login_session_and_csrf(client: Any, officer: str, kiosk: dict[str, str]) -> None:
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    login = client.post("/api/v1/auth/login", json={"username": "lan", "password": "mat-khau-an-toan"})
    assert login.status_code == 200
    body = login.get_json()
    assert body["user"] == {"username": "lan", "role": "staff", "kind": "user", "counter": 2}
    assert_error(client.post("/api/v1/counters/2/call-next"), 403, "csrf_failed")
    token = body["csrf_token"]
    called = client.post("/api/v1/counters/2/call-next", headers={"X-CSRFToken": token})
    assert called.status_code == 200
    assert_error(client.post("/api/v1/counters/1/call-next", headers={"X-CSRFToken": token}),
                 403, "wrong_counter")
    assert client.get("/api/v1/auth/me").get_json()["user"]["username"] == "lan"
    client.post("/api/v1/auth/logout")
    assert_error(client.get("/api/v1/auth/me"), 401)


def test_wrong_password_and_throttle(client: Any, officer: str) -> None:
    for _ in range(5):
        assert_error(client.post("/api/v1/auth/login", json={"username": "lan", "password": "wrong"}),
                     401, "bad_credentials")
    assert_error(client.post("/api/v1/auth/login", json={"username": "lan",
                                                         "password": "mat-khau-an-toan"}), 429)
    assert_error(client.post("/api/v1/auth/login", json={"username": "lan"}), 422)


def test_passwords_and_tokens_are_stored_hashed(app: Any, officer: str, kiosk: dict[str, str]) -> None:
    db = app.extensions["xephang"].store.db
    stored_password = next(db["users"].rows)["password_hash"]
    assert "mat-khau-an-toan" not in stored_password and stored_password.startswith(("scrypt", "pbkdf2"))
    secret = kiosk["Authorization"].split()[1]
    assert all(secret not in row["token_hash"] for row in db["tokens"].rows)


def test_disabled_user_loses_the_session(app: Any, client: Any, officer: str) -> None:
    login = client.post("/api/v1/auth/login", json={"username": "lan", "password": "mat-khau-an-toan"})
    app.extensions["xephang"].store.db["users"].update("lan", {"disabled": 1})
    assert_error(client.post("/api/v1/counters/2/call-next",
                             headers={"X-CSRFToken": login.get_json()["csrf_token"]}), 401)


def test_index_page(client: Any) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Chứng thực" in page and "giả lập" in page
