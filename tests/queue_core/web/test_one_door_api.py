"""The one-door link over HTTP: the dossier route, the webhook routes, their roles, the settings."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support_core import Core
from test_api import assert_error

from queue_core.config import load_settings
from queue_core.domain.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def called_ticket(client: Any, kiosk: dict[str, str], officer: dict[str, str]) -> dict[str, Any]:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    assert client.post("/api/v1/counters/1/call-next", headers=officer).status_code == 200
    return ticket  # type: ignore[no-any-return]


def test_dossier_route_roles_and_counter_binding(client: Any, kiosk: dict[str, str],
                                                 manager: dict[str, str],
                                                 token_for: Callable[..., dict[str, str]]) -> None:
    at_one, at_two = token_for("staff", 1), token_for("staff", 2)
    ticket = called_ticket(client, kiosk, at_one)
    path = f"/api/v1/tickets/{ticket['id']}/dossier"
    body = {"code": " hs-2026  0001 "}
    assert_error(client.put(path, json=body), 401)
    assert_error(client.put(path, json=body, headers=kiosk), 403)
    assert_error(client.put(path, json=body, headers=token_for("keypad", 1)), 403)
    assert_error(client.put(path, json=body, headers=at_two), 403, "wrong_counter")
    done = client.put(path, json=body, headers=at_one)
    assert done.status_code == 200
    assert done.get_json()["dossier"] == {"code": "HS-2026 0001", "procedure": None}
    # The ticket's holder reads it (next test); the public board does not.
    assert "HS-2026" not in client.get("/api/v1/state").get_data(as_text=True)
    assert "HS-2026" not in client.get("/api/v1/counters").get_data(as_text=True)
    by_manager = client.put(path, json={"code": "HS-9"}, headers=manager)
    assert by_manager.status_code == 200 and by_manager.get_json()["dossier"]["code"] == "HS-9"
    assert_error(client.put("/api/v1/tickets/nope/dossier", json=body, headers=manager), 404,
                 "unknown_ticket")


def test_only_the_holder_and_the_box_read_a_tickets_dossier(
        client: Any, kiosk: dict[str, str], token_for: Callable[..., dict[str, str]]) -> None:
    """Ticket ids are public on the board, and a dossier code opens the dossier's status:
    the code is read with the ticket's holder key or a credential of the box, never by id."""
    officer = token_for("staff", 1)
    ticket = called_ticket(client, kiosk, officer)
    key = ticket["holder_key"]
    assert client.put(f"/api/v1/tickets/{ticket['id']}/dossier", json={"code": "HS-77"},
                      headers=officer).status_code == 200
    path = f"/api/v1/tickets/{ticket['id']}"
    other = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    wrong = ["", "?k=", "?k=wrong", f"?k={other['holder_key']}"]
    wrong += [f"?k={key.swapcase()}"] if key.swapcase() != key else []
    for query in wrong:
        answer = client.get(path + query)
        assert answer.status_code == 200, query
        assert answer.get_json()["dossier"] is None, query
        assert "HS-77" not in client.get(f"/t/{ticket['id']}{query}").get_data(as_text=True)
    assert client.get(f"{path}?k={key}").get_json()["dossier"]["code"] == "HS-77"
    assert "HS-77" in client.get(f"/t/{ticket['id']}?k={key}").get_data(as_text=True)
    for headers in (kiosk, officer, token_for("staff", 2)):
        assert client.get(path, headers=headers).get_json()["dossier"]["code"] == "HS-77"
    # A device that is neither kiosk nor staff reads what a stranger reads.
    assert client.get(path, headers=token_for("display")).get_json()["dossier"] is None


@pytest.mark.parametrize("body", [{}, {"code": None}, {"code": 5}, {"code": "x" * 200},
                                  {"code": "HS\x001"}, {"code": "hs\u0007"}, {"code": "ab"}])
def test_bad_dossier_codes_get_422_naming_code(client: Any, kiosk: dict[str, str],
                                               manager: dict[str, str], body: Any) -> None:
    ticket = called_ticket(client, kiosk, manager)
    error = assert_error(client.put(f"/api/v1/tickets/{ticket['id']}/dossier", json=body,
                                    headers=manager), 422, "invalid_input")
    assert "code" in error["message"]


def test_the_procedure_must_be_in_the_catalog(client: Any, kiosk: dict[str, str],
                                              manager: dict[str, str]) -> None:
    ticket = called_ticket(client, kiosk, manager)
    path = f"/api/v1/tickets/{ticket['id']}/dossier"
    known = client.get("/api/v1/procedures?limit=1").get_json()[0]["code"]
    good = client.put(path, json={"code": "HS-1", "procedure": f" {known} "}, headers=manager)
    assert good.status_code == 200 and good.get_json()["dossier"]["procedure"] == known
    assert_error(client.put(path, json={"code": "HS-1", "procedure": "9.999999"},
                            headers=manager), 404, "unknown_procedure")
    error = assert_error(client.put(path, json={"code": "HS-1", "procedure": "../x"},
                                    headers=manager), 422)
    assert "procedure" in error["message"]


