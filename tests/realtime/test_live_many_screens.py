"""A center's worth of screens and devices connected at once must not starve the API.

Five counter screens, a wall screen or two, a kiosk, the announcer, five staff consoles,
five rating devices, the manager, plus the tabs a busy day leaves open: forty live
Socket.IO connections is an ordinary day, not a load test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from support_live import Listener, LiveServer

pytestmark = [pytest.mark.slow]

SCREENS = 40


def test_forty_connected_screens_leave_the_api_answering(
        mode: str, make_server: Callable[..., LiveServer],
        listeners: Callable[..., Listener]) -> None:
    server = make_server(mode)
    kiosk, staff1 = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    screens = []
    for _ in range(SCREENS):
        screen = listeners(server.url, transports=["websocket"], reconnection=False)
        screen.connect(timeout=5)
        screens.append(screen)
    for screen in screens:
        screen.wait_boards(1, timeout=5)

    health = requests.get(f"{server.url}/api/v1/health", timeout=3)
    assert health.status_code == 200
    assert server.post("/tickets", kiosk, {"service": "A"}).status_code == 201
    called = requests.post(f"{server.url}/api/v1/counters/1/call-next", timeout=3,
                           headers={"Authorization": f"Bearer {staff1}"})
    assert called.status_code == 200
    for screen in screens:
        assert screen.wait_event("ticket_called", timeout=5)["ticket"]["label"] == "A001"
