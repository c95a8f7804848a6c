"""The admin's API: first-run setup, settings in the database, people, device tokens, pairing.

Every route is tried without credentials and with the wrong roles (a kiosk token, an officer
bound to a counter), and every refusal has the contract's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from queue_core.service import auth, setup

ADMIN_ROUTES = [
    ("GET", "/api/v1/settings"), ("PATCH", "/api/v1/settings"), ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"), ("PATCH", "/api/v1/users/lan"), ("GET", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/1"), ("PATCH", "/api/v1/tokens/1"), ("GET", "/api/v1/pairing"),
    ("POST", "/api/v1/pairing/approve"), ("POST", "/api/v1/settings/speech-test"),
]


def error_of(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_admin_routes_refuse_strangers_devices_and_officers(
        app: Any, token_for: Callable[..., dict[str, str]], method: str, path: str) -> None:
    client = app.test_client()
    error_of(client.open(path, method=method, json={}), 401)
    for headers in (token_for("kiosk"), token_for("staff", 2), token_for("manager"),
                    token_for("display")):
        error_of(client.open(path, method=method, json={}, headers=headers), 403)


def test_speech_settings_are_for_the_announcer_and_the_admin(
        client: Any, token_for: Callable[..., dict[str, str]]) -> None:
    error_of(client.get("/api/v1/settings/speech"), 401)
    error_of(client.get("/api/v1/settings/speech", headers=token_for("kiosk")), 403)
    speech = client.get("/api/v1/settings/speech", headers=token_for("announcer")).get_json()
    assert "{label}" in speech["template"] and speech["dialect"] in ("north", "south")


# --- settings ---------------------------------------------------------------------------------

def test_a_saved_setting_applies_at_once_and_is_audited(app: Any, client: Any,
                                                        admin: dict[str, str]) -> None:
    read = client.get("/api/v1/settings")
    assert read.status_code == 200 and read.headers["ETag"] == '"0"'
    services = read.get_json()["services"]
    services[1]["name"] = "Hộ tịch (khai sinh)"
    saved = client.patch("/api/v1/settings", headers={**admin, "If-Match": '"0"'},
                         json={"center": {"name": "Trung tâm phường Hòa Khánh"},
                               "services": services})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["version"] == 1 and saved.headers["ETag"] == '"1"'
    board = client.get("/api/v1/state").get_json()
    assert board["center"]["name"] == "Trung tâm phường Hòa Khánh"
    assert [s["name"] for s in board["services"]][:2] == ["Chứng thực", "Hộ tịch (khai sinh)"]
    trail = client.get("/api/v1/audit").get_json()
    entry = next(e for e in trail if e["action"] == "settings_changed")
    assert entry["actor"] == "user:quantri" and "center.name" in entry["detail"]


@pytest.mark.parametrize("patch,field", [
    ({"center": {"opens_at": "17:00", "closes_at": "08:00"}}, "center.closes_at"),
    ({"counters": [{"number": 1, "services": ["Z"]}]}, "counters[0].services"),
    ({"services": []}, "services"),
    ({"speech": {"template": "Mời số tới quầy {counter}"}}, "speech.template"),
    ({"policy": {"aging_minutes": -1}}, "policy.aging_minutes"),
    ({"hardware": {"audio": "alsa"}}, "hardware.audio"),
    ({"center": "không phải đối tượng"}, "center"),
])
def test_half_valid_settings_are_refused_naming_the_key_and_nothing_changes(
        client: Any, admin: dict[str, str], patch: dict[str, Any], field: str) -> None:
    before = client.get("/api/v1/settings").get_json()
    # A valid change beside the bad one is not kept either: a save is all or nothing.
    refused = client.patch("/api/v1/settings", headers=admin,
                           json={**patch, "display": {"notice": "Nghỉ trưa 11:30"}}
                           if "display" not in patch else patch)
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert refused.get_json()["error"]["field"] == field
    assert client.get("/api/v1/settings").get_json() == before


def test_two_admins_saving_at_once_one_sees_a_conflict(client: Any, admin: dict[str, str]) -> None:
    first = client.patch("/api/v1/settings", headers={**admin, "If-Match": '"0"'},
                         json={"display": {"notice": "Thông báo của An"}})
    assert first.status_code == 200
    second = client.patch("/api/v1/settings", headers={**admin, "If-Match": '"0"'},
                          json={"display": {"notice": "Thông báo của Bình"}})
    error_of(second, 409, "settings_conflict")
    also = client.patch("/api/v1/settings", headers=admin,
                        json={"version": 0, "display": {"notice": "Thông báo của Bình"}})
    error_of(also, 409, "settings_conflict")
    assert client.get("/api/v1/settings").get_json()["display"]["notice"] == "Thông báo của An"
    error_of(client.patch("/api/v1/settings", headers={**admin, "If-Match": "hôm qua"},
                          json={}), 422)


def test_secrets_are_masked_and_a_masked_value_sent_back_keeps_the_secret(
        app: Any, client: Any, admin: dict[str, str]) -> None:
    headers = {"Authorization": "Bearer bi-mat-cua-he-thong"}
    saved = client.patch("/api/v1/settings", headers=admin,
                         json={"lookup": {"rest_headers": headers}}).get_json()
    assert saved["lookup"]["rest_headers"] == {"Authorization": "••••••"}
    assert "bi-mat" not in client.get("/api/v1/settings").get_data(as_text=True)
    again = client.patch("/api/v1/settings", headers=admin,
                         json={"lookup": {"rest_headers": {"Authorization": "••••••"},
                                          "timeout_seconds": 3.0}})
    assert again.status_code == 200
    assert app.extensions["xephang"].settings.lookup.rest_headers == headers
    assert "bi-mat" not in str(client.get("/api/v1/audit").get_json())


def test_a_setting_fixed_by_the_environment_is_read_only(app: Any, data_dir: Path,
                                                         clock: Any) -> None:
    from queue_core.config import load_settings
    from queue_core.web.app import create_app

    fixed = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir / "env"),
                               "XEPHANG_CENTER_NAME": "Trung tâm theo biến môi trường"})
    other = create_app(fixed, clock=clock, test_config={"TESTING": True})
    try:
        auth.add_user(other.extensions["xephang"].store, "qt", "mat-khau-quan-tri", role="admin",
                      counter=None, now=clock.now())
        client = other.test_client()
        csrf = client.post("/api/v1/auth/login", json={"username": "qt",
                                                       "password": "mat-khau-quan-tri"})
        document = client.get("/api/v1/settings").get_json()
        assert document["fixed"]["center.name"] == "XEPHANG_CENTER_NAME"
        refused = client.patch("/api/v1/settings",
                               headers={"X-CSRFToken": csrf.get_json()["csrf_token"]},
                               json={"center": {"name": "Tên khác"}})
        assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "center.name"
    finally:
        other.extensions["xephang"].store.close()


# --- first run --------------------------------------------------------------------------------

def test_setup_with_the_code_creates_the_admin_once_and_the_code_cannot_be_reused(
        app: Any, client: Any, data_dir: Path, clock: Any) -> None:
    store = app.extensions["xephang"].store
    code = setup.issue_code(store, data_dir, now=clock.now())
    assert code is not None
    code_file = data_dir / setup.CODE_FILE
    assert code_file.read_text().strip() == code and code_file.stat().st_mode & 0o777 == 0o600
    error_of(client.post("/api/v1/setup", json={"code": "0000-0000", "username": "an",
                                                "password": "mat-khau-dai"}), 403,
             "setup_code_wrong")
    bad_hours = client.post("/api/v1/setup", json={"code": code, "username": "an",
                                                   "password": "mat-khau-dai",
                                                   "opens_at": "18:00", "closes_at": "07:00"})
    assert bad_hours.status_code == 422 and bad_hours.get_json()["error"]["field"] == \
        "center.closes_at"
    done = client.post("/api/v1/setup", json={"code": code, "username": "an",
                                              "password": "mat-khau-dai",
                                              "center_name": "UBND xã Tân Phú", "demo": True})
    assert done.status_code == 201, done.get_data(as_text=True)
    assert done.get_json()["user"]["role"] == "admin"
    # The page leads to the console logged in.
    assert client.get("/api/v1/settings").get_json()["center"]["name"] == "UBND xã Tân Phú"
    assert client.get("/api/v1/state").get_json()["demo"] is True
    assert not code_file.exists()
    error_of(app.test_client().post("/api/v1/setup", json={
        "code": code, "username": "ke-gian", "password": "mat-khau-dai"}), 409, "setup_done")


def test_wrong_setup_codes_are_throttled(app: Any, data_dir: Path, clock: Any) -> None:
    code = setup.issue_code(app.extensions["xephang"].store, data_dir, now=clock.now())
    client = app.test_client()
    statuses = [client.post("/api/v1/setup", json={"code": f"1234-{n:04d}", "username": "x",
                                                   "password": "mat-khau-dai"}).status_code
                for n in range(6)]
    assert statuses == [403] * 5 + [429]
    # Even the right code waits out the throttle: guessing gains nothing.
    error_of(client.post("/api/v1/setup", json={"code": code, "username": "an",
                                                "password": "mat-khau-dai"}), 429)


# --- people -----------------------------------------------------------------------------------

def test_people_are_added_changed_and_a_disabled_person_is_cut_off(
        app: Any, client: Any, admin: dict[str, str]) -> None:
    added = client.post("/api/v1/users", headers=admin, json={
        "username": "lan", "password": "mat-khau-can-bo", "role": "staff", "counter": 2})
    assert added.status_code == 201 and added.get_json()["counter"] == 2
    wrong_counter = client.post("/api/v1/users", headers=admin, json={
        "username": "binh", "password": "mat-khau-can-bo", "role": "staff", "counter": 9})
    assert error_of(wrong_counter, 422)["code"]
    assert {u["username"] for u in client.get("/api/v1/users").get_json()} == {"lan", "quantri"}
    officer = app.test_client()
    csrf = officer.post("/api/v1/auth/login", json={"username": "lan",
                                                    "password": "mat-khau-can-bo"})
    headers = {"X-CSRFToken": csrf.get_json()["csrf_token"]}
    assert officer.post("/api/v1/counters/2/call-next", headers=headers).status_code in (200, 204)
    disabled = client.patch("/api/v1/users/lan", headers=admin, json={"disabled": True})
    assert disabled.status_code == 200 and disabled.get_json()["disabled"] is True
    error_of(officer.post("/api/v1/counters/2/call-next", headers=headers), 401)
    error_of(client.patch("/api/v1/users/quantri", headers=admin, json={"role": "staff"}),
             409, "last_admin")
    error_of(client.patch("/api/v1/users/lan", headers=admin, json={"password": "ngan"}), 422)
    error_of(client.patch("/api/v1/users/ai-do", headers=admin, json={"disabled": True}), 404)


# --- device tokens and pairing ----------------------------------------------------------------

def test_pairing_gives_a_token_once_and_the_device_works_until_revoked(
        app: Any, client: Any, admin: dict[str, str]) -> None:
    device = app.test_client()
    started = device.post("/api/v1/pairing", json={"device": "kiosk", "name": "kiosk-sanh"},
                          base_url="http://192.168.1.40:8123")
    assert started.status_code == 201
    pairing = started.get_json()
    assert len(pairing["code"]) == 6 and pairing["code"].isdigit()
    # The box's real address, as the device reached it: never a hard-coded port.
    assert pairing["address"] == "http://192.168.1.40:8123"
    assert device.get(f"/api/v1/pairing/{pairing['id']}").get_json()["status"] == "waiting"
    assert [p["code"] for p in client.get("/api/v1/pairing").get_json()] == [pairing["code"]]
    error_of(client.post("/api/v1/pairing/approve", headers=admin,
                         json={"code": pairing["code"], "role": "keypad"}), 422)
    approved = client.post("/api/v1/pairing/approve", headers=admin,
                           json={"code": pairing["code"], "role": "kiosk"})
    assert approved.status_code == 200, approved.get_data(as_text=True)
    answer = device.get(f"/api/v1/pairing/{pairing['id']}").get_json()
    assert answer["status"] == "approved" and answer["token"]
    error_of(device.get(f"/api/v1/pairing/{pairing['id']}"), 404)   # given once
    kiosk = {"Authorization": f"Bearer {answer['token']}"}
    assert device.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).status_code == 201
    listed = client.get("/api/v1/tokens").get_json()
    assert [(t["name"], t["role"]) for t in listed] == [("kiosk-sanh", "kiosk")]
    assert listed[0]["last_used_at"] is not None and answer["token"] not in str(listed)
    renamed = client.patch(f"/api/v1/tokens/{listed[0]['id']}", headers=admin,
                           json={"name": "kiosk-tang-1"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "kiosk-tang-1"
    error_of(client.patch(f"/api/v1/tokens/{listed[0]['id']}", headers=admin,
                          json={"name": ""}), 422)
    revoked = client.delete(f"/api/v1/tokens/{listed[0]['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["revoked"] == [listed[0]["id"]]
    error_of(device.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk), 401)
    error_of(client.delete(f"/api/v1/tokens/{listed[0]['id']}", headers=admin), 404)


def test_wrong_pairing_codes_are_throttled(app: Any, client: Any, admin: dict[str, str]) -> None:
    statuses = [client.post("/api/v1/pairing/approve", headers=admin,
                            json={"code": f"00000{n}", "role": "kiosk"}).status_code
                for n in range(6)]
    assert statuses == [404] * 5 + [429]


def test_pairing_refuses_unknown_devices(client: Any) -> None:
    assert error_of(client.post("/api/v1/pairing", json={"device": "toaster"}), 422)
    error_of(client.get("/api/v1/pairing/khong-co"), 404)


def test_a_revoked_token_on_a_connected_screen_is_cut_off(
        app: Any, client: Any, admin: dict[str, str], socket_client: Callable[..., Any],
        token_for: Callable[..., dict[str, str]]) -> None:
    kiosk = token_for("kiosk", name="kiosk-sanh")
    secret = kiosk["Authorization"].split()[1]
    screen = socket_client({"token": secret})
    screen.emit("subscribe", {"rooms": ["kiosk"]})
    assert screen.is_connected()
    token_id = client.get("/api/v1/tokens").get_json()[0]["id"]
    dropped = client.delete(f"/api/v1/tokens/{token_id}", headers=admin).get_json()
    assert dropped["connections_dropped"] == 1
    assert not screen.is_connected()
    again = socket_client({"token": secret})
    assert not again.is_connected()


def test_a_disabled_persons_socket_is_cut_off(
        app: Any, client: Any, admin: dict[str, str], clock: Any,
        socket_client: Callable[..., Any]) -> None:
    auth.add_user(app.extensions["xephang"].store, "lan", "mat-khau-can-bo", role="staff",
                  counter=1, now=clock.now())
    officer = app.test_client()
    officer.post("/api/v1/auth/login", json={"username": "lan", "password": "mat-khau-can-bo"})
    from queue_core.web.app import socketio_of

    console = socketio_of(app).test_client(app, flask_test_client=officer)
    try:
        assert console.is_connected()
        client.patch("/api/v1/users/lan", headers=admin, json={"disabled": True})
        assert not console.is_connected()
    finally:
        if console.is_connected():
            console.disconnect()


def test_a_saved_setting_reaches_the_ticket_pages_their_new_wait(
        app: Any, client: Any, admin: dict[str, str], kiosk: dict[str, str],
        socket_client: Any) -> None:
    hub = app.extensions["xephang"].hub
    hub._telling_places = True  # places are sent by hand below, not by their thread
    for _ in range(2):
        client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    mine = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    phone = socket_client()
    ack = phone.emit("subscribe", {"rooms": [f"ticket:{mine['id']}"], "key": mine["holder_key"]},
                     callback=True)
    before = ack["ticket"]["eta_minutes"]
    assert hub.place_notices.send_due(now=1e9) == 0               # already shown its place
    minutes = client.get("/api/v1/settings").get_json()["policy"]["default_service_minutes"]
    saved = client.patch("/api/v1/settings", headers={**admin, "If-Match": '"0"'},
                         json={"policy": {"default_service_minutes": minutes * 4}})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    phone.get_received()
    # No ticket moved, yet every field's wait did: the page is told its new minutes.
    assert hub.place_notices.send_due(now=2e9) == 1
    told = [m["args"][0] for m in phone.get_received() if m["name"] == "ticket_place"]
    now = app.extensions["xephang"].center.ticket(mine["id"])
    assert told == [{"id": mine["id"], "ahead": 2, "eta_minutes": now["eta_minutes"]}]
    assert now["eta_minutes"] > before