def test_webhook_routes_are_for_admins(client: Any, manager: dict[str, str], kiosk: dict[str, str],
                                       token_for: Callable[..., dict[str, str]],
                                       app: Any) -> None:
    from queue_core.service import auth

    store = app.extensions["xephang"].store
    auth.add_user(store, "quantri", "mat-khau-dai", role="admin", counter=None,
                  now=app.extensions["xephang"].center.clock.now())
    for path in ("/api/v1/webhooks", "/api/v1/webhooks/deliveries"):
        assert_error(client.get(path), 401)
        assert_error(client.get(path, headers=manager), 403)
        assert_error(client.get(path, headers=token_for("staff", 1)), 403)
    assert_error(client.post("/api/v1/webhooks/deliveries/1/retry"), 401)
    assert_error(client.post("/api/v1/webhooks/deliveries/1/retry", headers=manager), 403)
    # An admin's session (the page's way) needs the CSRF token to ask again.
    assert client.post("/api/v1/auth/login", json={"username": "quantri",
                                                   "password": "mat-khau-dai"}).status_code == 200
    status = client.get("/api/v1/webhooks").get_json()
    assert status["outbox"]["retention_days"] == 30 and status["receivers"] == []
    assert client.get("/api/v1/webhooks/deliveries?limit=5").get_json() == []
    assert_error(client.get("/api/v1/webhooks/deliveries?limit=0"), 422)
    assert_error(client.get("/api/v1/webhooks/deliveries?status=odd"), 422)
    assert_error(client.post("/api/v1/webhooks/deliveries/1/retry"), 403, "csrf_failed")
    page = client.get("/admin/webhooks")
    assert page.status_code == 200 and "Gửi lại" in (ROOT / "queue_core/web/static/webhooks.js"
                                                     ).read_text()
    token = client.get("/api/v1/auth/me").get_json()["csrf_token"]
    assert_error(client.post("/api/v1/webhooks/deliveries/99/retry",
                             headers={"X-CSRFToken": token}), 404, "unknown_delivery")


def test_the_admin_page_asks_others_to_log_in(client: Any) -> None:
    page = client.get("/admin/webhooks")
    assert page.status_code == 401 and "Đăng nhập" in page.get_data(as_text=True)


@pytest.mark.parametrize(("toml", "key"), [
    ('[[webhooks]]\nurl = "ftp://x/y"\nsecret = "0123456789abcdef"\n', "webhooks[0].url"),
    ('[[webhooks]]\nurl = "http://"\nsecret = "0123456789abcdef"\n', "webhooks[0].url"),
    ('[[webhooks]]\nsecret = "0123456789abcdef"\n', "webhooks[0].url"),
    ('[[webhooks]]\nurl = "http://a/b"\n', "webhooks[0].secret"),
    ('[[webhooks]]\nurl = "http://a/b"\nsecret = ""\n', "webhooks[0].secret"),
    ('[[webhooks]]\nurl = "http://a/b"\nsecret = "short"\n', "webhooks[0].secret"),
    ('[[webhooks]]\nurl = "http://a/b"\nsecret = "0123456789abcdef"\nevents = ["nope"]\n',
     "webhooks[0].events"),
    ('[[webhooks]]\nurl = "http://a/b"\nsecret = "0123456789abcdef"\n'
     '[[webhooks]]\nurl = "http://a/b"\nsecret = "0123456789abcdef"\n', "webhooks[1].url"),
    ('[[webhooks]]\nurl = "http://a/b"\nsecret = "0123456789abcdef"\ncolour = 1\n',
     "webhooks[0].colour"),
    ('webhooks = "http://a"\n', "webhooks"),
    ('[hub]\nurl = "https://hub.example"\n', "hub.token"),
    ('[hub]\nurl = "hub.example"\ntoken = "t"\n', "hub.url"),
    ('[outbox]\nretention_days = 0\n', "outbox.retention_days"),
    ('[outbox]\nread_timeout_seconds = 0\n', "outbox.read_timeout_seconds"),
])
def test_link_settings_errors_name_the_key(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "xephang.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, env={})
    assert key in str(refused.value)


def test_link_settings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "xephang.toml"
    path.write_text('[[webhooks]]\nurl = "https://motcua.example/hook"\n'
                    'secret = "0123456789abcdef"\nevents = ["ticket_called"]\n'
                    '[hub]\nurl = "https://hub.example"\ntoken = "tok"\n', encoding="utf-8")
    settings = load_settings(path, env={"XEPHANG_OUTBOX_RETENTION_DAYS": "7"})
    assert settings.webhooks[0].events == ("ticket_called",)
    assert (settings.hub.url, settings.outbox.retention_days) == ("https://hub.example", 7)


def _example(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / "examples" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_one_door_example_runs_a_counter_against_a_live_box(
        core: Core, capsys: pytest.CaptureFixture[str]) -> None:
    client = _example("one_door_client")
    token = core.token("staff", 1)
    core.center.issue("A", actor="kiosk:hall")
    base = ["--core", core.url, "--token", token, "--counter", "1"]
    client.main([*base, "next"])
    called = json.loads(capsys.readouterr().out)
    assert called["state"] == "called" and called["counter"] == 1
    client.main([*base, "dossier", "000.00.12.h13-261123-0001"])
    attached = json.loads(capsys.readouterr().out)
    assert attached["dossier"]["code"] == "000.00.12.H13-261123-0001"
    client.main([*base, "finish"])
    assert json.loads(capsys.readouterr().out)["state"] == "done"
    client.main([*base, "next"])
    assert capsys.readouterr().out.strip() == "null"
    with pytest.raises(SystemExit, match="403 wrong_counter"):
        client.main(["--core", core.url, "--token", token, "--counter", "2", "next"])


def test_the_receiver_example_verifies_like_the_box_signs() -> None:
    from queue_core.domain import outbox

    example = _example("webhook_receiver")
    body = b'{"id":"s-1","event":"ticket_called","seq":1,"at":"x","data":{}}'
    now = 1_800_000_000
    signed = outbox.signature(b"k" * 16, str(now), body)
    assert example.verify(b"k" * 16, str(now), body, signed, now=now + 10)
    assert not example.verify(b"k" * 16, str(now), body, signed, now=now + 301)
    assert not example.verify(b"k" * 16, str(now), body + b" ", signed, now=now)
    assert not example.verify(b"x" * 16, str(now), body, signed, now=now)
