"""What a stranger on the hall's Wi-Fi tried, tried again over HTTP and Socket.IO.

Each test is one hole a black-box probe found, tried the way the probe did: ratings by
ticket id alone, the kiosk's rating route, the kiosk's limit through another route,
series running out, login floods in the audit log, sessions that outlive a logout,
officers acting for another counter, devices reporting for the box, a full disk, and
spreadsheet formulas in an export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from queue_core.domain import lifecycle, numbering
from queue_core.domain.clock import FakeClock
from queue_core.service import accounts, audit, auth
from queue_core.storage import Store

Headers = dict[str, str]
PASSWORD = "mat-khau-an-toan"


def error_of(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    return error  # type: ignore[no-any-return]


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), (response.status_code, response.get_json())
    return response.get_json()


@pytest.fixture
def staff1(token_for: Callable[..., Headers]) -> Headers:
    return token_for("staff", 1, name="quay-1")


@pytest.fixture
def staff2(token_for: Callable[..., Headers]) -> Headers:
    return token_for("staff", 2, name="quay-2")


def finished_at(client: Any, issuer: Headers, officer: Headers, counter: int,
                service: str = "A") -> dict[str, Any]:
    """Issue a ticket, call and finish it at `counter`; return it with its holder key."""
    issued = ok(client.post("/api/v1/tickets", json={"service": service}, headers=issuer))
    called = ok(client.post(f"/api/v1/counters/{counter}/call-next", headers=officer))
    assert called["id"] == issued["id"]
    done = ok(client.post(f"/api/v1/counters/{counter}/finish", headers=officer))
    return {**done, "holder_key": issued["holder_key"]}


# --- 1. ratings by anyone ------------------------------------------------------------------------

def test_a_ticket_id_alone_rates_nothing(app: Any, client: Any, manager: Headers,
                                         staff1: Headers) -> None:
    ticket = finished_at(client, manager, staff1, 1)
    rate = f"/api/v1/tickets/{ticket['id']}/citizen-rating"
    # What the probe did: the id from the wall screen, no key.
    assert error_of(client.post(rate, json={"level": "unsatisfied"}), 403)["code"] == \
        "wrong_ticket_key"
    for wrong in ("", "x", ticket["holder_key"][:-1], ticket["holder_key"] + "x",
                  ticket["holder_key"].upper()):
        if wrong == ticket["holder_key"]:
            continue
        error_of(client.post(rate, json={"level": "unsatisfied", "key": wrong}), 403)
    assert app.extensions["xephang"].store.rating(ticket["id"]) is None
    # The holder, with the key from the QR code, is not blocked by any of it.
    ok(client.post(rate, json={"level": "satisfied", "key": ticket["holder_key"]}))
    assert app.extensions["xephang"].store.rating(ticket["id"]).level == "satisfied"


def test_the_holder_key_is_in_no_public_answer_event_list_or_log(
        app: Any, client: Any, kiosk: Headers, manager: Headers, staff1: Headers,
        socket_client: Callable[..., Any], token_for: Callable[..., Headers]) -> None:
    board = socket_client()
    board.emit("subscribe", {"rooms": ["board", "counter:1"]}, callback=True)
    device = socket_client({"token": token_for("kiosk", name="sanh")["Authorization"][7:]})
    device.emit("subscribe", {"rooms": ["kiosk", "board"]}, callback=True)
    ticket = finished_at(client, kiosk, staff1, 1)
    waiting = ok(client.post("/api/v1/kiosk/tickets", json={"service": "A", "print": False},
                             headers=kiosk))["ticket"]
    keys = [ticket["holder_key"], waiting["holder_key"]]
    assert all(keys) and len(set(keys)) == 2
    seen = [json.dumps(board.get_received()), json.dumps(device.get_received())]
    for path, headers in (
            ("/api/v1/state", {}), (f"/api/v1/tickets/{ticket['id']}", {}),
            (f"/api/v1/tickets/{waiting['id']}", {}), ("/api/v1/counters", {}),
            ("/api/v1/counters/1", {}), ("/api/v1/services", {}),
            ("/api/v1/counters/1/queue", staff1), ("/api/v1/tickets", manager),
            (f"/api/v1/tickets/{ticket['id']}/transitions", manager),
            ("/api/v1/audit?all=1", manager), ("/api/v1/stats/export.csv", manager),
            ("/api/v1/stats/live", manager), (f"/t/{ticket['id']}", {})):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, path
        seen.append(answer.get_data(as_text=True))
    for text in seen:
        for key in keys:
            assert key not in text


def test_the_printed_qr_code_carries_the_key_and_the_public_picture_does_not(
        app: Any, client: Any, kiosk: Headers, settings: Any) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    answer = ok(client.post("/api/v1/kiosk/tickets", json={"service": "A"}, headers=kiosk))
    ticket = answer["ticket"]
    assert answer["print"]["printed"] is True
    printed = max((settings.data_path / "printer-jobs").glob("*.png"),
                  key=lambda path: path.stat().st_mtime)

    def qr(image: Any) -> str:
        found = zxingcpp.read_barcodes(image.convert("L"))
        assert len(found) == 1
        return str(found[0].text)

    page = f"/t/{ticket['id']}?k={ticket['holder_key']}"
    assert qr(Image.open(printed)).endswith(page)
    public = client.get(f"/api/v1/tickets/{ticket['id']}/ticket.png?width=384")
    assert qr(Image.open(io.BytesIO(public.data))).endswith(f"/t/{ticket['id']}")
    own = client.get(f"/api/v1/tickets/{ticket['id']}/ticket.png?width=384&k="
                     f"{ticket['holder_key']}")
    assert qr(Image.open(io.BytesIO(own.data))).endswith(page)


def test_old_ticket_pages_still_show_but_offer_no_rating(client: Any, kiosk: Headers,
                                                         staff1: Headers) -> None:
    ticket = finished_at(client, kiosk, staff1, 1)
    bare = client.get(f"/t/{ticket['id']}").get_data(as_text=True)
    assert ticket["label"] in bare and 'id="t-rating"' not in bare and "quét mã QR" in bare
    keyed = client.get(f"/t/{ticket['id']}?k={ticket['holder_key']}").get_data(as_text=True)
    assert 'id="t-rating"' in keyed and f'data-key="{ticket["holder_key"]}"' in keyed
    wrong = client.get(f"/t/{ticket['id']}?k=nope").get_data(as_text=True)
    assert 'id="t-rating"' not in wrong


# --- 2. one rating rule for every device route ----------------------------------------------------

def test_the_kiosk_rating_route_keeps_the_rating_window(client: Any, clock: FakeClock,
                                                        kiosk: Headers, manager: Headers,
                                                        staff1: Headers) -> None:
    old = finished_at(client, manager, staff1, 1)
    clock.advance(minutes=30)
    late = client.post(f"/api/v1/tickets/{old['id']}/rating", json={"level": "unsatisfied"},
                       headers=kiosk)
    assert error_of(late, 409)["code"] == "rating_expired"
    fresh = finished_at(client, manager, staff1, 1)
    ok(client.post(f"/api/v1/tickets/{fresh['id']}/rating", json={"level": "satisfied"},
                   headers=kiosk))
    waiting = ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=manager))
    assert error_of(client.post(f"/api/v1/tickets/{waiting['id']}/rating",
                                json={"level": "satisfied"}, headers=kiosk), 409)["code"] == \
        "not_rateable"


def test_a_rating_device_of_one_counter_rates_only_there_by_either_route(
        client: Any, manager: Headers, staff1: Headers, staff2: Headers,
        token_for: Callable[..., Headers]) -> None:
    tablet1 = token_for("kiosk", 1, name="danh-gia-quay-1")
    at2 = finished_at(client, manager, staff2, 2)
    for answer in (
            client.post(f"/api/v1/tickets/{at2['id']}/rating", json={"level": "unsatisfied"},
                        headers=tablet1),
            client.post("/api/v1/counters/2/rating",
                        json={"ticket": at2["id"], "level": "unsatisfied"}, headers=tablet1)):
        assert error_of(answer, 403)["code"] == "wrong_counter"
    at1 = finished_at(client, manager, staff1, 1)
    ok(client.post(f"/api/v1/tickets/{at1['id']}/rating", json={"level": "satisfied"},
                   headers=tablet1))


def test_device_ratings_are_throttled_on_both_routes(client: Any, kiosk: Headers,
                                                     manager: Headers, staff1: Headers) -> None:
    from queue_core.service.ratings import DEVICE_RATINGS_PER_MINUTE

    routes = [lambda: client.post("/api/v1/tickets/none/rating", json={"level": "satisfied"},
                                  headers=kiosk),
              lambda: client.post("/api/v1/counters/1/rating",
                                  json={"ticket": "none", "level": "satisfied"}, headers=kiosk)]
    for i in range(DEVICE_RATINGS_PER_MINUTE):
        assert routes[i % 2]().status_code == 404
    for route in routes:
        assert error_of(route(), 429)["code"] == "too_many_requests"


def test_the_lookup_kiosk_takes_numbers_and_ratings_by_the_same_rules(
        app: Any, client: Any, clock: FakeClock, staff1: Headers,
        staff2: Headers, socket_client: Callable[..., Any],
        token_for: Callable[..., Headers]) -> None:
    """The look-up kiosk (/lookup) issues and rates through the kiosk's routes: one rule."""
    lookup = token_for("kiosk", name="tra-cuu")
    page = client.get("/lookup").get_data(as_text=True)
    # Its rating requests come over the counters' rooms, as the page listens to them.
    listener = socket_client({"token": lookup["Authorization"][7:]})
    listener.emit("subscribe", {"rooms": ["counter:1", "counter:2"]}, callback=True)
    # A number taken on the look-up page, as lookup.js asks for it.
    taken = ok(client.post("/api/v1/kiosk/tickets", json={"service": "A", "priority": None},
                           headers=lookup))["ticket"]
    assert taken["holder_key"] and taken["holder_key"] not in page
    # Its limit is the kiosk's, whichever issuing route the token uses.
    limit = app.extensions["xephang"].settings.kiosk.tickets_per_minute
    for _ in range(limit - 1):
        ok(client.post("/api/v1/tickets", json={"service": "B"}, headers=lookup))
    assert error_of(client.post("/api/v1/kiosk/tickets", json={"service": "A"},
                                headers=lookup), 429)["code"] == "kiosk_rate_limited"
    # The rating it takes: the counter's own rule, the window included.
    ok(client.post("/api/v1/counters/1/call-next", headers=staff1))   # the page's own A
    served = {**ok(client.post("/api/v1/counters/1/finish", headers=staff1)),
              "holder_key": taken["holder_key"]}
    assert served["id"] == taken["id"]
    requested = [m["args"][0] for m in listener.get_received()
                 if m["name"] == "rating_requested"]
    assert requested and requested[-1]["ticket"]["id"] == served["id"]
    assert served["holder_key"] not in json.dumps(requested)
    clock.advance(minutes=5)
    late = client.post("/api/v1/counters/1/rating",
                       json={"ticket": served["id"], "level": "unsatisfied"}, headers=lookup)
    assert error_of(late, 409)["code"] == "rating_expired"
    ok(client.post("/api/v1/counters/2/call-next", headers=staff2))   # one of its B
    fresh = ok(client.post("/api/v1/counters/2/finish", headers=staff2))
    wrong = client.post("/api/v1/counters/1/rating",
                        json={"ticket": fresh["id"], "level": "unsatisfied"}, headers=lookup)
    assert error_of(wrong, 409)["code"] == "rating_wrong_counter"
    ok(client.post("/api/v1/counters/2/rating", json={"ticket": fresh["id"], "level": "satisfied"},
                   headers=lookup))
    twice = client.post(f"/api/v1/tickets/{fresh['id']}/rating", json={"level": "unsatisfied"},
                        headers=lookup)
    assert error_of(twice, 409)["code"] == "already_rated"
    # Without the holder key nobody else rates what the page showed.
    assert error_of(client.post(f"/api/v1/tickets/{served['id']}/citizen-rating",
                                json={"level": "unsatisfied"}), 403)["code"] == "wrong_ticket_key"


