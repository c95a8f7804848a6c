"""Simulated business days: every ticket ends, the statistics add up, memory stays flat.

The short version (the default, under a minute) runs two quieter days, printing one
kiosk ticket in five on the emulated printer. `XEPHANG_SOAK_MINUTES=N` runs full days
back to back, every kiosk ticket printed, for at least N minutes:

    XEPHANG_SOAK_MINUTES=30 python -m pytest -q tests/soak -s

After each day: every ticket is in a final state; the manager's `GET /api/v1/stats`
agrees with the simulation's own log; every screen shows what `GET /state` says; the
announcer said every call once, in order, with the words the core sent; every printed
ticket came out of the printer. Across days: the Python heap of the whole process
(traced by tracemalloc, after each day's close) does not grow from the first half of
the days to the second.
"""

from __future__ import annotations

import gc
import os
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from soak_sim import FINAL_STATES, Simulation, board_view, next_workday

pytestmark = [pytest.mark.slow, pytest.mark.soak]

MINUTES = float(os.environ.get("XEPHANG_SOAK_MINUTES", "0") or 0)
FIRST_DAY = date(2026, 11, 23)
# Heap growth allowed from the first half of the days to the second (SQLite's own cache
# is outside the Python heap; the stats cache keeps a few kB per counted day).
MEMORY_SLACK = 1_500_000


@pytest.mark.timeout(max(300, int(MINUTES * 60 * 1.5) + 300))
def test_simulated_days(tmp_path: Path) -> None:
    long_run = MINUTES > 0
    simulation = Simulation(tmp_path / "var", volume=1.0 if long_run else 0.5,
                            printed_share=1.0 if long_run else 0.2)
    deadline = time.monotonic() + MINUTES * 60
    heap: list[int] = []
    tracemalloc.start()
    try:
        day = FIRST_DAY
        while True:
            today = simulation.run_day(day)
            check_day(simulation, today)
            simulation_forgets(simulation)
            gc.collect()
            heap.append(tracemalloc.get_traced_memory()[0])
            day = next_workday(day)
            if len(heap) >= 2 and (not long_run or time.monotonic() >= deadline):
                break
    finally:
        tracemalloc.stop()
        simulation.close()
    half = len(heap) // 2
    first, second = heap[:half], heap[half:]
    growth = max(second) - max(first)
    print(f"\n{len(heap)} days, {simulation.requests} requests; heap after each day (MB): "
          + ", ".join(f"{size / 2**20:.1f}" for size in heap))
    assert growth < MEMORY_SLACK, f"the heap grew {growth / 2**20:.2f} MB: {heap}"


def check_day(simulation: Simulation, day: str) -> None:
    """Everything that must hold once a day has closed."""
    citizens = [c for c in simulation.citizens.values() if c.issued_at.date().isoformat() == day]
    assert len(citizens) > 50, "a day without a crowd proves little"
    assert simulation.refused_after_closing == len(simulation.days)

    # Every ticket ended, as the simulation saw it and as the core keeps it.
    tickets = {t["id"]: t for state in FINAL_STATES + ("waiting", "called")
               for t in simulation.center.tickets(state=state, date=day)}
    assert set(tickets) == {c.id for c in citizens}
    for citizen in citizens:
        assert citizen.state in FINAL_STATES, citizen
        assert tickets[citizen.id]["state"] == citizen.state, (citizen, tickets[citizen.id])
    for series in {c.series for c in citizens}:
        numbers = sorted(t["number"] for t in tickets.values()
                         if t["label"].startswith(series))
        assert numbers == list(range(1, len(numbers) + 1)), f"numbers of {series}: {numbers}"

    check_stats(simulation, day)
    check_screens(simulation)
    check_announcer(simulation)
    check_printer(simulation)


