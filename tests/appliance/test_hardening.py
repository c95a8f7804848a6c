"""Hardening: a session key kept once, security headers, rate limits, the bind address, the first admin."""

from __future__ import annotations

import base64
import hashlib
import stat
from typing import Any

import pytest
from click.testing import CliRunner

from queue_core.cli import serve
from queue_core.service import auth
from queue_core.cli.serve import ensure_first_admin
from queue_core.cli import main
from queue_core.domain.clock import FakeClock
from queue_core.config import Settings
from queue_core.storage import Store
from queue_core.web.app import create_app
from queue_core.web.headers import inline_script_hashes

PASSWORD = "mat-khau-an-toan"


def test_sessions_survive_a_restart(settings: Settings, clock: FakeClock) -> None:
    first = create_app(settings, clock=clock, test_config={"TESTING": True})
    store = first.extensions["xephang"].store
    auth.add_user(store, "lan", PASSWORD, role="staff", counter=2, now=clock.now())
    client = first.test_client()
    assert client.post("/api/v1/auth/login",
                       json={"username": "lan", "password": PASSWORD}).status_code == 200
    cookie = client.get_cookie("xephang_session")
    assert cookie is not None
    store.close()
    key = settings.data_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # The box restarts: a new app on the same data dir reads the same key.
    second = create_app(settings, clock=clock, test_config={"TESTING": True})
    try:
        assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"] == key.read_text()
        again = second.test_client()
        again.set_cookie("xephang_session", cookie.value)
        me = again.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.get_json()["user"]["username"] == "lan"
    finally:
        second.extensions["xephang"].store.close()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize("path", ["/", "/manager", "/kiosk", "/display/wall", "/counter"])
def test_pages_carry_security_headers(client: Any, path: str) -> None:
    page = client.get(path)
    assert page.status_code in (200, 401) and page.mimetype == "text/html"
    headers = page.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "connect-src 'self' ws://localhost wss://localhost" in policy
    scripts = policy.split("script-src ", 1)[1].split(";")[0].split()
    assert "'unsafe-inline'" not in scripts and scripts[0] == "'self'"
    # The page's own inline scripts run, by hash; nothing else inline does.
    for source in inline_script_hashes(page.get_data(as_text=True)):
        assert source in scripts


def test_api_answers_carry_headers_without_a_page_policy(client: Any) -> None:
    answer = client.get("/api/v1/state")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in answer.headers
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_inline_script_hash_matches_what_browsers_compute() -> None:
    body = "\n  var a = 1;\n"
    html = f"<p>x</p><script>{body}</script><script src=/s.js></script><SCRIPT>{body}</SCRIPT>"
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert inline_script_hashes(html) == [f"'sha256-{digest}'"]


def test_login_is_rate_limited(app: Any, client: Any, clock: FakeClock) -> None:
    auth.add_user(app.extensions["xephang"].store, "lan", PASSWORD, role="staff", counter=2,
                  now=clock.now())
    for _ in range(5):
        assert client.post("/api/v1/auth/login",
                           json={"username": "lan", "password": "doan-bua"}).status_code == 401
    locked = client.post("/api/v1/auth/login", json={"username": "lan", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "too_many_requests"


def test_server_binds_to_the_configured_address(settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from gunicorn.app.base import BaseApplication

    from queue_core.ops import server

    seen: dict[str, Any] = {}

    def capture(self: Any) -> None:
        seen["bind"] = self.cfg.bind
        seen["post_worker_init"] = self.cfg.post_worker_init

    monkeypatch.setattr(BaseApplication, "run", capture)
    server.run_gunicorn(settings.replace(server={"host": "192.0.2.7", "port": 8123}), create_app)
    assert seen["bind"] == ["192.0.2.7:8123"]
    assert seen["post_worker_init"] is server._worker_ready


def test_no_admin_is_made_without_someone_at_the_keyboard(store: Store,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert ensure_first_admin(store, interactive=False) is False
    assert "xephang user add" in capsys.readouterr().err
    assert store.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_first_admin_is_asked_for_at_a_terminal(settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "at_terminal", lambda: True)
    runner = CliRunner()
    data = ["--data-dir", str(settings.data_path)]
    # A password too short is refused and asked again; no default is ever offered.
    typed = "quantri\nngan\nngan\nquantri\nmat-khau-dai-hon\nmat-khau-dai-hon\n"
    result = runner.invoke(main, ["first-admin", *data], input=typed)
    assert result.exit_code == 0, result.output
    assert "admin created" in result.output and "at least 8" in result.output
    store = Store.in_data_dir(settings.data_path)
    try:
        assert auth.authenticate(store, "quantri", "mat-khau-dai-hon") is not None
    finally:
        store.close()
    # Once an admin exists, nothing is asked.
    assert runner.invoke(main, ["first-admin", *data], input="").exit_code == 0