# --- 3. the kiosk's limit and series that never run out ------------------------------------------

def test_the_kiosk_limit_holds_on_every_issuing_route(app: Any, client: Any, kiosk: Headers,
                                                      manager: Headers) -> None:
    limit = app.extensions["xephang"].settings.kiosk.tickets_per_minute
    routes = [lambda: client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk),
              lambda: client.post("/api/v1/kiosk/tickets", json={"service": "A", "print": False},
                                  headers=kiosk)]
    for i in range(limit):
        assert routes[i % 2]().status_code == 201
    for route in routes:
        assert error_of(route(), 429)["code"] == "kiosk_rate_limited"
    # People at a desk are not a kiosk.
    ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=manager))
    assert app.extensions["xephang"].store.ticket_count() == limit + 1


def seed_numbers(app: Any, clock: FakeClock, service: str, count: int) -> None:
    """Put `count` tickets of `service` in today's series (setup for a boundary)."""
    store: Store = app.extensions["xephang"].store
    settings = app.extensions["xephang"].settings
    field = settings.service(service)
    style = settings.center.label_style
    with store.write():
        for number in range(1, count + 1):
            label = numbering.format_label(service, number, style=style,
                                           numeric_base=field.numeric_base)
            step = lifecycle.issue(ticket_id=f"seed-{service}-{number}", service=service,
                                   number=number, label=label, priority=None, channel="kiosk",
                                   now=clock.now(), actor="seed")
            store.insert_ticket(step.ticket)


