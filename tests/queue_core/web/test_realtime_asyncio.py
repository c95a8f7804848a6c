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
