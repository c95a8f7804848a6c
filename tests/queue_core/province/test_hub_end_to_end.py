"""End to end: PostgreSQL, a hub (`xephang hub serve`) and three boxes (`xephang serve`), real
processes on loopback. A day runs through the boxes over HTTP (issue, call, recall, finish,
no-show, transfer, ratings); their events are forwarded with the reference sender; the hub is
down for part of the day and the boxes catch up; then the hub's figures of each center equal
that box's own /api/v1/stats."""

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

from queue_core.config import load_settings
from reference_sender import ReferenceOutbox, SendFailed, box_profile, forward
from support_live import LiveServer, clean_env, free_port, pause

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
    """A box, its device tokens and its reference outbox."""

    def __init__(self, server: LiveServer, code: str, hub_token: str) -> None:
        self.server = server
        self.code = code
        kiosk, manager, *staff = server.tokens(
            [("kiosk", None), ("manager", None)] + [("staff", n) for n in STAFF_COUNTERS])
        self.kiosk, self.manager = kiosk, manager
        self.staff = dict(zip(STAFF_COUNTERS, staff))
        self.hub_token = hub_token
        # The boxes run the built-in center: its names and target travel with each batch.
        settings = load_settings(env={k: v for k, v in server.env.items()
                                      if k.startswith("XEPHANG_CENTER")})
        self.outbox = ReferenceOutbox.of_file(server.data_dir / "xephang.sqlite3",
                                              stream=f"{code}-1", profile=box_profile(settings))

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

    def morning(self, n: int) -> None:
        for service, priority in (("A", None), ("A", "elderly"), ("B", None), ("F", None),
                                  ("A", None), ("B", None), ("E", None)):
            self.issue(service, priority)
        served = self.at(1, "call-next")
        self.at(1, "recall")
        self.rate(self.at(1, "finish") or {}, ("very_satisfied", "satisfied")[n % 2])
        self.at(3, "call-next")
        self.at(3, "transfer", {"service": "F"})
        self.at(2, "call-next")
        self.at(2, "no-show")
        self.at(5, "call-next")
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

    def forward(self, hub: HubProcess) -> list[Any]:
        session = requests.Session()

        def post(body: dict[str, Any]) -> tuple[int, Any]:
            try:
                answer = session.post(f"{hub.url}/api/v1/ingest", json=body, timeout=10,
                                      headers={"Authorization": f"Bearer {self.hub_token}"})
            except requests.RequestException as exc:
                raise SendFailed(None, str(exc)) from exc
            return answer.status_code, answer.json()

        return forward(self.outbox, post, size=25, now=_now)

    def stats(self, day: str) -> dict[str, Any]:
        answer = self.server.get(f"/stats?from={day}&to={day}", self.manager)
        assert answer.status_code == 200
        return answer.json()  # type: ignore[no-any-return]


def _now() -> Any:
    from queue_core.domain.clock import VIETNAM, SystemClock

    return SystemClock(VIETNAM).now()


@pytest.fixture
def network(hub_url: str, tmp_path: Path) -> Iterator[tuple[HubProcess, list[Box]]]:
    hub = HubProcess(hub_url, tmp_path / "hub.log")
    tokens = {code: hub.cli("center", "add", code, "--name", f"Trung tâm xã {code}")
              for code in CODES}
    servers = [LiveServer(tmp_path / code).start() for code in CODES]
    try:
        boxes = [Box(server, code, tokens[code]) for server, code in zip(servers, CODES)]
        hub.start()
        yield hub, boxes
    finally:
        hub.stop()
        for server in servers:
            server.stop()


def test_a_day_through_three_boxes_gives_the_hub_each_boxs_own_figures(network):
    hub, boxes = network
    viewer = {"Authorization": f"Bearer {hub.cli('token', 'create', 'so-noi-vu')}"}
    for n, box in enumerate(boxes):
        box.morning(n)
        assert box.forward(hub)
    # The hub goes down for part of the day; the boxes keep working and keep their events.
    hub.stop()
    for n, box in enumerate(boxes):
        box.afternoon(n)
        with pytest.raises(SendFailed):
            box.forward(hub)
        assert box.outbox.acked < box.outbox.last_seq
    hub.start()
    for box in boxes:
        box.forward(hub)
        assert box.outbox.acked == box.outbox.last_seq
    day = _now().date().isoformat()
    for box in boxes:
        mine = box.stats(day)
        deadline = time.monotonic() + 60
        while True:
            answer = requests.get(f"{hub.url}/api/v1/centers/{box.code}/stats",
                                  params={"from": day, "to": day}, headers=viewer, timeout=10)
            assert answer.status_code == 200
            theirs = answer.json()
            theirs.pop("center")
            if theirs == mine or time.monotonic() > deadline:
                break
            pause(0.2)
        assert theirs == mine, box.code
        assert mine["issued"] >= 9 and mine["ratings"]["total"] >= 2 and mine["no_show"] == 1
    overview = requests.get(f"{hub.url}/api/v1/centers", headers=viewer, timeout=10).json()
    assert [c["code"] for c in overview] == sorted(CODES)
    for row in overview:
        assert "offline" not in row["alerts"] and row["waiting"] == 0
    # Sent again from the start (an outbox that lost its acknowledgements): nothing changes.
    for box in boxes:
        box.outbox.acked = 0
        answers = box.forward(hub)
        assert sum(a["applied"] for a in answers) == 0