@pytest.mark.parametrize(("style", "before", "after", "spoken"), [
    ("prefix", "A999", "A1000", "a một không không không"),
    ("numeric", "1999", "11000", "mười một nghìn"),
])
def test_a_series_widens_past_999_and_is_read_aloud(
        settings: Any, clock: FakeClock, style: str, before: str, after: str,
        spoken: str) -> None:
    from queue_core.web.app import create_app, socketio_of

    app = create_app(settings.replace(center={"label_style": style}), clock=clock,
                     test_config={"TESTING": True})
    try:
        client = app.test_client()
        manager = {"Authorization": "Bearer " + auth.create_token(
            app.extensions["xephang"].store, "giamdoc", role="manager", counter=None,
            now=clock.now())}
        staff = {"Authorization": "Bearer " + auth.create_token(
            app.extensions["xephang"].store, "quay-1", role="staff", counter=1, now=clock.now())}
        seed_numbers(app, clock, "A", 998)
        board = socketio_of(app).test_client(app)
        board.emit("subscribe", {"rooms": ["board"]}, callback=True)
        labels = [ok(client.post("/api/v1/tickets", json={"service": "A"},
                                 headers=manager))["label"] for _ in range(3)]
        assert labels[:2] == [before, after]
        assert len(set(labels)) == 3
        # Other fields keep their own range.
        other = ok(client.post("/api/v1/tickets", json={"service": "B"}, headers=manager))
        assert other["label"] not in labels
        with app.extensions["xephang"].store.write():
            app.extensions["xephang"].store.conn.execute(
                "UPDATE tickets SET state = 'done' WHERE id LIKE 'seed-%'")
        clock.advance(minutes=1)
        ok(client.post("/api/v1/counters/1/call-next", headers=staff))   # A999 / 1999
        ok(client.post("/api/v1/counters/1/finish", headers=staff))
        called = ok(client.post("/api/v1/counters/1/call-next", headers=staff))
        assert called["label"] == after
        speech = [m["args"][0]["speech"] for m in board.get_received()
                  if m["name"] == "ticket_called"]
        assert f"số thứ tự {spoken} đến quầy số một" in speech[-1]
        board.disconnect()
    finally:
        app.extensions["xephang"].store.close()


