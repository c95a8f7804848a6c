"""The staff console's pages and read model, and ratings from a counter's device or a ticket page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from queue_core.domain.messages import CATALOG
from queue_core.service import auth
from queue_core.service.ratings import RATING_GRACE_SECONDS, rating_window_seconds

Headers = dict[str, str]


def error_of(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"} and error["message"]
    return error  # type: ignore[no-any-return]


@pytest.fixture
def officer(app: Any, clock: Any) -> str:
    auth.add_user(app.extensions["xephang"].store, "lan", "mat-khau-an-toan", role="staff",
                  counter=2, now=clock.now())
    return "lan"


@pytest.fixture
def staff2(token_for: Callable[..., Headers]) -> Headers:
    return token_for("staff", 2)


@pytest.fixture
def rater(token_for: Callable[..., Headers]) -> Headers:
    return token_for("kiosk", name="danh-gia-quay-2")


def served_at_2(client: Any, kiosk: Headers, staff2: Headers, service: str = "A") -> dict[str, Any]:
    """Issue a ticket, call it at counter 2 and finish it; return the finished Ticket.

    It carries the `holder_key` the issue answer gave (what its QR code holds).
    """
    issued = client.post("/api/v1/tickets", json={"service": service}, headers=kiosk).get_json()
    client.post("/api/v1/counters/2/call-next", headers=staff2)
    finished = client.post("/api/v1/counters/2/finish", headers=staff2)
    assert finished.status_code == 200
    return {**finished.get_json(), "holder_key": issued["holder_key"]}


# --- pages -------------------------------------------------------------------------------------

def test_console_page_is_a_shell_with_a_login_form(client: Any) -> None:
    page = client.get("/counter")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="login-form"' in html and "Đăng nhập bàn làm việc" in html
    assert "/static/core/staff.js" in html and "/static/core/vendor/socket.io.min.js" in html
    for key in ("N", "L", "V", "X", "C", "T"):
        assert f"<kbd>{key}</kbd>" in html
    assert "Quầy 5 — F, A" in html
    for asset in ("staff.js", "staff.css", "rate.js", "rate.css", "rating.js"):
        assert client.get(f"/static/core/{asset}").status_code == 200


def test_rating_device_page(client: Any) -> None:
    html = client.get("/rate/3").get_data(as_text=True)
    assert "Quầy 3" in html and "Đánh giá mức độ hài lòng" in html
    assert "Rất hài lòng" in html and "Chờ lâu" in html
    # Without a token the tablet shows a pairing code (pairing.js) for the admin console.
    assert 'id="rate-pairing"' in html and "pairing.js" in html
    assert client.get("/rate/9").status_code == 404


def test_rating_options_follow_the_configuration(app: Any, client: Any) -> None:
    options = client.get("/api/v1/ratings/options").get_json()
    assert options["levels"] == [{"level": "very_satisfied", "label": "Rất hài lòng"},
                                 {"level": "satisfied", "label": "Hài lòng"},
                                 {"level": "unsatisfied", "label": "Không hài lòng"}]
    assert options["reasons"][0] == "Chờ lâu" and options["reasons_for"] == ["unsatisfied"]
    assert options["idle_seconds"] == 20
    settings = app.extensions["xephang"].settings
    assert options["window_seconds"] == rating_window_seconds(settings) == 50


# --- the counter's read model ------------------------------------------------------------------

def test_counter_queue_in_call_order_with_no_shows_and_todays_counts(
        client: Any, clock: Any, kiosk: Headers, staff2: Headers) -> None:
    for service, priority in [("A", None), ("B", None), ("C", None), ("A", "elderly")]:
        clock.advance(seconds=1)
        client.post("/api/v1/tickets", json={"service": service, "priority": priority}, headers=kiosk)
    queue = client.get("/api/v1/counters/2/queue", headers=staff2).get_json()
    assert [t["label"] for t in queue["waiting"]] == ["A002", "A001", "B001"]
    assert [t["ahead"] for t in queue["waiting"]] == [0, 1, 2]
    assert queue["waiting"][0]["priority"] == "elderly"
    assert queue["counter"] == {"number": 2, "name": "Quầy 2", "services": ["A", "B"],
                                "state": "open", "current": None}
    assert queue["today"] == {"served": 0, "no_show": 0, "mean_service_s": None, "mean_wait_s": None}

    clock.advance(minutes=4)
    called = client.post("/api/v1/counters/2/call-next", headers=staff2).get_json()
    assert called["label"] == "A002"
    clock.advance(minutes=6)
    client.post("/api/v1/counters/2/finish", headers=staff2)
    client.post("/api/v1/counters/2/call-next", headers=staff2)
    client.post("/api/v1/counters/2/no-show", headers=staff2)
    queue = client.get("/api/v1/counters/2/queue", headers=staff2).get_json()
    assert [t["label"] for t in queue["waiting"]] == ["B001"]
    assert [t["label"] for t in queue["no_show"]] == ["A001"]
    assert queue["today"] == {"served": 1, "no_show": 1, "mean_service_s": 360, "mean_wait_s": 240}
    assert queue["seq"] == client.get("/api/v1/state").get_json()["seq"]

    # The no-show turns up: calling it from the list brings it back to this counter.
    again = client.post("/api/v1/counters/2/call", json={"ticket": queue["no_show"][0]["id"]},
                        headers=staff2).get_json()
    assert (again["label"], again["state"], again["counter"]) == ("A001", "called", 2)
    queue = client.get("/api/v1/counters/2/queue", headers=staff2).get_json()
    assert queue["no_show"] == [] and queue["counter"]["current"]["label"] == "A001"


def test_counter_queue_needs_staff(client: Any, kiosk: Headers, officer: str) -> None:
    error_of(client.get("/api/v1/counters/2/queue"), 401)
    error_of(client.get("/api/v1/counters/2/queue", headers=kiosk), 403)
    client.post("/api/v1/auth/login", json={"username": "lan", "password": "mat-khau-an-toan"})
    # A GET from the console's session needs no CSRF token.
    assert client.get("/api/v1/counters/2/queue").status_code == 200
    assert error_of(client.get("/api/v1/counters/9/queue"), 404)["code"] == "unknown_counter"


# --- ratings from the counter's device ---------------------------------------------------------

def test_device_rating_is_kept_once_with_its_reason(
        app: Any, client: Any, kiosk: Headers, staff2: Headers, rater: Headers) -> None:
    ticket = served_at_2(client, kiosk, staff2)
    rated = client.post("/api/v1/counters/2/rating", headers=rater,
                        json={"ticket": ticket["id"], "level": "unsatisfied", "comment": "Chờ lâu"})
    assert rated.status_code == 201
    assert rated.get_json()["level"] == "unsatisfied"
    stored = app.extensions["xephang"].store.rating(ticket["id"])
    assert (stored.level, stored.comment, stored.counter, stored.service) == (
        "unsatisfied", "Chờ lâu", 2, "A")
    twice = client.post("/api/v1/counters/2/rating", headers=rater,
                        json={"ticket": ticket["id"], "level": "very_satisfied"})
    assert error_of(twice, 409)["code"] == "already_rated"
    by_holder = client.post(f"/api/v1/tickets/{ticket['id']}/citizen-rating",
                            json={"level": "very_satisfied", "key": ticket["holder_key"]})
    assert error_of(by_holder, 409)["code"] == "already_rated"
    assert app.extensions["xephang"].store.rating(ticket["id"]).level == "unsatisfied"


def test_device_rating_refused_when_not_done_elsewhere_or_late(
        client: Any, clock: Any, kiosk: Headers, staff2: Headers, rater: Headers) -> None:
    waiting = client.post("/api/v1/tickets", json={"service": "B"}, headers=kiosk).get_json()
    refused = client.post("/api/v1/counters/2/rating", headers=rater,
                          json={"ticket": waiting["id"], "level": "satisfied"})
    assert error_of(refused, 409)["code"] == "not_rateable"
    client.post("/api/v1/counters/2/call-next", headers=staff2)
    called = client.post("/api/v1/counters/2/rating", headers=rater,
                         json={"ticket": waiting["id"], "level": "satisfied"})
    assert error_of(called, 409)["code"] == "not_rateable"
    client.post("/api/v1/counters/2/finish", headers=staff2)

    elsewhere = client.post("/api/v1/counters/3/rating", headers=rater,
                            json={"ticket": waiting["id"], "level": "satisfied"})
    error = error_of(elsewhere, 409)
    assert error["code"] == "rating_wrong_counter" and "B001" in error["message"]

    clock.advance(seconds=rating_window_seconds(client.application.extensions["xephang"].settings) + 1)
    late = client.post("/api/v1/counters/2/rating", headers=rater,
                       json={"ticket": waiting["id"], "level": "satisfied"})
    error = error_of(late, 409)
    assert error["code"] == "rating_expired"
    assert error["message"] == "Đã hết thời gian đánh giá số B001."


def test_device_rating_just_inside_the_window(
        client: Any, clock: Any, kiosk: Headers, staff2: Headers, rater: Headers) -> None:
    ticket = served_at_2(client, kiosk, staff2)
    clock.advance(seconds=2 * 20 + RATING_GRACE_SECONDS)
    rated = client.post("/api/v1/counters/2/rating", headers=rater,
                        json={"ticket": ticket["id"], "level": "satisfied"})
    assert rated.status_code == 201


@pytest.mark.parametrize("body,status,code", [
    ({"level": "satisfied"}, 422, "invalid_input"),
    ({"ticket": "nope", "level": "satisfied"}, 404, "unknown_ticket"),
    ({"ticket": 5, "level": "satisfied"}, 422, "invalid_input"),
    ({"ticket": "@", "level": "delighted"}, 422, "invalid_input"),
    ({"ticket": "@", "level": "satisfied", "comment": 7}, 422, "invalid_input"),
    ({"ticket": "@", "level": "satisfied", "comment": "x" * 501}, 422, "invalid_input"),
])
def test_device_rating_bad_input(client: Any, kiosk: Headers, staff2: Headers, rater: Headers,
                                 body: dict[str, Any], status: int, code: str) -> None:
    ticket = served_at_2(client, kiosk, staff2)
    body = {key: ticket["id"] if value == "@" else value for key, value in body.items()}
    assert error_of(client.post("/api/v1/counters/2/rating", json=body, headers=rater),
                    status)["code"] == code


def test_device_rating_needs_a_kiosk_token(client: Any, kiosk: Headers, staff2: Headers,
                                           token_for: Callable[..., Headers]) -> None:
    ticket = served_at_2(client, kiosk, staff2)
    body = {"ticket": ticket["id"], "level": "satisfied"}
    error_of(client.post("/api/v1/counters/2/rating", json=body), 401)
    error_of(client.post("/api/v1/counters/2/rating", json=body, headers=staff2), 403)
    error_of(client.post("/api/v1/counters/2/rating", json=body, headers=token_for("display")), 403)
    assert error_of(client.post("/api/v1/counters/8/rating", json=body, headers=kiosk),
                    404)["code"] == "unknown_counter"
    assert client.post("/api/v1/counters/2/rating", json=body, headers=kiosk).status_code == 201


# --- ratings from the citizen's own ticket page ------------------------------------------------

def test_holder_rating_once_the_same_day(app: Any, client: Any, clock: Any, kiosk: Headers,
                                         staff2: Headers) -> None:
    waiting = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    key = waiting["holder_key"]
    early = client.post(f"/api/v1/tickets/{waiting['id']}/citizen-rating",
                        json={"level": "satisfied", "key": key})
    assert error_of(early, 409)["code"] == "not_rateable"
    client.post("/api/v1/counters/2/call-next", headers=staff2)
    client.post("/api/v1/counters/2/finish", headers=staff2)
    clock.advance(hours=2)
    rated = client.post(f"/api/v1/tickets/{waiting['id']}/citizen-rating",
                        json={"level": "very_satisfied", "key": key})
    assert rated.status_code == 201
    assert error_of(client.post(f"/api/v1/tickets/{waiting['id']}/citizen-rating",
                                json={"level": "satisfied", "key": key}), 409)["code"] == "already_rated"

    other = served_at_2(client, kiosk, staff2)
    clock.advance(days=1)
    late = client.post(f"/api/v1/tickets/{other['id']}/citizen-rating",
                       json={"level": "satisfied", "key": other["holder_key"]})
    assert error_of(late, 409)["code"] == "rating_expired"
    assert error_of(client.post("/api/v1/tickets/unknown/citizen-rating",
                                json={"level": "satisfied"}), 404)["code"] == "unknown_ticket"


def test_holder_ratings_are_throttled_per_address(client: Any) -> None:
    for _ in range(10):
        error_of(client.post("/api/v1/tickets/unknown/citizen-rating", json={"level": "satisfied"}), 404)
    assert error_of(client.post("/api/v1/tickets/unknown/citizen-rating",
                                json={"level": "satisfied"}), 429)["code"] == "too_many_requests"


def test_two_apps_do_not_share_the_holder_throttle(app: Any, settings: Any, clock: Any) -> None:
    from queue_core.web.app import create_app

    for _ in range(10):
        app.test_client().post("/api/v1/tickets/x/citizen-rating", json={"level": "satisfied"})
    other = create_app(settings.replace(server={"data_dir": str(settings.data_path) + "-2"}),
                       clock=clock, test_config={"TESTING": True})
    try:
        response = other.test_client().post("/api/v1/tickets/x/citizen-rating",
                                            json={"level": "satisfied"})
        assert response.status_code == 404
    finally:
        other.extensions["xephang"].store.close()


def test_new_messages_exist_in_both_languages() -> None:
    for code in ("rating_expired", "rating_wrong_counter"):
        assert CATALOG[code]["vi"] and CATALOG[code]["en"]
