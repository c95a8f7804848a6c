"""The Erlang C model of a waiting line served by several counters (M/M/c), computed stably.

Citizens arrive at random (a Poisson stream of `rate` a second), each needs the counter for
an exponentially distributed time of mean `service_s`, and they wait in one line, in order,
for as long as it takes (nobody gives up). The offered load is `load = rate × service_s`
(in Erlangs: how many counters would be busy all the time). With `counters > load`:

- `erlang_c(counters, load)` is the probability that a citizen has to wait at all;
- `mean_wait_s` is the mean wait, `C × service_s / (counters − load)`;
- `share_within(…, target_s)` is the share called within `target_s`,
  `1 − C × exp(−(counters − load) × target_s / service_s)`;
- `counters_needed` is the fewest counters giving at least a chosen share within the target.

With `counters ≤ load` the line grows without end: the wait is infinite, the share within
any target tends to 0, and more counters are needed.

The textbook formula divides powers by factorials, which overflows past about 170 counters;
here C comes from Erlang B by its recursion ``B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))``
(every step is a ratio between 0 and 1) and ``C = c·B / (c − a·(1 − B))``, so a thousand
counters are as exact as three.

>>> round(erlang_c(11, 10.0), 4)        # 200 calls an hour of 3 minutes, 11 agents
0.6821
>>> round(share_within(11, 10.0, 180.0, 20.0), 3)
0.39
>>> counters_needed(10.0, 180.0, 20.0, 0.8)
14
>>> mean_wait_s(2, 2.0, 300.0)
inf
"""

from __future__ import annotations

import math

__all__ = [
    "MAX_COUNTERS",
    "counters_needed",
    "erlang_b",
    "erlang_c",
    "mean_wait_s",
    "share_within",
]

# Far beyond any hall: a search that reaches it means the input makes no sense.
MAX_COUNTERS = 10_000


def _check(counters: int, load: float) -> None:
    if isinstance(counters, bool) or not isinstance(counters, int) or counters < 0:
        raise ValueError(f"counters must be a whole number ≥ 0, not {counters!r}")
    if not (isinstance(load, (int, float)) and math.isfinite(load) and load >= 0):
        raise ValueError(f"load must be a finite number ≥ 0, not {load!r}")


def erlang_b(counters: int, load: float) -> float:
    """Return the Erlang B blocking probability of `counters` servers offered `load` Erlangs."""
    _check(counters, load)
    blocking = 1.0
    for k in range(1, counters + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(counters: int, load: float) -> float:
    """Return the probability that a citizen waits at all (1.0 when the line cannot keep up)."""
    _check(counters, load)
    if load == 0:
        return 0.0
    if counters <= load:
        return 1.0
    blocking = erlang_b(counters, load)
    return counters * blocking / (counters - load * (1.0 - blocking))


def mean_wait_s(counters: int, load: float, service_s: float) -> float:
    """Return the mean wait in seconds (`math.inf` when the line grows without end)."""
    if load > 0 and counters <= load:
        return math.inf
    if load == 0:
        return 0.0
    return erlang_c(counters, load) * service_s / (counters - load)


def share_within(counters: int, load: float, service_s: float, target_s: float) -> float:
    """Return the share of citizens called within `target_s` seconds (0 when overloaded)."""
    if load == 0:
        return 1.0
    if counters <= load:
        return 0.0
    waits = erlang_c(counters, load)
    return max(0.0, 1.0 - waits * math.exp(-(counters - load) * target_s / service_s))


def counters_needed(load: float, service_s: float, target_s: float, level: float) -> int:
    """Return the fewest counters calling at least `level` of citizens within `target_s`.

    No arrivals need no counter. The search starts at the first count that keeps up with
    the load and adds one at a time: the share within the target only grows with counters.
    """
    _check(0, load)
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (both excluded), not {level!r}")
    if not service_s > 0 or not target_s >= 0:
        raise ValueError("service_s must be above 0 and target_s at least 0")
    if load == 0:
        return 0
    counters = math.floor(load) + 1
    while share_within(counters, load, service_s, target_s) < level:
        counters += 1
        if counters > MAX_COUNTERS:
            raise ValueError(f"more than {MAX_COUNTERS} counters for a load of {load:g}")
    return counters
