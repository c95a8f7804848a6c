"""The serving process's cycle collector, kept off the counters' path.

CPython's cycle collector stops the whole process while it walks the objects it tracks.
An open Socket.IO connection is about 160 of them, and python-engineio renews a few
dozen at every ping (a task, a timer and a future each for the ping, the reader and the
writer), objects that live the ten seconds to the next ping. With 5,000 connections the
young generations therefore held 20,000–90,000 objects at each collection and the old
one 900,000: on this project's 2-core test machine pauses of 10–70 ms every second or so
and of 0.7 s every 15–20 s, all of them felt by a counter waiting for its call-next
(`bench/bench_serving.py`, call-next with a quiet crowd).

Almost none of that is garbage: those objects die by reference counting, and the walks
found a few cyclic objects a second. So, in the serving process (asyncio mode):

* what exists once the app is built is frozen (`gc.freeze`): it lives as long as the
  process and need never be walked;
* the youngest generation is collected every `YOUNG_SECONDS` on the loop, so a short
  cycle (a request's, an exception's) goes at once and each walk stays small;
* every `FREEZE_EVERY` young collections what survived them is frozen too, so no walk
  grows with the number of open connections;
* everything is unfrozen, collected once and frozen again (a thaw: the one full walk)
  once `THAW_AFTER_CLOSED` connections have closed since the last thaw (more in a large
  process: as many as leave a tenth of its peak memory in cycles), or the process's
  peak memory has grown by `THAW_GROWTH_BYTES` or a tenth more than the connections
  opened meanwhile explain (`BYTES_PER_CONNECTION` each: a crowd connecting is not
  garbage), and at least every `THAW_SECONDS`. A thaw for closed connections waits until a second passes with none
  closing (or at most `THAW_SPACING` times the last thaw's length), so a crowd leaving
  at once (a Wi-Fi access point restarting) costs one pause once it has left, not one
  per `THAW_AFTER_CLOSED` while it leaves.

Frozen objects still die by reference counting, but a cycle among them waits for the
thaw, and every closed connection leaves one (about 25 KB): measured, 2,000 connections
opened and closed four times grew the process by 150 MB with freezing alone, and no more
than CPython's own schedule did with the thaws. What such garbage can hold is so bounded
whatever the rate of connections, and a thaw costs the pause CPython's own full
collection would have cost (0.7–1.2 s with 5,000 connections on that machine, a few tens
of milliseconds with a normal hall's screens and phones), only far more rarely.

CPython's own thresholds stay as they are: between two ticks its automatic collections
find only objects younger than a second.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("xephang.serving")

YOUNG_SECONDS = 0.1
FREEZE_EVERY = 10
THAW_SECONDS = 3600.0
THAW_AFTER_CLOSED = 400
# What the cycle a closed connection leaves holds, rounded up (measured: about 25 KB).
CLOSED_CONNECTION_BYTES = 32 * 1024
THAW_SPACING = 50
THAW_GROWTH_BYTES = 16 * 2**20
THAW_GROWTH_SHARE = 0.10
# An idle connection holds about 50 KB (bench_serving: 5,000 ticket pages, 250 MB).
BYTES_PER_CONNECTION = 64 * 1024


def peak_resident_bytes() -> int:
    """The process's peak resident memory so far (it never goes down)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


