"""How many are ahead of a waiting ticket, and about how long until its call.

>>> estimate_minutes(ahead=4, mean_service_s=300, counters=2)
12
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def mean_service_seconds(recent_durations_s: Sequence[float], *, default_minutes: float) -> float:
    """Return the typical service time from the latest services, or the configured default."""
    usable = [d for d in recent_durations_s if d > 0]
    if len(usable) < 3:
        return default_minutes * 60
    # The median shrugs off the one citizen with a complicated case.
    return float(statistics.median(usable))


def estimate_minutes(*, ahead: int, mean_service_s: float, counters: int) -> int | None:
    """Return whole minutes until the call, or None when no open counter serves the field."""
    if counters <= 0:
        return None
    # Half a service for whoever is at the counters now, then a full one per ticket ahead.
    return math.ceil((ahead + 0.5) * mean_service_s / counters / 60)
