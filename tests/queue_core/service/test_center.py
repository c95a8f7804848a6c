"""The writer path: operations, events after commit with seq, and the board."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from queue_core.config import Settings
from queue_core.domain.clock import FakeClock
from queue_core.domain.errors import Conflict, InvalidInput, NotFound
from queue_core.service.center import Center
from queue_core.storage import Store

STAFF = "user:lan"


def names(events: list[Any]) -> list[str]:
    return [e.name for e in events]


def test_numbers_per_field_per_day(center: Center, clock: FakeClock) -> None:
    labels = [center.issue(code, actor="kiosk")["label"] for code in "AABAB"]
    assert labels == ["A001", "A002", "B001", "A003", "B002"]
    clock.advance(days=1)
    assert center.issue("A", actor="kiosk")["label"] == "A001"


def test_numeric_labels(settings: Settings, store: Store, clock: FakeClock) -> None:
    numeric = settings.replace(center={"label_style": "numeric"})
    center = Center(numeric, store, clock=clock)
    assert [center.issue(c, actor="k")["label"] for c in "ABA"] == ["1001", "2001", "1002"]


def test_issue_answers_ahead_and_eta(center: Center) -> None:
    first = center.issue("C", actor="k")
    second = center.issue("C", actor="k")
    # Field C is served by counter 4 only; five minutes per citizen by default.
    assert (first["ahead"], second["ahead"]) == (0, 1)
    assert (first["eta_minutes"], second["eta_minutes"]) == (3, 8)
    assert first["state"] == "waiting" and first["counter"] is None


def test_eta_learns_from_the_day(center: Center, clock: FakeClock) -> None:
    for _ in range(3):
        center.issue("C", actor="k")
        center.call_next(4, actor=STAFF)
        clock.advance(minutes=2)
        center.finish(4, actor=STAFF)
    waiting = [center.issue("C", actor="k") for _ in range(3)]
    assert [t["eta_minutes"] for t in waiting] == [1, 3, 5]


def test_issue_refused_outside_hours_and_for_closed_fields(center: Center, clock: FakeClock,
                                                           settings: Settings, store: Store) -> None:
    clock.advance(hours=10)  # 18:00
    with pytest.raises(Conflict) as error:
        center.issue("A", actor="k")
    assert error.value.code == "center_closed"
    closed_b = settings.replace(services=tuple(
        s if s.code != "B" else type(s)(s.code, s.name, s.name_en, False, s.numeric_base)
        for s in settings.services))
    clock.advance(hours=-10)
    with pytest.raises(Conflict) as error:
        Center(closed_b, store, clock=clock).issue("B", actor="k")
    assert error.value.code == "service_closed"


@pytest.mark.parametrize("service,priority,channel,error", [
    ("Z", None, "kiosk", NotFound),
    (7, None, "kiosk", InvalidInput),
    ("A", "vip", "kiosk", InvalidInput),
    ("A", None, "fax", InvalidInput),
])
def test_issue_bad_input(center: Center, service: Any, priority: Any, channel: Any,
                         error: type[Exception]) -> None:
    with pytest.raises(error):
        center.issue(service, priority=priority, channel=channel, actor="k")
    assert center.board()["seq"] == 0


def test_call_next_follows_policy_and_emits_after_commit(center: Center, events: list[Any],
                                                         clock: FakeClock) -> None:
    center.issue("A", actor="k")
    clock.advance(minutes=1)
    center.issue("A", priority="elderly", actor="k")
    events.clear()
    called = center.call_next(1, actor=STAFF, officer="lan")
    assert called is not None and called["label"] == "A002" and called["counter"] == 1
    assert names(events) == ["ticket_called", "counter_updated"]
    assert {e.seq for e in events} == {3}
    call = events[0].message()
    assert call["speech"] == "Xin mời công dân có số thứ tự a không không hai đến quầy số một."
    # The same sentence as written, for the screens' caption.
    assert call["caption"] == "Xin mời công dân có số thứ tự A002 đến quầy số 1."
    assert call["at"] == called["called_at"]
    assert call["recall"] is False and call["counter"] == 1
    assert call["waiting"]["A"] == 1
    # The citizen's own page hears the call in its ticket's room.
    assert set(events[0].rooms) == {"board", "counter:1", "announcer", f"ticket:{called['id']}"}
    assert set(events[1].rooms) == {"board", "counter:1"}


def test_call_next_when_nobody_waits_changes_nothing(center: Center, events: list[Any]) -> None:
    assert center.call_next(1, actor=STAFF) is None
    assert events == [] and center.board()["seq"] == 0


def test_call_next_refused_while_serving_or_paused(center: Center) -> None:
    center.issue("A", actor="k")
    center.issue("A", actor="k")
    center.call_next(1, actor=STAFF)
    with pytest.raises(Conflict) as error:
        center.call_next(1, actor=STAFF)
    assert error.value.code == "counter_busy"
    center.set_counter_state(2, "paused", actor=STAFF)
    with pytest.raises(Conflict) as error:
        center.call_next(2, actor=STAFF)
    assert error.value.code == "counter_not_open"


def test_two_counters_never_get_the_same_ticket(center: Center) -> None:
    center.issue("A", actor="k")
    assert center.call_next(1, actor=STAFF) is not None
    assert center.call_next(2, actor=STAFF) is None


def test_recall_no_show_finish_and_rating_request(center: Center, events: list[Any]) -> None:
    ticket = center.issue("A", actor="k")
    center.call_next(1, actor=STAFF)
    events.clear()
    recalled = center.recall(1, actor=STAFF)
    assert recalled["recalls"] == 1
    assert names(events) == ["ticket_called"] and events[0].message()["recall"] is True
    assert events[0].message()["speech"].startswith("Nhắc lại")
    assert events[0].message()["caption"] == (
        f"Nhắc lại: xin mời công dân có số thứ tự {ticket['label']} đến quầy số 1.")
    events.clear()
    done = center.finish(1, actor=STAFF)
    assert done["state"] == "done" and done["id"] == ticket["id"]
    assert names(events) == ["ticket_updated", "counter_updated", "rating_requested"]
    assert events[2].rooms == ("counter:1",)
    with pytest.raises(Conflict) as error:
        center.finish(1, actor=STAFF)
    assert error.value.code == "counter_idle"


def test_no_show_then_citizen_turns_up(center: Center) -> None:
    ticket = center.issue("A", actor="k")
    center.call_next(1, actor=STAFF)
    assert center.no_show(1, actor=STAFF)["state"] == "no_show"
    again = center.call(2, ticket["id"], actor=STAFF)
    assert again["state"] == "called" and again["counter"] == 2


def test_call_specific_ticket_checks_the_counters_fields(center: Center) -> None:
    ticket = center.issue("C", actor="k")
    with pytest.raises(Conflict) as error:
        center.call(1, ticket["id"], actor=STAFF)
    assert error.value.code == "service_not_at_counter"
    with pytest.raises(NotFound):
        center.call(1, "no-such-ticket", actor=STAFF)


def test_transfer_keeps_the_label_and_place(center: Center, clock: FakeClock) -> None:
    first = center.issue("A", actor="k")
    clock.advance(minutes=5)
    center.issue("F", actor="k")
    center.call_next(1, actor=STAFF)
    moved = center.transfer(1, "F", actor=STAFF)
    assert (moved["label"], moved["service"], moved["state"], moved["ahead"]) == ("A001", "F", "waiting", 0)
    assert center.call_next(5, actor=STAFF)["id"] == first["id"]  # type: ignore[index]
    # The series is not disturbed: the next A ticket is A002, the next F is F002.
    assert center.issue("A", actor="k")["label"] == "A002"
    assert center.issue("F", actor="k")["label"] == "F002"


def test_rating_once_and_only_after_service(center: Center) -> None:
    ticket = center.issue("A", actor="k")
    with pytest.raises(Conflict) as error:
        center.rate(ticket["id"], "satisfied")
    assert error.value.code == "not_rateable"
    center.call_next(1, actor=STAFF)
    center.finish(1, actor=STAFF)
    with pytest.raises(InvalidInput):
        center.rate(ticket["id"], "ecstatic")
    assert center.rate(ticket["id"], "very_satisfied")["level"] == "very_satisfied"
    with pytest.raises(Conflict) as error:
        center.rate(ticket["id"], "unsatisfied")
    assert error.value.code == "already_rated"


def test_close_day_expires_waiting_and_frees_counters(center: Center, clock: FakeClock) -> None:
    center.issue("A", actor="k")
    center.issue("A", actor="k")
    center.call_next(1, actor=STAFF)
    clock.advance(hours=9, minutes=31)  # 17:31
    assert center.close_day() == 1
    states = sorted(t["state"] for t in center.tickets())
    assert states == ["called", "expired"]
    clock.advance(hours=15)  # the next morning
    assert center.close_day() == 1
    assert center.board()["counters"][0]["current"] is None
    assert center.close_day() == 0


def test_every_operation_raises_seq_by_one(center: Center, events: list[Any]) -> None:
    seqs = []
    for operation in (lambda: center.issue("A", actor="k"), lambda: center.call_next(1, actor=STAFF),
                      lambda: center.recall(1, actor=STAFF), lambda: center.finish(1, actor=STAFF),
                      lambda: center.set_counter_state(1, "paused", actor=STAFF)):
        operation()
        seqs.append(center.board()["seq"])
    assert seqs == [1, 2, 3, 4, 5]
    assert [e.seq for e in events] == sorted(e.seq for e in events)


def test_board_snapshot(center: Center) -> None:
    for _ in range(12):
        center.issue("A", actor="k")
    for _ in range(10):
        center.call_next(1, actor=STAFF)
        center.finish(1, actor=STAFF)
    center.call_next(2, actor=STAFF)
    board = center.board()
    assert board["seq"] == 12 + 21
    assert board["date"] == "2026-11-23"
    assert len(board["recent_calls"]) == 10
    assert board["recent_calls"][0] == {**board["recent_calls"][0], "label": "A011", "counter": 2}
    assert board["counters"][1]["current"]["label"] == "A011"
    assert {s["code"]: s["waiting"] for s in board["services"]}["A"] == 1


def test_transitions_are_the_audit_trail(center: Center, clock: FakeClock) -> None:
    ticket = center.issue("A", actor="kiosk:hall")
    clock.advance(minutes=4)
    center.call_next(1, actor=STAFF)
    clock.advance(minutes=6)
    center.finish(1, actor=STAFF)
    trail = center.transitions(ticket["id"])
    assert [(t["action"], t["actor"]) for t in trail] == [
        ("issue", "kiosk:hall"), ("call", STAFF), ("finish", STAFF)]
    assert trail[2]["at"] == "2026-11-23T08:10:00.000+07:00"


def test_failed_transaction_leaves_nothing(center: Center, store: Store, events: list[Any]) -> None:
    def broken(_: Any) -> None:
        raise RuntimeError("publisher down")

    center.issue("A", actor="k")
    with pytest.raises(Conflict):
        center.recall(1, actor=STAFF)
    assert store.seq() == 1 and len(store.tickets()) == 1
    center.publish = broken
    # The change is committed before publishing; a broken publisher loses no ticket.
    with pytest.raises(RuntimeError):
        center.issue("A", actor="k")
    assert len(store.tickets()) == 2 and store.seq() == 2


def test_ticket_list_in_call_order(center: Center, clock: FakeClock) -> None:
    center.issue("A", actor="k")
    clock.advance(minutes=1)
    center.issue("A", priority="disabled", actor="k")
    assert [t["label"] for t in center.tickets(state="waiting")] == ["A002", "A001"]
    with pytest.raises(InvalidInput):
        center.tickets(state="sleeping")
    assert center.tickets(date=(clock.now() - timedelta(days=1)).date().isoformat()) == []


def test_a_center_may_add_the_neutral_level(settings: Settings, store: Store, clock: FakeClock) -> None:
    four = settings.replace(ratings={"levels": ("very_satisfied", "satisfied", "neutral", "unsatisfied"),
                                     "labels": ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng")})
    center = Center(four, store, clock=clock)
    ticket = center.issue("A", actor="k")
    center.call_next(1, actor=STAFF)
    center.finish(1, actor=STAFF)
    assert center.rate(ticket["id"], "neutral")["level"] == "neutral"
    with pytest.raises(InvalidInput):
        Center(settings, store, clock=clock).rate(ticket["id"], "neutral")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_fields_places_follow_the_call_order(data_dir: Any, store: Store, clock: FakeClock,
                                               seed: int) -> None:
    import random

    from queue_core.config import load_settings

    chance = random.Random(seed)
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir),
                                  "XEPHANG_POLICY_AGING_MINUTES": "20"})
    center = Center(settings, store, clock=clock)
    for _ in range(40):
        center.issue("A", priority=chance.choice([None, None, None, "elderly"]), actor="k")
        clock.advance(minutes=chance.choice([0, 1, 3]))
    center.call_next(1, actor="u")
    center.finish(1, actor="u")
    places = center.places("A")
    assert [ahead for _, ahead, _ in places] == list(range(len(places))) and len(places) == 39
    for ticket_id, ahead, minutes in places:
        ticket = center.ticket(ticket_id)
        assert (ticket["ahead"], ticket["eta_minutes"]) == (ahead, minutes)
    # The order the counter calls them in (priority and long waits first).
    called = []
    while (calling := center.call_next(1, actor="u")) is not None:
        called.append(calling["id"])
        center.finish(1, actor="u")
    assert called == [ticket_id for ticket_id, _, _ in places]
