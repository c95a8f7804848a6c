"""A day through a real `xephang serve` with a webhook receiver on loopback: an outage of the
receiver, then a kill -9 of the server while deliveries are in flight. The receiver checks
every signature, and after de-duplication counts each event of the box's outbox exactly once,
in seq order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support_live import ALWAYS_OPEN_TOML, ASYNC_MODES, MANY_KIOSKS, LiveServer, pause
from support_webhooks import SECRET, Receiver

from queue_core.storage import DATABASE_FILE, Store

pytestmark = [pytest.mark.slow, pytest.mark.faults]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


def outbox(server: LiveServer) -> list[tuple[int, str]]:
    store = Store.read_only(server.data_dir / DATABASE_FILE)
    try:
        with store.read():
            return [(row.seq, row.event) for row in store.outbox_after(0, limit=100_000)]
    finally:
        store.close()


def visit(server: LiveServer, kiosk: str, staff: str, n: int) -> None:
    """One citizen: a number, the call, the dossier, the end, sometimes a rating."""
    ticket = server.post("/tickets", kiosk, {"service": "A"}).json()
    assert server.post("/counters/1/call-next", staff).status_code == 200
    attached = server.request("PUT", f"/tickets/{ticket['id']}/dossier", staff,
                              {"code": f"hs-{n:04d}"})
    assert attached.status_code == 200, attached.text
    assert server.post("/counters/1/finish", staff).status_code == 200
    if n % 2 == 0:
        rated = server.post(f"/tickets/{ticket['id']}/rating", kiosk, {"level": "satisfied"})
        assert rated.status_code == 201, rated.text


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        pause(0.1)


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_a_day_with_an_outage_and_a_kill_is_delivered_once_in_order(
        tmp_path: Path, receiver: Receiver, mode: str) -> None:
    config = ALWAYS_OPEN_TOML + f"""
[outbox]
first_retry_seconds = 0.2
longest_retry_seconds = 1.0
read_timeout_seconds = 5.0

[[webhooks]]
url = "{receiver.url}"
secret = "{SECRET}"
"""
    # The day's citizens come faster than one kiosk's minute allows: its limit is lifted.
    server = LiveServer(tmp_path / "var", config=config, mode=mode, env=MANY_KIOSKS)
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    try:
        # Morning: everything goes through.
        for n in range(5):
            visit(server, kiosk, staff, n)
        wait_until(lambda: len(receiver.events()) == len(outbox(server)), 30, "morning")

        # The one-door system is down for a while: the queue goes on, nothing is lost.
        receiver.mode = "error"
        for n in range(5, 10):
            visit(server, kiosk, staff, n)
        receiver.wait_for(lambda r: sum(1 for q in r.requests if q["mode"] == "error") >= 3)
        receiver.mode = "ok"
        wait_until(lambda: len(receiver.events()) == len(outbox(server)), 60, "after the outage")

        # Deliveries in flight (the receiver answers slowly) when the box is killed.
        receiver.slow_seconds = 0.3
        receiver.mode = "slow"
        for n in range(10, 14):
            visit(server, kiosk, staff, n)
        before = len(receiver.requests)
        receiver.wait_for(lambda r: len(r.requests) >= before + 2)
        server.kill()
        server.start()
        receiver.mode = "ok"
        for n in range(14, 17):
            visit(server, kiosk, staff, n)
        kept = outbox(server)
        wait_until(lambda: len(receiver.events()) == len(kept), 60, "after the kill")
    finally:
        server.stop()

    assert receiver.bad_signatures == 0
    events = receiver.events()
    assert [(e["seq"], e["event"]) for e in events] == kept
    assert [seq for seq, _ in kept] == list(range(1, len(kept) + 1))
    assert {"ticket_issued", "ticket_called", "ticket_updated", "dossier_attached",
            "rating_given"} <= {name for _, name in kept}
    accepted = [e["id"] for e in receiver.accepted()]
    repeats = {i for i in accepted if accepted.count(i) > 1}
    assert len(repeats) <= 1 and all(accepted.count(i) == 2 for i in repeats), repeats
    # The ratings and the dossiers went out with the tickets they belong to.
    dossiers = [e["data"]["dossier"]["code"] for e in events if e["event"] == "dossier_attached"]
    assert dossiers == [f"HS-{n:04d}" for n in range(17)]
    assert sum(1 for e in events if e["event"] == "rating_given") == 9
