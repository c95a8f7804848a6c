"""The asyncio Socket.IO server's own parts (its live forms run in tests/realtime)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from queue_core.config import Settings
from queue_core.domain.clock import FakeClock
from queue_core.web import realtime_asyncio
from queue_core.web.app import create_app
from support_async import run_async


class Link:
    """Stands in for python-engineio's socket: records what is sent."""

    closing = closed = False
    last_ping: float | None = None

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, packet: Any) -> None:
        self.sent.append(packet)

    async def _send_ping(self) -> None:
        raise AssertionError("the default pace, not the relaxed one")


def test_a_relaxed_page_is_pinged_at_its_own_pace(settings: Settings, clock: FakeClock,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from engineio import packet

    app = create_app(settings.replace(server={"async_mode": "asyncio"}), clock=clock)
    with ThreadPoolExecutor(1) as pool:
        realtime = realtime_asyncio.for_app(app, pool)
    link = Link()
    realtime.sio.eio.sockets["engine-1"] = link
    monkeypatch.setattr(realtime.sio.manager, "eio_sid_from_sid",
                        lambda sid, namespace: "engine-1" if sid == "page-1" else None)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(realtime_asyncio.asyncio, "sleep", sleep)
    realtime._relax_pings("page-1")
    realtime._relax_pings("gone")                       # a client already gone: nothing
    run_async(link._send_ping())
    assert slept == [realtime_asyncio.RELAXED_PING_SECONDS]
    assert [p.packet_type for p in link.sent] == [packet.PING] and link.last_ping is not None
    # A relaxed client still hears a ping before it would give the link up.
    assert realtime_asyncio.RELAXED_PING_SECONDS < realtime.sio.eio.ping_interval + \
        realtime.sio.eio.ping_timeout
    app.extensions["xephang"].store.close()


def test_places_give_way_to_ordered_events_a_slice_at_a_time(
        settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A round of places queued before a call still leaves after it, and an event emitted
    while the round is being sent waits for one slice at most."""
    import json

    app = create_app(settings.replace(server={"async_mode": "asyncio"}), clock=clock)
    with ThreadPoolExecutor(1) as pool:
        realtime = realtime_asyncio.for_app(app, pool)
    slice_ = realtime_asyncio.LATE_SLICE
    places = [(f"ticket:t{n}", {"id": f"t{n}", "ahead": n, "eta_minutes": n})
              for n in range(2 * slice_ + 5)]
    total = len(places) + 2
    sent: list[str] = []

    def participants(namespace: str, to: Any) -> list[tuple[str, str]]:
        return [(room, f"engine-{room}") for room in ([to] if isinstance(to, str) else to)]

    monkeypatch.setattr(realtime.sio.manager, "get_participants", participants)

    async def scenario() -> None:
        import asyncio

        done = asyncio.Event()

        async def send_eio_packet(eio_sid: str, frame: Any) -> None:
            sent.append(json.loads(frame.data[1:])[0])
            if len(sent) == 1 + 1:              # the first place is going out: a new event
                realtime.emit("counter_updated", {"seq": 2}, to=["board"])
            if len(sent) == total:
                done.set()

        monkeypatch.setattr(realtime.sio, "_send_eio_packet", send_eio_packet)
        await realtime.start()
        realtime.emit_when_quiet("ticket_place", places)      # queued first...
        realtime.emit("ticket_called", {"seq": 1}, to=["board"])    # ...still goes second
        await asyncio.wait_for(done.wait(), 10)

    run_async(scenario())
    assert sent[0] == "ticket_called"
    assert sent[1:slice_ + 1] == ["ticket_place"] * slice_
    assert sent[slice_ + 1] == "counter_updated"
    assert sent[slice_ + 2:] == ["ticket_place"] * (len(places) - slice_)
    app.extensions["xephang"].store.close()


def test_the_hub_hands_a_round_of_places_over_at_once(
        settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(settings.replace(server={"async_mode": "asyncio"}), clock=clock)
    with ThreadPoolExecutor(1) as pool:
        realtime = realtime_asyncio.for_app(app, pool)
    handed: list[tuple[str, list[Any]]] = []
    monkeypatch.setattr(realtime, "emit_when_quiet",
                        lambda event, messages: handed.append((event, messages)))
    monkeypatch.setattr(realtime, "emit", lambda *args, **kwargs: pytest.fail("one at a time"))
    messages = [("ticket:t1", {"id": "t1", "ahead": 0, "eta_minutes": 1}),
                ("ticket:t2", {"id": "t2", "ahead": 1, "eta_minutes": 3})]
    app.extensions["xephang"].hub.place_notices.send(messages)
    assert handed == [("ticket_place", messages)]
    app.extensions["xephang"].store.close()