class Collector:
    """Runs the cycle collector on the loop's schedule (see the module's docstring).

    `collector` is the `gc` module (a test may give a recorder); for the thaws, `clock`
    gives monotonic seconds, `peak_bytes` the process's peak resident memory, `closed` the
    number of connections closed since the start and `open_now` the connections open.
    """

    def __init__(self, *, young_seconds: float = YOUNG_SECONDS,
                 freeze_every: int = FREEZE_EVERY, thaw_seconds: float = THAW_SECONDS,
                 thaw_growth_bytes: int = THAW_GROWTH_BYTES, collector: Any = gc,
                 clock: Callable[[], float] = time.monotonic,
                 peak_bytes: Callable[[], int] = peak_resident_bytes,
                 closed: Callable[[], int] = lambda: 0,
                 open_now: Callable[[], int] = lambda: 0,
                 thaw_after_closed: int = THAW_AFTER_CLOSED) -> None:
        self.young_seconds = young_seconds
        self.freeze_every = freeze_every
        self.thaw_seconds = thaw_seconds
        self.thaw_growth_bytes = thaw_growth_bytes
        self.gc = collector
        self.clock = clock
        self.peak_bytes = peak_bytes
        self.closed = closed
        self.open_now = open_now
        self.thaw_after_closed = thaw_after_closed
        self.ticks = 0
        self.thaws = 0
        self.last_thaw = clock()
        self.peak_at_thaw = peak_bytes()
        self.closed_at_thaw = closed()
        self.open_at_thaw = open_now()
        self.closed_at_freeze = self.closed_at_thaw
        self.enough_closed_since: float | None = None
        self.thaw_length = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Collect and freeze what start-up built, then tick on `loop` until `stop`."""
        found = self._collect_all()
        log.debug("collector: start-up collected (%d cyclic garbage)", found)
        self._schedule(loop)

    def stop(self) -> None:
        """Stop ticking and give the frozen objects back to the collector."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.gc.unfreeze()

    def tick(self) -> None:
        """One young collection; every `freeze_every`-th also freezes, or thaws when due."""
        self.ticks += 1
        self.gc.collect(0)
        if self.ticks % self.freeze_every:
            return
        if self.thaw_due():
            self.thaw()
        else:
            self.gc.freeze()

    def thaw_due(self) -> bool:
        """Whether enough connections closed (and stopped closing), peak memory grew enough
        or time passed since the last thaw; asked once per freeze."""
        since = self.clock() - self.last_thaw
        growth = self.peak_bytes() - self.peak_at_thaw
        allowed = (max(self.thaw_growth_bytes, THAW_GROWTH_SHARE * self.peak_at_thaw)
                   + BYTES_PER_CONNECTION * max(0, self.open_now() - self.open_at_thaw))
        closed_now, closed_before = self.closed(), self.closed_at_freeze
        self.closed_at_freeze = closed_now
        closed = False
        # A walk costs in proportion to the heap: a large one waits for more garbage.
        enough = max(self.thaw_after_closed,
                     int(THAW_GROWTH_SHARE * self.peak_at_thaw) // CLOSED_CONNECTION_BYTES)
        if closed_now - self.closed_at_thaw >= enough:
            now = self.clock()
            if self.enough_closed_since is None:
                self.enough_closed_since = now
            waited = now - self.enough_closed_since
            closed = closed_now == closed_before or waited >= THAW_SPACING * self.thaw_length
        return closed or growth >= allowed or since >= self.thaw_seconds

    def _mark_thaw(self) -> None:
        self.last_thaw = self.clock()
        self.peak_at_thaw = self.peak_bytes()
        self.closed_at_thaw = self.closed_at_freeze = self.closed()
        self.open_at_thaw = self.open_now()
        self.enough_closed_since = None

    def thaw(self) -> int:
        """Unfreeze, collect everything once, freeze again; the cyclic garbage found."""
        found = self._collect_all()
        self.thaws += 1
        log.debug("collector: full collection found %d cyclic garbage in %.0f ms",
                  found, self.thaw_length * 1000)
        return found

    def _collect_all(self) -> int:
        """The one full walk (start-up's and each thaw's), timed for the spacing of thaws."""
        started = self.clock()
        self.gc.unfreeze()
        found = int(self.gc.collect())
        self.gc.freeze()
        self._mark_thaw()
        self.thaw_length = self.last_thaw - started
        return found

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        def run() -> None:
            try:
                self.tick()
            finally:
                self._schedule(loop)

        self._timer = loop.call_later(self.young_seconds, run)
