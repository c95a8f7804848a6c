"""Issuing and printing through the core: one press, one ticket, never a ghost number."""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hardware.printer import PaperOut, PrinterEmulator
from queue_core.domain.clock import FakeClock
from queue_core.config import ServiceSettings, Settings, load_settings
from queue_core.web.app import create_app
from queue_core.web.security import Throttle

Headers = dict[str, str]


def press(client: Any, headers: Headers, service: str = "A", key: str | None = None,
          **body: Any) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/kiosk/tickets", json={"service": service, **body},
                       headers={**headers, **extra})


def fake_printer(app: Any) -> Any:
    return app.extensions["xephang_printer"].service.printer


def tickets_in_db(app: Any) -> int:
    store = app.extensions["xephang"].store
    with store.read():
        return int(store.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])


def wait_for_record(app: Any, ticket_id: str) -> dict[str, Any]:
    """The print record is written just after the kiosk's answer: wait for it."""
    records = app.extensions["xephang_printer"].records
    done = threading.Event()
    for _ in range(200):
        record = records.get(ticket_id)
        if record is not None:
            return record  # type: ignore[no-any-return]
        done.wait(0.01)
    raise AssertionError(f"no print record for {ticket_id}")


# --- the happy path ----------------------------------------------------------------------------

def test_a_kiosk_opening_its_page_readies_the_printer_once_and_prints_nothing(
        app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first citizen's ticket must not pay for loading Pillow and python-escpos."""
    from kiosk.web import printing

    warmed_with: list[Any] = []
    real_warm_up = printing.warm_up
    monkeypatch.setattr(printing, "warm_up",
                        lambda profile: (warmed_with.append(profile), real_warm_up(profile)))
    core = app.extensions["xephang_printer"]
    assert not core.warmed.is_set()
    for _ in range(3):
        assert client.get("/kiosk").status_code == 200
    assert core.warmed.wait(30)
    assert warmed_with == [app.extensions["xephang"].settings.hardware.printer_profile]
    assert fake_printer(app).jobs == []                         # a warm-up prints no paper
    assert "PIL.ImageFont" in sys.modules and "escpos.printer" in sys.modules



def test_press_issues_then_prints(app: Any, client: Any, kiosk: Headers) -> None:
    response = press(client, kiosk, key="press-0001")
    assert response.status_code == 201
    ticket, printed = response.json["ticket"], response.json["print"]
    assert ticket["label"] == "A001" and ticket["channel"] == "kiosk" and ticket["ahead"] == 0
    assert printed["state"] == "printed" and printed["printed"] is True
    job = fake_printer(app).jobs[0]
    assert job.name == "A001" and job.png_path is not None and job.png_path.exists()
    assert wait_for_record(app, ticket["id"])["printed"] is True


def test_a_retried_press_gets_the_same_ticket_and_no_second_paper(app: Any, client: Any,
                                                                  kiosk: Headers) -> None:
    first = press(client, kiosk, key="press-0002")
    again = press(client, kiosk, key="press-0002")
    assert again.status_code == 200 and again.json["ticket"]["id"] == first.json["ticket"]["id"]
    assert again.json["print"]["state"] == "printed"
    assert len(fake_printer(app).jobs) == 1 and tickets_in_db(app) == 1


def test_a_double_tap_racing_itself_is_one_ticket_one_paper(app: Any, kiosk: Headers) -> None:
    barrier = threading.Barrier(4)
    answers: list[Any] = []

    def tap() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(press(client, kiosk, key="press-same-key"))

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json["ticket"]["id"] for a in answers}) == 1
    assert tickets_in_db(app) == 1 and len(fake_printer(app).jobs) == 1


def test_priority_press(client: Any, kiosk: Headers) -> None:
    press(client, kiosk, "B")
    response = press(client, kiosk, "B", priority="elderly")
    assert response.json["ticket"]["priority"] == "elderly"
    assert response.json["ticket"]["ahead"] == 0  # priority goes first


# --- printer trouble ---------------------------------------------------------------------------

