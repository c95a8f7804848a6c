"""Fixtures of the province hub: one PostgreSQL per session, a fresh database per test.

The server is Debian's PostgreSQL 15 started by the tests themselves on a temporary
directory (`support_postgres`); every test gets `CREATE DATABASE … TEMPLATE` of a database
the migrations already upgraded, so a test starts in milliseconds on an empty hub.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from support_postgres import PostgresServer

from queue_core.clock import VIETNAM, FakeClock
from queue_core.province import accounts
from queue_core.province.storage.database import Database
from queue_core.province.storage.migrations import migrate

# A Monday morning at the province's office.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
TEMPLATE = "hub_template"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        url = server.create_database(TEMPLATE)
        db = Database(url, max_size=1).open()
        with db.transaction() as conn:
            migrate(conn)
        db.close()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def hub_url(postgres: PostgresServer) -> Iterator[str]:
    name = f"hub_test_{next(_names)}"
    url = postgres.create_database(name, template=TEMPLATE)
    yield url
    postgres.drop_database(name)


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
