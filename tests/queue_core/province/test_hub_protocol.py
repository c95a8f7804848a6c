"""The pure parts of the hub: the protocol's checks, the sequencing of a batch, the encoding
of counted days (no PostgreSQL needed)."""

from __future__ import annotations

import doctest
import random
from datetime import date, datetime, timedelta, timezone

import pytest

from queue_core.stats import figures as stats
from queue_core.province import codec, protocol, sequencing

ICT = timezone(timedelta(hours=7))


def raw(seq: int, **change: object) -> dict[str, object]:
    event: dict[str, object] = {"seq": seq, "event": "counter_updated",
                                "at": "2026-11-23T08:00:00+07:00", "data": {}}
    event.update(change)
    return event


@pytest.mark.parametrize("module", [protocol, sequencing, codec])
def test_the_docstring_examples_hold(module):
    assert doctest.testmod(module).failed == 0


def test_unknown_events_are_kept_without_being_read():
    event = protocol.parse_event(raw(4, event="ticket_dossier_attached", data={"code": "X"}))
    assert (event.ticket, event.rating, event.day) == (None, None, "2026-11-23")


@pytest.mark.parametrize(("applied", "seqs", "expect"), [
    (0, [1, 2, 3], ([1, 2, 3], 0, None, 3, 0)),
    (3, [1, 2, 3], ([], 3, None, 3, 0)),
    (3, [2, 3, 4, 5], ([4, 5], 2, None, 5, 0)),
    (3, [5, 6], ([], 0, 4, 3, 2)),
    (3, [4, 4, 5], ([4, 5], 1, None, 5, 0)),
    (0, [3, 1, 2], ([1, 2, 3], 0, None, 3, 0)),
])
def test_a_batch_is_planned_by_seq(applied, seqs, expect):
    plan = sequencing.plan_batch(applied, None, [raw(s) for s in seqs])
    assert ([e.seq for e in plan.apply], plan.duplicates, plan.resend_from,
            plan.applied_through, plan.deferred) == expect


def test_oldest_available_skips_what_the_box_no_longer_has():
    plan = sequencing.plan_batch(2, 10, [raw(10), raw(11)])
    assert (plan.lost, [e.seq for e in plan.apply], plan.resend_from) == (7, [10, 11], None)
    assert sequencing.plan_batch(20, 10, [raw(21)]).lost == 0


def test_a_rejected_event_keeps_its_place_in_the_order():
    plan = sequencing.plan_batch(0, None, [raw(1), raw(2, at="noon"), raw(3)])
    assert [e.seq for e in plan.apply] == [1, 3]
    assert [(r.seq, r.field) for r in plan.rejected] == [(2, "at")]
    assert plan.applied_through == 3


@pytest.mark.parametrize(("value", "field"), [
    ({"seq": 1, "event": "Ticket Issued", "at": "2026-11-23T08:00:00+07:00", "data": {}}, "event"),
    ({"seq": True, "event": "x", "at": "2026-11-23T08:00:00+07:00", "data": {}}, "seq"),
    ({"seq": 1, "event": "rating_given", "at": "2026-11-23T08:00:00+07:00",
      "data": {"ticket": "t", "day": "2026-11-23", "level": "ok", "at": "2026-11-23T08:00:00+07:00"}},
     "data.level"),
    ({"seq": 1, "event": "rating_given", "at": "2026-11-23T08:00:00+07:00",
      "data": {"ticket": "t", "day": "2026-02-30", "level": "satisfied",
               "at": "2026-11-23T08:00:00+07:00"}}, "data.day"),
    ({"seq": 1, "event": "x", "at": "2026-11-23T08:00:00+07:00", "data": {}, "id": ""}, "id"),
])
def test_bad_events_name_their_field(value, field):
    with pytest.raises(protocol.BadEvent) as bad:
        protocol.parse_event(value)
    assert bad.value.field == field


def test_counted_days_travel_through_json_exactly():
    rng = random.Random(5)
    opening = datetime(2026, 11, 23, 7, 30, tzinfo=ICT)
    histories = []
    for n in range(50):
        issued = opening + timedelta(seconds=rng.uniform(0, 30000))
        called = issued + timedelta(seconds=rng.uniform(0, 3000) + rng.random())
        row = stats.TicketRow(f"t{n}", f"A{n:03d}", "2026-11-23", "A", "AB"[n % 2], "done", issued,
                              "elderly" if n % 7 == 0 else None, "kiosk", 1 + n % 3,
                              f"cb{n % 4}" if n % 5 else None, called,
                              called + timedelta(seconds=rng.uniform(60, 900)), n % 2)
        rating = stats.RatingRow("satisfied", called) if n % 3 == 0 else None
        histories.append(stats.TicketHistory(row, (), rating))
    facts = [stats.ticket_facts(h) for h in histories]
    day = stats.tally_days(facts, target_wait_s=900, now=opening + timedelta(hours=10))["2026-11-23"]
    again = codec.loads(codec.dumps(day, "2026-11-23"))
    kwargs = {"date_from": "2026-11-23", "date_to": "2026-11-23", "target_wait_s": 900}
    assert stats.report(again, **kwargs) == stats.report(day, **kwargs)
    week = stats.combine([again, codec.loads(codec.dumps(day, "2026-11-23").replace(
        '"day":"2026-11-23"', '"day":"2026-11-24"'))])
    assert stats.report(week, date_from="2026-11-23", date_to="2026-11-24",
                        target_wait_s=900)["issued"] == 100
    with pytest.raises(ValueError):
        codec.loads('{"v": 99}')


def test_a_profile_is_checked():
    with pytest.raises(protocol.BadBatch) as bad:
        protocol.parse_batch({"events": [], "center": {"services": [{"code": "A"}]}})
    assert bad.value.field == "center.services[0]"
    batch = protocol.parse_batch({"events": [], "center": {
        "name": "Xã Hòa Bắc", "target_wait_minutes": 20,
        "counters": [{"number": 1, "name": "Quầy 1"}]}})
    assert batch.profile is not None and batch.profile.counters == ((1, "Quầy 1"),)
    assert batch.stream == protocol.DEFAULT_STREAM and date.today()
