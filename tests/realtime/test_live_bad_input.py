"""Bad input over real HTTP, through gunicorn and through eventlet's server: never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from support_live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.faults]


def test_bad_requests_get_the_error_shape_and_never_a_500(
        mode: str, make_server: Callable[..., LiveServer]) -> None:
    server = make_server(mode)
    kiosk, display, staff1, staff2 = server.tokens(
        [("kiosk", None), ("display", None), ("staff", 1), ("staff", 2)])
    server.start()
    api = f"{server.url}/api/v1"
    http = requests.Session()

    def send(method: str, path: str, token: str | None = None, *, data: bytes | None = None,
             json: object = None, headers: dict[str, str] | None = None) -> requests.Response:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return http.request(method, f"{api}{path}", data=data, json=json, headers=sent,
                            timeout=10)

    def expect(answer: requests.Response, status: int, code: str | None = None,
               names: str | None = None) -> None:
        assert answer.status_code == status, (answer.request.method, answer.request.url,
                                              answer.status_code, answer.text)
        error = answer.json()["error"]
        assert isinstance(error["message"], str) and error["message"]
        if code is not None:
            assert error["code"] == code, error
        if names is not None:
            assert names in error["message"], error

    expect(send("POST", "/tickets", json={"service": "A"}), 401)
    expect(send("POST", "/tickets", "xph_wrong", json={"service": "A"}), 401)
    expect(send("POST", "/tickets", json={"service": "A"},
                headers={"Authorization": "Basic a2lvc2s6a2lvc2s="}), 401)
    expect(send("POST", "/tickets", display, json={"service": "A"}), 403)
    expect(send("POST", "/tickets", kiosk, data=b"{not json"), 400)
    expect(send("POST", "/tickets", kiosk, data=b"\xff\xfe\x00garbage"), 400)
    expect(send("POST", "/tickets", kiosk, data=b""), 400)
    expect(send("POST", "/tickets", kiosk, json=["A"]), 400)
    expect(send("POST", "/tickets", kiosk, json={}), 422, "invalid_input", "service")
    expect(send("POST", "/tickets", kiosk, json={"service": 5}), 422, "invalid_input", "service")
    expect(send("POST", "/tickets", kiosk, json={"service": "A", "priority": "vip"}), 422,
           "invalid_input", "priority")
    expect(send("POST", "/tickets", kiosk, json={"service": "Z"}), 404)
    # On its own connection: gunicorn drains at most 64 KiB of a body the app did not
    # read and then drops the connection, so a client must not reuse it after a 413.
    expect(requests.post(f"{api}/tickets", data=b'{"service": "' + b"A" * 70_000 + b'"}',
                         headers={"Authorization": f"Bearer {kiosk}", "Connection": "close",
                                  "Content-Type": "application/json"}, timeout=10), 413)
    expect(send("GET", "/tickets/no-such-ticket"), 404)
    expect(send("GET", "/speech?label=A001&counter=abc"), 422)
    expect(send("GET", "/no/such/route"), 404)

    expect(send("POST", "/counters/99/call-next", staff1), 404)
    expect(send("POST", "/counters/1/call-next", staff2), 403)
    expect(send("POST", "/counters/1/call-next", kiosk), 403)
    expect(send("POST", "/counters/1/finish", staff1), 409)
    expect(send("PUT", "/counters/1/state", staff1, json={"state": "asleep"}), 422,
           names="state")

    first = send("POST", "/tickets", kiosk, json={"service": "A"})
    second = send("POST", "/tickets", kiosk, json={"service": "A"})
    assert (first.status_code, second.status_code) == (201, 201)
    expect(send("POST", f"/tickets/{first.json()['id']}/rating", kiosk,
                json={"level": "satisfied"}), 409)
    assert send("POST", "/counters/1/call-next", staff1).status_code == 200
    expect(send("POST", "/counters/1/call-next", staff1), 409)        # still serving
    assert send("POST", "/counters/1/finish", staff1).status_code == 200
    rating = f"/tickets/{first.json()['id']}/rating"
    expect(send("POST", rating, kiosk, json={"level": "ecstatic"}), 422, names="level")
    assert send("POST", rating, kiosk, json={"level": "satisfied"}).status_code == 201
    expect(send("POST", rating, kiosk, json={"level": "satisfied"}), 409)

    # Still healthy, and nothing above touched the queue but the two good tickets.
    assert server.get("/health").json()["status"] in ("ok", "degraded")
    state = server.state()
    assert {s["code"]: s["waiting"] for s in state["services"]}["A"] == 1
    assert "Traceback" not in server.output()
