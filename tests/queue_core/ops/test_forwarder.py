"""The hub forwarder against the ingest protocol: batches in order, gaps, refusals, outages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support_hub import TOKEN, FakeHub

from queue_core.config import Settings
from queue_core.domain.clock import VIETNAM, FakeClock, SystemClock
from queue_core.ops.forwarder import REFUSED_WAIT, HubForwarder
from queue_core.service import outbox as outbox_view
from queue_core.service.center import Center
from queue_core.storage import Store

STAFF = "user:lan"


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    found = FakeHub()
    yield found
    found.stop()


@pytest.fixture
def box(settings: Settings, clock: FakeClock, tmp_path: Path, hub: FakeHub) -> Iterator[Center]:
    store = Store.open(tmp_path / "box.sqlite3")
    linked = settings.replace(hub={"url": hub.url + "/", "token": TOKEN},
                              outbox={"first_retry_seconds": 0.05,
                                      "longest_retry_seconds": 0.2})
    yield Center(linked, store, clock=clock)
    store.close()


def forwarder(center: Center, settings: Settings | None = None) -> HubForwarder:
    found = HubForwarder(settings or center.settings, center.store.sibling(),
                         center.settings.outbox, now=FakeClock(SystemClock(VIETNAM).now()).now)
    found.prepare()
    return found


def visits(center: Center, count: int) -> None:
    for _ in range(count):
        center.issue("A", actor="kiosk:hall")
        center.call_next(1, actor=STAFF, officer="lan")
        center.finish(1, actor=STAFF)


def seqs(center: Center) -> list[int]:
    with center.store.read():
        return [row.seq for row in center.store.outbox_after(0, limit=100_000)]


def drain(sender: HubForwarder, until: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "the forwarder did not get there"
        wait = sender.step()
        if wait > 0 and not until():
            # The forwarder's own wait: its clock is moved on instead of waited out.
            clock = getattr(sender.now, "__self__", None)
            assert isinstance(clock, FakeClock), "made by forwarder()"
            clock.advance(seconds=wait)


def test_every_event_goes_in_order_with_the_center_and_the_stream(box: Center,
                                                                  hub: FakeHub) -> None:
    sender = forwarder(box)
    visits(box, 3)
    rated = box.issue("B", actor="k")
    box.call_next(2, actor=STAFF, officer="lan")
    box.finish(2, actor=STAFF)
    box.rate(rated["id"], "satisfied", comment="không gửi đi")
    stream = box.store.stream()
    drain(sender, lambda: sorted(hub.applied.get(stream, {})) == seqs(box))
    first = hub.bodies[0]
    assert first["stream"] == stream and first["oldest_available"] == 1
    assert first["center"]["name"] == box.settings.center.name
    assert {"services", "counters", "target_wait_minutes"} <= set(first["center"])
    visits(box, 1)
    drain(sender, lambda: sorted(hub.applied.get(stream, {})) == seqs(box))
    assert "center" not in hub.bodies[-1]
    events = [hub.applied[stream][s] for s in seqs(box)]
    ticket_events = [e for e in events if e["event"].startswith("ticket_")]
    assert all("step" in e["data"] and "series" in e["data"]["ticket"] for e in ticket_events)
    rating = next(e for e in events if e["event"] == "rating_given")
    assert rating["data"]["officer"] == "lan" and "comment" not in rating["data"]
    assert rating["id"] == f"{stream}-{rating['seq']}"
    # Nothing new: no batch until the minute's heartbeat.
    posted = len(hub.bodies)
    assert sender.step() > 0 and len(hub.bodies) == posted


def test_a_week_offline_catches_up_in_order_in_batches(box: Center, hub: FakeHub) -> None:
    sender = forwarder(box)
    hub.down = True
    visits(box, 120)  # 720 events
    for _ in range(3):
        with box.store.write():
            box.store.update_consumer("hub", next_attempt_at=None)
        wait = sender.step()
    assert wait >= 2.0, "the hub's Retry-After is honoured"
    consumer = sender.cursor.read()[0]
    assert consumer["cursor"] == 0 and "HTTP 503" in consumer["last_error"]
    hub.down = False
    with box.store.write():
        box.store.update_consumer("hub", next_attempt_at=None)
    stream = box.store.stream()
    drain(sender, lambda: sorted(hub.applied.get(stream, {})) == seqs(box))
    sizes = [len(b["events"]) for b in hub.bodies if b["events"]]
    assert max(sizes) == 200 and sum(sizes) == len(seqs(box))


def test_a_gap_on_the_hub_is_sent_again(box: Center, hub: FakeHub) -> None:
    sender = forwarder(box)
    visits(box, 2)
    stream = box.store.stream()
    drain(sender, lambda: len(hub.applied.get(stream, {})) == len(seqs(box)))
    hub.forget(stream)
    visits(box, 1)
    drain(sender, lambda: sorted(hub.applied.get(stream, {})) == seqs(box))
    assert any(b["events"] and b["events"][0]["seq"] == 1 for b in hub.bodies[1:])


def test_refused_events_are_recorded_and_not_sent_again(box: Center, hub: FakeHub) -> None:
    sender = forwarder(box)
    visits(box, 2)
    hub.refuse = {3}
    stream = box.store.stream()
    drain(sender, lambda: sender.cursor.read()[0]["cursor"] == seqs(box)[-1])
    assert 3 not in hub.applied[stream] and len(hub.applied[stream]) == len(seqs(box)) - 1
    with box.store.read():
        refused = box.store.deliveries(limit=10, status="rejected")
    assert [(d["outbox_id"], d["last_error"]) for d in refused] == [(3, "data: refused")]
    sent = sum(len(b["events"]) for b in hub.bodies)
    sender.step()
    assert sum(len(b["events"]) for b in hub.bodies) == sent


def test_a_refused_token_stops_forwarding_and_says_so(box: Center, hub: FakeHub) -> None:
    sender = forwarder(box, box.settings.replace(hub={"url": hub.url, "token": "wrong"}))
    visits(box, 1)
    assert sender.step() == REFUSED_WAIT
    assert sender.step() == REFUSED_WAIT
    assert len(hub.bodies) == 0
    status = outbox_view.status(box.store, box.settings)
    (receiver,) = status["receivers"]
    assert receiver["receiver"] == "hub" and receiver["state"] == "unauthorized"
    assert "HTTP 401" in receiver["last_error"] and receiver["behind"] == len(seqs(box))


def test_events_deleted_before_the_hub_got_them_are_declared(box: Center, hub: FakeHub) -> None:
    from datetime import datetime, timedelta

    from queue_core.ops.relay import Relay

    sender = forwarder(box)
    visits(box, 2)
    gone = seqs(box)[-1]
    Relay(box.settings.replace(outbox={"max_rows": 1000}), box.store,
          now=lambda: datetime.now(VIETNAM) + timedelta(days=90), receivers=[]).purge()
    visits(box, 1)
    stream = box.store.stream()
    drain(sender, lambda: sorted(hub.applied.get(stream, {})) == seqs(box))
    assert hub.bodies[0]["oldest_available"] == gone + 1
    with box.store.read():
        (lost,) = box.store.deliveries(limit=5, status="lost")
    assert lost["consumer"] == "hub" and f"events 1–{gone}" in lost["last_error"]
