"""Who may call what on the hub: every route without credentials, with a wrong or revoked
token, with a box's token, and as a viewer or person bound to another center."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from queue_core.province import accounts

pytestmark = pytest.mark.postgres

PERIOD = "from=2026-11-23&to=2026-11-23"
# Routes that read one given center (X02): a reader bound to X01 is refused.
ONE_CENTER = [
    f"/api/v1/centers/X02/stats?{PERIOD}",
    f"/api/v1/stats?{PERIOD}&center=X02",
    "/api/v1/compare/weeks?weeks=4&center=X02",
]
# Routes over every center one may read: a reader bound to X01 sees X01 only.
ALL_CENTERS = [
    "/api/v1/centers",
    f"/api/v1/stats?{PERIOD}",
    f"/api/v1/compare/centers?{PERIOD}",
    "/api/v1/compare/weeks?weeks=4",
    "/api/v1/reports/monthly.xlsx?month=2026-11",
    "/api/v1/auth/me",
]
READS = ONE_CENTER + ALL_CENTERS


@pytest.fixture
def centers(hub_db: Any, center_token: Any) -> dict[str, dict[str, str]]:
    return {code: center_token(code) for code in ("X01", "X02")}


def login(client: Any, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_every_route_says_who_may_call_it(hub_app):
    for rule in hub_app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        view = hub_app.view_functions[rule.endpoint]
        assert hasattr(view, "hub_roles"), rule.rule


@pytest.mark.parametrize("path", READS)
def test_reads_need_credentials(hub_client, centers, path):
    answer = hub_client.get(path)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("header", ["Bearer xhv_wrong", "Bearer ", "Token abc"])
def test_reads_refuse_a_wrong_token(hub_client, centers, path, header):
    assert hub_client.get(path, headers={"Authorization": header}).status_code == 401


@pytest.mark.parametrize("path", READS)
def test_reads_refuse_a_revoked_token(hub_client, hub_db, hub_clock, centers, path):
    token = accounts.create_viewer_token(hub_db, "cu")
    accounts.revoke_token(hub_db, "cu", now=hub_clock.now())
    assert hub_client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("path", READS)
def test_a_boxs_token_reads_nothing(hub_client, centers, path):
    answer = hub_client.get(path, headers=centers["X02"])
    assert answer.status_code == 403


@pytest.mark.parametrize("path", READS)
def test_a_province_viewer_reads_everything(hub_client, centers, viewer, path):
    assert hub_client.get(path, headers=viewer()).status_code == 200


@pytest.mark.parametrize("path", ONE_CENTER)
def test_a_viewer_of_one_center_cannot_read_another(hub_client, centers, viewer, path):
    answer = hub_client.get(path, headers=viewer(center="X01"))
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden_center"
    assert hub_client.get(path.replace("X02", "X01"), headers=viewer(center="X01")).status_code == 200


@pytest.mark.parametrize("path", ONE_CENTER)
def test_a_person_of_one_center_cannot_read_another(hub_client, hub_db, centers, path):
    accounts.add_user(hub_db, "chu-tich-x01", "mat-khau-x01", center="X01")
    assert login(hub_client, "chu-tich-x01", "mat-khau-x01").status_code == 200
    assert hub_client.get(path).status_code == 403


def test_unknown_centers_are_404(hub_client, centers, viewer):
    answer = hub_client.get(f"/api/v1/centers/ZZ9/stats?{PERIOD}", headers=viewer())
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "unknown_center"


def test_readers_bound_to_a_center_see_only_it_in_lists(hub_client, hub_db, centers, viewer):
    mine = viewer(center="X01")
    assert [c["code"] for c in hub_client.get("/api/v1/centers", headers=mine).get_json()] == ["X01"]
    stats = hub_client.get(f"/api/v1/stats?{PERIOD}", headers=mine).get_json()
    assert list(stats["centers"]) == ["X01"]
    compared = hub_client.get(f"/api/v1/compare/centers?{PERIOD}", headers=mine).get_json()
    assert [c["code"] for c in compared["centers"]] == ["X01"]
    book = load_workbook(io.BytesIO(hub_client.get(
        "/api/v1/reports/monthly.xlsx?month=2026-11", headers=mine).data))
    codes = [row[0] for row in book.active.iter_rows(min_row=6, values_only=True) if row[1]]
    assert codes == ["X01", ""] or codes == ["X01", None]


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-13-01&to=2026-11-23", "from"), ("from=2026-11-23&to=2026-11-01", "to"),
    ("from=2025-01-01&to=2026-11-23", "to"), ("from=yesterday", "from")])
def test_bad_periods_are_422_naming_the_field(hub_client, centers, viewer, query, field):
    answer = hub_client.get(f"/api/v1/centers/X01/stats?{query}", headers=viewer())
    assert answer.status_code == 422
    assert f"'{field}'" in answer.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/compare/weeks?weeks=0", "/api/v1/compare/weeks?weeks=x",
                                  "/api/v1/reports/monthly.xlsx?month=11-2026"])
def test_other_bad_queries_are_422(hub_client, centers, viewer, path):
    assert hub_client.get(path, headers=viewer()).status_code == 422


def test_login_logout_and_a_disabled_person(hub_client, hub_db, hub_clock, centers):
    accounts.add_user(hub_db, "van-phong", "mat-khau-tinh")
    answer = login(hub_client, "van-phong", "sai-mat-khau")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "bad_credentials"
    answer = login(hub_client, "van-phong", "mat-khau-tinh")
    assert answer.get_json() == {"user": "van-phong", "center": None}
    assert hub_client.get("/api/v1/centers").status_code == 200
    accounts.disable_user(hub_db, "van-phong", now=hub_clock.now())
    assert hub_client.get("/api/v1/centers").status_code == 401
    assert hub_client.post("/api/v1/auth/logout", json={}).status_code == 200


def test_logins_are_json_only_and_limited(hub_client, hub_db, centers):
    accounts.add_user(hub_db, "van-phong", "mat-khau-tinh")
    form = hub_client.post("/api/v1/auth/login", data={"username": "van-phong",
                                                       "password": "mat-khau-tinh"})
    assert form.status_code == 400
    assert hub_client.post("/api/v1/auth/logout", data="x").status_code == 400
    for _ in range(5):
        assert login(hub_client, "van-phong", "doan-mo").status_code == 401
    answer = login(hub_client, "van-phong", "mat-khau-tinh")
    assert answer.status_code == 429


@pytest.mark.parametrize("body", [{}, {"username": "a"}, {"username": 1, "password": "x"}])
def test_a_login_missing_a_field_names_it(hub_client, centers, body):
    answer = hub_client.post("/api/v1/auth/login", json=body)
    assert answer.status_code == 422


def test_pages_ask_for_a_login_and_refuse_other_centers(hub_client, hub_db, centers, viewer):
    page = hub_client.get("/")
    assert page.status_code == 401 and "Đăng nhập" in page.get_data(as_text=True)
    assert hub_client.get("/centers/X01").status_code == 401
    assert hub_client.get("/", headers=centers["X01"]).status_code == 403
    accounts.add_user(hub_db, "x01", "mat-khau-x01", center="X01")
    login(hub_client, "x01", "mat-khau-x01")
    assert hub_client.get("/").status_code == 200
    assert hub_client.get("/centers/X01").status_code == 200
    refused = hub_client.get("/centers/X02")
    assert refused.status_code == 403
    assert "chỉ được xem số liệu của trung tâm mình" in refused.get_data(as_text=True)
    assert hub_client.get("/centers/ZZ9").status_code == 404


def test_pages_carry_a_strict_policy_and_no_inline_script(hub_client, centers, viewer):
    page = hub_client.get("/", headers=viewer())
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "cdn" not in html.lower()


def test_health_answers_anyone(hub_client):
    answer = hub_client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.get_json()["database"] == "ok"


def test_unknown_paths_and_methods_answer_in_the_contracts_shape(hub_client):
    assert hub_client.get("/api/v1/nothing").get_json()["error"]["code"] == "unknown_route"
    assert hub_client.delete("/api/v1/centers").status_code == 405
