"""The hub's figures of a center equal the box's own /stats; overview, comparisons, province."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from boxday import MONDAY, drive_day, open_box
from reference_sender import ReferenceOutbox, box_profile, forward

from queue_core.service import auth
from queue_core.province import aggregate
from queue_core.web.app import create_app as create_box_app

pytestmark = pytest.mark.postgres

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def boxes(tmp_path: Path) -> Any:
    made = []

    def make(name: str, days: list[Any], variant: int = 0) -> Any:
        box = open_box(tmp_path / name, days[0], name=f"Trung tâm {name}")
        for n, day in enumerate(days):
            drive_day(box, day, variant=variant + n)
        made.append(box)
        return box

    yield make
    for box in made:
        box.store.close()


def send_all(client: Any, headers: dict[str, str], box: Any) -> ReferenceOutbox:
    """Forward all of a box's events, the hub's clock agreeing with the box's."""
    client.application.extensions["xephang_hub"].clock.set(box.clock.now())
    outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))

    def post(body: dict[str, Any]) -> tuple[int, Any]:
        answer = client.post("/api/v1/ingest", json=body, headers=headers)
        return answer.status_code, answer.get_json()

    forward(outbox, post, size=7, now=box.clock.now)
    return outbox


def box_stats(box: Any, date_from: str, date_to: str) -> dict[str, Any]:
    app = create_box_app(box.settings, clock=box.clock, store=box.store,
                         test_config={"TESTING": True})
    token = auth.create_token(box.store, "quan-ly", role="manager", counter=None,
                              now=box.clock.now())
    answer = app.test_client().get(f"/api/v1/stats?from={date_from}&to={date_to}",
                                   headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return answer.get_json()  # type: ignore[no-any-return]


def test_a_centers_figures_equal_the_boxs_own_stats(hub_client, hub_db, hub_clock, center_token,
                                                     viewer, boxes):
    box = boxes("hoa-bac", [MONDAY, TUESDAY])
    send_all(hub_client, center_token("X01"), box)
    hub_clock.set(box.clock.now())
    assert aggregate.count_all(hub_db, now=hub_clock.now) == 2
    reader = viewer()
    for date_from, date_to in (("2026-11-23", "2026-11-24"), ("2026-11-23", "2026-11-23"),
                               ("2026-11-24", "2026-11-24"), ("2026-11-01", "2026-11-30")):
        mine = box_stats(box, date_from, date_to)
        answer = hub_client.get(f"/api/v1/centers/X01/stats?from={date_from}&to={date_to}",
                                headers=reader)
        assert answer.status_code == 200
        theirs = answer.get_json()
        assert theirs.pop("center") == {"code": "X01", "name": "Trung tâm Phục vụ Hành chính công X01"}
        assert theirs == mine, (date_from, date_to)
    assert mine["issued"] == 16 and mine["ratings"]["total"] == 6
    assert mine["transfers"] == 2 and mine["by_officer"]


def test_figures_are_right_whatever_batches_the_events_came_in(hub_client, hub_db, hub_clock,
                                                               center_token, viewer, boxes):
    box = boxes("ba-na", [MONDAY], variant=2)
    outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))
    outbox.collect()
    headers = center_token("X02")
    # Every event twice, the second half first: only the order by seq matters.
    half = outbox.last_seq // 2
    for first, size in ((half + 1, 1000), (1, half), (1, 1000), (3, 4)):
        hub_client.post("/api/v1/ingest", json=outbox.batch(first, size), headers=headers)
    hub_clock.set(box.clock.now())
    aggregate.count_all(hub_db, now=hub_clock.now)
    theirs = hub_client.get("/api/v1/centers/X02/stats?from=2026-11-23&to=2026-11-23",
                            headers=viewer()).get_json()
    theirs.pop("center")
    assert theirs == box_stats(box, "2026-11-23", "2026-11-23")


