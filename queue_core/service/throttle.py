"""At most so many events per key in a sliding window: login attempts, kiosk presses, ratings.

>>> now = [0.0]
>>> throttle = Throttle(limit=2, window=60, clock=lambda: now[0])
>>> throttle.hit("kiosk"); throttle.hit("kiosk")
>>> try:
...     throttle.hit("kiosk")
... except TooManyRequests:
...     print("slow down")
slow down
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from queue_core.domain.errors import TooManyRequests


class Throttle:
    """At most `limit` events per key within `window` seconds (login attempts, kiosk presses)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one event for `key`, or raise TooManyRequests past the limit."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise TooManyRequests()
            hits.append(now)
            if len(self._hits) > 10_000:
                # Forget idle keys so a scan of many addresses cannot grow memory for ever.
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                    del self._hits[stale]

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
