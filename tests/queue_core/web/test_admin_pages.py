"""The launcher home page, the first-run page, the console page, the closed days, the voice
test and the test ticket, as the box serves them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from queue_core.service import auth, setup
from queue_core.web.admin import health_words


def test_the_home_page_launches_every_screen_with_its_qr_code(client: Any) -> None:
    page = client.get("/", base_url="http://192.168.1.20:8123").get_data(as_text=True)
    for path in ("/kiosk", "/display/wall", "/display/counter/1", "/display/counter/5",
                 "/counter", "/rate/1", "/manager", "/admin", "/lookup"):
        assert f'href="{path}"' in page, path
        assert f"http://192.168.1.20:8123{path}" in page, path
    # Before the first admin, the home page leads to the setup.
    assert 'href="/setup"' in page
    qr = client.get("/qr.svg?path=/display/wall", base_url="http://192.168.1.20:8123")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and (b"<path" in qr.data or b"<rect" in qr.data)
    assert client.get("/qr.svg?path=//evil.example/").status_code == 422
    assert client.get("/qr.svg?path=http://evil.example/").status_code == 422


def test_device_health_is_said_in_plain_words() -> None:
    said = health_words({"audio": {"status": "emulated", "message": ""},
                         "printer": {"status": "error", "message": "hết giấy"}})
    by_device = {h["device"]: h for h in said}
    assert "giả lập" in by_device["audio"]["words"] and by_device["audio"]["alarm"] is False
    assert by_device["printer"]["alarm"] is True
    # The announcer says "degraded" for its fake loudspeaker; the home page, information.
    announced = health_words({"audio": {"status": "degraded", "code": "audio_emulated",
                                        "message": "Loa đang giả lập (audio = fake)"}})
    assert announced[0]["alarm"] is False and announced[0]["words"] == \
        "Loa: giả lập — không phát ra tiếng"


def test_setup_and_console_pages_lead_to_each_other(app: Any, client: Any, data_dir: Path,
                                                    clock: Any) -> None:
    setup.issue_code(app.extensions["xephang"].store, data_dir, now=clock.now())
    assert client.get("/admin").headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    assert 'id="setup-form"' in page and "Mã thiết lập" in page
    auth.add_user(app.extensions["xephang"].store, "quantri", "mat-khau-quan-tri", role="admin",
                  counter=None, now=clock.now())
    assert client.get("/setup").headers["Location"].endswith("/admin")
    console = client.get("/admin").get_data(as_text=True)
    assert 'id="a-pair-form"' in console and "Nghe thử" in console
    assert 'href="/setup"' not in client.get("/").get_data(as_text=True)


def test_the_demo_ribbon_is_on_every_page_while_demo_is_on(client: Any,
                                                           admin: dict[str, str]) -> None:
    assert 'id="demo-ribbon" role="status" hidden' in client.get("/kiosk").get_data(as_text=True)
    client.patch("/api/v1/settings", headers=admin, json={"center": {"demo": True}})
    for path in ("/", "/kiosk", "/display/wall", "/counter", "/admin"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="demo-ribbon"' in page and 'id="demo-ribbon" role="status" hidden' not in page, \
            path
    assert client.get("/api/v1/state").get_json()["demo"] is True


def test_closed_days_are_listed_for_a_year(client: Any, admin: dict[str, str]) -> None:
    client.patch("/api/v1/settings", headers=admin, json={
        "center": {"public_holidays": True}, "holidays": ["2027-03-08"],
        "working_days": ["2027-02-10"]})
    days = client.get("/api/v1/closed-days?year=2027").get_json()
    by_date = {d["date"]: d for d in days}
    assert by_date["2027-02-06"]["source"] == "public" and "Tết" in by_date["2027-02-06"]["name"]
    assert by_date["2027-03-08"]["source"] == "settings"
    assert by_date["2027-02-10"]["open"] is True
    assert client.get("/api/v1/closed-days?year=1800").status_code in (400, 422)


def test_nghe_thu_renders_the_unsaved_words_and_tells_who_hears_them(
        client: Any, admin: dict[str, str], token_for: Callable[..., dict[str, str]],
        socket_client: Callable[..., Any]) -> None:
    loudspeaker = socket_client({"token": token_for("announcer")["Authorization"].split()[1]})
    loudspeaker.emit("subscribe", {"rooms": ["announcer"]})
    loudspeaker.get_received()
    answer = client.post("/api/v1/settings/speech-test", headers=admin, json={
        "label": "B007", "counter": 3, "speech": {"template": "Mời số {label}, quầy {counter}."}})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["announcers"] == 1 and body["text"].startswith("Mời số")
    heard = [e for e in loudspeaker.get_received() if e["name"] == "speech_test"]
    assert heard and heard[0]["args"][0]["text"] == body["text"]
    refused = client.post("/api/v1/settings/speech-test", headers=admin,
                          json={"speech": {"template": "Không có số"}})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "speech.template"


def test_a_test_ticket_is_printed_for_the_admin_only(
        app: Any, client: Any, admin: dict[str, str],
        token_for: Callable[..., dict[str, str]]) -> None:
    assert app.test_client().post("/api/v1/kiosk/test-print").status_code == 401
    assert app.test_client().post("/api/v1/kiosk/test-print",
                                  headers=token_for("kiosk")).status_code == 403
    printed = client.post("/api/v1/kiosk/test-print", headers=admin)
    assert printed.status_code == 200, printed.get_data(as_text=True)


def test_every_page_names_its_tab_icon_and_the_icon_is_served_to_anyone(client: Any) -> None:
    for path in ("/", "/kiosk", "/display/wall", "/counter", "/manager", "/lookup", "/setup",
                 "/rate/1"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert 'rel="icon" type="image/svg+xml" href="/static/core/favicon.svg"' in page, path
    for path in ("/favicon.ico", "/static/core/favicon.svg"):
        icon = client.get(path)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml", path
        assert icon.data.startswith(b"<svg") and b"xephang" in icon.data
