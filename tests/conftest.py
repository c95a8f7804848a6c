"""Shared fixtures: a fresh appliance per test on a temporary data dir and a fake clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pytest  # noqa: E402

from queue_core.service import auth  # noqa: E402
from queue_core.service.center import Center  # noqa: E402
from queue_core.domain.clock import VIETNAM, FakeClock  # noqa: E402
from queue_core.config import Settings, load_settings  # noqa: E402
from queue_core.storage import Store  # noqa: E402

# A Monday morning, an hour after opening.
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_8AM)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


# The tests' center keeps no public holidays: they move the clock across days freely
# (Tuesday 24 November is Vietnam Cultural Day). Holidays have tests of their own.
NO_HOLIDAYS = {"center": {"public_holidays": False}}


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return load_settings(env={"XEPHANG_DATA_DIR": str(data_dir)}, overrides=NO_HOLIDAYS)


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store.open(":memory:")
    yield store
    store.close()


@pytest.fixture
def events() -> list[Any]:
    return []


@pytest.fixture
def center(settings: Settings, store: Store, clock: FakeClock, events: list[Any]) -> Center:
    return Center(settings, store, clock=clock, publish=events.extend)


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[Any]:
    from queue_core.web.app import create_app

    app = create_app(settings, clock=clock, test_config={"TESTING": True})
    yield app
    app.extensions["xephang"].store.close()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def token_for(app: Any, clock: FakeClock) -> Callable[..., dict[str, str]]:
    """Return Authorization headers for a new device token of `role`."""

    def make(role: str, counter: int | None = None, name: str | None = None) -> dict[str, str]:
        store = app.extensions["xephang"].store
        secret = auth.create_token(store, name or f"{role}-{counter or 0}", role=role,
                                   counter=counter, now=clock.now())
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def kiosk(token_for: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token_for("kiosk")


@pytest.fixture
def manager(token_for: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token_for("manager")


@pytest.fixture
def socket_client(app: Any, client: Any) -> Callable[..., Any]:
    """Return a factory of Socket.IO test clients sharing the HTTP client's cookies."""
    from queue_core.web.app import socketio_of

    made = []

    def make(auth_data: dict[str, str] | None = None, *, with_cookies: bool = False) -> Any:
        kwargs: dict[str, Any] = {"auth": auth_data}
        if with_cookies:
            kwargs["flask_test_client"] = client
        sio = socketio_of(app).test_client(app, **kwargs)
        made.append(sio)
        return sio

    yield make
    for sio in made:
        if sio.is_connected():
            sio.disconnect()


# --- the province hub: one PostgreSQL per session, a fresh database per test ---------------------
# Debian's PostgreSQL 15 started by the tests themselves on a temporary directory
# (`support_postgres`); each test gets `CREATE DATABASE … TEMPLATE` of a database the hub's
# migrations already upgraded, so it starts in milliseconds on an empty hub.

HUB_TEMPLATE = "hub_template"
_hub_databases = iter(range(1, 1_000_000))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    from support_postgres import PostgresServer

    from queue_core.province.storage.database import Database
    from queue_core.province.storage.migrations import migrate

    server = PostgresServer().start()
    try:
        db = Database(server.create_database(HUB_TEMPLATE), max_size=1).open()
        with db.transaction() as conn:
            migrate(conn)
        db.close()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def hub_url(postgres: Any) -> Iterator[str]:
    """The address of a fresh, upgraded, empty hub database."""
    name = f"hub_test_{next(_hub_databases)}"
    url: str = postgres.create_database(name, template=HUB_TEMPLATE)
    yield url
    postgres.drop_database(name)
