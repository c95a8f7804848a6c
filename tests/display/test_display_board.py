"""LiveBoard: the Board a screen keeps, from snapshots and events in seq order."""

from __future__ import annotations

from typing import Any

import pytest

from display.board import Call, LiveBoard
from queue_core.domain.events import ROOM_BOARD


def board_events(events: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """What a client in the board room receives, in order."""
    return [(e.name, e.message()) for e in events if ROOM_BOARD in e.rooms]


def shown(board: dict[str, Any], recent: int) -> dict[str, Any]:
    """The parts of a Board a screen shows."""
    return {
        "seq": board["seq"],
        "counters": [(c["number"], c["state"], (c["current"] or {}).get("label"))
                     for c in board["counters"]],
        "services": [(s["code"], s["waiting"]) for s in board["services"]],
        "recent": [(r["label"], r["counter"], r["recall"], r["ticket"])
                   for r in board["recent_calls"][:recent]],
    }


def a_day(center: Any) -> None:
    """Every kind of change the center makes."""
    tickets = [center.issue(code, actor="k") for code in "AABBBCEF"]
    center.call_next(1, actor="s")
    center.call_next(3, actor="s")
    center.recall(3, actor="s")
    center.finish(1, actor="s")
    center.call_next(1, actor="s")
    center.no_show(1, actor="s")
    center.transfer(3, "F", actor="s")
    center.set_priority(tickets[4]["id"], "elderly", actor="s")
    center.cancel(tickets[5]["id"], actor="s")
    center.set_counter_state(4, "paused", actor="s")
    center.set_counter_state(2, "closed", actor="s")
    center.call_next(5, actor="s")
    center.restore(tickets[1]["id"], actor="s")
    center.call_next(3, actor="s")


def test_events_bring_a_snapshot_to_the_centers_own_board(center: Any, events: list[Any]) -> None:
    live = LiveBoard(recent_limit=8)
    live.load(center.board(), now=0.0)
    a_day(center)
    for name, payload in board_events(events):
        live.apply(name, payload, now=1.0)
    assert live.board is not None
    assert shown(live.board, 9) == shown(center.board(), 9)
    assert live.resyncs == 0 and not live.wants_resync


def test_events_of_one_operation_share_a_seq_and_all_apply(center: Any, events: list[Any]) -> None:
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    center.issue("A", actor="k")
    center.call_next(1, actor="s")
    called, updated = board_events(events)[1:]
    assert called[1]["seq"] == updated[1]["seq"]
    for name, payload in board_events(events):
        live.apply(name, payload, now=0.0)
    assert live.seq == called[1]["seq"]
    assert live.counter(1)["current"]["label"] == "A001"  # type: ignore[index]
    assert live.call == Call("A001", 1, False, called[1]["speech"], called[1]["ticket"]["id"],
                             called[1]["at"], called[1]["caption"])
    assert live.call.caption == "Xin mời công dân có số thứ tự A001 đến quầy số 1."


def test_a_snapshot_covers_the_events_of_its_own_seq(center: Any, events: list[Any]) -> None:
    live = LiveBoard()
    center.issue("A", actor="k")
    center.call_next(1, actor="s")
    live.load(center.board(), now=0.0)
    version = live.version
    for name, payload in board_events(events):
        live.apply(name, payload, now=0.0)  # all already in the snapshot: dropped
    assert live.version == version
    assert [r["label"] for r in live.board["recent_calls"]] == ["A001"]  # type: ignore[index]


def test_a_gap_keeps_events_aside_until_the_board_is_fetched(center: Any,
                                                             events: list[Any]) -> None:
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    center.issue("A", actor="k")
    center.issue("A", actor="k")
    center.call_next(1, actor="s")
    received = board_events(events)
    live.apply(*received[0], now=0.0)
    live.apply(*received[2], now=0.0)  # the second issue was lost: a gap
    assert live.wants_resync and live.pending == 1
    assert live.counter(1)["current"] is None  # type: ignore[index]
    assert live.take_resync(now=0.0) is True
    assert live.take_resync(now=1.0) is False  # asked already; waiting for the answer
    snapshot = center.board()
    live.apply(*received[3], now=1.0)  # arrives while the fetch is on its way
    live.load(snapshot, now=2.0, reset=False)
    assert shown(live.board, 9) == shown(center.board(), 9)  # type: ignore[arg-type]
    assert live.pending == 0 and not live.wants_resync and live.resyncs == 1


def test_events_after_the_snapshot_are_replayed_in_order(center: Any, events: list[Any]) -> None:
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    snapshot_at_start = center.board()
    center.issue("B", actor="k")
    live.subscribed(now=0.0)
    center.issue("B", actor="k")
    center.call_next(2, actor="s")
    for name, payload in reversed(board_events(events)):
        live.apply(name, payload, now=0.0)  # kept aside: a snapshot is on its way
    assert live.pending == 4
    live.load(snapshot_at_start, now=1.0)
    assert shown(live.board, 9) == shown(center.board(), 9)  # type: ignore[arg-type]


def test_a_hole_after_the_snapshot_asks_once_more_and_drops_what_it_kept() -> None:
    live = LiveBoard()
    live.load(_board(seq=5), now=0.0)
    live.apply("ticket_issued", {"seq": 9, "ticket": {}, "waiting": {"A": 7}}, now=0.0)
    assert live.take_resync(now=0.0)
    live.load(_board(seq=5), now=0.0, reset=False)
    assert live.seq == 5 and live.pending == 0
    assert live.services()[0]["waiting"] == 0
    assert live.take_resync(now=0.0)  # once more, with nothing kept
    live.load(_board(seq=5), now=0.0, reset=False)
    assert not live.take_resync(now=0.0)


def test_a_stale_fetched_board_is_ignored_but_the_stream_may_go_back() -> None:
    live = LiveBoard()
    live.load(_board(seq=10, calls=[("A005", 1)]), now=0.0)
    assert live.load(_board(seq=7, calls=[("A002", 1)]), now=1.0, reset=False) is False
    assert live.seq == 10 and live.call is not None and live.call.label == "A005"
    # A core started on a new database numbers from 0 again: its own board is the truth.
    assert live.load(_board(seq=0), now=2.0, reset=True) is True
    assert live.seq == 0 and live.call is None


def test_a_snapshot_that_never_comes_is_asked_for_again() -> None:
    live = LiveBoard(snapshot_timeout=10)
    live.subscribed(now=0.0)
    live.apply("ticket_issued", {"seq": 3, "ticket": {}, "waiting": {}}, now=1.0)
    assert not live.take_resync(now=9.0)
    assert live.take_resync(now=10.0)
    live.resync_failed()
    assert live.take_resync(now=11.0)


def test_events_without_seq_are_not_part_of_the_history() -> None:
    live = LiveBoard()
    live.load(_board(seq=2), now=0.0)
    live.apply("device_status", {"device": "printer", "status": "error"}, now=0.0)
    live.apply("ticket_called", "not an object", now=0.0)
    live.apply("rating_requested", {"seq": 3, "counter": 1, "ticket": {}}, now=0.0)
    live.apply("ticket_issued", {"seq": 4, "ticket": {}, "waiting": {"A": 1}}, now=0.0)
    assert live.seq == 4 and not live.wants_resync


def test_highlight_lasts_its_seconds_per_counter_and_not_for_the_first_snapshot() -> None:
    live = LiveBoard(highlight_seconds=8)
    live.load(_board(seq=1, calls=[("A001", 1)]), now=0.0)
    assert not live.is_fresh(now=0.0)
    live.apply("ticket_called", _called(2, "A002", 2), now=10.0)
    assert live.is_fresh(now=17.9) and live.is_fresh(2, now=17.9)
    assert not live.is_fresh(1, now=10.0)
    assert not live.is_fresh(now=18.0)
    assert live.highlighted_at(2) == 10.0 and live.fresh_until() == 18.0
    # A snapshot with a call the screen did not see is a new call too.
    live.load(_board(seq=5, calls=[("B001", 3), ("A002", 2)]), now=20.0)
    assert live.call is not None and live.call.label == "B001" and live.is_fresh(3, now=21.0)
    # The same call again in a snapshot is not.
    live.load(_board(seq=6, calls=[("B001", 3), ("A002", 2)]), now=40.0)
    assert not live.is_fresh(3, now=41.0)


def test_recall_is_a_new_announcement_with_its_sentence_and_one_entry() -> None:
    live = LiveBoard()
    live.load(_board(seq=1), now=0.0)
    live.apply("ticket_called", _called(2, "A001", 1), now=1.0)
    live.apply("ticket_called", _called(3, "B001", 2), now=1.5)
    first = live.call
    live.apply("ticket_called", _called(4, "A001", 1, recall=True), now=2.0)
    assert live.call is not None and first is not None
    assert live.call.recall and live.call.key != first.key
    assert live.call.speech == "Nhắc lại A001 quầy 1"
    assert live.is_fresh(now=2.5)
    # One entry per call: the recall took the place of the call it repeats, marked.
    assert [(r["label"], r["recall"]) for r in live.board["recent_calls"]] == [  # type: ignore[index]
        ("A001", True), ("B001", False)]
    live.apply("ticket_called", _called(5, "A001", 1, recall=True), now=3.0)
    assert [(r["label"], r["recall"]) for r in live.board["recent_calls"]] == [  # type: ignore[index]
        ("A001", True), ("B001", False)]
    assert [r["label"] for r in live.recent()] == ["B001"]


def test_the_large_panel_never_shows_a_ticket_that_left_its_counter(center: Any,
                                                                   events: list[Any]) -> None:
    """Call A006 at counter 1, transfer it, pause counter 1: no stale call, also after a reload."""
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    for code in "BAAAAAA":
        center.issue(code, actor="k")
    served = center.call_next(2, actor="s")["label"]   # still served at counter 2
    called = center.call_next(1, actor="s")["label"]   # A00x at counter 1
    for name, payload in board_events(events):
        live.apply(name, payload, now=1.0)
    assert live.call is not None and (live.call.label, live.call.earlier) == (called, False)
    del events[:]
    center.transfer(1, "D", actor="s")
    center.set_counter_state(1, "paused", actor="s")
    for name, payload in board_events(events):
        live.apply(name, payload, now=2.0)
    # The latest call is no longer true: the latest still true is shown, marked as earlier.
    assert live.call is not None
    assert (live.call.label, live.call.counter, live.call.earlier) == (served, 2, True)
    assert not live.is_fresh(now=2.0) and not live.is_fresh(1, now=2.0)
    assert [r["label"] for r in live.recent()] == [called]
    reloaded = LiveBoard()
    reloaded.load(center.board(), now=3.0)
    assert reloaded.call == live.call
    # Nobody left at a counter: nothing in large type, the calls stay in the list.
    center.finish(2, actor="s")
    reloaded.load(center.board(), now=4.0)
    assert reloaded.call is None
    assert [r["label"] for r in reloaded.recent()] == [called, served]


def test_a_paused_counter_keeps_its_ticket_but_not_the_large_panel(center: Any) -> None:
    center.issue("A", actor="k")
    center.call_next(1, actor="s")
    center.set_counter_state(1, "paused", actor="s")
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    assert live.counter(1)["current"]["label"] == "A001"  # type: ignore[index]
    assert live.call is None
    center.set_counter_state(1, "open", actor="s")
    live.load(center.board(), now=1.0)
    assert live.call is not None and live.call.label == "A001" and not live.call.earlier


def test_the_board_lists_a_recall_once_with_both_sentences(center: Any) -> None:
    for code in "AAB":
        center.issue(code, actor="k")
    first = center.call_next(1, actor="s")["label"]
    second = center.call_next(2, actor="s")["label"]
    center.recall(1, actor="s")
    center.recall(1, actor="s")
    recent = center.board()["recent_calls"]
    assert [(r["label"], r["counter"], r["recall"]) for r in recent] == [
        (first, 1, True), (second, 2, False)]
    assert recent[0]["caption"] == f"Nhắc lại: xin mời công dân có số thứ tự {first} đến quầy số 1."
    assert recent[0]["speech"] == center.speech(first, 1, recall=True)
    assert recent[1]["caption"] == f"Xin mời công dân có số thứ tự {second} đến quầy số 2."


def test_speech_is_filled_in_only_for_the_call_still_shown() -> None:
    live = LiveBoard()
    live.load(_board(seq=1, calls=[("A001", 1)]), now=0.0)
    old = live.call
    assert old is not None and old.speech == ""
    live.set_speech(old, "Xin mời A001")
    assert live.call is not None and live.call.speech == "Xin mời A001"
    live.apply("ticket_called", _called(2, "A002", 1), now=1.0)
    live.set_speech(old, "stale")
    assert live.call.speech == "Xin mời A002 quầy 1"


def test_what_is_kept_stays_bounded_over_thousands_of_events() -> None:
    live = LiveBoard(recent_limit=8, pending_limit=50)
    live.load(_board(seq=0), now=0.0)
    for seq in range(1, 3001):
        live.apply("ticket_called", _called(seq, f"A{seq:03d}", 1 + seq % 5), now=float(seq))
    assert len(live.board["recent_calls"]) == 9  # type: ignore[index]
    assert len(live.recent()) == 8 and live.recent()[0]["label"] == "A2999"
    assert len(live._fresh) == 5
    for seq in range(3002, 3200):  # a long gap: kept aside, but never more than the limit
        live.apply("ticket_issued", {"seq": seq, "ticket": {}, "waiting": {}}, now=0.0)
    assert live.pending <= 50


@pytest.mark.parametrize("limit", [0, 1, 8])
def test_recent_limit(limit: int) -> None:
    live = LiveBoard(recent_limit=limit)
    live.load(_board(seq=0, calls=[(f"A{i:03d}", 1) for i in range(12, 0, -1)]), now=0.0)
    assert len(live.recent()) == limit
    assert live.call is not None and live.call.label == "A012"


def _board(seq: int, calls: list[tuple[str, int]] | None = None) -> dict[str, Any]:
    """A Board whose counters still serve the latest ticket called at each (calls newest first)."""
    serving: dict[int, str] = {}
    for label, counter in calls or []:
        serving.setdefault(counter, label)
    return {
        "seq": seq,
        "date": "2026-11-23",
        "counters": [{"number": n, "name": f"Quầy {n}", "state": "open", "services": ["A"],
                      "current": {"id": serving[n], "label": serving[n], "state": "called"}
                      if n in serving else None} for n in range(1, 6)],
        "services": [{"code": "A", "name": "Chứng thực", "waiting": 0}],
        "recent_calls": [{"label": label, "counter": counter, "at": f"t{index}", "recall": False,
                          "ticket": label} for index, (label, counter) in enumerate(calls or [])],
    }


def _called(seq: int, label: str, counter: int, *, recall: bool = False) -> dict[str, Any]:
    speech = f"Nhắc lại {label} quầy {counter}" if recall else f"Xin mời {label} quầy {counter}"
    return {"seq": seq, "counter": counter, "recall": recall, "speech": speech,
            "waiting": {"A": 0},
            "ticket": {"id": label, "label": label, "state": "called", "counter": counter,
                       "called_at": f"at-{seq}"}}
