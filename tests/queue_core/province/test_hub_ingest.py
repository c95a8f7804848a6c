"""Ingest: each (stream, seq) once, gaps answered with where to resend from, malformed events
reported and never applied, wrong tokens refused with nothing stored, clocks off by hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from boxday import MONDAY, drive_day, open_box
from reference_sender import ReferenceOutbox, box_profile, forward

from queue_core.province import accounts, aggregate
from queue_core.province.storage.database import Database

pytestmark = pytest.mark.postgres


def counts(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("events", "tickets", "steps", "ratings", "rejected_events")}


@pytest.fixture
def box(tmp_path: Path) -> Any:
    box = open_box(tmp_path / "box", MONDAY)
    yield box
    box.store.close()


@pytest.fixture
def outbox(box: Any) -> ReferenceOutbox:
    drive_day(box, MONDAY)
    outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))
    outbox.collect()
    return outbox


def post(client: Any, headers: dict[str, str], body: Any) -> Any:
    return client.post("/api/v1/ingest", json=body, headers=headers)


def test_a_batch_applies_once_and_a_retry_is_only_duplicates(hub_client, hub_db, center_token,
                                                              outbox):
    headers = center_token("X01")
    body = outbox.batch(1, 1000)
    first = post(hub_client, headers, body)
    assert first.status_code == 200, first.get_json()
    answer = first.get_json()
    assert answer == {"applied": outbox.last_seq, "duplicates": 0, "rejected": [],
                      "resend_from": None, "applied_through": outbox.last_seq, "deferred": 0,
                      "lost": 0}
    stored = counts(hub_db)
    again = post(hub_client, headers, body).get_json()
    assert again["applied"] == 0 and again["duplicates"] == outbox.last_seq
    assert counts(hub_db) == stored
    assert stored["events"] == outbox.last_seq
    assert stored["ratings"] == 3


def test_overlapping_batches_apply_the_new_part_only(hub_client, hub_db, center_token, outbox):
    headers = center_token("X01")
    post(hub_client, headers, outbox.batch(1, 10))
    answer = post(hub_client, headers, outbox.batch(5, 1000)).get_json()
    assert answer["duplicates"] == 6
    assert answer["applied"] == outbox.last_seq - 10
    assert counts(hub_db)["events"] == outbox.last_seq


def test_a_gap_applies_up_to_it_and_asks_for_a_resend(hub_client, hub_db, center_token, outbox):
    headers = center_token("X01")
    post(hub_client, headers, outbox.batch(1, 3))
    later = outbox.batch(6, 4)
    answer = post(hub_client, headers, later).get_json()
    assert answer["applied"] == 0 and answer["deferred"] == 4
    assert answer["resend_from"] == 4 and answer["applied_through"] == 3
    assert counts(hub_db)["events"] == 3
    mixed = outbox.batch(4, 2)
    mixed["events"] += outbox.batch(8, 2)["events"]   # 4, 5, then 8, 9: a gap at 6
    answer = post(hub_client, headers, mixed).get_json()
    assert (answer["applied"], answer["resend_from"], answer["applied_through"]) == (2, 6, 5)
    answer = post(hub_client, headers, outbox.batch(6, 1000)).get_json()
    assert answer["resend_from"] is None
    assert answer["applied_through"] == outbox.last_seq
    assert counts(hub_db)["events"] == outbox.last_seq


def test_events_out_of_order_in_one_batch_are_applied_in_seq_order(hub_client, hub_db,
                                                                   center_token, outbox):
    body = outbox.batch(1, 1000)
    body["events"] = list(reversed(body["events"]))
    answer = post(hub_client, center_token("X01"), body).get_json()
    assert answer["applied"] == outbox.last_seq and answer["resend_from"] is None
    aggregate.count_all(hub_db, now=lambda: MONDAY + timedelta(hours=9))
    with hub_db.transaction() as conn:
        states = dict(conn.execute("SELECT ticket_id, state FROM tickets").fetchall())
    with outbox.connect() as conn:
        assert states == dict(conn.execute("SELECT id, state FROM tickets").fetchall())


@pytest.mark.parametrize(("breaks", "field"), [
    (lambda e: e["data"]["ticket"].update(state="lost"), "data.ticket.state"),
    (lambda e: e["data"].pop("step"), "data.step"),
    (lambda e: e["data"]["ticket"].update(issued_at="yesterday"), "data.ticket.issued_at"),
    (lambda e: e["data"]["ticket"].update(day="1970-01-01"), "data.ticket.day"),
    (lambda e: e.update(at="2026-11-23T08:00:00"), "at"),
    (lambda e: e.update(data=[]), "data"),
    (lambda e: e["data"]["step"].update(action="teleport"), "data.step.action"),
])
def test_a_malformed_event_is_reported_once_and_the_good_ones_applied(
        hub_client, hub_db, center_token, outbox, breaks, field):
    headers = center_token("X01")
    body = outbox.batch(1, 5)
    breaks(body["events"][2])
    answer = post(hub_client, headers, body).get_json()
    assert answer["applied"] == 4
    assert answer["rejected"] == [{"seq": 3, "field": field, "reason": answer["rejected"][0]["reason"]}]
    assert answer["applied_through"] == 5 and answer["resend_from"] is None
    # The box does not send it again (it is below applied_through); if it does, it is a duplicate.
    again = post(hub_client, headers, body).get_json()
    assert again["rejected"] == [] and again["duplicates"] == 5
    stored = counts(hub_db)
    assert (stored["events"], stored["rejected_events"]) == (4, 1)


def test_an_event_without_a_place_is_reported_and_takes_none(hub_client, hub_db, center_token,
                                                             outbox):
    body = outbox.batch(1, 3)
    body["events"].append({"event": "ticket_issued", "data": {}})
    answer = post(hub_client, center_token("X01"), body).get_json()
    assert answer["applied"] == 3 and answer["applied_through"] == 3
    assert answer["rejected"][0]["seq"] is None and answer["rejected"][0]["field"] == "seq"


@pytest.mark.parametrize(("body", "field"), [
    ([], "body"), ({}, "events"), ({"events": {}}, "events"),
    ({"events": [], "stream": "a b"}, "stream"), ({"events": [], "sent_at": "noon"}, "sent_at"),
    ({"events": [], "oldest_available": 0}, "oldest_available"),
    ({"events": [{}] * 1001}, "events"),
    ({"events": [], "center": {"target_wait_minutes": "soon"}}, "center.target_wait_minutes"),
])
def test_a_bad_envelope_is_refused_whole(hub_client, hub_db, center_token, body, field):
    answer = post(hub_client, center_token("X01"), body)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "malformed_request"
    assert field in answer.get_json()["error"]["message"]
    assert counts(hub_db)["events"] == 0


def test_a_body_that_is_not_json_is_refused(hub_client, center_token):
    answer = hub_client.post("/api/v1/ingest", data="seq=1", headers={
        **center_token("X01"), "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "malformed_request"


def test_wrong_revoked_or_missing_tokens_store_nothing(hub_client, hub_db, center_token, viewer,
                                                       hub_clock, outbox):
    good = center_token("X01")
    body = outbox.batch(1, 50)
    for headers in ({}, {"Authorization": "Bearer xhc_not-a-token"},
                    {"Authorization": "Basic eDp5"}, {"Authorization": "Bearer "}):
        answer = post(hub_client, headers, body)
        assert answer.status_code == 401, headers
        assert answer.get_json()["error"]["code"] == "unauthorized"
    assert post(hub_client, viewer(), body).status_code == 403
    assert counts(hub_db)["events"] == 0
    accounts.revoke_center(hub_db, "X01", now=hub_clock.now())
    assert post(hub_client, good, body).status_code == 401
    assert counts(hub_db)["events"] == 0
    fresh = accounts.new_center_token(hub_db, "X01", now=hub_clock.now(), revoke_old=True)
    answer = post(hub_client, {"Authorization": f"Bearer {fresh}"}, body)
    assert answer.status_code == 200
    assert answer.get_json()["applied"] == len(body["events"]) == outbox.last_seq


def test_each_center_has_its_own_sequence(hub_client, hub_db, center_token, outbox):
    for code in ("X01", "X02"):
        answer = post(hub_client, center_token(code), outbox.batch(1, 1000)).get_json()
        assert answer["applied"] == outbox.last_seq
    assert counts(hub_db)["events"] == 2 * outbox.last_seq


def test_a_new_stream_after_a_restore_is_applied_on_its_own(hub_client, hub_db, center_token,
                                                            outbox):
    headers = center_token("X01")
    post(hub_client, headers, outbox.batch(1, 1000))
    restored = outbox.batch(1, 10)
    restored["stream"] = "box-1-restored-2026-11-23"
    answer = post(hub_client, headers, restored).get_json()
    assert answer["applied"] == 10 and answer["duplicates"] == 0


def test_events_the_box_no_longer_has_are_counted_lost_and_skipped(hub_client, hub_db,
                                                                   center_token, viewer, outbox):
    headers = center_token("X01")
    body = outbox.batch(8, 1000)
    body["oldest_available"] = 8
    answer = post(hub_client, headers, body).get_json()
    assert answer["lost"] == 7 and answer["applied"] == outbox.last_seq - 7
    assert answer["resend_from"] is None
    centers = hub_client.get("/api/v1/centers", headers=viewer()).get_json()
    assert centers[0]["lost_events"] == 7 and "events_lost" in centers[0]["alerts"]


def test_a_box_clock_hours_off_is_ordered_by_seq_and_shown_with_a_warning(
        hub_client, hub_db, hub_clock, center_token, viewer, tmp_path):
    # At 14:00 the box believes it is about 9:00; one of its steps even goes back in time.
    hub_clock.set(MONDAY.replace(hour=14))
    box = open_box(tmp_path / "late", MONDAY)
    drive_day(box, MONDAY, leave_waiting=False)
    outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))
    outbox.collect()
    outbox.events[3]["at"] = outbox.events[0]["at"].replace("T08:", "T02:")
    headers = center_token("X01")
    answers = forward(outbox, lambda b: _post(hub_client, headers, b),
                      now=lambda: box.clock.now())
    assert sum(a["applied"] for a in answers) == outbox.last_seq
    row = hub_client.get("/api/v1/centers", headers=viewer()).get_json()[0]
    assert "clock_off" in row["alerts"]
    assert -6 * 3600 < row["clock_offset_s"] < -4 * 3600
    # Shown as received: the hub's own time, with the box's kept beside it.
    assert datetime.fromisoformat(row["last_seen"]) == hub_clock.now()
    assert row["last_event_received_at"] == row["last_seen"]
    assert datetime.fromisoformat(row["last_event_at"]) < hub_clock.now() - timedelta(hours=4)
    with hub_db.transaction() as conn:
        seqs = [seq for (seq,) in conn.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, outbox.last_seq + 1))
    box.store.close()


def _post(client: Any, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    answer = client.post("/api/v1/ingest", json=body, headers=headers)
    return answer.status_code, answer.get_json()