def test_a_series_used_up_says_where_to_go(app: Any, client: Any, kiosk: Headers,
                                           clock: FakeClock) -> None:
    center = app.extensions["xephang"].center
    center.marks.reserve(clock.now().date().isoformat(), "A", numbering.MAX_NUMBER_PER_DAY)
    refused = client.post("/api/v1/kiosk/tickets", json={"service": "A"}, headers=kiosk)
    error = error_of(refused, 409)
    assert error["code"] == "series_exhausted"
    assert "cán bộ" in error["message"] and "Quý công dân" in error["message"]
    ok(client.post("/api/v1/kiosk/tickets", json={"service": "B"}, headers=kiosk))


# --- 4. login floods in the audit log -----------------------------------------------------------

def test_three_thousand_failed_logins_leave_a_handful_of_rows(app: Any, client: Any,
                                                             manager: Headers) -> None:
    store: Store = app.extensions["xephang"].store
    before = store.audit_size()
    for i in range(1500):
        client.post("/api/v1/auth/login", json={"username": "admin", "password": f"guess{i}"})
    for i in range(1500):
        # The probe's other form: a new 200-character name every time.
        client.post("/api/v1/auth/login",
                    json={"username": f"{i:04d}" + "x" * 196, "password": "guess"})
    rows = store.audit_size() - before
    limits = app.extensions["xephang"].settings.security
    # One entry per name and window (a few names get in before the address's limit),
    # one for all the names past it.
    assert rows <= 2 + limits.login_attempts_per_address_per_minute + 1
    entries = [e for e in ok(client.get("/api/v1/audit?limit=1000", headers=manager))
               if e["action"] in ("login_failed", "login_throttled")]
    assert sum(e["count"] for e in entries) == 3000
    assert max(len(e["target"]) for e in entries) <= len("user:") + audit.NAME_CHARS


