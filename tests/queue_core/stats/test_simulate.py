"""`xephang simulate` makes believable queues: a morning peak that outruns the counters, a
busy Monday, waits that are rarely zero and often past the target on peak days."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from queue_core.config import load_settings
from queue_core.stats.simulate import simulated_days

TARGET_S = 15 * 60


@pytest.fixture(scope="module")
def waits() -> dict[str, Any]:
    """First-call waits of four simulated weeks (fixed seed), by weekday and hour of issue."""
    settings = load_settings(env={})
    found: dict[str, Any] = {"all": [], "weekday": defaultdict(list), "hour": defaultdict(list),
                             "issued": 0, "states": defaultdict(int)}
    for day in simulated_days(settings, days=24, per_day=150, end=date(2026, 11, 21), seed=7):
        first: dict[str, Any] = {}
        for step in day.transitions:
            if step.action in ("call", "restore_call"):
                first.setdefault(step.ticket_id, step.at)
        for ticket in day.tickets:
            found["issued"] += 1
            found["states"][ticket.state] += 1
            if ticket.id in first:
                wait = (first[ticket.id] - ticket.issued_at).total_seconds()
                found["all"].append(wait)
                found["weekday"][day.day.isoweekday()].append(wait)
                found["hour"][ticket.issued_at.hour].append(wait)
    return found


def over_target(values: list[float]) -> float:
    return sum(value > TARGET_S for value in values) / len(values)


def test_waits_are_rarely_zero_and_their_median_is_believable(waits: dict[str, Any]) -> None:
    values = waits["all"]
    assert len(values) > 2500
    assert sum(value == 0 for value in values) / len(values) < 0.01
    assert 2 * 60 < statistics.median(values) < 20 * 60
    assert 0.1 < over_target(values) < 0.6


def test_a_monday_is_a_peak_day_with_many_waits_past_the_target(waits: dict[str, Any]) -> None:
    monday, wednesday = waits["weekday"][1], waits["weekday"][3]
    assert len(monday) > 1.2 * len(wednesday)
    assert over_target(monday) > 0.35
    assert statistics.median(monday) > 2 * statistics.median(wednesday)


def test_the_morning_peak_outruns_the_counters_and_the_afternoon_drains(
        waits: dict[str, Any]) -> None:
    morning = waits["hour"][8] + waits["hour"][9] + waits["hour"][10]
    afternoon = waits["hour"][14] + waits["hour"][15] + waits["hour"][16]
    assert len(morning) > 2 * len(afternoon)
    assert statistics.mean(morning) > 2.5 * statistics.mean(afternoon)
    assert statistics.mean(waits["hour"][9]) > TARGET_S


def test_most_are_served_some_give_up_and_few_expire(waits: dict[str, Any]) -> None:
    states, issued = waits["states"], waits["issued"]
    assert states["done"] > 0.85 * issued
    assert 0 < states["cancelled"] < 0.08 * issued
    assert states["no_show"] > 0 and states["expired"] < 0.02 * issued
