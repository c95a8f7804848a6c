"""The one REST client a satellite talks to the core with: JSON over HTTP, a device token.

Standard library only, safe to share between threads (no session state), short
timeouts. An answer of any HTTP status is a `Reply`; no answer at all (network down,
core restarting) is `CoreUnreachable`, so callers tell "the core said no" from "the core
is not there".

>>> CoreClient("http://127.0.0.1:8000/", "xph_…").url("/api/v1/state")
'http://127.0.0.1:8000/api/v1/state'
>>> Reply(409, {"error": {"code": "counter_busy", "message": "…"}}).error_code
'counter_busy'
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CoreClient", "CoreUnreachable", "Reply"]


class CoreUnreachable(ConnectionError):
    """The queue core did not answer (network down, core restarting)."""


@dataclass(frozen=True)
class Reply:
    """An HTTP answer of the core: its status and JSON body (None when empty or not JSON)."""

    status: int
    data: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> dict[str, Any] | None:
        """Return the contract's `{"code", "message"}` of a refusal, if the body has one."""
        error = self.data.get("error") if isinstance(self.data, Mapping) else None
        return dict(error) if isinstance(error, Mapping) else None

    @property
    def error_code(self) -> str:
        return str((self.error or {}).get("code", ""))

    @property
    def error_message(self) -> str:
        return str((self.error or {}).get("message", ""))


class CoreClient:
    """JSON calls to the queue core at `core_url`, with a device token when one is given."""

    def __init__(self, core_url: str, token: str | None = None, *, timeout: float = 5.0) -> None:
        self.core_url = core_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def url(self, path: str) -> str:
        return self.core_url + path

    def request(self, method: str, path: str, body: Any = None, *,
                headers: Mapping[str, str] | None = None,
                timeout: float | None = None) -> Reply:
        """Send one request; raise CoreUnreachable when the core does not answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url(path), data=data, method=method)
        request.add_header("Accept", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                return Reply(answer.status, _json(answer.read()))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, _json(exc.read() if exc.fp else b""))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CoreUnreachable(f"the core at {self.core_url} did not answer: {reason}") from None

    def get(self, path: str, *, timeout: float | None = None) -> Reply:
        return self.request("GET", path, timeout=timeout)

    def post(self, path: str, body: Any = None, *, headers: Mapping[str, str] | None = None,
             timeout: float | None = None) -> Reply:
        return self.request("POST", path, body, headers=headers, timeout=timeout)

    def get_bytes(self, path: str, *, timeout: float | None = None) -> tuple[int, bytes]:
        """GET a file (a WAV, an image): its status and raw body; raise CoreUnreachable."""
        request = urllib.request.Request(self.url(path), method="GET")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read() if exc.fp else b""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CoreUnreachable(f"the core at {self.core_url} did not answer: {reason}") from None

    def close(self) -> None:
        """Nothing to release (no session is kept); here so owners can close what they own."""


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