def test_printer_out_of_paper_keeps_the_ticket_and_tells_staff(
        app: Any, client: Any, kiosk: Headers, socket_client: Callable[..., Any],
        token_for: Callable[..., Headers]) -> None:
    board = socket_client()
    board.emit("subscribe", {"rooms": ["board"]})
    board.get_received()
    fake_printer(app).fail(PaperOut("no paper"))
    started = time.monotonic()
    response = press(client, kiosk, key="press-0003")
    assert time.monotonic() - started < 2.0
    assert response.status_code == 201
    printed = response.json["print"]
    assert printed["state"] == "failed" and printed["code"] == "printer_paper_out"
    ticket = client.get(f"/api/v1/tickets/{response.json['ticket']['id']}").json
    assert ticket["state"] == "waiting"
    pushed = [m["args"][0] for m in board.get_received() if m["name"] == "device_status"]
    assert pushed[-1]["device"] == "printer" and pushed[-1]["status"] == "error"
    assert "hết giấy" in pushed[-1]["message"] and "A001" in pushed[-1]["message"]
    assert client.get("/api/v1/health").json["printer"] == "error"
    assert wait_for_record(app, ticket["id"])["printed"] is False
    staff = token_for("staff", 1)
    assert [t["label"] for t in client.get("/api/v1/kiosk/not-printed", headers=staff).json] == ["A001"]
    # Staff reprint once paper is back.
    fake_printer(app).recover()
    reprint = client.post(f"/api/v1/tickets/{ticket['id']}/print", headers=staff)
    assert reprint.json["state"] == "printed"
    assert client.get("/api/v1/health").json["printer"] == "emulated"


def test_stalled_printer_answers_in_time_without_a_second_ticket(app: Any, client: Any,
                                                                 kiosk: Headers) -> None:
    fake_printer(app).hold()
    try:
        started = time.monotonic()
        response = press(client, kiosk, key="press-0004")
        assert time.monotonic() - started < 2.0
        assert response.json["print"]["code"] == "printer_timeout"
        # The kiosk retries after a lost answer: the same ticket, and no new print attempt.
        again = press(client, kiosk, key="press-0004")
        assert again.json["ticket"]["id"] == response.json["ticket"]["id"]
        assert again.json["print"]["state"] == "failed"
        assert tickets_in_db(app) == 1
    finally:
        fake_printer(app).release()
    assert fake_printer(app).jobs == []


# --- refusals ----------------------------------------------------------------------------------

def test_a_kiosk_pressing_too_often_is_slowed_down(app: Any, client: Any, kiosk: Headers) -> None:
    now = [0.0]
    app.extensions["xephang"].kiosk_limit.throttle = Throttle(limit=2, window=60, clock=lambda: now[0])
    assert press(client, kiosk, key="press-1001").status_code == 201
    assert press(client, kiosk, key="press-1002").status_code == 201
    refused = press(client, kiosk, key="press-1003")
    assert refused.status_code == 429 and refused.json["error"]["code"] == "kiosk_rate_limited"
    assert "đợi" in refused.json["error"]["message"]
    # A retry of a press that got its ticket is not a new press.
    assert press(client, kiosk, key="press-1002").status_code == 200
    now[0] += 61
    assert press(client, kiosk, key="press-1003").status_code == 201
    assert tickets_in_db(app) == 3


def test_outside_opening_hours_is_refused_plainly(clock: FakeClock, client: Any,
                                                  kiosk: Headers) -> None:
    clock.advance(hours=12)  # 20:00
    response = press(client, kiosk)
    assert response.status_code == 409 and response.json["error"]["code"] == "center_closed"
    assert "Ngoài giờ làm việc" in response.json["error"]["message"]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"service": "Z"}, 404, "unknown_service"),
    ({"service": "A", "priority": "vip"}, 422, "invalid_input"),
    ({"service": 7}, 422, "invalid_input"),
    ({"service": "A", "print": "no"}, 422, "invalid_input"),
])
def test_bad_presses_say_what_is_wrong(client: Any, kiosk: Headers, body: dict[str, Any],
                                       status: int, code: str) -> None:
    response = client.post("/api/v1/kiosk/tickets", json=body, headers=kiosk)
    assert response.status_code == status and response.json["error"]["code"] == code


def test_only_a_kiosk_presses(client: Any, token_for: Callable[..., Headers]) -> None:
    assert press(client, {}).status_code == 401
    assert press(client, token_for("display")).status_code == 403


