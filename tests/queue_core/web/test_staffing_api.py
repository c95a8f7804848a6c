"""GET /api/v1/stats/staffing and the live hint: roles, bad input, known scenarios."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from queue_core.domain.clock import FakeClock
from queue_core.stats.simulate import simulate_day

PATH = "/api/v1/stats/staffing"
NEXT_MONDAY = "2026-11-30"          # the fixture clock is Monday 2026-11-23 08:00


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code
    if field:
        assert f"'{field}'" in body["error"]["message"]


@pytest.mark.parametrize("role,status", [(None, 401), ("kiosk", 403), ("display", 403),
                                         ("staff", 403), ("keypad", 403), ("manager", 200)])
def test_only_managers_read_the_staffing_advice(client: Any, token_for: Callable[..., dict[str, str]],
                                                role: str | None, status: int) -> None:
    # Staff and keypads carry a counter: theirs or another, a counter never opens this route.
    headers = token_for(role, counter=1 if role in ("staff", "keypad") else None) if role else {}
    response = client.get(f"{PATH}?date={NEXT_MONDAY}", headers=headers)
    assert response.status_code == status
    if status != 200:
        assert_error(response, status, "unauthorized" if status == 401 else "forbidden")


@pytest.mark.parametrize("query,field", [
    ("date=2026-13-01", "date"), ("date=monday", "date"),
    ("target_wait_minutes=0", "target_wait_minutes"), ("target_wait_minutes=abc", "target_wait_minutes"),
    ("target_wait_minutes=241", "target_wait_minutes"),
    ("service_level=1", "service_level"), ("service_level=0.2", "service_level"),
    ("service_level=nan", "service_level"), ("service_level=x", "service_level"),
])
def test_bad_input_names_the_parameter(client: Any, manager: dict[str, str], query: str,
                                       field: str) -> None:
    assert_error(client.get(f"{PATH}?{query}", headers=manager), 422, "invalid_input", field)


@pytest.fixture
def eight_mondays(app: Any) -> list[str]:
    """Eight believable Mondays of history before 2026-11-23, but 2026-11-02 closed."""
    settings = app.extensions["xephang"].settings
    store = app.extensions["xephang"].store
    rng = random.Random(5)
    days = []
    for weeks in range(1, 10):
        day = date(2026, 11, 23) - timedelta(weeks=weeks)
        if day == date(2026, 11, 2):
            continue
        simulated = simulate_day(settings, day, per_day=200, rng=rng)
        with store.write():
            store.insert_history(simulated.tickets, simulated.transitions, simulated.ratings)
        days.append(day.isoformat())
    return days


def test_advice_from_the_weekday_history_with_too_few_counters_at_the_peak(
        client: Any, manager: dict[str, str], eight_mondays: list[str]) -> None:
    body = client.get(f"{PATH}?date={NEXT_MONDAY}", headers=manager).get_json()
    assert body["date"] == NEXT_MONDAY and body["open"] is True
    assert body["target_wait_minutes"] == 15 and body["service_level"] == 0.8
    history = body["history"]
    # The closed Monday is passed over and one more week back is used instead.
    assert history["closed_days"] == ["2026-11-02"]
    assert history["days"] == sorted(eight_mondays[:8]) and "2026-11-23" not in history["days"]
    assert history["weeks"] == 8
    # Counters 1, 2, 3, 5 share fields A, B, E, F; counter 4 alone serves C and D.
    groups = {tuple(g["services"]): g for g in body["groups"]}
    assert groups[("A", "B", "E", "F")]["counters"] == [1, 2, 3, 5]
    assert groups[("C", "D")]["counters"] == [4]
    assert groups[("C", "D")]["names"][0] == "Đất đai – Xây dựng"
    hours = {row["hour"]: row for row in body["hours"]}
    assert min(hours) == 7 and max(hours) >= 16
    peak = hours[8]
    for key in ("hour", "arrivals", "mean_service_s", "counters_needed", "counters_open",
                "expected_wait_s"):
        assert key in peak
    # A Monday peak of ~45 citizens an hour at ~8 minutes each is ~6 Erlangs: 5 counters
    # cannot keep up, the advice asks for more and says the wait is unbounded.
    assert peak["arrivals"] > 30
    assert peak["counters_open"] == 5
    assert peak["counters_needed"] > peak["counters_open"]
    assert peak["overloaded"] is True and peak["expected_wait_s"] is None
    assert any(p["verdict"] == "short" and p["start"] <= 8 < p["end"] for p in body["periods"])
    # Lunch is quiet: the open counters suffice and the wait is short.
    assert hours[12]["counters_needed"] <= hours[12]["counters_open"]
    assert hours[12]["expected_wait_s"] is not None and hours[12]["expected_wait_s"] < 900
    # A longer target needs no more counters.
    relaxed = client.get(f"{PATH}?date={NEXT_MONDAY}&target_wait_minutes=60&service_level=0.5",
                         headers=manager).get_json()
    assert all(r["counters_needed"] <= hours[r["hour"]]["counters_needed"]
               for r in relaxed["hours"])


def test_a_day_the_center_does_not_work_has_no_advice(client: Any, manager: dict[str, str]) -> None:
    body = client.get(f"{PATH}?date=2026-11-29", headers=manager).get_json()   # a Sunday
    assert body["open"] is False and body["hours"] == []


def test_no_history_yet_gives_no_hours(client: Any, manager: dict[str, str]) -> None:
    body = client.get(f"{PATH}?date={NEXT_MONDAY}", headers=manager).get_json()
    assert body["open"] is True and body["hours"] == [] and body["history"]["days"] == []


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-10", "9999-12-31"])
def test_the_calendar_s_first_and_last_days_answer_without_history(
        client: Any, manager: dict[str, str], day: str) -> None:
    """Found by the fuzz suite: a day in the calendar's first week once answered 500."""
    answer = client.get(f"{PATH}?date={day}", headers=manager)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["hours"] == []


def test_the_live_view_hints_when_the_open_counters_cannot_clear_the_queue(
        app: Any, client: Any, manager: dict[str, str], clock: FakeClock) -> None:
    center = app.extensions["xephang"].center
    for _ in range(3):
        center.issue("C", actor="kiosk:hall")
    live = client.get("/api/v1/stats/live", headers=manager).get_json()
    assert live["staffing_hints"] == []      # 3 × 5 minutes: counter 4 clears it in 15
    center.issue("D", actor="kiosk:hall")
    center.issue("C", actor="kiosk:hall")
    hints = client.get("/api/v1/stats/live", headers=manager).get_json()["staffing_hints"]
    assert [(h["services"], h["names"][0], h["counters_open"], h["extra"]) for h in hints] == [
        (["C", "D"], "Đất đai – Xây dựng", 1, 1)]
