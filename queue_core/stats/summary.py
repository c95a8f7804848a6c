"""One day's counted statistics as stored: a small JSON text and a block of packed durations.

A period's median and 90th percentile need every duration of its days, so a day's summary
keeps them all, exactly: each group's waits, service times and transfer waits, sorted
(as `Tallies.seal` leaves a counted day), as IEEE 754 doubles (8 bytes each,
little-endian) in one block. Binned histograms would be smaller but would only
approximate a period's quantiles (and rounding durations into bins would change the means
in their last digits); a commune's day is a few hundred tickets, so a year of exact
durations is a few megabytes (9 MB for 100,000 tickets). Keeping each list in its order
keeps even the floating-point sums of the means equal to counting afresh. The counts go
in the JSON text, with how many durations each list takes from the block.

Decoding gives back a `Tallies` equal to the one encoded, so figures added up from stored
days are exactly those counted from the tickets.

>>> from queue_core.stats.figures import Tallies
>>> day = Tallies.of_day("2026-11-23")
>>> day.total.issued, day.total.waits = 2, [30.5, 720.25]
>>> text, block = encode(day)
>>> again = decode("2026-11-23", text, block)
>>> again.total.waits, again.by_day["2026-11-23"] is again.total
([30.5, 720.25], True)
"""

from __future__ import annotations

import json
import sys
from array import array
from typing import Any

from queue_core.stats.figures import Tallies, Tally

# Raised when what is stored changes shape: summaries of another version are counted anew.
VERSION = 2

_COUNTS = ("issued", "served", "no_show", "cancelled", "expired", "waiting", "in_service",
           "calls", "transferred", "transfers_in", "priority", "met", "judged")
_DURATIONS = ("waits", "service_times", "transfer_waits")


def _packed(values: array[float]) -> bytes:
    if sys.byteorder == "big":
        values = array("d", values)
        values.byteswap()
    return values.tobytes()


def encode(tallies: Tallies) -> tuple[str, bytes]:
    """Return a day's tallies as (JSON text, packed durations)."""
    durations: array[float] = array("d")

    def tally(t: Tally) -> list[Any]:
        row: list[Any] = [getattr(t, name) for name in _COUNTS]
        row.append(t.ratings)
        for name in _DURATIONS:
            values: list[float] = getattr(t, name)
            row.append(len(values))
            durations.extend(values)
        return row

    document = {
        "total": tally(tallies.total),
        "by_service": [[key, tally(t)] for key, t in tallies.by_service.items()],
        "by_counter": [[key, tally(t)] for key, t in tallies.by_counter.items()],
        "by_officer": [[key, tally(t)] for key, t in tallies.by_officer.items()],
        "by_procedure": [[key, tally(t)] for key, t in tallies.by_procedure.items()],
        "by_hour": [[key, tally(t)] for key, t in tallies.by_hour.items()],
        "heat": [[weekday, hour, count] for (weekday, hour), count in tallies.heat.items()],
        "priorities": tallies.priorities,
        "priority_waits": len(tallies.priority_waits),
    }
    durations.extend(tallies.priority_waits)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")), _packed(durations)


def decode(day: str, text: str, block: bytes) -> Tallies:
    """Return the tallies of `day` from what `encode` gave."""
    values: array[float] = array("d")
    values.frombytes(block)
    if sys.byteorder == "big":
        values.byteswap()
    numbers = values.tolist()
    taken = 0
    document = json.loads(text)

    def take(count: int) -> list[float]:
        nonlocal taken
        taken += count
        return numbers[taken - count:taken]

    def tally(row: list[Any]) -> Tally:
        # A year is some 8,000 of these: one assignment of every slot, no loop of setattr.
        t = Tally.__new__(Tally)
        (t.issued, t.served, t.no_show, t.cancelled, t.expired, t.waiting, t.in_service,
         t.calls, t.transferred, t.transfers_in, t.priority, t.met, t.judged, t.ratings,
         waits, service_times, transfer_waits) = row
        t.waits, t.service_times, t.transfer_waits = (
            take(waits), take(service_times), take(transfer_waits))
        return t

    tallies = Tallies.of_day(day)
    tallies.total = tallies.by_day[day] = tally(document["total"])
    tallies.by_service = {key: tally(row) for key, row in document["by_service"]}
    tallies.by_counter = {key: tally(row) for key, row in document["by_counter"]}
    tallies.by_officer = {key: tally(row) for key, row in document["by_officer"]}
    tallies.by_procedure = {key: tally(row) for key, row in document["by_procedure"]}
    tallies.by_hour = {key: tally(row) for key, row in document["by_hour"]}
    tallies.heat = {(weekday, hour): count for weekday, hour, count in document["heat"]}
    tallies.priorities = dict(document["priorities"])
    tallies.priority_waits = take(document["priority_waits"])
    return tallies


__all__ = ["VERSION", "decode", "encode"]