def test_a_closed_field_is_refused(tmp_path: Path, clock: FakeClock,
                                   token_for: Callable[..., Headers]) -> None:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "closed")})
    services = tuple(ServiceSettings(s.code, s.name, s.name_en, open=s.code != "C",
                                     numeric_base=s.numeric_base) for s in settings.services)
    app = create_app(settings.replace(services=services), clock=clock, test_config={"TESTING": True})
    try:
        from queue_core.service import auth

        secret = auth.create_token(app.extensions["xephang"].store, "k", role="kiosk", counter=None,
                                   now=clock.now())
        response = press(app.test_client(), {"Authorization": f"Bearer {secret}"}, "C")
        assert response.status_code == 409 and response.json["error"]["code"] == "service_closed"
        assert "Đất đai" in response.json["error"]["message"]
    finally:
        app.extensions["xephang"].store.close()


# --- printing on request -----------------------------------------------------------------------

def test_a_kiosk_prints_a_ticket_once_staff_may_reprint(app: Any, client: Any, kiosk: Headers,
                                                        token_for: Callable[..., Headers]) -> None:
    ticket = press(client, kiosk, print=False).json["ticket"]
    assert fake_printer(app).jobs == []
    first = client.post(f"/api/v1/tickets/{ticket['id']}/print", headers=kiosk)
    assert first.json["state"] == "printed"
    wait_for_record(app, ticket["id"])
    again = client.post(f"/api/v1/tickets/{ticket['id']}/print", headers=kiosk)
    assert again.json["state"] == "printed" and len(fake_printer(app).jobs) == 1
    staff = token_for("staff", 1)
    assert client.post(f"/api/v1/tickets/{ticket['id']}/print", headers=staff).json["printed"]
    assert len(fake_printer(app).jobs) == 2
    status = client.get(f"/api/v1/tickets/{ticket['id']}/print", headers=staff).json
    assert status["printed"] is True


def test_a_satellite_reports_its_own_printer(app: Any, client: Any, kiosk: Headers) -> None:
    ticket = press(client, kiosk, print=False).json["ticket"]
    report = {"printed": False, "code": "printer_paper_out", "status": "error",
              "message": "Máy in hết giấy — hãy thay cuộn giấy. Số A001 chưa được in."}
    response = client.post(f"/api/v1/tickets/{ticket['id']}/print-result", json=report,
                           headers=kiosk)
    assert response.status_code == 200 and response.json["state"] == "failed"
    assert app.extensions["xephang_printer"].records.get(ticket["id"])["printed"] is False
    health = client.get("/api/v1/health").json
    # Kept under the kiosk's own name: the box's printer is the box's to report.
    own = health["devices"]["kiosk:kiosk-0"]
    assert own["status"] == "error" and "A001" in own["message"]
    assert health["printer"] == "emulated" and health["status"] == "ok"
    bad = client.post(f"/api/v1/tickets/{ticket['id']}/print-result",
                      json={"printed": True, "status": "fine"}, headers=kiosk)
    assert bad.status_code == 422


# --- previews and pages ------------------------------------------------------------------------

