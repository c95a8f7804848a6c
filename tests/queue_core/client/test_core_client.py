"""CoreClient, the one REST client of the satellites: answers, refusals, an absent core."""

from __future__ import annotations

import socket

import pytest
from support_core import Core

from queue_core.client.rest import CoreClient, CoreUnreachable, Reply


def test_answers_and_refusals_are_replies(core: Core) -> None:
    client = CoreClient(core.url + "/", core.token("keypad", 2))
    state = client.get("/api/v1/state")
    assert state.ok and state.status == 200 and state.data["seq"] == 0
    nobody = client.post("/api/v1/counters/2/call-next")
    assert nobody.status == 204 and nobody.data is None and nobody.ok
    wrong = client.post("/api/v1/counters/3/call-next")
    assert wrong.status == 403 and wrong.error_code == "wrong_counter" and wrong.error_message
    assert not wrong.ok


def test_the_token_is_sent_and_headers_pass_through(core: Core) -> None:
    anonymous = CoreClient(core.url).post("/api/v1/tickets", {"service": "A"})
    assert anonymous.status == 401
    kiosk = CoreClient(core.url, core.token("kiosk"))
    first = kiosk.post("/api/v1/tickets", {"service": "A"}, headers={"Idempotency-Key": "k-12345678"})
    again = kiosk.post("/api/v1/tickets", {"service": "A"}, headers={"Idempotency-Key": "k-12345678"})
    assert (first.status, again.status) == (201, 200)
    assert first.data["id"] == again.data["id"]


def test_an_absent_core_is_unreachable_not_a_reply() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CoreUnreachable, match="did not answer"):
        CoreClient(f"http://127.0.0.1:{port}", "t", timeout=1).get("/api/v1/state")
    assert isinstance(CoreUnreachable("x"), ConnectionError)


def test_a_reply_without_the_error_shape_has_no_code() -> None:
    assert Reply(500, "not json").error_code == "" and Reply(500, None).error is None
