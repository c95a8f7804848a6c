"""The Socket.IO hub: rooms, the board on subscribe, events with seq, device status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


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


def test_a_ticket_page_hears_its_own_ticket_and_not_the_board(
        app: Any, client: Any, socket_client: Callable[..., Any], kiosk: dict[str, str],
        manager: dict[str, str]) -> None:
    first = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    mine = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    other_field = client.post("/api/v1/tickets", json={"service": "B"}, headers=kiosk).get_json()
    hub = app.extensions["xephang"].hub
    hub._telling_places = True  # places are sent by hand below, not by their thread
    phone = socket_client()
    ack = phone.emit("subscribe", {"rooms": [f"ticket:{mine['id']}"], "key": mine["holder_key"]},
                     callback=True)
    # The acknowledgement carries the ticket and its place: no Board for a phone.
    assert ack["ok"] is True and ack["seq"] == 3
    assert (ack["ticket"]["id"], ack["ticket"]["ahead"]) == (mine["id"], 1)
    assert received(phone) == []
    assert hub.place_notices.send_due(now=1e9) == 0               # already shown its place
    client.post("/api/v1/counters/1/call-next", headers=manager)       # calls A001
    client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk)
    assert received(phone) == []                                       # nothing of others
    # Field A moved: the paced message tells this page its new place, and only it.
    assert hub.place_notices.send_due(now=2e9) == 1
    places = received(phone)
    now = app.extensions["xephang"].center.ticket(mine["id"])
    assert [(m["name"], m["args"][0]) for m in places] == [
        ("ticket_place", {"id": mine["id"], "ahead": 0, "eta_minutes": now["eta_minutes"]})]
    client.post("/api/v1/counters/1/finish", headers=manager)
    client.post("/api/v1/counters/1/call-next", headers=manager)       # calls mine
    pushed = received(phone)
    assert [(m["name"], m["args"][0]["ticket"]["id"]) for m in pushed] == [
        ("ticket_called", mine["id"])]
    assert pushed[0]["args"][0]["counter"] == 1 and pushed[0]["args"][0]["seq"] == 7
    assert first["id"] not in str(places + pushed) and other_field["id"] not in str(pushed)
    # Called, it has no place any more; its page closes and nothing more is worked out for it.
    assert hub.place_notices.send_due(now=3e9) == 0
    phone.disconnect()
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert hub.place_notices._watched == {}


def test_place_messages_agree_with_the_ticket_itself(app: Any, client: Any,
                                                     kiosk: dict[str, str],
                                                     manager: dict[str, str]) -> None:
    center = app.extensions["xephang"].center
    for service, priority in (("A", None), ("A", None), ("A", "elderly"), ("B", None),
                              ("A", None), ("A", "disabled")):
        client.post("/api/v1/tickets", json={"service": service, "priority": priority},
                    headers=kiosk)
    client.put("/api/v1/counters/2/state", json={"state": "paused"}, headers=manager)
    places = center.places("A")
    assert [ahead for _, ahead, _ in places] == list(range(5))
    for ticket_id, ahead, minutes in places:
        ticket = center.ticket(ticket_id)
        assert (ticket["ahead"], ticket["eta_minutes"]) == (ahead, minutes)


def test_ticket_rooms_must_exist(socket_client: Callable[..., Any], client: Any,
                                 kiosk: dict[str, str]) -> None:
    phone = socket_client()
    for room in ("ticket:not-a-ticket", "ticket:", "ticket:" + "x" * 500, "queue:A"):
        ack = phone.emit("subscribe", {"rooms": [room]}, callback=True)
        assert ack["error"]["code"] == "not_found", room
    mine = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    ack = phone.emit("subscribe", {"rooms": [f"ticket:{mine['id']}", "board"],
                                   "key": mine["holder_key"]}, callback=True)
    # Whoever also asks for the board gets it, as always.
    assert [m["name"] for m in received(phone, "board")] == ["board"]
    assert ack["ticket"]["label"] == "A001"
    assert phone.emit("unsubscribe", {"rooms": [f"ticket:{mine['id']}"]}, callback=True)["ok"]


def test_a_ticket_room_is_the_holders(app: Any, client: Any, socket_client: Callable[..., Any],
                                      kiosk: dict[str, str], manager: dict[str, str]) -> None:
    """The id is public (the board's events carry it): the room needs the QR code's key."""
    screen = socket_client()
    screen.emit("subscribe", {"rooms": ["board"]}, callback=True)
    mine = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    other = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    assert client.post("/api/v1/counters/1/call-next", headers=manager).status_code == 200
    attached = client.put(f"/api/v1/tickets/{mine['id']}/dossier", json={"code": "HS-2026 0001"},
                          headers=manager)
    assert attached.status_code == 200
    assert mine["id"] in str(received(screen))                   # a stranger learns the id
    stranger = socket_client()
    room, others = f"ticket:{mine['id']}", f"ticket:{other['id']}"
    for asked in ({"rooms": [room]}, {"rooms": [room], "key": None}, {"rooms": [room], "key": ""},
                  {"rooms": [room], "key": "wrong-key"}, {"rooms": [room], "key": 12345},
                  {"rooms": [room], "key": mine["holder_key"].swapcase()},
                  {"rooms": [room], "key": other["holder_key"]},
                  {"rooms": [others, room], "key": other["holder_key"]},
                  {"rooms": ["board", room], "key": "wrong-key"}):
        ack = stranger.emit("subscribe", asked, callback=True)
        assert ack["error"]["code"] == "forbidden", asked
        assert "ticket" not in ack and "HS-2026" not in str(ack), asked
    # Refused is not joined: no board, no place worked out, none of the ticket's changes.
    hub = app.extensions["xephang"].hub
    assert received(stranger) == [] and hub.place_notices._watched == {}
    # The holder's page, with the key: the ticket with its dossier, then its changes.
    phone = socket_client()
    ack = phone.emit("subscribe", {"rooms": [room], "key": mine["holder_key"]}, callback=True)
    assert ack["ok"] is True and ack["ticket"]["id"] == mine["id"]
    assert ack["ticket"]["dossier"]["code"] == "HS-2026 0001"
    assert client.post("/api/v1/counters/1/finish", headers=manager).status_code == 200
    assert [m["name"] for m in received(phone)] == ["ticket_updated"]
    assert received(stranger) == []


@pytest.mark.parametrize("drops", ["before its join", "after its join"])
def test_a_page_whose_link_drops_while_it_subscribes_is_let_go(
        app: Any, client: Any, socket_client: Callable[..., Any], kiosk: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, drops: str) -> None:
    """The link drops while the subscribe is handled: no exception, nothing left watched."""
    from flask import request

    from queue_core.web import realtime
    from queue_core.web.app import socketio_of

    mine = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    hub = app.extensions["xephang"].hub
    hub._telling_places = True  # places are sent by hand, not by their thread
    real_join = realtime.join_room

    def join_as_the_link_drops(room: str) -> None:
        if drops == "after its join":
            real_join(room)
        socketio_of(app).server.disconnect(request.sid, namespace="/")
        if drops == "before its join":
            real_join(room)

    monkeypatch.setattr(realtime, "join_room", join_as_the_link_drops)
    phone = socket_client()
    ack = phone.emit("subscribe", {"rooms": [f"ticket:{mine['id']}"], "key": mine["holder_key"]},
                     callback=True)
    if drops == "before its join":
        assert ack["error"]["code"] == "not_connected"
    assert hub._pages == {} and hub.place_notices._watched == {}