def check_stats(simulation: Simulation, day: str) -> None:
    answer = simulation.http.get(f"/api/v1/stats?from={day}&to={day}",
                                 headers=simulation.manager)
    assert answer.status_code == 200, answer.get_data(True)
    stats = answer.get_json()
    expected = simulation.expected_stats(day)
    for key in ("issued", "served", "no_show", "cancelled", "expired", "within_target_pct"):
        assert stats[key] == expected[key], (key, stats[key], expected[key])
    for key in ("mean_s", "median_s", "p90_s", "max_s"):
        assert stats["wait"][key] == expected["wait"][key], ("wait", key)
    for key in ("mean_s", "median_s", "p90_s"):
        assert stats["service_time"][key] == expected["service_time"][key], ("service", key)
    assert {row["service"]: row["issued"] for row in stats["by_service"]
            if row["issued"]} == expected["by_service"]
    assert {row["counter"]: {key: row[key] for key in ("calls", "served", "no_show",
                                                       "transferred")}
            for row in stats["by_counter"]} == expected["by_counter"]
    assert {row["hour"]: row["issued"] for row in stats["by_hour"]
            if row["issued"]} == expected["by_hour"]
    ratings = stats["ratings"]
    assert {level: ratings[level] for level in expected["ratings"]} == dict(expected["ratings"])
    assert ratings.get("total", sum(expected["ratings"].values())) == \
        sum(expected["ratings"].values())


def check_screens(simulation: Simulation) -> None:
    state = simulation.http.get("/api/v1/state").get_json()
    truth = board_view(state)
    for screen in simulation.screens:
        screen.pump()
        assert screen.view() == truth, f"screen {screen.index} differs from GET /state"
    dropping = simulation.screens[4]
    assert dropping.dropped > 0 and dropping.live.resyncs >= dropping.dropped, \
        "the screen that loses events never had to catch up"
    assert simulation.screens[5].reconnects == 1 + len(simulation.days)


def check_announcer(simulation: Simulation) -> None:
    assert simulation.announcer.wait_idle(60), "the announcer is still busy"
    sent = [(c["seq"], c["ticket"]["label"], c["counter"], c["recall"], c["speech"])
            for c in simulation.calls_sent]
    assert sent, "no calls reached the announcer"
    assert [s[0] for s in sent] == sorted(s[0] for s in sent), "calls out of seq order"
    heard = [(call.seq, call.label, call.counter, call.recall, call.text)
             for call, outcome in simulation.spoken]
    outcomes = {outcome for _, outcome in simulation.spoken}
    assert heard == sent
    assert outcomes == {"played"}, outcomes
    chimes = sum(1 for sound in simulation.audio.played if sound.path is not None and sound.path.name == "chime.wav")
    assert chimes == len(sent)
    assert len(simulation.audio.played) == 3 * len(sent)  # chime, then the sentence twice


def check_printer(simulation: Simulation) -> None:
    assert simulation.printed_labels, "no ticket went through the core's printer"
    assert simulation.printed == simulation.printed_labels


def simulation_forgets(simulation: Simulation) -> None:
    """Drop the simulation's own per-day records, so only the appliance's memory remains."""
    simulation.calls_sent.clear()
    simulation.spoken.clear()
    simulation.audio.played.clear()
    simulation.printed.clear()
    simulation.printed_labels.clear()
    simulation.citizens.clear()


def test_arrivals_peak_in_the_morning() -> None:
    import random

    from soak_sim import arrivals

    drawn = arrivals(random.Random(5), FIRST_DAY, volume=1.0)
    by_hour: dict[int, int] = {}
    for at, _ in drawn:
        by_hour[at.hour] = by_hour.get(at.hour, 0) + 1
    assert 250 < len(drawn) < 400
    assert max(by_hour, key=lambda hour: by_hour[hour]) in (8, 9, 10)
    assert by_hour.get(12, 0) < by_hour[9] / 2
    assert all(7 <= at.hour < 17 or (at.hour == 17 and at.minute < 30) for at, _ in drawn)
