"""Pairing a satellite with the core: show a code, wait for an admin, keep the token.

A satellite started without a token asks the core for a pairing, says the 6-digit code and
where an admin types it (the core's admin console), then asks every few seconds until the
admin approved it; the token comes once and is kept in a file only its owner reads.

>>> token = pair(CoreClient("http://192.168.1.10:8000"), "announcer", name="loa-sanh",
...              say=print, stop=threading.Event())     # doctest: +SKIP
Mã ghép nối (pairing code): 123 456 — quản trị viên mở http://192.168.1.10:8000/admin → …
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from queue_core.client.rest import CoreClient, CoreUnreachable

__all__ = ["PairingStopped", "pair", "read_token", "save_token"]


class PairingStopped(RuntimeError):
    """The satellite was stopped before an admin approved it."""


def pair(client: CoreClient, device: str, *, name: str | None, say: Callable[[str], None],
         stop: threading.Event, interval: float = 2.0) -> str:
    """Return a token once an admin approved this device's code (a new code when one expires)."""
    while not stop.is_set():
        try:
            started = client.post("/api/v1/pairing", {"device": device, "name": name})
        except CoreUnreachable:
            say(f"Không kết nối được {client.core_url}; thử lại… (the core cannot be reached)")
            stop.wait(max(interval, 0.01) * 2.5)
            continue
        if started.status != 201:
            say(f"Chưa lấy được mã ghép nối: {started.error_message or started.status}")
            stop.wait(max(interval, 0.01) * 10)
            continue
        pairing = started.data
        code = f"{pairing['code'][:3]} {pairing['code'][3:]}"
        say(f"Mã ghép nối (pairing code): {code} — quản trị viên mở "
            f"{pairing.get('address', client.core_url)}/admin → Thiết bị và nhập mã này.")
        while not stop.is_set():
            stop.wait(interval)
            try:
                answer = client.get(f"/api/v1/pairing/{pairing['id']}")
            except CoreUnreachable:
                continue
            if answer.status == 404:
                break  # expired: ask for a fresh code
            if answer.ok and answer.data.get("status") == "approved":
                say(f"Đã ghép nối: {answer.data.get('name')} (paired)")
                return str(answer.data["token"])
    raise PairingStopped("stopped before the pairing was approved")


def read_token(path: Path) -> str | None:
    """Return the token kept in `path`, if there is one."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None


def save_token(path: Path, token: str) -> None:
    """Keep a device token in `path`, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.replace(temporary, path)
