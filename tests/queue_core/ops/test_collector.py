"""The serving process's cycle collector: young cycles go at once, frozen ones at the thaw."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from queue_core.ops.serving.collector import Collector


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.other: Any = None


def cycle() -> weakref.ref[Node]:
    """A two-object cycle nobody refers to any more; only the cycle collector frees it."""
    return live_cycle()[1]


def live_cycle() -> tuple[list[Node], weakref.ref[Node]]:
    """A two-object cycle held by the list returned (clear it to let go), and a watch on it."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return [first, second], weakref.ref(first)


class Tally:
    """A count the test sets (connections closed, or open)."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Memory:
    """The process's peak resident memory, as the test says it is."""

    def __init__(self) -> None:
        self.peak = 100 * 2**20

    def __call__(self) -> int:
        return self.peak


class Timer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Loop:
    """Records what the collector schedules instead of running it later."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[float, Any]] = []
        self.timers: list[Timer] = []

    def call_later(self, delay: float, callback: Any) -> Timer:
        self.scheduled.append((delay, callback))
        self.timers.append(Timer())
        return self.timers[-1]

    def run_next(self) -> None:
        _, callback = self.scheduled.pop(0)
        callback()


@pytest.fixture()
def collector() -> Iterator[tuple[Collector, Clock, Memory]]:
    clock, memory = Clock(), Memory()
    was_enabled = gc.isenabled()
    # CPython's own collections would free the test's cycles behind the collector's back.
    gc.disable()
    made = Collector(clock=clock, peak_bytes=memory, thaw_seconds=600,
                     thaw_growth_bytes=16 * 2**20)
    try:
        yield made, clock, memory
    finally:
        made.stop()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def freeze_now(made: Collector) -> None:
    """Tick until the next freeze (the last of `freeze_every` ticks)."""
    for _ in range(made.freeze_every - made.ticks % made.freeze_every):
        made.tick()


def test_a_young_cycle_goes_at_the_next_tick(collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, _ = collector
    watched = cycle()
    made.tick()
    assert watched() is None


def test_start_freezes_what_exists_and_schedules_the_ticks(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, _ = collector
    loop = Loop()
    made.start(loop)  # type: ignore[arg-type]
    assert gc.get_freeze_count() > 0
    assert [delay for delay, _ in loop.scheduled] == [made.young_seconds]
    loop.run_next()
    assert made.ticks == 1 and len(loop.scheduled) == 1      # and the next one is set


def test_a_cycle_frozen_alive_waits_for_the_thaw(collector: tuple[Collector, Clock, Memory]) -> None:
    made, clock, _ = collector
    held, watched = live_cycle()
    freeze_now(made)                              # alive at a freeze: frozen
    held.clear()
    freeze_now(made)
    gc.collect()
    assert watched() is not None                  # no collection walks it, not even a full one
    clock.now += 600
    freeze_now(made)                              # ten minutes on: the thaw
    assert watched() is None
    assert made.thaws == 1


@pytest.mark.parametrize("peak_mb, allowed_mb", [(100, 16), (400, 40)],
                         ids=["at least 16 MB", "a tenth of a large peak"])
def test_memory_growth_brings_the_thaw_forward(collector: tuple[Collector, Clock, Memory],
                                               peak_mb: int, allowed_mb: int) -> None:
    made, clock, memory = collector
    memory.peak = peak_mb * 2**20
    made.thaw()
    held, watched = live_cycle()
    freeze_now(made)
    held.clear()
    memory.peak += (allowed_mb - 1) * 2**20
    freeze_now(made)
    assert watched() is not None and made.thaws == 1
    memory.peak += 1 * 2**20
    freeze_now(made)
    assert watched() is None and made.thaws == 2
    memory.peak += (allowed_mb - 1) * 2**20       # counted from the last thaw again
    clock.now += 599
    freeze_now(made)
    assert made.thaws == 2


def test_a_large_process_waits_for_more_closed_connections(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, memory = collector
    closed = Tally()
    made.closed = closed
    memory.peak = 400 * 2**20
    made.thaw()
    closed.value += 1279                          # a tenth of 400 MB is 1,280 cycles of 32 KB
    freeze_now(made)
    freeze_now(made)
    assert made.thaws == 1
    closed.value += 1
    freeze_now(made)
    freeze_now(made)
    assert made.thaws == 2


def test_memory_that_new_connections_explain_brings_no_thaw(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, memory = collector
    open_now = Tally()
    made.open_now = open_now
    memory.peak = 100 * 2**20
    made.thaw()
    open_now.value += 1000                        # a crowd connects: 64 MB allowed for it
    memory.peak += 16 * 2**20 + 1000 * 64 * 1024 - 1
    freeze_now(made)
    assert made.thaws == 1
    memory.peak += 1
    freeze_now(made)
    assert made.thaws == 2


def test_closed_connections_bring_the_thaw_forward(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, _ = collector
    closed = Tally()
    made.closed, made.thaw_after_closed = closed, 400
    made.thaw()
    held, watched = live_cycle()
    freeze_now(made)
    held.clear()                                  # as a closed connection's objects
    closed.value += 399
    freeze_now(made)
    assert watched() is not None and made.thaws == 1
    closed.value += 1
    freeze_now(made)
    assert watched() is None and made.thaws == 2


class SlowCollector:
    """The `gc` module, whose full collections take `seconds` on the test's clock."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock, self.seconds = clock, seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(gc, name)

    def collect(self, generation: int = 2) -> int:
        if generation == 2:
            self.clock.now += self.seconds
        return gc.collect(generation)


def test_a_crowd_leaving_costs_one_thaw_once_it_has_left(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, clock, _ = collector
    closed = Tally()
    made.closed, made.gc = closed, SlowCollector(clock, 0.5)
    made.thaw()
    clock.now += 60
    for _ in range(10):                           # 4,000 leave within ten seconds
        closed.value += 400
        freeze_now(made)
        clock.now += 1
    assert made.thaws == 1                        # not while they leave
    freeze_now(made)                              # a second with none closing: now
    assert made.thaws == 2
    closed.value += 400
    freeze_now(made)
    closed.value += 1
    freeze_now(made)
    assert made.thaws == 2                        # the next waits for a quiet second
    freeze_now(made)
    assert made.thaws == 3


def test_a_steady_trickle_of_closes_is_collected_all_the_same(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, clock, _ = collector
    closed = Tally()
    made.closed, made.gc = closed, SlowCollector(clock, 0.5)
    made.thaw()
    for _ in range(44):                           # 20 closed every second, never a quiet one
        closed.value += 20
        freeze_now(made)
        clock.now += 1
    assert made.thaws == 1
    for _ in range(2):
        closed.value += 20
        freeze_now(made)
        clock.now += 1
    assert made.thaws == 2                        # 400 closed, then 50 x 0.5 s


def test_reference_counting_still_frees_frozen_objects(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, _ = collector
    alone = Node()
    watched = weakref.ref(alone)
    freeze_now(made)
    del alone
    assert watched() is None


def test_stop_gives_everything_back_to_the_collector(
        collector: tuple[Collector, Clock, Memory]) -> None:
    made, _, _ = collector
    loop = Loop()
    made.start(loop)  # type: ignore[arg-type]
    held, watched = live_cycle()
    freeze_now(made)
    held.clear()
    made.stop()
    assert loop.timers[-1].cancelled
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert watched() is None
