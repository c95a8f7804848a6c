"""End to end: PostgreSQL, a hub (`xephang hub serve`) and three boxes (`xephang serve` with
`[hub]` in their settings), real processes on loopback. A day runs through the boxes over HTTP
(issue, call, recall, finish, no-show, transfer, dossiers, ratings); each box's own forwarder
sends its outbox to the hub; the hub is down for part of the day (and one box is killed -9
meanwhile) and the boxes catch up by themselves; then the hub's figures of each center equal
that box's own /api/v1/stats, and sending everything again changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_core.storage import DATABASE_FILE, Store
from support_live import ALWAYS_OPEN_TOML, MANY_KIOSKS, LiveServer, clean_env, free_port, pause

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CODES = ("HB", "HN", "BN")
STAFF_COUNTERS = (1, 2, 3, 5)


class HubProcess:
    """`xephang hub serve` in its own process group."""

    def __init__(self, database: str, log: Path) -> None:
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(["xephang", "hub", *args, "--database", self.database],
                              capture_output=True, text=True, timeout=60, env=clean_env())
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def start(self) -> HubProcess:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                ["xephang", "hub", "serve", "--database", self.database, "--host", "127.0.0.1",
                 "--port", str(self.port), "--workers", "2"],
                stdout=log, stderr=subprocess.STDOUT, env=clean_env(), start_new_session=True)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            pause(0.1)
        raise TimeoutError(self.log.read_text(errors="replace")[-3000:])

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=20)
        self.proc = None


class Box:
    """A box (`xephang serve` forwarding to the hub by itself) and its device tokens."""

    def __init__(self, server: LiveServer, code: str) -> None:
        self.server = server
        self.code = code
        kiosk, manager, *staff = server.tokens(
            [("kiosk", None), ("manager", None)] + [("staff", n) for n in STAFF_COUNTERS])
        self.kiosk, self.manager = kiosk, manager
        self.staff = dict(zip(STAFF_COUNTERS, staff))
        self.visits = 0

    def issue(self, service: str, priority: str | None = None) -> dict[str, Any]:
        answer = self.server.post("/tickets", self.kiosk,
                                  {"service": service, "priority": priority, "channel": "kiosk"})
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def at(self, counter: int, action: str, body: Any = None) -> dict[str, Any] | None:
        answer = self.server.post(f"/counters/{counter}/{action}", self.staff[counter], body)
        assert answer.status_code in (200, 204), answer.text
        return answer.json() if answer.status_code == 200 else None

    def rate(self, ticket: dict[str, Any], level: str) -> None:
        answer = self.server.post(f"/tickets/{ticket['id']}/rating", self.kiosk, {"level": level})
        assert answer.status_code == 201, answer.text

    def dossier(self, counter: int, ticket: dict[str, Any] | None) -> None:
        assert ticket is not None
        self.visits += 1
        answer = self.server.request("PUT", f"/tickets/{ticket['id']}/dossier",
                                     self.staff[counter], {"code": f"{self.code}-{self.visits}"})
        assert answer.status_code == 200, answer.text

    def morning(self, n: int) -> None:
        for service, priority in (("A", None), ("A", "elderly"), ("B", None), ("F", None),
                                  ("A", None), ("B", None), ("E", None)):
            self.issue(service, priority)
        served = self.at(1, "call-next")
        self.dossier(1, served)
        self.at(1, "recall")
        self.rate(self.at(1, "finish") or {}, ("very_satisfied", "satisfied")[n % 2])
        self.at(3, "call-next")
        self.at(3, "transfer", {"service": "F"})
        self.at(2, "call-next")
        self.at(2, "no-show")
        self.dossier(5, self.at(5, "call-next"))
        self.rate(self.at(5, "finish") or {}, "unsatisfied")
        assert served is not None

    def afternoon(self, n: int) -> None:
        for service in ("A", "B", "F")[: 2 + n % 2]:
            self.issue(service)
        for counter in (5, 3, 2, 1, 5, 3):
            ticket = self.at(counter, "call-next")
            if ticket is not None:
                done = self.at(counter, "finish")
                if done is not None and counter == 3:
                    self.rate(done, "satisfied")
        # Nobody left waiting or at a counter: no figure depends on the moment it is read.
        for counter in STAFF_COUNTERS:
            while self.at(counter, "call-next") is not None:
                self.at(counter, "finish")

    def forwarding(self) -> tuple[dict[str, Any] | None, int]:
        """Return the hub's cursor row in the box's outbox, and the newest seq there."""
        store = Store.read_only(self.server.data_dir / DATABASE_FILE)
        try:
            with store.read():
                return store.consumer("hub"), store.outbox_bounds()[1]
        finally:
            store.close()

    def wait_forwarded(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            consumer, newest = self.forwarding()
            if consumer is not None and consumer["cursor"] == newest:
                return
            assert time.monotonic() < deadline, (self.code, consumer, newest)
            pause(0.2)

    def stats(self, day: str) -> dict[str, Any]:
        answer = self.server.get(f"/stats?from={day}&to={day}", self.manager)
        assert answer.status_code == 200
        return answer.json()  # type: ignore[no-any-return]


def _now() -> Any:
    from queue_core.domain.clock import VIETNAM, SystemClock

    return SystemClock(VIETNAM).now()


def box_config(hub: HubProcess, token: str) -> str:
    return ALWAYS_OPEN_TOML + f"""
