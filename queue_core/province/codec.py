"""A day's counted statistics (`Tallies` of the box's statistics) as JSON, and back.

The hub counts each center's day once, with the box's own functions, and keeps the result;
adding kept days up gives the same figures the box gives for any period. The encoding walks
`Tally.__slots__`, so a figure the box's statistics learn to count travels without a change
here. Floats go through JSON exactly (Python writes the shortest text that reads back equal).

>>> from queue_core.stats.figures import Tallies
>>> day = Tallies.of_day("2026-11-23")
>>> day.total.issued, day.total.waits = 2, [60.0, 720.5]
>>> again = loads(dumps(day, "2026-11-23"))
>>> again.total.issued, again.total.waits, again.by_day["2026-11-23"] is again.total
(2, [60.0, 720.5], True)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..stats.figures import Tallies, Tally

VERSION = 1
_EMPTY = Tally()
_SLOTS = tuple(sorted(Tally.__slots__))


def tally_json(tally: Tally) -> dict[str, Any]:
    """Return a tally's non-empty fields."""
    out: dict[str, Any] = {}
    for name in _SLOTS:
        value = getattr(tally, name)
        if value != getattr(_EMPTY, name):
            out[name] = value
    return out


def tally_from(data: dict[str, Any]) -> Tally:
    """Return the tally `tally_json` described."""
    tally = Tally()
    for name, value in data.items():
        if name in Tally.__slots__:
            setattr(tally, name, value)
    return tally


def dumps(tallies: Tallies, day: str) -> str:
    """Return one day's tallies as JSON text."""
    return json.dumps({
        "v": VERSION,
        "day": day,
        "total": tally_json(tallies.total),
        "service": [[key, tally_json(t)] for key, t in tallies.by_service.items()],
        "counter": [[key, tally_json(t)] for key, t in tallies.by_counter.items()],
        "officer": [[key, tally_json(t)] for key, t in tallies.by_officer.items()],
        "hour": [[key, tally_json(t)] for key, t in tallies.by_hour.items()],
        "heat": [[weekday, hour, count] for (weekday, hour), count in tallies.heat.items()],
        "priorities": tallies.priorities,
        "priority_waits": tallies.priority_waits,
    }, separators=(",", ":"))


def _same(key: Any) -> Any:
    return key


def loads(text: str | dict[str, Any], *, counter_key: Callable[[Any], Any] = _same,
          officer_key: Callable[[Any], Any] = _same) -> Tallies:
    """Return one day's tallies; `counter_key`/`officer_key` may rename those groups.

    Renaming lets days of several centers add up without mixing counter 1 of one center
    with counter 1 of another.
    """
    data = json.loads(text) if isinstance(text, str) else text
    if data.get("v") != VERSION:
        raise ValueError(f"unknown tallies version {data.get('v')!r}")
    tallies = Tallies.of_day(data["day"])
    tallies.total = tally_from(data["total"])
    tallies.by_day[data["day"]] = tallies.total
    tallies.by_service = {key: tally_from(t) for key, t in data["service"]}
    tallies.by_counter = {counter_key(key): tally_from(t) for key, t in data["counter"]}
    tallies.by_officer = {officer_key(key): tally_from(t) for key, t in data["officer"]}
    tallies.by_hour = {key: tally_from(t) for key, t in data["hour"]}
    tallies.heat = {(weekday, hour): count for weekday, hour, count in data["heat"]}
    tallies.priorities = dict(data["priorities"])
    tallies.priority_waits = list(data["priority_waits"])
    return tallies


__all__ = ["dumps", "loads", "tally_from", "tally_json"]