def test_the_audit_log_is_kept_within_its_days_and_rows(app: Any, clock: FakeClock) -> None:
    from queue_core.ops.upkeep import trim_audit

    xephang = app.extensions["xephang"]
    settings = xephang.settings.replace(security={"audit_keep_days": 30,
                                                  "audit_keep_rows": 1000})
    store: Store = xephang.store
    for days_ago in (40, 35):
        with store.write():
            store.add_audit(at=clock.now() - timedelta(days=days_ago), actor="user:lan",
                            action="login")
    with store.write():
        for _ in range(1500):
            store.add_audit(at=clock.now(), actor="user:lan", action="login")
    assert trim_audit(settings, xephang.center) == 502
    assert store.audit_size() == 1000


# --- 5. sessions, and officers acting for another counter ----------------------------------------

@pytest.fixture
def lan(app: Any, clock: FakeClock) -> str:
    auth.add_user(app.extensions["xephang"].store, "lan", PASSWORD, role="staff", counter=1,
                  now=clock.now())
    return "lan"


def log_in(client: Any, username: str = "lan") -> tuple[Headers, str]:
    answer = ok(client.post("/api/v1/auth/login",
                            json={"username": username, "password": PASSWORD}))
    cookie = client.get_cookie("xephang_session")
    assert cookie is not None
    return {"X-CSRFToken": answer["csrf_token"]}, cookie.value


def replay(app: Any, cookie: str) -> Any:
    """A new browser that presents an old session cookie."""
    other = app.test_client()
    other.set_cookie("xephang_session", cookie)
    return other


def test_logout_ends_the_session_on_the_box(app: Any, client: Any, lan: str,
                                            manager: Headers) -> None:
    csrf, cookie = log_in(client)
    ok(client.get("/api/v1/counters/1/queue"))
    ok(client.post("/api/v1/auth/logout", headers=csrf))
    stolen = replay(app, cookie)
    assert stolen.get("/api/v1/auth/me").status_code == 401
    assert stolen.get("/api/v1/counters/1/queue").status_code == 401
    assert stolen.post("/api/v1/counters/1/call-next", headers=csrf).status_code == 401
    # A new login works, and an old cookie's logout cannot end the new session.
    csrf, fresh = log_in(client)
    ok(stolen.post("/api/v1/auth/logout", headers=csrf))
    assert replay(app, fresh).get("/api/v1/auth/me").status_code == 200
    assert [e["action"] for e in ok(client.get("/api/v1/audit?actor=user:lan",
                                               headers=manager))][:3] == \
        ["login", "logout", "login"]


