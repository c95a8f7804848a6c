"""Forecast of the next calls, used to warm the speech cache."""

from __future__ import annotations

from typing import Any

import pytest

from announcer.warmup import CallForecast, next_label


@pytest.mark.parametrize(
    ("label", "expected"),
    [("A023", "A024"), ("A099", "A100"), ("A999", "A1000"), ("1023", "1024"),
     ("B009", "B010"), ("C0", "C1"), ("A", None), ("", None), ("A02B", None)],
)
def test_next_label(label: str, expected: str | None) -> None:
    assert next_label(label) == expected


def board(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "seq": 10,
        "services": [{"code": "A", "waiting": 3}, {"code": "B", "waiting": 1},
                     {"code": "C", "waiting": 0}],
        "counters": [
            {"number": 1, "services": ["A"], "state": "open", "current": None},
            {"number": 2, "services": ["A", "B"], "state": "open", "current": None},
            {"number": 3, "services": ["B", "C"], "state": "paused", "current": None},
        ],
        "recent_calls": [{"label": "A023", "counter": 1}, {"label": "B004", "counter": 2},
                         {"label": "A022", "counter": 2}],
    }
    base.update(changes)
    return base


def test_board_gives_the_next_labels_at_open_counters() -> None:
    forecast = CallForecast(ahead=2)
    forecast.apply_board(board())
    assert forecast.likely_calls() == [
        ("A024", 1), ("A024", 2), ("B005", 2),  # most likely first
        ("A025", 1), ("A025", 2),
    ]


def test_waiting_count_limits_the_guess() -> None:
    forecast = CallForecast(ahead=5)
    forecast.apply_board(board())
    labels = {label for label, _ in forecast.likely_calls()}
    assert labels == {"A024", "A025", "A026", "B005"}


def test_called_ticket_moves_the_field_on() -> None:
    forecast = CallForecast(ahead=1)
    forecast.apply_board(board())
    forecast.apply_called({"label": "A024", "service": "A"}, 1)
    assert ("A025", 1) in forecast.likely_calls()
    assert all(label != "A024" for label, _ in forecast.likely_calls())


def test_first_ticket_of_the_day_is_guessed_from_issue_events() -> None:
    forecast = CallForecast(ahead=2)
    forecast.apply_board(board(services=[{"code": "A", "waiting": 0}], recent_calls=[]))
    assert forecast.likely_calls() == []
    forecast.apply_issued({"label": "A001", "service": "A"})
    forecast.apply_issued({"label": "A002", "service": "A"})
    forecast.apply_issued({"label": "A002", "service": "A"})  # the same event twice
    assert forecast.likely_calls() == [("A001", 1), ("A001", 2), ("A002", 1), ("A002", 2)]


def test_counter_closing_removes_it_from_the_guess() -> None:
    forecast = CallForecast(ahead=1)
    forecast.apply_board(board())
    forecast.apply_counter({"number": 2, "services": ["A", "B"], "state": "closed"})
    assert forecast.likely_calls() == [("A024", 1)]


def test_numeric_labels_use_the_service_of_known_tickets() -> None:
    forecast = CallForecast(ahead=1)
    current = {"label": "2007", "service": "B", "state": "called"}
    counters = [{"number": 4, "services": ["B"], "state": "open", "current": current}]
    forecast.apply_board(board(services=[{"code": "B", "waiting": 2}], counters=counters,
                               recent_calls=[{"label": "2007", "counter": 4}]))
    assert forecast.likely_calls() == [("2008", 4)]


def test_limit_on_sentences_per_update() -> None:
    forecast = CallForecast(ahead=3, max_calls=4)
    forecast.apply_board(board())
    assert len(forecast.likely_calls()) == 4


@pytest.mark.parametrize("junk", [None, [], {"services": "x"}, {"counters": [None, 3, "x"]},
                                  {"recent_calls": [None, {"label": 5}]}])
def test_malformed_boards_are_ignored(junk: Any) -> None:
    forecast = CallForecast()
    forecast.apply_board(junk if isinstance(junk, dict) else {})
    forecast.apply_issued(junk)
    forecast.apply_called(junk, None)
    assert forecast.likely_calls() == []
