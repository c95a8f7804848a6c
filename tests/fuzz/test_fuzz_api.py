"""Schemathesis against the app, in process, from its own OpenAPI document.

Every operation gets valid and invalid requests (wrong types, missing fields, odd
strings) with a token of a role it accepts. Checked on every answer: no 5xx, every
4xx in the contract's shape `{"error": {"code", "message"}}`, status codes, content
types and 2xx bodies as the document says. A few real tickets exist beforehand (one
waiting, one called, one done, one no-show), so ids drawn from them reach past the 404.

`XEPHANG_FUZZ_EXAMPLES` sets the examples per operation (default 25).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from queue_core.service import auth
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import load_settings

# A Monday morning, an hour after opening: tickets can be issued.
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)
EXAMPLES = int(os.environ.get("XEPHANG_FUZZ_EXAMPLES", "25"))
ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class Fuzzed:
    """The app under test, its tokens and the tickets it starts with."""

    def __init__(self, data_dir: Path) -> None:
        from queue_core.web.app import create_app

        self.clock = FakeClock(MONDAY_8AM)
        settings = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir)})
        self.app = create_app(settings, clock=self.clock, test_config={"TESTING": True})
        xephang = self.app.extensions["xephang"]
        store, center = xephang.store, xephang.center
        self.tokens = {
            role: auth.create_token(store, f"fuzz-{role}", role=role, now=self.clock.now(),
                                    counter=1 if role in auth.COUNTER_BOUND_ROLES else None)
            for role in ("manager", "kiosk", "staff", "keypad", "display")
        }
        self.tickets = {}
        for state in ("done", "no_show", "called", "waiting"):
            ticket = center.issue("A", actor="fuzz")
            self.tickets[state] = ticket["id"]
            if state != "waiting":
                center.call_next(1, actor="fuzz")
            if state == "done":
                center.finish(1, actor="fuzz")
            elif state == "no_show":
                center.no_show(1, actor="fuzz")

    def headers_for(self, roles: list[str]) -> dict[str, str]:
        """Bearer headers of the best token for an operation: the manager may do it all."""
        if not roles:
            return {}
        return {"Authorization": f"Bearer {self.tokens['manager']}"}

    def close(self) -> None:
        self.app.extensions["xephang"].store.close()
        printing = self.app.extensions.get("xephang_printer")
        if printing is not None:
            printing.service.stop()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    target = Fuzzed(tmp_path_factory.mktemp("fuzz") / "var")
    yield target
    target.close()


@pytest.fixture(scope="module")
def api_schema(fuzzed: Fuzzed) -> Any:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed.app)
    schema.config.generation.update(max_examples=EXAMPLES)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schemathesis.check
def error_in_contract_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx is JSON {"error": {"code": snake_case, "message": text}}."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - any parse failure is the finding
        raise AssertionError(f"{response.status_code} body is not JSON: "
                             f"{response.text[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} body lacks 'error': {body!r}"
    assert isinstance(error.get("code"), str) and ERROR_CODE.match(error["code"]), body
    assert isinstance(error.get("message"), str) and error["message"].strip(), body
    return True


TURNS = itertools.count(1)
CHECKS = [not_a_server_error, error_in_contract_shape, status_code_conformance,
          content_type_conformance, response_schema_conformance]


def with_known_ids(case: Any, fuzzed: Fuzzed, turn: int) -> None:
    """Point two in three generated ids at real tickets and counters, past the lookup."""
    params = case.path_parameters
    if params is None or turn % 3 == 0:
        return
    if "ticket_id" in params:
        known = list(fuzzed.tickets.values())
        params["ticket_id"] = known[turn % len(known)]
    if "number" in params:
        params["number"] = 1 + turn % 5


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_within_the_contract(case: Any, fuzzed: Fuzzed) -> None:
    with_known_ids(case, fuzzed, next(TURNS))
    roles = case.operation.definition.raw.get("x-roles", [])
    case.call_and_validate(headers=fuzzed.headers_for(roles), checks=CHECKS)
