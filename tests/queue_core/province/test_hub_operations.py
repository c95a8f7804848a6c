"""Running the hub: the command line, background counting, the monthly Excel report, and
PostgreSQL restarted under load (the hub reconnects; the boxes resend; nothing is lost)."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from boxday import MONDAY, drive_day, open_box
from click.testing import CliRunner
from openpyxl import load_workbook
from reference_sender import ReferenceOutbox, SendFailed, box_profile, forward

from queue_core.cli import main
from queue_core.province import aggregate, report
from queue_core.province.storage.database import Database
from queue_core.province.web.app import create_app

pytestmark = pytest.mark.postgres


def wait_until(condition: Any, timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        threading.Event().wait(0.05)


@pytest.fixture
def box(tmp_path: Path) -> Any:
    box = open_box(tmp_path / "box", MONDAY)
    drive_day(box, MONDAY)
    yield box
    box.store.close()


def test_the_command_line_registers_centers_tokens_and_people(hub_url, hub_db, box):
    runner = CliRunner()
    env = {"XEPHANG_HUB_DATABASE": hub_url}
    added = runner.invoke(main, ["hub", "center", "add", "x01", "--name", "Phường Hòa Khánh"],
                          env=env)
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("xhc_")
    again = runner.invoke(main, ["hub", "center", "add", "X01", "--name", "Lần nữa"], env=env)
    assert again.exit_code != 0 and "already exists" in again.output
    viewer = runner.invoke(main, ["hub", "token", "create", "so-noi-vu", "--database", hub_url])
    assert viewer.exit_code == 0, viewer.output
    read = viewer.output.strip().splitlines()[-1]
    person = runner.invoke(main, ["hub", "user", "add", "chanh-van-phong", "--password-stdin"],
                           input="mat-khau-tinh\n", env=env)
    assert person.exit_code == 0, person.output
    listed = runner.invoke(main, ["hub", "center", "list"], env=env)
    assert "X01\tPhường Hòa Khánh" in listed.output
    app = create_app(hub_db, test_config={"TESTING": True})
    client = app.test_client()
    outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))
    outbox.collect()
    answer = client.post("/api/v1/ingest", json=outbox.batch(1, 5),
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json()["applied"] == 5
    assert client.get("/api/v1/centers", headers={"Authorization": f"Bearer {read}"}).status_code == 200
    revoked = runner.invoke(main, ["hub", "center", "revoke", "X01"], env=env)
    assert revoked.exit_code == 0 and "revoked 1" in revoked.output
    answer = client.post("/api/v1/ingest", json=outbox.batch(6, 5),
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert runner.invoke(main, ["hub", "token", "revoke", "so-noi-vu"], env=env).exit_code == 0
    assert client.get("/api/v1/centers", headers={"Authorization": f"Bearer {read}"}).status_code == 401


def test_every_hub_command_has_help():
    runner = CliRunner()
    for args in (["hub"], ["hub", "serve"], ["hub", "center", "add"], ["hub", "token", "create"],
                 ["hub", "user", "add"], ["hub", "center", "revoke"], ["hub", "center", "token"]):
        answer = runner.invoke(main, [*args, "--help"])
        assert answer.exit_code == 0 and "Usage" in answer.output, args


def test_a_hub_command_without_a_database_says_so():
    answer = CliRunner().invoke(main, ["hub", "center", "list"], env={"XEPHANG_HUB_DATABASE": ""})
    assert answer.exit_code != 0 and "--database" in answer.output


def test_the_background_counter_follows_each_batch(hub_db, hub_clock, center_token, viewer, box):
    app = create_app(hub_db, clock=hub_clock, background=True, test_config={"TESTING": True})
    client = app.test_client()
    hub_clock.set(box.clock.now())
    outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))
    headers, reader = center_token("X01"), viewer()
    try:
        forward(outbox, lambda b: _post(client, headers, b), size=10, now=box.clock.now)
        served = box.store.conn.execute("SELECT count(*) FROM tickets WHERE state = 'done'"
                                        ).fetchone()[0]
        wait_until(lambda: client.get("/api/v1/centers", headers=reader).get_json()[0]
                   ["served_today"] == served, what="the counted day")
        box.center.issue("D", actor="kiosk:sanh")
        box.center.call_next(4, actor="user:lan", officer="lan")
        box.center.finish(4, actor="user:lan")
        forward(outbox, lambda b: _post(client, headers, b), now=box.clock.now)
        wait_until(lambda: client.get("/api/v1/centers", headers=reader).get_json()[0]
                   ["served_today"] == served + 1, what="the next batch counted")
    finally:
        app.extensions["xephang_hub"].aggregator.stop()


def _post(client: Any, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    answer = client.post("/api/v1/ingest", json=body, headers=headers)
    return answer.status_code, answer.get_json()


def test_the_monthly_report_has_a_row_per_center_and_the_province(hub_client, hub_db, hub_clock,
                                                                   center_token, viewer, box):
    headers = center_token("X01")
    center_token("X02", "Trung tâm xã Hòa Ninh")
    hub_clock.set(box.clock.now())
    forward(ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings)),
            lambda b: _post(hub_client, headers, b), now=box.clock.now)
    aggregate.count_all(hub_db, now=hub_clock.now)
    answer = hub_client.get("/api/v1/reports/monthly.xlsx?month=2026-11", headers=viewer())
    assert answer.status_code == 200
    assert answer.mimetype == report.XLSX_MIMETYPE
    assert 'filename="bao-cao-thang-2026-11.xlsx"' in answer.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Báo cáo tháng 11/2026")
    assert rows[1][0] == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    assert list(rows[4]) == list(report.HEADERS)
    stats = hub_client.get("/api/v1/centers/X01/stats?from=2026-11-01&to=2026-11-30",
                           headers=viewer()).get_json()
    x01, x02, province = rows[5], rows[6], rows[7]
    assert x01[:5] == ("X01", "Trung tâm Phục vụ Hành chính công X01", stats["issued"],
                       stats["served"], stats["no_show"])
    assert x01[5] == round(stats["wait"]["median_s"] / 60, 1)
    assert x01[6] == round(stats["wait"]["p90_s"] / 60, 1)
    assert x01[7] == stats["within_target_pct"]
    assert x01[8] == stats["ratings"]["satisfied_pct"]
    assert x01[9] == stats["ratings"]["total"]
    assert x02[:5] == ("X02", "Trung tâm xã Hòa Ninh", 0, 0, 0) and x02[5] is None
    assert province[1] == report.PROVINCE and province[2] == stats["issued"]
    assert sheet.cell(row=6, column=6).number_format == "0.0"


@pytest.mark.faults
def test_postgresql_restarted_under_load_loses_nothing(postgres, hub_url, hub_clock, tmp_path):
    """Four boxes send in small batches while PostgreSQL restarts twice; each keeps its events
    until the hub acknowledges them, so every event is applied exactly once."""
    db = Database(hub_url, max_size=6, timeout=3).open()
    app = create_app(db, clock=hub_clock, test_config={"TESTING": True})
    from queue_core.province import accounts

    boxes, outboxes = [], []
    for n in range(4):
        box = open_box(tmp_path / f"box{n}", MONDAY)
        drive_day(box, MONDAY, variant=n, leave_waiting=False)
        boxes.append(box)
        outbox = ReferenceOutbox.of_file(box.path, stream=f"box-{n}",
                                         profile=box_profile(box.settings))
        outbox.collect()
        outboxes.append(outbox)
    tokens = [accounts.add_center(db, f"X0{n}", f"Trung tâm {n}") for n in range(4)]
    failures = [0] * 4
    done = threading.Event()

    def send(n: int) -> None:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[n]}"}
        while outboxes[n].acked < outboxes[n].last_seq:
            try:
                forward(outboxes[n], lambda b: _post(client, headers, b), size=2)
            except SendFailed as failed:
                assert failed.status == 503, failed
                failures[n] += 1
                threading.Event().wait(0.05)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2):
            wait_until(lambda: sum(o.acked for o in outboxes) > 0, what="a first batch")
            postgres.restart()
        for thread in threads:
            thread.join(timeout=120)
        done.set()
        assert not any(thread.is_alive() for thread in threads)
        with db.transaction() as conn:
            per_center = dict(conn.execute(
                "SELECT c.code, count(*) FROM events e JOIN centers c ON c.id = e.center_id"
                " GROUP BY c.code").fetchall())
            seqs = conn.execute("SELECT count(*), count(DISTINCT (stream_id, seq))"
                                " FROM events").fetchone()
        assert per_center == {f"X0{n}": outboxes[n].last_seq for n in range(4)}
        assert seqs[0] == seqs[1]
        assert sum(failures) > 0, "the restarts were not felt: the test proved nothing"
    finally:
        postgres.wait_ready()
        db.close()
        for box in boxes:
            box.store.close()
