"""Fixtures of the web tests: an admin logged in on the test client."""

from __future__ import annotations

from typing import Any

import pytest

from queue_core.service import auth


@pytest.fixture
def admin(app: Any, client: Any, clock: Any) -> dict[str, str]:
    """An admin logged in on `client`; returns the CSRF header the writes need."""
    auth.add_user(app.extensions["xephang"].store, "quantri", "mat-khau-quan-tri", role="admin",
                  counter=None, now=clock.now())
    login = client.post("/api/v1/auth/login",
                        json={"username": "quantri", "password": "mat-khau-quan-tri"})
    assert login.status_code == 200
    return {"X-CSRFToken": login.get_json()["csrf_token"]}