@pytest.mark.parametrize("end", ["end_sessions", "set_password", "disable_user"])
def test_a_new_password_or_disabling_ends_every_session(app: Any, client: Any, clock: FakeClock,
                                                        lan: str, end: str) -> None:
    store = app.extensions["xephang"].store
    _, first = log_in(client)
    _, second = log_in(app.test_client())
    if end == "set_password":
        auth.set_password(store, "lan", "mat-khau-moi-123", now=clock.now(), actor="user:admin")
    else:
        getattr(auth, end)(store, "lan", now=clock.now(), actor="user:admin")
    for cookie in (first, second):
        assert replay(app, cookie).get("/api/v1/auth/me").status_code == 401
    if end == "set_password":
        assert client.post("/api/v1/auth/login",
                           json={"username": "lan", "password": PASSWORD}).status_code == 401
        ok(client.post("/api/v1/auth/login",
                       json={"username": "lan", "password": "mat-khau-moi-123"}))
    if end == "disable_user":
        assert client.post("/api/v1/auth/login",
                           json={"username": "lan", "password": PASSWORD}).status_code == 401
        auth.disable_user(store, "lan", now=clock.now(), actor="user:admin", disabled=False)
        log_in(client)


def test_an_ended_session_gets_no_private_room(app: Any, client: Any, lan: str,
                                              socket_client: Callable[..., Any]) -> None:
    csrf, _ = log_in(client)
    sio = socket_client(with_cookies=True)
    assert sio.emit("subscribe", {"rooms": ["staff"]}, callback=True)["ok"] is True
    ok(client.post("/api/v1/auth/logout", headers=csrf))
    refused = sio.emit("subscribe", {"rooms": ["staff"]}, callback=True)
    assert refused["error"]["code"] == "forbidden"


def test_a_revoked_device_token_is_refused_at_once(app: Any, client: Any, clock: FakeClock,
                                                  token_for: Callable[..., Headers]) -> None:
    """The mechanism the admin console's device list will use: revoke by name, 401 next."""
    headers = token_for("kiosk", name="kiosk-mat")
    ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=headers))
    assert len(accounts.revoke(app.extensions["xephang"].store, "kiosk-mat", actor="user:admin",
                               now=clock.now())) == 1
    refused = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    assert error_of(refused, 401)["code"] == "unauthorized"
    assert client.get("/api/v1/kiosk/config", headers=headers).status_code == 401


@pytest.fixture
def tickets(client: Any, manager: Headers) -> dict[str, dict[str, Any]]:
    """A waiting ticket of field C (counter 4's) and of field A (counter 1's)."""
    return {code: ok(client.post("/api/v1/tickets", json={"service": code}, headers=manager))
            for code in ("C", "A")}


def officer_of_counter_1(app: Any, client: Any, lan: str, how: str) -> Headers:
    if how == "token":
        return {"Authorization": "Bearer " + auth.create_token(
            app.extensions["xephang"].store, "keypad-1", role="staff", counter=1,
            now=app.extensions["xephang"].center.clock.now())}
    csrf, _ = log_in(client)
    return csrf