[hub]
url = "{hub.url}"
token = "{token}"

[outbox]
first_retry_seconds = 0.2
longest_retry_seconds = 1.0
"""


@pytest.fixture
def network(hub_url: str, tmp_path: Path) -> Iterator[tuple[HubProcess, list[Box]]]:
    hub = HubProcess(hub_url, tmp_path / "hub.log")
    tokens = {code: hub.cli("center", "add", code, "--name", f"Trung tâm xã {code}")
              for code in CODES}
    # A box's day comes faster than one kiosk's minute allows: its limit is lifted.
    servers = [LiveServer(tmp_path / code, config=box_config(hub, tokens[code]), env=MANY_KIOSKS)
               for code in CODES]
    try:
        hub.start()
        boxes = [Box(server.start(), code) for server, code in zip(servers, CODES)]
        yield hub, boxes
    finally:
        hub.stop()
        for server in servers:
            server.stop()


def hub_figures(hub: HubProcess, viewer: dict[str, str], code: str, day: str) -> dict[str, Any]:
    answer = requests.get(f"{hub.url}/api/v1/centers/{code}/stats",
                          params={"from": day, "to": day}, headers=viewer, timeout=10)
    assert answer.status_code == 200, answer.text
    theirs: dict[str, Any] = answer.json()
    theirs.pop("center")
    return theirs


def test_a_day_through_three_boxes_gives_the_hub_each_boxs_own_figures(network):
    hub, boxes = network
    viewer = {"Authorization": f"Bearer {hub.cli('token', 'create', 'so-noi-vu')}"}
    for n, box in enumerate(boxes):
        box.morning(n)
    for box in boxes:
        box.wait_forwarded()
    # The hub goes down for part of the day; the boxes keep working and keep their events.
    hub.stop()
    for n, box in enumerate(boxes):
        box.afternoon(n)
    # One box is killed while it cannot forward: its outbox is on disk, it goes on after.
    boxes[0].server.kill()
    boxes[0].server.start()
    boxes[0].afternoon(3)
    for box in boxes:
        deadline = time.monotonic() + 30
        while True:
            consumer, newest = box.forwarding()
            assert consumer is not None
            if consumer["last_error"] or time.monotonic() > deadline:
                break
            pause(0.2)
        assert consumer["cursor"] < newest and consumer["last_error"], consumer
    hub.start()
    for box in boxes:
        box.wait_forwarded()
    day = _now().date().isoformat()
    for box in boxes:
        mine = box.stats(day)
        deadline = time.monotonic() + 60
        while True:
            theirs = hub_figures(hub, viewer, box.code, day)
            if theirs == mine or time.monotonic() > deadline:
                break
            pause(0.2)
        assert theirs == mine, box.code
        assert mine["issued"] >= 9 and mine["ratings"]["total"] >= 2 and mine["no_show"] == 1
    overview = requests.get(f"{hub.url}/api/v1/centers", headers=viewer, timeout=10).json()
    assert [c["code"] for c in overview] == sorted(CODES)
    for row in overview:
        assert "offline" not in row["alerts"] and row["waiting"] == 0
        assert row["rejected_events"] == 0 and row["lost_events"] == 0
    # Sent again from the start (the box's acknowledgement lost): nothing changes.
    again = boxes[1]
    before = hub_figures(hub, viewer, again.code, day)
    again.server.stop()
    store = Store.in_data_dir(again.server.data_dir)
    try:
        with store.write():
            store.update_consumer("hub", cursor=0)
    finally:
        store.close()
    again.server.start()
    again.wait_forwarded()
    assert hub_figures(hub, viewer, again.code, day) == before == again.stats(day)