@pytest.mark.parametrize("width", [384, 576])
def test_preview_png_is_the_printed_ticket(client: Any, kiosk: Headers, width: int) -> None:
    ticket = press(client, kiosk, print=False).json["ticket"]
    response = client.get(f"/api/v1/tickets/{ticket['id']}/ticket.png?width={width}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.width == width and image.mode == "1"


def test_preview_refuses_odd_widths_and_unknown_tickets(client: Any) -> None:
    assert client.get("/api/v1/kiosk/sample-ticket.png?width=500").status_code == 422
    assert client.get("/api/v1/tickets/nope/ticket.png").status_code == 404
    sample = client.get("/api/v1/kiosk/sample-ticket.png?priority=elderly")
    assert sample.status_code == 200 and sample.mimetype == "image/png"


def test_kiosk_page_lists_every_field_and_priority(client: Any, settings: Settings) -> None:
    page = client.get("/kiosk").get_data(as_text=True)
    for service in settings.services:
        assert service.name in page
    for words in ("Người cao tuổi", "Người khuyết tật", "Phụ nữ mang thai",
                  "Người đi cùng trẻ nhỏ", "Người có công với cách mạng",
                  "Hệ thống đang kết nối lại", "Máy in gặp sự cố — xin ông/bà ghi nhớ số thứ tự"):
        assert words in page
    # Icons inline, nothing fetched from outside the box.
    assert "<svg" in page and 'src="http' not in page and 'href="http' not in page


def test_ticket_page_shows_the_ticket_and_nothing_personal(client: Any, kiosk: Headers) -> None:
    ticket = press(client, kiosk, print=False).json["ticket"]
    page = client.get(f"/t/{ticket['id']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "A001" in text and "Chứng thực" in text and "Trước ông/bà" in text
    assert "Mời đến quầy 1, 2 hoặc 5 khi được gọi" in text
    missing = client.get("/t/not-a-ticket")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.get_data(as_text=True)


def test_kiosk_config_for_satellites(client: Any, kiosk: Headers) -> None:
    config = client.get("/api/v1/kiosk/config", headers=kiosk).json
    assert config["center"]["subtitle"] == "Hành chính phục vụ"
    assert {s["code"] for s in config["services"]} == set("ABCDEF")
    # The counters serving each field, printed on a button kiosk's tickets.
    assert {s["code"]: s["counters"] for s in config["services"]}["A"] == [1, 2, 5]
    assert client.get("/api/v1/kiosk/config").status_code == 401


# --- a real network printer that misbehaves ----------------------------------------------------

@pytest.fixture
def network_app(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Any, PrinterEmulator]]:
    with PrinterEmulator() as emulator:
        settings = load_settings(env={
            "XEPHANG_DATA_DIR": str(tmp_path / "net"),
            "XEPHANG_PRINTER": "network",
            "XEPHANG_HARDWARE_PRINTER_HOST": "127.0.0.1",
            "XEPHANG_HARDWARE_PRINTER_PORT": str(emulator.port),
            "XEPHANG_HARDWARE_PRINTER_PROFILE": "TM-T20II",
        })
        app = create_app(settings, clock=clock, test_config={"TESTING": True})
        yield app, emulator
        app.extensions["xephang_printer"].service.stop()
        app.extensions["xephang"].store.close()


def kiosk_headers(app: Any, clock: FakeClock) -> Headers:
    from queue_core.service import auth

    secret = auth.create_token(app.extensions["xephang"].store, "k", role="kiosk", counter=None,
                               now=clock.now())
    return {"Authorization": f"Bearer {secret}"}


def test_network_printer_prints_the_ticket(network_app: tuple[Any, PrinterEmulator],
                                           clock: FakeClock) -> None:
    app, emulator = network_app
    response = press(app.test_client(), kiosk_headers(app, clock), key="press-net-1")
    assert response.json["print"]["state"] == "printed"
    assert emulator.wait_for_cuts(1, timeout=2)
    assert app.test_client().get("/api/v1/health").json["printer"] == "ok"


@pytest.mark.parametrize(("mode", "codes", "status"), [
    ("paper_out", {"printer_paper_out"}, "error"),
    ("stall", {"printer_timeout"}, "error"),
    ("drop", {"printer_disconnected", "printer_timeout"}, "error"),
    ("absent", {"printer_offline"}, "offline"),
])
def test_network_printer_faults_answer_within_two_seconds(
        network_app: tuple[Any, PrinterEmulator], clock: FakeClock, mode: str, codes: set[str],
        status: str) -> None:
    app, emulator = network_app
    if mode == "absent":
        emulator.stop()
    else:
        emulator.mode, emulator.after_bytes = mode, 3000
    client = app.test_client()
    headers = kiosk_headers(app, clock)
    started = time.monotonic()
    response = press(client, headers, key="press-net-2")
    assert time.monotonic() - started < 2.0
    assert response.status_code == 201
    assert response.json["print"]["state"] == "failed"
    assert response.json["print"]["code"] in codes
    assert client.get("/api/v1/health").json["printer"] == status
    # The kiosk's retry brings back the same ticket; the number stays valid.
    again = press(client, headers, key="press-net-2")
    assert again.json["ticket"]["id"] == response.json["ticket"]["id"]
    assert tickets_in_db(app) == 1 and emulator.cuts == 0
    ticket = client.get(f"/api/v1/tickets/{response.json['ticket']['id']}").json
    assert ticket["state"] == "waiting"
