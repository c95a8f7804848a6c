"""The outbox: one row per published event, in the change's own transaction, numbered 1, 2, 3…"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from queue_core.config import Settings
from queue_core.domain.clock import FakeClock
from queue_core.domain.errors import Conflict, Forbidden, InvalidInput
from queue_core.ops import backup
from queue_core.service.center import Center
from queue_core.storage import DATABASE_FILE, Store

STAFF = "user:lan"


def rows(store: Store) -> list[Any]:
    with store.read():
        return store.outbox_after(0, limit=10_000)


def test_every_published_event_is_a_row_numbered_without_gaps(center: Center, store: Store,
                                                              events: list[Any]) -> None:
    ticket = center.issue("A", actor="kiosk:hall")
    center.call_next(1, actor=STAFF, officer="lan")
    center.recall(1, actor=STAFF)
    center.finish(1, actor=STAFF)
    kept = rows(store)
    assert [r.seq for r in kept] == list(range(1, len(kept) + 1))
    assert [r.event for r in kept] == [e.name for e in events]
    assert [r.board_seq for r in kept] == [e.seq for e in events]
    # The data is the Socket.IO message plus what forwarding needs.
    for row, event in zip(kept, events):
        message = event.message()
        assert {k: row.data[k] for k in message if k != "ticket"} == {
            k: v for k, v in message.items() if k != "ticket"}
        if "ticket" in message:
            assert message["ticket"].items() <= row.data["ticket"].items()
    issued, called = kept[0].data, kept[1].data
    assert issued["step"] == {"action": "issue", "at": issued["ticket"]["issued_at"],
                              "actor": "kiosk:hall", "service": "A", "counter": None}
    assert issued["ticket"]["series"] == "A" and issued["ticket"]["dossier"] is None
    assert called["ticket"]["officer"] == "lan" and called["step"]["action"] == "call"
    assert called["speech"] == events[1].payload["speech"]
    assert [r.data["step"]["action"] for r in kept if r.event.startswith("ticket_")] == [
        "issue", "call", "recall", "finish"]
    assert kept[-1].data["ticket"]["id"] == ticket["id"]


def test_public_events_carry_no_officer_and_no_dossier(center: Center, events: list[Any]) -> None:
    ticket = center.issue("A", actor="kiosk:hall")
    center.call_next(1, actor=STAFF, officer="lan")
    center.attach_dossier(ticket["id"], "hs-1", actor=STAFF, counter=1)
    center.finish(1, actor=STAFF)
    for event in events:
        text = repr(event.message())
        assert "lan" not in text.replace("'label'", "") and "HS-1" not in text, event


def test_a_refused_change_leaves_no_row(center: Center, store: Store) -> None:
    with pytest.raises(Conflict):
        center.recall(1, actor=STAFF)
    assert rows(store) == []
    center.issue("A", actor="k")
    center.call_next(1, actor=STAFF)
    with pytest.raises(Conflict):
        center.call_next(1, actor=STAFF)  # already serving
    assert [r.seq for r in rows(store)] == [1, 2, 3]


def test_ratings_are_kept_without_moving_the_board_seq(center: Center, store: Store,
                                                      events: list[Any]) -> None:
    ticket = center.issue("A", actor="k")
    center.call_next(1, actor=STAFF, officer="lan")
    center.finish(1, actor=STAFF)
    seq = store.seq()
    published = len(events)
    center.rate(ticket["id"], "satisfied", comment="nhanh, cảm ơn")
    assert store.seq() == seq and len(events) == published
    last = rows(store)[-1]
    assert last.event == "rating_given"
    assert last.data == {"seq": seq, "ticket": ticket["id"], "day": ticket["day"],
                         "level": "satisfied", "at": last.at, "service": "A", "counter": 1,
                         "officer": "lan"}
    with pytest.raises(Conflict):
        center.rate(ticket["id"], "satisfied")
    assert rows(store)[-1].seq == last.seq


def test_dossier_attached_by_the_serving_counter_only(center: Center, store: Store) -> None:
    ticket = center.issue("A", actor="k")
    with pytest.raises(Forbidden):
        center.attach_dossier(ticket["id"], "HS-1", actor=STAFF, counter=1)  # not called yet
    center.call_next(1, actor=STAFF, officer="lan")
    with pytest.raises(Forbidden):
        center.attach_dossier(ticket["id"], "HS-1", actor="user:binh", counter=2)
    view = center.attach_dossier(ticket["id"], "  000.00.12.h13-261123   0001 ", actor=STAFF,
                                 counter=1, procedure=" 1.001234 ")
    assert view["dossier"] == {"code": "000.00.12.H13-261123 0001", "procedure": "1.001234"}
    # A manager (no counter) may attach it too, and a second code replaces the first.
    again = center.attach_dossier(ticket["id"], "HS-2", actor="user:boss")
    assert again["dossier"] == {"code": "HS-2", "procedure": None}
    assert center.ticket(ticket["id"])["dossier"]["code"] == "HS-2"
    kept = [r for r in rows(store) if r.event == "dossier_attached"]
    assert [r.data["dossier"]["code"] for r in kept] == ["000.00.12.H13-261123 0001", "HS-2"]
    center.finish(1, actor=STAFF)
    finished = [r for r in rows(store) if r.event == "ticket_updated"][-1]
    assert finished.data["ticket"]["dossier"] == {"code": "HS-2", "procedure": None}


@pytest.mark.parametrize("code", ["", "  ", "ab", "x" * 51, "HS\x00001", "HS\t1", "HS\n1",
                                  "mã-hồ-sơ", "HS;DROP", None, 12, "<b>1</b>"])
def test_bad_dossier_codes_are_refused_naming_the_field(center: Center, code: Any) -> None:
    ticket = center.issue("A", actor="k")
    with pytest.raises(InvalidInput) as refused:
        center.attach_dossier(ticket["id"], code, actor="user:boss")
    assert refused.value.params["field"] == "code"


def test_a_restore_gives_the_outbox_a_new_stream(settings: Settings, clock: FakeClock) -> None:
    store = Store.in_data_dir(settings.data_path)
    center = Center(settings, store, clock=clock)
    center.issue("A", actor="k")
    before = store.stream()
    copy = backup.take(settings.data_path / DATABASE_FILE, backup.backup_dir(settings),
                       now=datetime(2026, 11, 23, 9, 0))
    center.issue("A", actor="k")
    store.close()
    backup.restore(settings, copy.path, now=datetime(2026, 11, 23, 10, 0))
    restored = Store.in_data_dir(settings.data_path)
    try:
        # The restored outbox will number its next event 2 again: another stream.
        assert restored.stream() != before
        assert restored.outbox_bounds()[1] == 1
    finally:
        restored.close()


def test_a_new_database_has_its_own_stream(tmp_path: Path) -> None:
    first, second = Store.open(tmp_path / "a.sqlite3"), Store.open(tmp_path / "b.sqlite3")
    assert first.stream() != second.stream() and len(first.stream()) >= 8