@pytest.mark.parametrize("how", ["session", "token"])
@pytest.mark.parametrize(("method", "path", "body"), [
    ("PUT", "/api/v1/tickets/{C}/priority", {"priority": "elderly"}),
    ("POST", "/api/v1/tickets/{C}/cancel", None),
    ("POST", "/api/v1/tickets/{C}/restore", None),
    ("GET", "/api/v1/tickets/{C}/transitions", None),
    ("POST", "/api/v1/tickets/{C}/print", None),
    ("GET", "/api/v1/tickets?service=C", None),
    ("POST", "/api/v1/counters/2/call", {"ticket": "{A}"}),
    ("POST", "/api/v1/counters/2/call-next", None),
    ("POST", "/api/v1/counters/2/recall", None),
    ("POST", "/api/v1/counters/2/no-show", None),
    ("POST", "/api/v1/counters/2/finish", None),
    ("POST", "/api/v1/counters/2/transfer", {"service": "F"}),
    ("PUT", "/api/v1/counters/2/state", {"state": "paused"}),
    ("GET", "/api/v1/counters/2/queue", None),
])
def test_an_officer_of_counter_1_cannot_act_for_another_counter(
        app: Any, client: Any, lan: str, tickets: dict[str, dict[str, Any]], how: str,
        method: str, path: str, body: Any) -> None:
    headers = officer_of_counter_1(app, client, lan, how)
    ids = {code: t["id"] for code, t in tickets.items()}
    sent = json.loads(json.dumps(body).replace("{A}", ids["A"])) if body else None
    answer = client.open(path.format(**ids), method=method, json=sent, headers=headers)
    assert error_of(answer, 403)["code"] == "wrong_counter"
    store = app.extensions["xephang"].store
    assert store.ticket(ids["C"]).state == "waiting" and store.ticket(ids["C"]).priority is None


@pytest.mark.parametrize("how", ["session", "token"])
def test_an_officer_of_counter_1_works_its_own_fields(app: Any, client: Any, lan: str,
                                                     tickets: dict[str, dict[str, Any]],
                                                     how: str) -> None:
    headers = officer_of_counter_1(app, client, lan, how)
    own = tickets["A"]["id"]
    ok(client.put(f"/api/v1/tickets/{own}/priority", json={"priority": "elderly"},
                  headers=headers))
    listed = ok(client.get("/api/v1/tickets", headers=headers))
    assert [t["service"] for t in listed] == ["A"]
    ok(client.get("/api/v1/counters/1/queue", headers=headers))
    ok(client.get(f"/api/v1/tickets/{own}/transitions", headers=headers))
    ok(client.post(f"/api/v1/tickets/{own}/cancel", headers=headers))


# --- 6. devices report only themselves -----------------------------------------------------------

def test_a_kiosk_reports_only_its_own_status(app: Any, client: Any,
                                             socket_client: Callable[..., Any],
                                             token_for: Callable[..., Headers]) -> None:
    headers = token_for("kiosk", name="kiosk-sanh")
    kiosk = socket_client({"token": headers["Authorization"][7:]})
    for name in ["printer", "audio", "announcer", "storage", "kiosk:other"] + [
            f"fake-{i}" for i in range(200)]:
        refused = kiosk.emit("device_status", {"device": name, "status": "error",
                                               "message": "forged"}, callback=True)
        assert refused["error"]["code"] == "forbidden", name
    health = ok(client.get("/api/v1/health"))
    assert health["status"] == "ok" and set(health["devices"]) == {"printer", "audio"}
    own = kiosk.emit("device_status", {"status": "error", "message": "hết giấy"}, callback=True)
    assert own == {"ok": True, "device": "kiosk:kiosk-sanh"}
    assert kiosk.emit("device_status", {"device": "kiosk", "status": "error"},
                      callback=True)["ok"] is True
    health = ok(client.get("/api/v1/health"))
    assert health["devices"]["kiosk:kiosk-sanh"]["status"] == "error"
    assert health["status"] == "ok" and health["printer"] == "emulated"
    # The print report route is the kiosk's own printer too.
    ticket = ok(client.post("/api/v1/kiosk/tickets", json={"service": "A", "print": False},
                            headers=headers))["ticket"]
    ok(client.post(f"/api/v1/tickets/{ticket['id']}/print-result",
                   json={"printed": False, "status": "offline", "message": "x"}, headers=headers))
    health = ok(client.get("/api/v1/health"))
    assert health["printer"] == "emulated" and health["status"] == "ok"
    assert health["devices"]["kiosk:kiosk-sanh"]["status"] == "offline"


# --- 8. a full disk ------------------------------------------------------------------------------

