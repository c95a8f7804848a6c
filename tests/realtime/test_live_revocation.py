"""A revoked device and a disabled officer are cut off a live `xephang serve` at once.

Real Socket.IO clients (python-socketio) hold connections; the admin revokes the kiosk's
token and disables an officer over HTTP; both connections are dropped and cannot come back.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
import socketio
from support_live import Listener, LiveServer, pause

pytestmark = [pytest.mark.slow]


def _wait(condition, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline_steps = int(seconds / 0.05)
    for _ in range(deadline_steps):
        if condition():
            return True
        pause(0.05)
    return condition()


def _add_user(server: LiveServer, username: str, role: str, counter: int | None = None) -> None:
    args = ["user", "add", username, "--role", role, "--password-stdin"]
    if counter is not None:
        args += ["--counter", str(counter)]
    subprocess.run(server._cli(*args), env=server.env, input="mat-khau-an-toan\n", text=True,
                   check=True, capture_output=True, cwd=server.data_dir.parent)


def _login(server: LiveServer, username: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(f"{server.url}/api/v1/auth/login",
                          json={"username": username, "password": "mat-khau-an-toan"}, timeout=10)
    answer.raise_for_status()
    return session, answer.json()["csrf_token"]


def test_a_revoked_kiosk_and_a_disabled_officer_are_cut_off(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "var") as server:
        _add_user(server, "quantri", "admin")
        _add_user(server, "lan", "staff", counter=1)
        kiosk_token = server.token("kiosk")
        server.start()
        admin, csrf = _login(server, "quantri")
        officer, _ = _login(server, "lan")
        # No reconnection loop left running after the test (a fresh connection is tried below).
        kiosk = Listener(server.url, token=kiosk_token, rooms=["board", "kiosk"],
                         reconnection=False).connect()
        desk = socketio.Client(reconnection=False, handle_sigint=False, http_session=officer)
        desk.connect(server.url, wait_timeout=10)
        try:
            assert kiosk.sio.connected and desk.connected
            listed = admin.get(f"{server.url}/api/v1/tokens", timeout=10).json()
            token_id = next(t["id"] for t in listed if t["role"] == "kiosk")
            revoked = admin.delete(f"{server.url}/api/v1/tokens/{token_id}",
                                   headers={"X-CSRFToken": csrf}, timeout=10)
            assert revoked.status_code == 200 and revoked.json()["connections_dropped"] >= 1
            assert _wait(lambda: not kiosk.sio.connected), "the revoked kiosk stayed connected"
            # It cannot come back: a fresh connection with the token is refused.
            again = socketio.Client(reconnection=False, handle_sigint=False)
            with pytest.raises(socketio.exceptions.ConnectionError):
                again.connect(server.url, auth={"token": kiosk_token}, wait_timeout=5)
            assert requests.get(f"{server.url}/api/v1/auth/me", timeout=10,
                                headers={"Authorization": f"Bearer {kiosk_token}"}
                                ).status_code == 401
            disabled = admin.patch(f"{server.url}/api/v1/users/lan", json={"disabled": True},
                                   headers={"X-CSRFToken": csrf}, timeout=10)
            assert disabled.status_code == 200
            assert _wait(lambda: not desk.connected), "the disabled officer stayed connected"
            assert officer.get(f"{server.url}/api/v1/auth/me", timeout=10).status_code == 401
        finally:
            kiosk.disconnect()
            if desk.connected:
                desk.disconnect()


def test_a_token_revoked_from_the_command_line_is_cut_off_within_seconds(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "var") as server:
        wall_token = server.token("display")
        server.start()
        wall = Listener(server.url, token=wall_token, rooms=["board"], reconnection=False).connect()
        try:
            listed = subprocess.run(server._cli("token", "list", "--json"), env=server.env,
                                    text=True, check=True, capture_output=True,
                                    cwd=server.data_dir.parent)
            assert '"role": "display"' in listed.stdout
            subprocess.run(server._cli("token", "revoke", "1"), env=server.env, text=True,
                           check=True, capture_output=True, cwd=server.data_dir.parent)
            # The server notices a revocation made elsewhere on its next sweep (every 10 s).
            assert _wait(lambda: not wall.sio.connected, seconds=30), \
                "the revoked screen stayed connected"
        finally:
            wall.disconnect()
