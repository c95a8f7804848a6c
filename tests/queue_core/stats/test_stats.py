"""Statistics as pure functions: small histories whose figures are computed by hand here."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from typing import Any

import pytest

from queue_core.domain.clock import VIETNAM
from queue_core.stats import figures as stats
from queue_core.stats.figures import (
    Facts,
    Filters,
    RatingRow,
    StepRow,
    TicketHistory,
    TicketRow,
    summarize,
    ticket_facts,
)

MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=VIETNAM)
TARGET = 900.0  # 15 minutes


def at(clock: str, day: int = 23) -> datetime:
    """Return 2026-11-<day> at 'HH:MM' (or 'HH:MM:SS') in Vietnam."""
    parts = [int(p) for p in clock.split(":")]
    hours, minutes = parts[0], parts[1]
    seconds = parts[2] if len(parts) > 2 else 0
    return MONDAY.replace(day=day, hour=hours, minute=minutes, second=seconds)


def row(ticket_id: str, issued: str, state: str, *, series: str = "A", service: str | None = None,
        called: str | None = None, finished: str | None = None, counter: int | None = None,
        officer: str | None = None, priority: str | None = None, day: int = 23) -> TicketRow:
    return TicketRow(
        id=ticket_id, label=f"{series}{ticket_id[-3:]}", day=f"2026-11-{day:02d}", series=series,
        service=service or series, state=state, issued_at=at(issued, day), priority=priority,
        channel="kiosk", counter=counter, officer=officer,
        called_at=at(called, day) if called else None,
        finished_at=at(finished, day) if finished else None)


def step(action: str, clock: str, *, counter: int | None = None, officer: str | None = "lan",
         service: str = "A", day: int = 23) -> StepRow:
    actor = f"user:{officer}" if officer else f"device:keypad-{counter}"
    return StepRow(action, at(clock, day), actor if action in stats.CALL_ACTIONS
                   or action in ("finish", "no_show", "transfer") else "system", service, counter)


def history(ticket: TicketRow, *steps: StepRow, rating: str | None = None,
            rated: str | None = None) -> TicketHistory:
    return TicketHistory(ticket, tuple(steps),
                         RatingRow(rating, at(rated or "17:00")) if rating else None)


# --- the facts of one ticket ---------------------------------------------------------------------

def test_the_domain_module_imports_no_flask_sqlite_or_openpyxl() -> None:
    code = ("import sys, queue_core.stats\n"
            "print(','.join(m for m in ('flask', 'sqlite3', 'sqlite_utils', 'openpyxl',"
            " 'flask_socketio') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_served_ticket() -> None:
    f = ticket_facts(history(
        row("t-001", "08:00", "done", called="08:12", finished="08:20", counter=1, officer="lan"),
        step("call", "08:12", counter=1), step("recall", "08:13", counter=1),
        step("finish", "08:20", counter=1), rating="satisfied"))
    assert (f.wait_s, f.service_s, f.rating, f.transfers) == (720.0, 480.0, "satisfied", 0)
    assert [(v.counter, v.officer, v.end, v.seconds) for v in f.visits] == [(1, "lan", "finish", 480.0)]
    assert (f.weekday, f.hour, f.fields) == (1, 8, ("A",))


def test_a_transfer_closes_a_visit_and_starts_a_second_wait() -> None:
    f = ticket_facts(history(
        row("t-001", "08:00", "done", service="F", called="08:40", finished="08:44", counter=5,
            officer="minh"),
        step("call", "08:05", counter=1, officer="lan"),
        step("transfer", "08:09", counter=None, officer="lan", service="F"),
        step("call", "08:40", counter=5, officer="minh", service="F"),
        step("finish", "08:44", counter=5, officer="minh", service="F")))
    assert f.wait_s == 300  # issued → first call, not the wait after the transfer
    assert f.service_s == 240  # last call → finish
    assert f.transfer_waits == (("F", 31 * 60.0),)
    assert [(v.counter, v.officer, v.service, v.end, v.seconds) for v in f.visits] == [
        (1, "lan", "A", "transfer", 240.0), (5, "minh", "F", "finish", 240.0)]
    assert (f.fields, f.transfers) == (("A", "F"), 1)


def test_a_restored_no_show_keeps_its_first_wait() -> None:
    f = ticket_facts(history(
        row("t-001", "08:00", "done", called="09:00", finished="09:06", counter=2, officer="hoa"),
        step("call", "08:10", counter=2, officer="hoa"),
        step("no_show", "08:12", counter=2, officer="hoa"),
        step("restore", "08:50"),
        step("call", "09:00", counter=2, officer="hoa"),
        step("finish", "09:06", counter=2, officer="hoa")))
    assert (f.wait_s, f.service_s, f.transfer_waits) == (600.0, 360.0, ())
    assert [v.end for v in f.visits] == ["no_show", "finish"]


def test_a_no_show_called_again_directly() -> None:
    f = ticket_facts(history(
        row("t-001", "08:00", "done", called="08:30", finished="08:33", counter=1),
        step("call", "08:05", counter=1), step("no_show", "08:07", counter=1),
        step("restore_call", "08:30", counter=1), step("finish", "08:33", counter=1)))
    assert (f.wait_s, f.service_s, len(f.visits)) == (300.0, 180.0, 2)


def test_a_ticket_closed_at_the_end_of_the_day_is_served_without_a_service_time() -> None:
    f = ticket_facts(history(
        row("t-001", "08:00", "done", called="08:05", finished="07:00", counter=1, day=23),
        step("call", "08:05", counter=1), step("day_end", "07:00", day=24)))
    assert (f.state, f.wait_s, f.service_s) == ("done", 300.0, None)
    assert f.visits[0].end == "day_end"


def test_a_keypad_call_has_no_officer() -> None:
    f = ticket_facts(history(
        row("t-001", "08:00", "done", called="08:01", finished="08:02", counter=2),
        step("call", "08:01", counter=2, officer=None), step("finish", "08:02", counter=2,
                                                             officer=None)))
    assert f.visits[0].officer is None


def test_a_clock_stepped_back_gives_no_negative_wait() -> None:
    f = ticket_facts(history(row("t-001", "08:00", "done", called="07:59", finished="08:03",
                                 counter=1)))
    assert f.wait_s == 0.0


SIMPLE = [
    (row("t-001", "08:00", "waiting"), ()),
    (row("t-002", "08:00", "called", called="08:04", counter=1, officer="lan"),
     (step("call", "08:04", counter=1),)),
    (row("t-003", "08:00", "done", called="08:04", finished="08:09", counter=1, officer="lan"),
     (step("call", "08:04", counter=1), step("finish", "08:09", counter=1))),
    (row("t-004", "08:00", "no_show", called="08:04", finished="08:06", counter=1, officer="lan"),
     (step("call", "08:04", counter=1), step("no_show", "08:06", counter=1))),
    (row("t-005", "08:00", "cancelled", finished="08:30"), (step("cancel", "08:30"),)),
    (row("t-006", "08:00", "cancelled", called="08:04", finished="08:30", counter=1,
         officer="lan"),
     (step("call", "08:04", counter=1), step("no_show", "08:06", counter=1),
      step("cancel", "08:30"))),
    (row("t-007", "08:00", "expired", finished="17:30"), (step("expire", "17:30"),)),
]


@pytest.mark.parametrize("ticket,steps", SIMPLE, ids=[t.state + t.id[-1] for t, _ in SIMPLE])
def test_the_row_alone_tells_what_the_steps_tell_for_a_ticket_called_at_most_once(
        ticket: TicketRow, steps: tuple[StepRow, ...]) -> None:
    full = ticket_facts(TicketHistory(ticket, steps))
    alone = ticket_facts(TicketHistory(ticket))
    # A cancelled no-show's row lost the no-show's time; everything else is the same.
    assert [v._replace(ended_at=None, seconds=None) for v in alone.visits] == \
        [v._replace(ended_at=None, seconds=None) for v in full.visits]
    assert alone._replace(visits=()) == full._replace(visits=())


@pytest.mark.parametrize("facts_of,now,expected", [
    (lambda: row("t", "08:00", "done", called="08:15", finished="08:20", counter=1), "17:00", True),
    (lambda: row("t", "08:00", "done", called="08:15:01", finished="08:20", counter=1), "17:00",
     False),
    (lambda: row("t", "08:00", "waiting"), "08:10", None),
    (lambda: row("t", "08:00", "waiting"), "08:16", False),
    (lambda: row("t", "08:00", "cancelled", finished="08:10"), "17:00", None),
    (lambda: row("t", "08:00", "cancelled", finished="08:20"), "17:00", False),
    (lambda: row("t", "16:50", "expired", finished="17:00"), "17:30", None),
    (lambda: row("t", "08:00", "expired", finished="17:30"), "17:30", False),
])
def test_service_level_judgement(facts_of: Any, now: str, expected: bool | None) -> None:
    f = ticket_facts(TicketHistory(facts_of()))
    assert stats.target_met(f, target_wait_s=TARGET, now=at(now)) is expected


@pytest.mark.parametrize("values,q,expected", [
    ([7.0], 0.5, 7.0),
    ([1.0, 2.0], 0.5, 1.5),
    ([1.0, 2.0, 3.0, 4.0], 0.9, 3.7),
    ([10.0, 20.0, 30.0, 40.0, 50.0], 0.9, 46.0),
    ([60.0, 300.0, 300.0, 360.0, 1080.0], 0.9, 792.0),
])
def test_quantiles_interpolate_between_ranks(values: list[float], q: float, expected: float) -> None:
    assert stats.quantile(values, q) == pytest.approx(expected)


# --- a day computed by hand --------------------------------------------------------------------------

def hand_day() -> list[Facts]:
    """Seven tickets of Monday 23 November; the figures below are worked out from these."""
    histories = [
        # T1: A, waits 5 min at counter 1 (lan), served 5 min, very satisfied.
        history(row("t-001", "08:00", "done", called="08:05", finished="08:10", counter=1,
                    officer="lan"),
                step("call", "08:05", counter=1), step("finish", "08:10", counter=1),
                rating="very_satisfied"),
        # T2: A, waits 18 min at counter 2 (hoa), served 12 min, unsatisfied.
        history(row("t-002", "08:02", "done", called="08:20", finished="08:32", counter=2,
                    officer="hoa"),
                step("call", "08:20", counter=2, officer="hoa"),
                step("finish", "08:32", counter=2, officer="hoa"), rating="unsatisfied"),
        # T3: B, called after 6 min at counter 2 (hoa), never came.
        history(row("t-003", "08:04", "no_show", series="B", called="08:10", finished="08:12",
                    counter=2, officer="hoa"),
                step("call", "08:10", counter=2, officer="hoa", service="B"),
                step("no_show", "08:12", counter=2, officer="hoa", service="B")),
        # T4: B, left after 10 minutes (before the target: not judged).
        history(row("t-004", "08:30", "cancelled", series="B", finished="08:40"),
                step("cancel", "08:40", service="B")),
        # T5: A, elderly, waits 1 min at counter 1, served 6 min, satisfied.
        history(row("t-005", "09:00", "done", called="09:01", finished="09:07", counter=1,
                    officer="lan", priority="elderly"),
                step("call", "09:01", counter=1), step("finish", "09:07", counter=1),
                rating="satisfied"),
        # T6: F, never called, expired at closing (a miss).
        history(row("t-006", "09:10", "expired", series="F", finished="17:30"),
                step("expire", "17:30", service="F")),
        # T7: A, 5 min to counter 1, transferred to F after 5 min, waits 15 more, served
        #     10 min at counter 5 (minh), satisfied.
        history(row("t-007", "09:15", "done", service="F", called="09:40", finished="09:50",
                    counter=5, officer="minh"),
                step("call", "09:20", counter=1),
                step("transfer", "09:25", officer="lan", service="F"),
                step("call", "09:40", counter=5, officer="minh", service="F"),
                step("finish", "09:50", counter=5, officer="minh", service="F"),
                rating="satisfied"),
    ]
    return [ticket_facts(h) for h in histories]


def figures(filters: Filters | None = None) -> dict[str, Any]:
    return summarize(hand_day(), date_from="2026-11-23", date_to="2026-11-23",
                     target_wait_s=TARGET, now=at("18:00"), filters=filters)


def waits(count: int, mean: float | None, median: float | None, p90: float | None,
          longest: float | None) -> dict[str, Any]:
    return {"count": count, "mean_s": mean, "median_s": median, "p90_s": p90, "max_s": longest}


def test_the_contract_figures_of_a_hand_computed_day() -> None:
    s = figures()
    assert {"from", "to", "issued", "served", "no_show", "cancelled", "expired", "wait",
            "service_time", "within_target_pct", "by_service", "by_counter", "by_hour",
            "ratings"} <= set(s)
    assert (s["from"], s["to"]) == ("2026-11-23", "2026-11-23")
    assert (s["issued"], s["served"], s["no_show"], s["cancelled"], s["expired"]) == (7, 4, 1, 1, 1)
    # Waits of the called: 60, 300, 300, 360, 1080.
    assert s["wait"] == waits(5, 420.0, 300.0, 792.0, 1080.0)
    # Final services: 300, 360, 600, 720.
    assert s["service_time"] == waits(4, 495.0, 480.0, 684.0, 720.0)
    # Judged: T1, T3, T5, T7 met; T2 (18 min) and T6 (expired) missed; T4 left early.
    assert s["within_target_pct"] == 66.7
    assert s["ratings"] == {"very_satisfied": 1, "satisfied": 2, "neutral": 0, "unsatisfied": 1,
                            "total": 4, "satisfied_pct": 75.0, "rated_pct": 100.0}
    assert s["transfers"] == 1
    assert s["transfer_wait"] == waits(1, 900.0, 900.0, 900.0, 900.0)
    assert s["priority"] == {"total": 1, "elderly": 1, "wait": waits(1, 60.0, 60.0, 60.0, 60.0)}
    assert [(b["from_s"], b["count"]) for b in s["wait_histogram"][:4]] == [
        (0, 1), (300, 3), (600, 0), (900, 1)]


@pytest.mark.parametrize("key,name,expected", [
    # Counter 1: T1 and T5 served, T7's first visit ended by a transfer (5 min of work).
    ("by_counter", 1, {"calls": 3, "served": 2, "transferred": 1, "no_show": 0,
                       "service": waits(3, 320.0, 300.0, 348.0, 360.0),
                       "wait": waits(3, 220.0, 300.0, 300.0, 300.0), "within": 100.0,
                       "ratings": (1, 1, 0)}),
    ("by_counter", 2, {"calls": 2, "served": 1, "transferred": 0, "no_show": 1,
                       "service": waits(1, 720.0, 720.0, 720.0, 720.0),
                       "wait": waits(2, 720.0, 720.0, 1008.0, 1080.0), "within": 50.0,
                       "ratings": (0, 0, 1)}),
    ("by_counter", 5, {"calls": 1, "served": 1, "transferred": 0, "no_show": 0,
                       "service": waits(1, 600.0, 600.0, 600.0, 600.0),
                       "wait": waits(0, None, None, None, None), "within": None,
                       "ratings": (0, 1, 0)}),
    ("by_officer", "lan", {"calls": 3, "served": 2, "transferred": 1, "no_show": 0,
                           "service": waits(3, 320.0, 300.0, 348.0, 360.0),
                           "wait": waits(3, 220.0, 300.0, 300.0, 300.0), "within": 100.0,
                           "ratings": (1, 1, 0)}),
    ("by_officer", "hoa", {"calls": 2, "served": 1, "transferred": 0, "no_show": 1,
                           "service": waits(1, 720.0, 720.0, 720.0, 720.0),
                           "wait": waits(2, 720.0, 720.0, 1008.0, 1080.0), "within": 50.0,
                           "ratings": (0, 0, 1)}),
    ("by_officer", "minh", {"calls": 1, "served": 1, "transferred": 0, "no_show": 0,
                            "service": waits(1, 600.0, 600.0, 600.0, 600.0),
                            "wait": waits(0, None, None, None, None), "within": None,
                            "ratings": (0, 1, 0)}),
])
def test_counters_and_officers_count_visits(key: str, name: Any, expected: dict[str, Any]) -> None:
    rows = {r["counter" if key == "by_counter" else "officer"]: r for r in figures()[key]}
    r = rows[name]
    assert (r["calls"], r["served"], r["transferred"], r["no_show"]) == (
        expected["calls"], expected["served"], expected["transferred"], expected["no_show"])
    assert r["service_time"] == expected["service"]
    assert r["wait"] == expected["wait"]
    assert r["within_target_pct"] == expected["within"]
    ratings = r["ratings"]
    assert (ratings["very_satisfied"], ratings["satisfied"], ratings["unsatisfied"]) == \
        expected["ratings"]
    assert "issued" not in r


@pytest.mark.parametrize("code,expected", [
    # A: T1, T2, T5, T7 issued here; T7 left for F; the others were served here.
    ("A", {"issued": 4, "served": 3, "no_show": 0, "cancelled": 0, "expired": 0,
           "transferred": 1, "transfers_in": 0, "wait_mean": 435.0, "service_mean": 460.0,
           "within": 75.0, "satisfied": 2, "rated": 3}),
    ("B", {"issued": 2, "served": 0, "no_show": 1, "cancelled": 1, "expired": 0,
           "transferred": 0, "transfers_in": 0, "wait_mean": 360.0, "service_mean": None,
           "within": 100.0, "satisfied": 0, "rated": 0}),
    # F: T6 issued and expired; T7 came by transfer and was served and rated here.
    ("F", {"issued": 1, "served": 1, "no_show": 0, "cancelled": 0, "expired": 1,
           "transferred": 0, "transfers_in": 1, "wait_mean": None, "service_mean": 600.0,
           "within": 0.0, "satisfied": 1, "rated": 1}),
])
def test_fields_own_arrivals_where_issued_and_outcomes_where_ended(code: str,
                                                                   expected: dict[str, Any]) -> None:
    r = {r["service"]: r for r in figures()["by_service"]}[code]
    got = {"issued": r["issued"], "served": r["served"], "no_show": r["no_show"],
           "cancelled": r["cancelled"], "expired": r["expired"], "transferred": r["transferred"],
           "transfers_in": r["transfers_in"], "wait_mean": r["wait"]["mean_s"],
           "service_mean": r["service_time"]["mean_s"], "within": r["within_target_pct"],
           "satisfied": r["ratings"]["very_satisfied"] + r["ratings"]["satisfied"],
           "rated": r["ratings"]["total"]}
    assert got == expected
    if code == "F":
        assert r["transfer_wait"]["mean_s"] == 900.0


def test_hours_weekdays_and_the_heat_map() -> None:
    s = figures()
    assert [(h["hour"], h["issued"], h["issued_per_day"]) for h in s["by_hour"]] == [
        (8, 4, 4.0), (9, 3, 3.0)]
    assert [(w["weekday"], w["days"], w["issued"]) for w in s["by_weekday"]] == [(1, 1, 7)]
    assert s["by_weekday_hour"] == {"hours": [8, 9], "rows": [
        {"weekday": 1, "days": 1, "issued": [4, 3], "per_day": [4.0, 3.0]}]}
    assert [(d["date"], d["issued"], d["within_target_pct"]) for d in s["by_day"]] == [
        ("2026-11-23", 7, 66.7)]
    assert [(w["week"], w["issued"]) for w in s["by_week"]] == [("2026-11-23", 7)]
    assert [(m["month"], m["served"]) for m in s["by_month"]] == [("2026-11", 4)]


@pytest.mark.parametrize("filters,issued,served,ids_wait", [
    (Filters(service="F"), 2, 1, waits(1, 300.0, 300.0, 300.0, 300.0)),  # T6, T7
    (Filters(service="B"), 2, 0, waits(1, 360.0, 360.0, 360.0, 360.0)),  # T3, T4
    (Filters(counter=1), 3, 3, waits(3, 220.0, 300.0, 300.0, 300.0)),  # T1, T5, T7
    (Filters(counter=5), 1, 1, waits(1, 300.0, 300.0, 300.0, 300.0)),  # T7
    (Filters(officer="hoa"), 2, 1, waits(2, 720.0, 720.0, 1008.0, 1080.0)),  # T2, T3
    (Filters(service="A", officer="lan"), 3, 3, waits(3, 220.0, 300.0, 300.0, 300.0)),
    (Filters(counter=4), 0, 0, waits(0, None, None, None, None)),
])
def test_filters_select_tickets_then_count_them(filters: Filters, issued: int, served: int,
                                                ids_wait: dict[str, Any]) -> None:
    s = figures(filters)
    assert (s["issued"], s["served"], s["wait"]) == (issued, served, ids_wait)
    assert s["filters"] == filters.as_json()


def test_an_empty_range_has_zeros_and_no_averages() -> None:
    s = summarize([], date_from="2026-11-01", date_to="2026-11-03", target_wait_s=TARGET,
                  now=at("12:00"))
    assert (s["issued"], s["served"], s["within_target_pct"]) == (0, 0, None)
    assert s["wait"] == waits(0, None, None, None, None)
    assert s["ratings"]["satisfied_pct"] is None and s["ratings"]["rated_pct"] is None
    assert [d["date"] for d in s["by_day"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert s["by_hour"] == [] and s["by_weekday"] == [] and s["by_service"] == []
    assert sum(b["count"] for b in s["wait_histogram"]) == 0
    assert (s["days"], s["active_days"]) == (3, 0)


def test_days_counted_apart_add_up_to_the_same_figures() -> None:
    monday = hand_day()
    tuesday = [ticket_facts(history(
        row("u-001", "10:00", "done", called="10:20", finished="10:25", counter=1, officer="lan",
            day=24),
        step("call", "10:20", counter=1, day=24), step("finish", "10:25", counter=1, day=24),
        rating="unsatisfied", rated="10:26"))]
    now = at("18:00", day=24)
    whole = summarize(monday + tuesday, date_from="2026-11-23", date_to="2026-11-24",
                      target_wait_s=TARGET, now=now)
    parts = [stats.tally(facts, target_wait_s=TARGET, now=now) for facts in (monday, tuesday)]
    combined = stats.report(stats.combine(parts), date_from="2026-11-23", date_to="2026-11-24",
                            target_wait_s=TARGET)
    assert combined == whole
    assert whole["by_weekday"][1]["weekday"] == 2 and whole["issued"] == 8
    # Combining leaves the parts as they were (they are kept in a cache).
    assert stats.report(parts[1], date_from="2026-11-24", date_to="2026-11-24",
                        target_wait_s=TARGET)["issued"] == 1


def test_weeks_and_months_follow_the_calendar() -> None:
    facts = [ticket_facts(history(row(f"t-{day:03d}", "08:00", "waiting", day=day)))
             for day in (29, 30)]
    facts.append(ticket_facts(history(TicketRow(
        id="t-dec", label="A001", day="2026-12-01", series="A", service="A", state="expired",
        issued_at=datetime(2026, 12, 1, 8, tzinfo=VIETNAM)))))
    s = summarize(facts, date_from="2026-11-29", date_to="2026-12-01", target_wait_s=TARGET,
                  now=at("09:00", day=30))
    assert [(w["week"], w["issued"]) for w in s["by_week"]] == [("2026-11-23", 1),
                                                               ("2026-11-30", 2)]
    assert [(m["month"], m["issued"]) for m in s["by_month"]] == [("2026-11", 2), ("2026-12", 1)]
    assert [w["weekday"] for w in s["by_weekday"]] == [1, 2, 7]


# --- live -----------------------------------------------------------------------------------------

def test_live_view_of_the_hall() -> None:
    today = [ticket_facts(h) for h in (
        history(row("t-001", "08:00", "done", called="08:05", finished="08:10", counter=1,
                    officer="lan"),
                step("call", "08:05", counter=1), step("finish", "08:10", counter=1),
                rating="satisfied"),
        history(row("t-002", "08:10", "called", called="08:20", counter=1, officer="lan"),
                step("call", "08:20", counter=1)),
        history(row("t-003", "08:02", "waiting", series="B", priority="elderly")),
        history(row("t-004", "08:20", "waiting", series="A")),
        # Transferred to F at 08:15: its current wait began then.
        history(row("t-005", "07:50", "waiting", service="F", counter=None),
                step("call", "07:55", counter=5, officer="minh"),
                step("transfer", "08:15", officer="minh", service="F")),
    )]
    counters = [{"number": 1, "name": "Quầy 1", "services": ["A"], "state": "open",
                 "current": {"id": "t-002", "label": "A002"}},
                {"number": 2, "name": "Quầy 2", "services": ["A", "B"], "state": "paused",
                 "current": None}]
    live = stats.live_summary(today, now=at("08:25"), target_wait_s=TARGET,
                              services=["A", "B", "F"], counters=counters)
    assert live["waiting"] == 3
    assert [(f["service"], f["waiting"], f["longest_wait_s"], f["over_target"]) for f in
            live["fields"]] == [("A", 1, 300.0, 0), ("B", 1, 1380.0, 1), ("F", 1, 600.0, 0)]
    assert live["longest"]["label"] == "B003" and live["longest"]["waited_s"] == 1380.0
    assert [t["label"] for t in live["over_target"]] == ["B003"]
    assert [t["label"] for t in live["queue"]] == ["B003", "A005", "A004"]
    assert live["queue"][1]["transferred"] is True
    first, second = live["counters"]
    assert (first["served_today"], first["officer"], first["serving_s"]) == (1, "lan", 300.0)
    assert (second["served_today"], second["serving_s"], second["state"]) == (0, None, "paused")
    assert live["today"]["served"] == 1 and live["today"]["in_service"] == 1
    assert live["today"]["ratings"]["satisfied_pct"] == 100.0
    # Judged so far: t-001, t-002 and t-005 met; t-003 missed (23 minutes waiting); t-004 is
    # still within the target.
    assert live["today"]["within_target_pct"] == 75.0


def test_range_helpers() -> None:
    assert stats.days_between("2024-02-28", "2024-03-01") == ["2024-02-28", "2024-02-29",
                                                              "2024-03-01"]
    assert stats.week_of("2026-11-29") == "2026-11-23"
    assert stats.week_of("2026-11-30") == "2026-11-30"
    assert stats.officer_of("user:lan") == "lan"
    assert stats.officer_of("device:keypad-2") is None
    assert stats.officer_of("system") is None


def test_durations_round_to_a_tenth_of_a_second() -> None:
    assert stats.durations([2.06, 1.04]) == waits(2, 1.6, 1.6, 2.0, 2.1)
