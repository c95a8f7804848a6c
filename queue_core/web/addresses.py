"""The box's own address, as other machines on the LAN reach it (never a guessed port).

A configured `kiosk.public_url` wins. Otherwise the address a request came in by, unless
that is the box talking to itself (127.0.0.1, localhost): then the box's LAN address with
the same port, so a code or a QR shown on the box's own screen works from a phone.

>>> is_loopback("127.0.0.1:8000"), is_loopback("192.168.1.10:8000")
(True, False)
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import Request

from queue_core.config import Settings


def is_loopback(host: str) -> bool:
    """Tell whether `host` (with or without a port) names this machine only."""
    name = urlsplit(f"//{host}").hostname or host
    if name in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """Return this box's address on its LAN (the one its default route leaves by), if any."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # No packet is sent: connecting a UDP socket only picks the outgoing interface.
        probe.connect(("10.255.255.255", 1))
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if ipaddress.ip_address(address).is_loopback else address


def box_url(request: Request, settings: Settings) -> str:
    """Return the base URL other machines reach this box by (no trailing slash)."""
    public = settings.kiosk.public_url.rstrip("/")
    if public:
        return public
    base = request.host_url.rstrip("/")
    if not is_loopback(request.host):
        return base
    lan = lan_address()
    if lan is None:
        return base
    port = urlsplit(base).port
    scheme = urlsplit(base).scheme
    return f"{scheme}://{lan}" + (f":{port}" if port else "")


__all__ = ["box_url", "is_loopback", "lan_address"]
