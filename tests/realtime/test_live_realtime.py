"""Socket.IO against a real `xephang serve` (gunicorn gthread, or eventlet): rooms, events, seq."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable
from typing import Any

import pytest
import socketio
from support_live import Listener, LiveServer, apply_events, screen_view, without_now

pytestmark = [pytest.mark.slow]

A001_AT_1 = "Xin mời công dân có số thứ tự a không không một đến quầy số một."


def seqs(listener: Listener) -> list[tuple[str, int]]:
    return [(name, data["seq"]) for name, data in listener.events
            if name != "board" and isinstance(data, dict) and "seq" in data]


def test_events_carry_one_seq_per_operation_and_the_spoken_sentence(
        mode: str, make_server: Callable[..., LiveServer],
        listeners: Callable[..., Listener]) -> None:
    server = make_server(mode)
    kiosk, staff1, announcer = server.tokens([("kiosk", None), ("staff", 1), ("announcer", None)])
    server.start()

    wall = listeners(server.url).connect()                     # anonymous, the board room
    screen = listeners(server.url, rooms=["counter:1"]).connect()
    speaker = listeners(server.url, token=announcer, rooms=["announcer"]).connect()
    both = listeners(server.url, rooms=["board", "counter:1"], transports=["websocket"]).connect()
    first = {name: lis.wait_boards(1)[0] for name, lis in
             (("wall", wall), ("screen", screen), ("speaker", speaker), ("both", both))}
    assert without_now(first["wall"]) == without_now(server.state())
    s0 = first["wall"]["seq"]
    assert all(board["seq"] == s0 for board in first.values())
    ack = wall.wait_for(lambda _events: wall.acks, what="subscribe answer")[0]
    assert ack == {"ok": True, "rooms": ["board"], "seq": s0}

    issued = server.post("/tickets", kiosk, {"service": "A"})
    assert issued.status_code == 201, issued.text
    ticket = issued.json()
    assert ticket["label"] == "A001"
    got = wall.wait_event("ticket_issued")
    assert got["seq"] == s0 + 1
    assert got["ticket"]["id"] == ticket["id"] and got["ticket"]["state"] == "waiting"
    assert speaker.wait_event("ticket_issued")["seq"] == s0 + 1

    called = server.post("/counters/1/call-next", staff1)
    assert called.status_code == 200, called.text
    assert called.json()["id"] == ticket["id"]
    updated = wall.wait_event("counter_updated", lambda d: d["seq"] == s0 + 2)
    assert updated["counter"]["number"] == 1
    assert updated["counter"]["current"]["id"] == ticket["id"]
    call = wall.named("ticket_called")[0]
    assert call["seq"] == s0 + 2
    assert call["counter"] == 1 and call["recall"] is False
    assert call["speech"] == A001_AT_1
    assert call["ticket"]["id"] == ticket["id"] and call["ticket"]["state"] == "called"
    assert server.get("/speech?label=A001&counter=1").json()["text"] == A001_AT_1
    for lis in (screen, speaker):
        heard = lis.wait_event("ticket_called")
        assert (heard["seq"], heard["speech"], heard["recall"]) == (s0 + 2, A001_AT_1, False)

    recalled = server.post("/counters/1/recall", staff1)
    assert recalled.status_code == 200 and recalled.json()["recalls"] == 1
    again = wall.wait_event("ticket_called", lambda d: d["seq"] == s0 + 3)
    assert again["recall"] is True
    assert again["speech"] == server.get("/speech?label=A001&counter=1&recall=1").json()["text"]

    finished = server.post("/counters/1/finish", staff1)
    assert finished.status_code == 200 and finished.json()["state"] == "done"
    wall.wait_event("counter_updated", lambda d: d["seq"] == s0 + 4)
    rating = screen.wait_event("rating_requested")
    assert rating["seq"] == s0 + 4 and rating["ticket"]["id"] == ticket["id"]
    screen.wait_event("counter_updated", lambda d: d["seq"] == s0 + 4)
    both.wait_event("rating_requested", lambda d: d["seq"] == s0 + 4)
    speaker.wait_event("ticket_called", lambda d: d["seq"] == s0 + 3)

    # Every operation raised seq by exactly one, and all events of one operation share it.
    assert seqs(wall) == [("ticket_issued", s0 + 1), ("ticket_called", s0 + 2),
                          ("counter_updated", s0 + 2), ("ticket_called", s0 + 3),
                          ("ticket_updated", s0 + 4), ("counter_updated", s0 + 4)]
    # Rooms: the counter screen hears its counter, not the kiosk's issuing ...
    assert seqs(screen) == [("ticket_called", s0 + 2), ("counter_updated", s0 + 2),
                            ("ticket_called", s0 + 3), ("ticket_updated", s0 + 4),
                            ("counter_updated", s0 + 4), ("rating_requested", s0 + 4)]
    assert [name for name, _ in seqs(speaker)] == ["ticket_issued", "ticket_called",
                                                  "ticket_called"]
    # ... and a client in two rooms gets each event once.
    assert not [key for key, n in Tally(seqs(both)).items() if n > 1]
    assert seqs(both) == seqs(wall) + [("rating_requested", s0 + 4)]
    # A screen that applies the events shows what the server holds.
    state = server.state()
    assert state["seq"] == s0 + 4
    assert screen_view(apply_events(first["wall"], wall.events)) == screen_view(state)


def test_a_ticket_page_hears_its_new_place_and_nothing_else(
        mode: str, make_server: Callable[..., LiveServer],
        listeners: Callable[..., Listener]) -> None:
    server = make_server(mode)
    kiosk, staff1 = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    issued = [server.post("/tickets", kiosk, {"service": "A"}).json() for _ in range(3)]
    mine = issued[-1]
    wall = listeners(server.url).connect()
    phone = listeners(server.url, rooms=[f"ticket:{mine['id']}"], key=mine["holder_key"]).connect()
    ack = phone.wait_for(lambda _events: phone.acks, what="subscribe answer")[0]
    assert (ack["ok"], ack["ticket"]["id"], ack["ticket"]["ahead"]) == (True, mine["id"], 2)
    wall.wait_boards(1)

    assert server.post("/counters/1/call-next", staff1).status_code == 200
    place = phone.wait_event("ticket_place")
    assert (place["id"], place["ahead"]) == (mine["id"], 1)
    assert phone.named("ticket_place") == [place]                  # one message, its own
    assert "board" not in [name for name, _ in phone.events]       # nothing of the board's
    # The wall heard the call; the place took no `seq` and no other ticket's news.
    assert wall.named("ticket_called")[0]["ticket"]["id"] == issued[0]["id"]
    assert "seq" not in place and issued[0]["id"] not in str(phone.events)


def test_the_hub_refuses_bad_tokens_and_private_rooms(
        mode: str, make_server: Callable[..., LiveServer],
        listeners: Callable[..., Listener]) -> None:
    server = make_server(mode)
    kiosk, display = server.tokens([("kiosk", None), ("display", None)])
    server.start()

    with pytest.raises(socketio.exceptions.ConnectionError):
        listeners(server.url, token="xph_not-a-real-token", reconnection=False).connect(timeout=5)

    nosy = listeners(server.url, rooms=["kiosk"]).connect()          # anonymous
    shown = listeners(server.url, token=display, rooms=["announcer"]).connect()
    wrong = listeners(server.url, rooms=["counter:99"]).connect()
    odd = listeners(server.url, rooms=["board", 7]).connect()
    for lis, code in ((nosy, "forbidden"), (shown, "forbidden"), (wrong, "not_found"),
                      (odd, "invalid_input")):
        answer = lis.wait_for(lambda _events, lis=lis: lis.acks, what="subscribe answer")[0]
        assert answer["error"]["code"] == code, answer
    good = listeners(server.url, token=kiosk, rooms=["kiosk"]).connect()
    good.wait_boards(1)

    assert server.post("/tickets", kiosk, {"service": "B"}).status_code == 201
    good.wait_event("ticket_issued")
    # A refused subscription joins nothing: those clients got no board and no event.
    for lis in (nosy, shown, wrong, odd):
        assert lis.events == [], lis.events


def test_a_client_that_missed_events_ends_with_the_board_of_one_that_never_left(
        mode: str, make_server: Callable[..., LiveServer],
        listeners: Callable[..., Listener]) -> None:
    server = make_server(mode)
    kiosk, manager = server.tokens([("kiosk", None), ("manager", None)])
    server.start()
    stayer = listeners(server.url).connect()
    leaver = listeners(server.url).connect()
    start = stayer.wait_boards(1)[0]
    leaver.wait_boards(1)
    s0 = start["seq"]

    done: list[str] = []

    def op(method: str, path: str, body: Any = None, token: str = manager) -> dict[str, Any]:
        done.append(path)
        answer = server.request(method, path, token, body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()  # type: ignore[no-any-return]

    op("POST", "/tickets", {"service": "A"}, kiosk)
    leaver.wait_seq(s0 + 1)
    leaver.disconnect()
    leaver.sio.reconnection = True

    # While it is away: issue, call at two counters, finish, recall, no-show, pause.
    for service in ("A", "B", "A", "C", "F", "A"):
        op("POST", "/tickets", {"service": service}, kiosk)
    op("POST", "/tickets", {"service": "E", "priority": "elderly"}, kiosk)
    op("POST", "/counters/1/call-next")
    op("POST", "/counters/2/call-next")
    op("POST", "/counters/1/finish")
    op("POST", "/counters/2/recall")
    op("POST", "/counters/1/call-next")
    op("POST", "/counters/1/no-show")
    op("POST", "/counters/3/call-next")
    op("PUT", "/counters/4/state", {"state": "paused"})
    op("POST", "/counters/5/call-next")
    final_seq = s0 + len(done)    # each operation raises seq by one
    stayer.wait_event("counter_updated", lambda d: d["seq"] == final_seq)

    leaver.connect()
    back = leaver.wait_boards(2)[-1]
    state = server.state()
    assert state["seq"] == final_seq
    assert without_now(back) == without_now(state)

    # The client that stayed saw every seq, without a gap, and its board matches.
    seen = sorted({data["seq"] for name, data in stayer.events if name != "board"})
    assert seen == list(range(s0 + 1, final_seq + 1))
    assert screen_view(apply_events(start, stayer.events)) == screen_view(back)
    assert screen_view(apply_events(start, stayer.events)) == screen_view(state)
