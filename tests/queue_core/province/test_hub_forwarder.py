"""The box's forwarder against the real hub (in this process, on PostgreSQL): every kind of event
the outbox holds is taken, ratings and dossiers included; a revoked token stops the forwarding."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from queue_core.config import Settings
from queue_core.domain.clock import VIETNAM, FakeClock, SystemClock
from queue_core.ops.forwarder import REFUSED_WAIT, HubForwarder
from queue_core.province import accounts, aggregate
from queue_core.province.storage.database import Database
from queue_core.service import outbox as outbox_view
from queue_core.service.center import Center
from queue_core.storage import Store

pytestmark = pytest.mark.postgres
STAFF = "user:lan"


@pytest.fixture
def hub(hub_app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, hub_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def box(settings: Settings, tmp_path: Path, hub: str, hub_db: Database) -> Iterator[Center]:
    token = accounts.add_center(hub_db, "HB", "Trung tâm xã Hòa Bắc")
    store = Store.open(tmp_path / "box.sqlite3")
    linked = settings.replace(hub={"url": hub, "token": token},
                              center={"opens_at": "00:00", "closes_at": "24:00",
                                      "workdays": (1, 2, 3, 4, 5, 6, 7)})
    yield Center(linked, store, clock=FakeClock(SystemClock(VIETNAM).now()))
    store.close()


def forwarded(sender: HubForwarder, center: Center, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        wait = sender.step()
        consumer, _, newest = sender.cursor.read()
        if consumer["cursor"] == newest:
            return
        assert time.monotonic() < deadline, consumer
        # The forwarder's own wait: its clock is moved on instead of waited out.
        clock = getattr(sender.now, "__self__", None)
        assert isinstance(clock, FakeClock), "made with a FakeClock"
        clock.advance(seconds=wait)


def test_the_hub_takes_every_event_of_the_outbox(box: Center, hub_db: Database, viewer: Any,
                                                 hub_client: Any, hub_app: Any) -> None:
    # The hub's clock agrees with the box's (its "today" is the box's).
    hub_app.extensions["xephang_hub"].clock.set(box.clock.now())
    sender = HubForwarder(box.settings, box.store.sibling(), box.settings.outbox,
                          now=FakeClock(SystemClock(VIETNAM).now()).now)
    sender.prepare()
    first = box.issue("A", actor="kiosk:hall")
    box.issue("B", actor="kiosk:hall", priority="elderly")
    box.call_next(1, actor=STAFF, officer="lan")
    box.attach_dossier(first["id"], "hs-0001", actor=STAFF, counter=1)
    box.recall(1, actor=STAFF)
    box.finish(1, actor=STAFF)
    box.rate(first["id"], "very_satisfied", comment="nhanh")
    box.call_next(3, actor=STAFF, officer="lan")
    box.transfer(3, "F", actor=STAFF)
    box.set_counter_state(2, "paused", actor=STAFF)
    forwarded(sender, box)
    with box.store.read():
        assert box.store.deliveries(limit=10, status="rejected") == []
    aggregate.count_all(hub_db, now=box.clock.now)
    reader = viewer()
    (center,) = hub_client.get("/api/v1/centers", headers=reader).get_json()
    assert center["code"] == "HB" and center["rejected_events"] == 0
    assert center["lost_events"] == 0
    day = first["day"]
    figures = hub_client.get(f"/api/v1/centers/HB/stats?from={day}&to={day}",
                             headers=reader).get_json()
    assert (figures["issued"], figures["served"], figures["ratings"]["total"]) == (2, 1, 1)
    assert figures["transfers"] == 1


def test_a_revoked_token_stops_the_forwarding(box: Center, hub_db: Database) -> None:
    sender = HubForwarder(box.settings, box.store.sibling(), box.settings.outbox,
                          now=FakeClock(SystemClock(VIETNAM).now()).now)
    sender.prepare()
    box.issue("A", actor="kiosk:hall")
    forwarded(sender, box)
    accounts.revoke_center(hub_db, "HB", now=SystemClock(VIETNAM).now())
    box.issue("A", actor="kiosk:hall")
    assert sender.step() == REFUSED_WAIT
    (receiver,) = outbox_view.status(box.store, box.settings)["receivers"]
    assert receiver["state"] == "unauthorized" and receiver["behind"] == 1
    assert "401" in receiver["last_error"]