@pytest.fixture
def small_disk(app: Any) -> Iterator[Store]:
    """The app's database may grow by a few pages only (SQLite's page limit)."""
    store: Store = app.extensions["xephang"].store
    store.page_limit(store.page_count() + 3)
    yield store
    store.page_limit(1_073_741_823)


def test_a_full_disk_is_507_storage_full_and_loses_nothing(
        app: Any, client: Any, manager: Headers, small_disk: Store,
        socket_client: Callable[..., Any], staff1: Headers) -> None:
    staff_room = socket_client({"token": manager["Authorization"][7:]})
    staff_room.emit("subscribe", {"rooms": ["staff", "board"]}, callback=True)
    issued = []
    while True:
        answer = client.post("/api/v1/tickets", json={"service": "A", "priority": None},
                             headers=manager)
        if answer.status_code != 201:
            break
        issued.append(answer.get_json())
        assert len(issued) < 5000
    error = error_of(answer, 507)
    assert error["code"] == "storage_full" and error["message"].startswith("Bộ nhớ của máy đầy")
    seq = ok(client.get("/api/v1/state"))["seq"]
    assert small_disk.ticket_count() == len(issued) and seq == len(issued) + 0
    health = ok(client.get("/api/v1/health"))
    assert health["status"] == "degraded" and health["storage"] == "full"
    assert health["reasons"][0]["code"] == "storage_full"
    assert health["reasons"][0]["message"].startswith("Bộ nhớ của máy đầy")
    # A counter's action is refused the same way; reads go on.
    error_of(client.post("/api/v1/counters/1/call-next", headers=staff1), 507)
    assert ok(client.get("/api/v1/counters/1/queue", headers=staff1))["counter"]["current"] is None
    pushed = [m["args"][0] for m in staff_room.get_received() if m["name"] == "device_status"]
    assert pushed[-1]["device"] == "storage" and pushed[-1]["status"] == "error"
    assert "Bộ nhớ" in pushed[-1]["message"]
    # Space again: the next write works and everyone hears so.
    small_disk.page_limit(1_073_741_823)
    ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=manager))
    assert ok(client.get("/api/v1/health"))["status"] == "ok"
    pushed = [m["args"][0] for m in staff_room.get_received() if m["name"] == "device_status"]
    assert pushed[-1] == {"device": "storage", "status": "ok", "message": ""}


# --- 11. a big body, and formulas in an export ---------------------------------------------------

def test_a_login_body_over_64_kb_is_413_in_the_contracts_shape(client: Any, caplog: Any) -> None:
    big = {"username": "admin", "password": "x" * 70_000}
    answer = client.post("/api/v1/auth/login", json=big)
    error = error_of(answer, 413)
    assert error["code"] == "payload_too_large" and "64 KB" in error["message"]
    assert "Traceback" not in caplog.text and "unexpected error" not in caplog.text


@pytest.mark.parametrize("comment", [
    "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", " =1+1", "\n=1+1",
    "\u00a0=1+1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20A1",
])
def test_exports_never_hand_a_spreadsheet_a_formula(app: Any, client: Any, manager: Headers,
                                                    staff1: Headers, comment: str) -> None:
    ticket = finished_at(client, manager, staff1, 1)
    ok(client.post(f"/api/v1/tickets/{ticket['id']}/citizen-rating",
                   json={"level": "unsatisfied", "comment": comment,
                         "key": ticket["holder_key"]}))
    day = ticket["day"]
    text = client.get(f"/api/v1/stats/export.csv?from={day}&to={day}",
                      headers=manager).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    remark = rows[0].index("Góp ý")
    assert rows[1][remark] == "'" + comment
    workbook = client.get(f"/api/v1/stats/export.xlsx?from={day}&to={day}", headers=manager)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.data))["Chi tiết"]
    headers = [cell.value for cell in sheet[1]]
    comments = [row[headers.index("Góp ý")]
                for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert comment.strip() in [str(c).strip() for c in comments]
    assert all(getattr(c, "data_type", "s") != "f" for row in sheet.iter_rows(min_row=2)
               for c in row)

