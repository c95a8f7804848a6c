"""Fixtures of the province hub: one PostgreSQL per session, a fresh database per test.

`postgres` and `hub_url` live in tests/conftest.py (the browser tests use them too).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.province import accounts
from queue_core.province.storage.database import Database

# A Monday morning at the province's office.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
_names = itertools.count(1)


@pytest.fixture
def hub_db(hub_url: str) -> Iterator[Database]:
    db = Database(hub_url, max_size=4).open()
    yield db
    db.close()


@pytest.fixture
def hub_clock() -> FakeClock:
    return FakeClock(MONDAY_9AM)


@pytest.fixture
def hub_app(hub_db: Database, hub_clock: FakeClock) -> Any:
    from queue_core.province.web.app import create_app

    return create_app(hub_db, clock=hub_clock, test_config={"TESTING": True})


@pytest.fixture
def hub_client(hub_app: Any) -> Any:
    return hub_app.test_client()


@pytest.fixture
def center_token(hub_db: Database) -> Callable[..., dict[str, str]]:
    """Register a center and return its box's Authorization header."""

    def make(code: str = "X01", name: str | None = None) -> dict[str, str]:
        token = accounts.add_center(hub_db, code, name or f"Trung tâm Phục vụ Hành chính công {code}")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def viewer(hub_db: Database) -> Callable[..., dict[str, str]]:
    """Return the Authorization header of a new read token (province-wide or one center)."""

    def make(name: str = "van-phong", center: str | None = None) -> dict[str, str]:
        token = accounts.create_viewer_token(hub_db, f"{name}-{next(_names)}", center=center)
        return {"Authorization": f"Bearer {token}"}

    return make
