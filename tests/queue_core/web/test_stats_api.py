"""GET /api/v1/stats, /stats/live and the /manager page: roles, filters, figures over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from queue_core.domain.clock import FakeClock
from queue_core.service import auth

CONTRACT_KEYS = {"from", "to", "issued", "served", "no_show", "cancelled", "expired", "wait",
                 "service_time", "within_target_pct", "by_service", "by_counter", "by_hour",
                 "ratings"}


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    if field:
        assert f"'{field}'" in body["error"]["message"]


@pytest.fixture
def center(app: Any) -> Any:
    return app.extensions["xephang"].center


def morning(center: Any, clock: FakeClock) -> None:
    """Monday 08:00: A001 waits 5 min and is served 4 min; B001 waits on; A002 not come."""
    first = center.issue("A", actor="kiosk:hall")
    clock.advance(minutes=1)
    center.issue("B", actor="kiosk:hall", priority="pregnant")
    center.issue("A", actor="kiosk:hall")
    clock.advance(minutes=4)
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(minutes=4)
    center.finish(1, actor="user:lan")
    center.rate(first["id"], "very_satisfied")
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(minutes=2)
    center.no_show(1, actor="user:lan")


@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/live",
                                  "/api/v1/stats/export.csv", "/api/v1/stats/export.xlsx"])
@pytest.mark.parametrize("role,status", [(None, 401), ("kiosk", 403), ("display", 403),
                                         ("staff", 403), ("keypad", 403), ("manager", 200)])
def test_only_managers_read_statistics(client: Any, token_for: Callable[..., dict[str, str]],
                                       path: str, role: str | None, status: int) -> None:
    headers = token_for(role, counter=1 if role in ("staff", "keypad") else None) if role else {}
    response = client.get(path, headers=headers)
    if status == 200:
        assert response.status_code == 200
    else:
        assert_error(response, status, "unauthorized" if status == 401 else "forbidden")


def test_a_wrong_token_is_refused(client: Any) -> None:
    assert_error(client.get("/api/v1/stats", headers={"Authorization": "Bearer nope"}), 401,
                 "unauthorized")


def test_people_log_in_for_statistics(app: Any, client: Any, clock: FakeClock) -> None:
    store = app.extensions["xephang"].store
    auth.add_user(store, "giamdoc", "mat-khau-1234", role="manager", counter=None, now=clock.now())
    auth.add_user(store, "quantri", "mat-khau-1234", role="admin", counter=None, now=clock.now())
    auth.add_user(store, "lan", "mat-khau-1234", role="staff", counter=1, now=clock.now())
    for name, status in (("lan", 403), ("giamdoc", 200), ("quantri", 200)):
        assert client.post("/api/v1/auth/login",
                           json={"username": name, "password": "mat-khau-1234"}).status_code == 200
        assert client.get("/api/v1/stats").status_code == status
        client.post("/api/v1/auth/logout")


def test_stats_of_today_over_http(app: Any, client: Any, manager: dict[str, str],
                                  clock: FakeClock) -> None:
    morning(app.extensions["xephang"].center, clock)
    s = client.get("/api/v1/stats", headers=manager).get_json()
    assert CONTRACT_KEYS <= set(s)
    assert (s["from"], s["to"]) == ("2026-11-23", "2026-11-23")
    assert (s["issued"], s["served"], s["no_show"], s["waiting"]) == (3, 1, 1, 1)
    # A001 waited 5 minutes, A002 8 minutes; B001 still waits (10 minutes: not judged yet).
    assert s["wait"] == {"count": 2, "mean_s": 390.0, "median_s": 390.0, "p90_s": 462.0,
                         "max_s": 480.0}
    assert s["service_time"]["mean_s"] == 240.0
    assert s["within_target_pct"] == 100.0
    assert s["ratings"]["very_satisfied"] == 1 and s["ratings"]["satisfied_pct"] == 100.0
    assert s["priority"]["pregnant"] == 1
    assert s["target_wait_minutes"] == 15
    assert [(r["service"], r["name"], r["issued"]) for r in s["by_service"]] == [
        ("A", "Chứng thực", 2), ("B", "Hộ tịch", 1)]
    assert [(r["counter"], r["name"], r["calls"]) for r in s["by_counter"]] == [(1, "Quầy 1", 2)]
    assert [(r["officer"], r["served"]) for r in s["by_officer"]] == [("lan", 1)]
    assert [(r["hour"], r["issued"]) for r in s["by_hour"]] == [(8, 3)]


@pytest.mark.parametrize("query,status,code,field", [
    ("from=2026-13-01", 422, "invalid_input", "from"),
    ("from=23/11/2026", 422, "invalid_input", "from"),
    ("to=yesterday", 422, "invalid_input", "to"),
    ("from=2026-11-23&to=2026-11-22", 422, "invalid_input", "to"),
    ("from=2025-11-22&to=2026-11-23", 422, "invalid_input", "to"),
    ("service=Z", 404, "unknown_service", None),
    ("counter=x", 422, "invalid_input", "counter"),
    ("counter=-1", 422, "invalid_input", "counter"),
    ("counter=1.5", 422, "invalid_input", "counter"),
    ("counter=9", 404, "unknown_counter", None),
    ("officer=ai-do", 404, "unknown_officer", None),
    ("officer=a%20b", 422, "invalid_input", "officer"),
    ("officer=" + "x" * 65, 422, "invalid_input", "officer"),
])
@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/export.csv",
                                  "/api/v1/stats/export.xlsx"])
def test_bad_filters_name_what_is_wrong(client: Any, manager: dict[str, str], path: str,
                                        query: str, status: int, code: str,
                                        field: str | None) -> None:
    assert_error(client.get(f"{path}?{query}", headers=manager), status, code, field)


def test_english_errors_on_request(client: Any, manager: dict[str, str]) -> None:
    response = client.get("/api/v1/stats?officer=ai-do",
                          headers={**manager, "Accept-Language": "en"})
    assert response.get_json()["error"]["message"] == "No officer 'ai-do'."


@pytest.mark.parametrize("query,expected", [
    ("", ("2026-11-23", "2026-11-23")),
    ("from=2026-11-02", ("2026-11-02", "2026-11-02")),
    ("to=2026-11-02", ("2026-11-02", "2026-11-02")),
    ("from=2025-11-23&to=2026-11-23", ("2025-11-23", "2026-11-23")),  # 366 days
    ("from=2026-11-01&to=2026-11-30&service=a", ("2026-11-01", "2026-11-30")),
])
def test_ranges_and_defaults(client: Any, manager: dict[str, str], query: str,
                             expected: tuple[str, str]) -> None:
    s = client.get(f"/api/v1/stats?{query}", headers=manager).get_json()
    assert (s["from"], s["to"]) == expected
    assert len(s["by_day"]) == s["days"]


def test_filters_over_http(app: Any, client: Any, manager: dict[str, str],
                           clock: FakeClock) -> None:
    center = app.extensions["xephang"].center
    morning(center, clock)
    auth.add_user(center.store, "hoa", "mat-khau-1234", role="staff", counter=2, now=clock.now())

    def get(query: str) -> dict[str, Any]:
        return client.get(f"/api/v1/stats?{query}", headers=manager).get_json()  # type: ignore[no-any-return]

    assert get("service=B")["issued"] == 1
    assert get("service=b")["filters"]["service"] == "B"
    assert get("counter=1")["issued"] == 2
    assert get("counter=2")["issued"] == 0
    assert get("officer=lan")["served"] == 1
    assert get("officer=hoa")["issued"] == 0  # a person who served nobody yet


def test_statistics_follow_the_day_as_it_changes(app: Any, client: Any, manager: dict[str, str],
                                                 clock: FakeClock) -> None:
    center = app.extensions["xephang"].center
    morning(center, clock)
    week = "from=2026-11-17&to=2026-11-24"
    assert client.get(f"/api/v1/stats?{week}", headers=manager).get_json()["served"] == 1
    clock.advance(days=1)  # Tuesday: Monday is a past day now, counted once and kept
    center.call_next(2, actor="user:hoa", officer="hoa")  # Monday's B001, still waiting
    assert client.get(f"/api/v1/stats?{week}", headers=manager).get_json()["served"] == 1
    clock.advance(minutes=3)
    center.finish(2, actor="user:hoa")
    s = client.get(f"/api/v1/stats?{week}", headers=manager).get_json()
    assert s["served"] == 2
    monday = next(d for d in s["by_day"] if d["date"] == "2026-11-23")
    assert monday["served"] == 2 and monday["within_target_pct"] == 66.7


def test_live_view_over_http(app: Any, client: Any, manager: dict[str, str],
                             clock: FakeClock) -> None:
    center = app.extensions["xephang"].center
    morning(center, clock)
    center.call_next(2, actor="user:hoa", officer="hoa")
    center.issue("C", actor="kiosk:hall")
    clock.advance(minutes=16)
    live = client.get("/api/v1/stats/live", headers=manager).get_json()
    assert live["date"] == "2026-11-23" and live["target_wait_minutes"] == 15
    assert live["waiting"] == 1
    fields = {f["service"]: f for f in live["fields"]}
    assert (fields["C"]["name"], fields["C"]["waiting"], fields["C"]["over_target"]) == (
        "Đất đai – Xây dựng", 1, 1)
    assert [t["label"] for t in live["over_target"]] == ["C001"]
    assert live["longest"]["waited_s"] == 960.0
    counters = {c["number"]: c for c in live["counters"]}
    assert counters[2]["current"]["label"] == "B001"
    assert (counters[2]["officer"], counters[2]["serving_s"]) == ("hoa", 960.0)
    assert counters[1]["served_today"] == 1 and counters[1]["current"] is None
    assert live["today"]["served"] == 1 and live["today"]["in_service"] == 1


def test_two_apps_keep_their_own_counted_days(clock: FakeClock, tmp_path: Any) -> None:
    from queue_core.config import load_settings
    from queue_core.web.app import create_app

    apps = [create_app(load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / name)}),
                       clock=clock, test_config={"TESTING": True}) for name in ("a", "b")]
    apps[0].extensions["xephang"].center.issue("A", actor="kiosk:hall")
    clock.advance(days=1)
    counts = []
    for app in apps:
        store = app.extensions["xephang"].store
        secret = auth.create_token(store, "m", role="manager", counter=None, now=clock.now())
        response = app.test_client().get("/api/v1/stats?from=2026-11-23&to=2026-11-24",
                                         headers={"Authorization": f"Bearer {secret}"})
        counts.append(response.get_json()["issued"])
        store.close()
    assert counts == [1, 0]
    assert apps[0].extensions["xephang_stats"] is not apps[1].extensions["xephang_stats"]


def test_the_dashboard_page_asks_for_a_manager(app: Any, client: Any, clock: FakeClock) -> None:
    store = app.extensions["xephang"].store
    auth.add_user(store, "giamdoc", "mat-khau-1234", role="manager", counter=None, now=clock.now())
    auth.add_user(store, "lan", "mat-khau-1234", role="staff", counter=1, now=clock.now())
    anonymous = client.get("/manager")
    assert anonymous.status_code == 401
    page = anonymous.get_data(as_text=True)
    assert 'id="login-form"' in page and "/api/v1/auth/login" in page and "Đăng nhập" in page
    client.post("/api/v1/auth/login", json={"username": "lan", "password": "mat-khau-1234"})
    refused = client.get("/manager")
    assert refused.status_code == 403 and "không có quyền lãnh đạo" in refused.get_data(as_text=True)
    client.post("/api/v1/auth/logout")
    client.post("/api/v1/auth/login", json={"username": "giamdoc", "password": "mat-khau-1234"})
    dashboard = client.get("/manager")
    assert dashboard.status_code == 200
    html = dashboard.get_data(as_text=True)
    for needle in ("Theo dõi và thống kê", "Trực tiếp", "Thống kê", "vendor/chart.umd.min.js",
                   "vendor/chartjs-chart-matrix.min.js", "vendor/socket.io.min.js",
                   'id="manager-config"', '<option value="lan">lan</option>',
                   "Tải báo cáo Excel", "Mức độ hài lòng theo thời gian"):
        assert needle in html, needle
    assert "cdn" not in html.lower() and "https://" not in html


@pytest.mark.parametrize("path,kind", [
    ("/static/core/vendor/chart.umd.min.js", "javascript"),
    ("/static/core/vendor/chartjs-chart-matrix.min.js", "javascript"),
    ("/static/manager/manager.js", "javascript"),
    ("/static/manager/manager.css", "css"),
])
def test_dashboard_assets_ship_with_the_box(client: Any, path: str, kind: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and kind in response.content_type
    assert b"sourceMappingURL" not in response.data
    response.close()


def test_the_dashboard_counts_the_past_year_in_the_background(app: Any, client: Any,
                                                              clock: FakeClock) -> None:
    store = app.extensions["xephang"].store
    center = app.extensions["xephang"].center
    center.issue("A", actor="kiosk:hall")
    center.call_next(1, actor="user:lan", officer="lan")
    center.finish(1, actor="user:lan")
    clock.advance(days=1)
    auth.add_user(store, "giamdoc", "mat-khau-1234", role="manager", counter=None, now=clock.now())
    client.post("/api/v1/auth/login", json={"username": "giamdoc", "password": "mat-khau-1234"})
    cache = app.extensions["xephang_stats"]
    started: list[Any] = []
    socketio = app.extensions["xephang"].socketio
    original = socketio.start_background_task
    socketio.start_background_task = lambda task: started.append(task)
    try:
        assert client.get("/manager").status_code == 200
    finally:
        socketio.start_background_task = original
    assert len(started) == 1
    started[0]()  # what the background task does, run here
    counted = cache.days_counted
    assert counted >= 1 and store.summaries_kept() == 1  # the past year, Monday stored
    s = client.get("/api/v1/stats?from=2026-11-23&to=2026-11-23").get_json()
    # Read from the summary the warm-up stored, not from the tickets again.
    assert s["issued"] == s["served"] == 1 and cache.days_counted == counted


def test_csv_is_streamed(client: Any, manager: dict[str, str]) -> None:
    response = client.get("/api/v1/stats/export.csv", headers=manager)
    assert response.is_streamed
    assert response.get_data().startswith(b"\xef\xbb\xbf")
