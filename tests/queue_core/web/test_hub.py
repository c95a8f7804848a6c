"""The Socket.IO hub: rooms, the board on subscribe, events with seq, device status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def received(sio: Any, name: str | None = None) -> list[Any]:
    messages = sio.get_received()
    return [m for m in messages if name is None or m["name"] == name]


def test_subscribe_gets_the_board_then_events_in_seq_order(client: Any, socket_client: Callable[..., Any],
                                                           kiosk: dict[str, str],
                                                           manager: dict[str, str]) -> None:
    board_screen = socket_client()
    ack = board_screen.emit("subscribe", {"rooms": ["board"]}, callback=True)
    assert ack == {"ok": True, "rooms": ["board"], "seq": 0}
    first = received(board_screen)
    assert [m["name"] for m in first] == ["board"] and first[0]["args"][0]["seq"] == 0
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    client.post("/api/v1/counters/1/call-next", headers=manager)
    pushed = received(board_screen)
    assert [(m["name"], m["args"][0]["seq"]) for m in pushed] == [
        ("ticket_issued", 1), ("ticket_called", 2), ("counter_updated", 2)]
    called = pushed[1]["args"][0]
    assert called["counter"] == 1 and called["ticket"]["label"] == "A001"
    assert called["speech"] == "Xin mời công dân có số thứ tự a không không một đến quầy số một."


def test_counter_room_hears_only_its_counter(client: Any, socket_client: Callable[..., Any],
                                             kiosk: dict[str, str], manager: dict[str, str]) -> None:
    counter_two = socket_client()
    counter_two.emit("subscribe", {"rooms": ["counter:2"]}, callback=True)
    received(counter_two)
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    client.post("/api/v1/counters/1/call-next", headers=manager)
    assert received(counter_two) == []
    client.post("/api/v1/counters/2/call-next", headers=manager)
    client.post("/api/v1/counters/2/finish", headers=manager)
    assert [m["name"] for m in received(counter_two)] == [
        "ticket_called", "counter_updated", "ticket_updated", "counter_updated", "rating_requested"]


def test_private_rooms_need_their_role(socket_client: Callable[..., Any],
                                       token_for: Callable[..., dict[str, str]]) -> None:
    anonymous = socket_client()
    for room in ("announcer", "kiosk", "staff"):
        ack = anonymous.emit("subscribe", {"rooms": [room]}, callback=True)
        assert ack["error"]["code"] == "forbidden"
    secret = token_for("announcer")["Authorization"].split()[1]
    announcer = socket_client({"token": secret})
    assert announcer.emit("subscribe", {"rooms": ["announcer"]}, callback=True)["ok"] is True


def test_bad_subscriptions_are_answered_not_crashed(socket_client: Callable[..., Any]) -> None:
    sio = socket_client()
    for data in (None, "board", {"rooms": []}, {"rooms": [1]}, {"rooms": ["counter:99"]},
                 {"rooms": ["counter:x"]}, {"rooms": ["lobby"]}):
        ack = sio.emit("subscribe", data, callback=True)
        assert ack["error"]["code"] in ("invalid_input", "not_found"), data
    assert sio.is_connected()


def test_unknown_token_is_refused(socket_client: Callable[..., Any]) -> None:
    assert not socket_client({"token": "xph_wrong"}).is_connected()


def test_device_status_is_relayed_and_shown_in_health(client: Any, socket_client: Callable[..., Any],
                                                      token_for: Callable[..., dict[str, str]]) -> None:
    board = socket_client()
    board.emit("subscribe", {"rooms": ["board"]}, callback=True)
    received(board)
    announcer = socket_client({"token": token_for("announcer")["Authorization"].split()[1]})
    ack = announcer.emit("device_status", {"device": "announcer", "status": "degraded",
                                           "message": "espeak-ng CLI fallback"}, callback=True)
    assert ack == {"ok": True, "device": "audio"}
    relayed = received(board, "device_status")
    assert relayed[0]["args"][0] == {"device": "audio", "status": "degraded",
                                     "message": "espeak-ng CLI fallback"}
    health = client.get("/api/v1/health").get_json()
    assert health["audio"] == "degraded" and health["status"] == "ok"
    ack = announcer.emit("device_status", {"device": "audio", "status": "error", "message": "no device"},
                         callback=True)
    assert client.get("/api/v1/health").get_json()["status"] == "degraded"
    anonymous = socket_client()
    assert anonymous.emit("device_status", {"device": "audio", "status": "ok"},
                          callback=True)["error"]["code"] == "forbidden"
    assert announcer.emit("device_status", {"device": "audio", "status": "fine"},
                          callback=True)["error"]["code"] == "invalid_input"


def test_an_emulated_loudspeaker_is_information_on_the_home_page(
        client: Any, socket_client: Callable[..., Any],
        token_for: Callable[..., dict[str, str]]) -> None:
    announcer = socket_client({"token": token_for("announcer")["Authorization"].split()[1]})
    # What the announcer sends with hardware.audio = "fake" (its health's payload).
    ack = announcer.emit("device_status", {
        "device": "audio", "status": "degraded", "code": "audio_emulated",
        "message": "Loa đang giả lập (audio = fake): lời gọi được ghi lại, không phát ra loa."},
        callback=True)
    assert ack == {"ok": True, "device": "audio"}
    assert client.get("/api/v1/health").get_json()["audio"] == "degraded"
    home = client.get("/").get_data(as_text=True)
    assert "Loa: giả lập — không phát ra tiếng" in home
    assert announcer.emit("device_status", {"status": "ok", "code": "<script>"},
                          callback=True)["error"]["code"] == "invalid_input"


def test_session_cookie_reaches_the_socket(app: Any, client: Any, socket_client: Callable[..., Any],
                                           clock: Any) -> None:
    from queue_core.service import auth

    auth.add_user(app.extensions["xephang"].store, "binh", "mat-khau-an-toan", role="manager",
                  counter=None, now=clock.now())
    client.post("/api/v1/auth/login", json={"username": "binh", "password": "mat-khau-an-toan"})
    sio = socket_client(with_cookies=True)
    assert sio.emit("subscribe", {"rooms": ["staff"]}, callback=True)["ok"] is True


def test_resubscribe_after_missing_events_gives_the_true_board(client: Any,
                                                               socket_client: Callable[..., Any],
                                                               kiosk: dict[str, str],
                                                               manager: dict[str, str]) -> None:
    stayed = socket_client()
    stayed.emit("subscribe", {"rooms": ["board"]}, callback=True)
    left = socket_client()
    left.emit("subscribe", {"rooms": ["board"]}, callback=True)
    left.disconnect()
    for _ in range(3):
        client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    client.post("/api/v1/counters/2/call-next", headers=manager)
    left.connect()
    left.emit("subscribe", {"rooms": ["board"]}, callback=True)
    board = received(left, "board")[-1]["args"][0]
    assert board == {**client.get("/api/v1/state").get_json(), "now": board["now"]}
    seqs = [m["args"][0]["seq"] for m in received(stayed)]
    assert seqs[0] == 0 and sorted(set(seqs)) == list(range(0, board["seq"] + 1))
