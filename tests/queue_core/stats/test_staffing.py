"""Staffing advice, piece by piece: which days, which groups, periods, live hints."""

from __future__ import annotations

import math
from datetime import date

from queue_core.stats import erlang, staffing
from queue_core.stats.staffing import Group, GroupHour, Hour


def test_history_is_the_same_weekday_before_the_date_and_never_today() -> None:
    days = staffing.candidate_days(date(2026, 11, 30), today=date(2026, 11, 23))
    assert days[0] == "2026-11-16"          # 11-23 is today: a day still running is skipped
    assert len(days) == 2 * staffing.HISTORY_WEEKS
    assert all(date.fromisoformat(d).isoweekday() == 1 for d in days)


def test_closed_days_are_replaced_by_one_more_week_back() -> None:
    candidates = [f"2026-{m:02d}-{d:02d}" for m, d in
                  [(11, 16), (11, 9), (11, 2), (10, 26), (10, 19), (10, 12), (10, 5),
                   (9, 28), (9, 21), (9, 14), (9, 7)]]
    issued = {day: 100 for day in candidates}
    issued["2026-09-28"] = 0               # a holiday: nobody came
    issued["2026-11-02"] = 0
    used, closed = staffing.choose_days(candidates, issued, weeks=8)
    assert closed == ["2026-09-28", "2026-11-02"]
    assert len(used) == 8 and "2026-09-14" in used and "2026-09-07" not in used


def test_counters_sharing_a_field_are_one_group() -> None:
    groups = staffing.counter_groups([(1, ["A"]), (2, ["B"]), (3, ["B", "C"])], ["A", "B", "C"])
    assert [(g.services, g.counters) for g in groups] == [(("A",), (1,)), (("B", "C"), (2, 3))]


def test_open_minutes_count_part_hours() -> None:
    found = staffing.open_minutes("07:30", "11:15")
    assert found == {7: 30.0, 8: 60.0, 9: 60.0, 10: 60.0, 11: 15.0}


def part(group: int, needed: int, open_: int, arrivals: float, wait: float) -> GroupHour:
    return GroupHour(group, arrivals, 300.0, 300.0, arrivals * 300 / 3600, needed, open_, 0.0,
                     wait, 0.5, 0.9)


def test_consecutive_hours_with_the_same_advice_merge_per_group() -> None:
    hours = [Hour(8, (part(1, 3, 2, 30, math.inf), part(2, 1, 1, 5, 60))),
             Hour(9, (part(1, 3, 2, 30, math.inf), part(2, 1, 1, 5, 120))),
             Hour(10, (part(1, 2, 2, 20, 400), part(2, 1, 1, 5, 30)))]
    periods = staffing.merge_periods(hours)
    assert [(p.group, p.start, p.end, p.counters_needed, p.verdict) for p in periods] == [
        (1, 8, 10, 3, "short"), (1, 10, 11, 2, "enough"), (2, 8, 11, 1, "enough")]
    assert periods[0].expected_wait_s == math.inf
    assert periods[2].expected_wait_s == 70.0
    assert periods[2].arrivals == 15


def test_live_hint_when_the_open_counters_cannot_clear_the_queue_in_time() -> None:
    groups = [Group(1, ("A",), (1, 2)), Group(2, ("B",), (3,))]
    counters = [{"number": 1, "state": "open"}, {"number": 2, "state": "paused"},
                {"number": 3, "state": "open"}]
    service = {"A": 300.0, "B": 600.0}
    # A: 4 waiting × 5 min = 20 min of work, one open counter, 15-minute target → 2 needed.
    hints = staffing.live_hints({"A": 4, "B": 1}, counters, groups, service, 900.0)
    assert hints == [{"group": 1, "services": ["A"], "waiting": 4, "counters_open": 1,
                      "counters_needed": 2, "extra": 1, "clearable": 3}]
    assert staffing.live_hints({"A": 3, "B": 1}, counters, groups, service, 900.0) == []


def test_live_service_times_trust_today_only_after_a_few_services() -> None:
    assert staffing.live_service_s([], ["A"], 300.0) == {"A": 300.0}


def test_an_hour_with_load_beyond_the_open_counters_has_no_finite_wait() -> None:
    assert erlang.mean_wait_s(2, 3.0, 300.0) == math.inf
    assert erlang.counters_needed(3.0, 300.0, 900.0, 0.8) >= 4


def test_days_before_the_history_began_are_not_called_closed() -> None:
    candidates = ["2026-11-16", "2026-11-09", "2026-11-02", "2026-10-26"]
    used, closed = staffing.choose_days(candidates, {"2026-11-16": 5, "2026-11-02": 7}, weeks=8)
    assert used == ["2026-11-02", "2026-11-16"] and closed == ["2026-11-09"]