def test_the_overview_lists_today_and_raises_alerts(hub_client, hub_db, hub_clock, center_token,
                                                    viewer, boxes):
    box = boxes("hoa-bac", [MONDAY])                      # leaves tickets waiting
    send_all(hub_client, center_token("X01"), box)
    center_token("X02")                                   # registered, never heard of
    hub_clock.set(box.clock.now())
    aggregate.count_all(hub_db, now=hub_clock.now)
    rows = {r["code"]: r for r in hub_client.get("/api/v1/centers", headers=viewer()).get_json()}
    mine = box_stats(box, "2026-11-23", "2026-11-23")
    x01 = rows["X01"]
    assert set(x01) >= {"code", "name", "last_seen", "waiting", "served_today", "wait_p90_s",
                        "satisfied_pct"}
    assert x01["served_today"] == mine["served"] and x01["waiting"] == mine["waiting"] > 0
    assert x01["wait_p90_s"] == mine["wait"]["p90_s"]
    assert x01["satisfied_pct"] == mine["ratings"]["satisfied_pct"]
    assert x01["within_target_pct"] == mine["within_target_pct"]
    assert "offline" not in x01["alerts"]
    assert rows["X02"]["alerts"][0] == "offline" and rows["X02"]["last_seen"] is None
    # Sixteen minutes later nothing has come: offline, and the oldest waiter is over target.
    hub_clock.set(box.clock.now() + timedelta(minutes=16))
    later = hub_client.get("/api/v1/centers", headers=viewer()).get_json()[0]
    assert later["alerts"][:2] == ["offline", "waits_above_target"]
    assert later["longest_wait_s"] > 15 * 60


def test_the_province_stats_add_up_the_centers(hub_client, hub_db, hub_clock, center_token,
                                               viewer, boxes):
    one = boxes("hoa-bac", [MONDAY], variant=0)
    two = boxes("ba-na", [MONDAY], variant=3)
    send_all(hub_client, center_token("X01"), one)
    send_all(hub_client, center_token("X02"), two)
    hub_clock.set(max(one.clock.now(), two.clock.now()))
    aggregate.count_all(hub_db, now=hub_clock.now)
    answer = hub_client.get("/api/v1/stats?from=2026-11-23&to=2026-11-23", headers=viewer())
    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == {"total", "centers"} and set(body["centers"]) == {"X01", "X02"}
    for code, box in (("X01", one), ("X02", two)):
        assert body["centers"][code]["issued"] == box_stats(box, "2026-11-23", "2026-11-23")["issued"]
    total = body["total"]
    assert total["issued"] == sum(c["issued"] for c in body["centers"].values())
    assert total["served"] == sum(c["served"] for c in body["centers"].values())
    assert {row["center"] for row in total["by_counter"]} == {"X01", "X02"}
    assert all(isinstance(row["counter"], int) for row in total["by_counter"])
    one_center = hub_client.get("/api/v1/stats?from=2026-11-23&to=2026-11-23&center=x02",
                                headers=viewer()).get_json()
    assert set(one_center["centers"]) == {"X02"}
    assert one_center["total"]["issued"] == body["centers"]["X02"]["issued"]


def test_comparisons_match_each_centers_stats(hub_client, hub_db, hub_clock, center_token,
                                              viewer, boxes):
    one = boxes("hoa-bac", [MONDAY, TUESDAY], variant=0)
    two = boxes("ba-na", [MONDAY], variant=3)
    send_all(hub_client, center_token("X01"), one)
    send_all(hub_client, center_token("X02"), two)
    hub_clock.set(max(one.clock.now(), two.clock.now()))
    aggregate.count_all(hub_db, now=hub_clock.now)
    reader = viewer()
    compared = hub_client.get("/api/v1/compare/centers?from=2026-11-23&to=2026-11-24",
                              headers=reader).get_json()
    for row in compared["centers"]:
        stats = hub_client.get(f"/api/v1/centers/{row['code']}/stats?from=2026-11-23"
                               "&to=2026-11-24", headers=reader).get_json()
        assert (row["issued"], row["served"], row["no_show"]) == (
            stats["issued"], stats["served"], stats["no_show"])
        assert row["wait_median_s"] == stats["wait"]["median_s"]
        assert row["wait_p90_s"] == stats["wait"]["p90_s"]
        assert row["within_target_pct"] == stats["within_target_pct"]
        assert row["satisfied_pct"] == stats["ratings"]["satisfied_pct"]
    assert compared["total"]["issued"] == sum(r["issued"] for r in compared["centers"])
    weeks = hub_client.get("/api/v1/compare/weeks?weeks=3", headers=reader).get_json()
    assert [w["week"] for w in weeks["weeks"]][-1] == "2026-11-23"
    assert weeks["weeks"][-1]["issued"] == compared["total"]["issued"]
    assert weeks["weeks"][0]["issued"] == 0
    x02 = hub_client.get("/api/v1/compare/weeks?weeks=1&center=X02", headers=reader).get_json()
    assert x02["weeks"][0]["issued"] == compared["centers"][1]["issued"]
