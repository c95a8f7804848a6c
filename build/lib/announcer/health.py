"""The announcer's health: what is wrong right now, summed up as one `device_status`.

Parts of the announcer (audio, voice, engine, speech, voice pack) each set or clear
their own condition; the status is the worst of them.

>>> health = Health()
>>> health.set("voice", "degraded", "voice_missing", voice="vi-xx", fallback="vi")
>>> health.status().status, health.status().code
('degraded', 'voice_missing')
>>> health.clear("voice"); health.status().status
'ok'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .messages import render

__all__ = ["DEVICE", "SEVERITIES", "DeviceStatus", "Health"]

DEVICE = "announcer"
SEVERITIES = ("ok", "degraded", "error")


@dataclass(frozen=True)
class Condition:
    """One thing that is wrong with one part."""

    severity: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, **self.params)


@dataclass(frozen=True)
class DeviceStatus:
    """The announcer's health as the contract's `device_status` payload."""

    status: str
    message: str
    code: str = "ok"
    conditions: tuple[Condition, ...] = ()
    device: str = DEVICE

    def payload(self) -> dict[str, str]:
        """Return the `device_status` event payload (CONTRACT.md) plus a machine-readable code."""
        return {"device": self.device, "status": self.status, "message": self.message,
                "code": self.code}

    def has(self, code: str) -> bool:
        """Return True if a condition with `code` is part of this status."""
        return any(c.code == code for c in self.conditions)


class Health:
    """Conditions by part, with listeners called on every change of the summed-up status."""

    def __init__(self, lang: str = "vi") -> None:
        self.lang = lang
        self._conditions: dict[str, Condition] = {}
        self._listeners: list[Callable[[DeviceStatus], None]] = []
        self._lock = threading.Lock()
        self._last = self._summary()

    def set(self, part: str, severity: str, code: str, **params: Any) -> None:
        """Record that `part` is in trouble (`severity` "degraded" or "error")."""
        if severity not in SEVERITIES[1:]:
            raise ValueError(f"severity must be degraded or error, not {severity!r}")
        self._change(part, Condition(severity, code, dict(params)))

    def clear(self, part: str) -> None:
        """Record that `part` works again."""
        self._change(part, None)

    def get(self, part: str) -> Condition | None:
        """Return the condition of `part`, or None when it is fine."""
        with self._lock:
            return self._conditions.get(part)

    def status(self) -> DeviceStatus:
        """Return the summed-up status."""
        with self._lock:
            return self._summary()

    def add_listener(self, listener: Callable[[DeviceStatus], None]) -> None:
        """Call `listener(status)` whenever the summed-up status changes."""
        with self._lock:
            self._listeners.append(listener)

    def _change(self, part: str, condition: Condition | None) -> None:
        with self._lock:
            if self._conditions.get(part) == condition:
                return
            if condition is None:
                self._conditions.pop(part, None)
            else:
                self._conditions[part] = condition
            summary = self._summary()
            changed = summary != self._last
            self._last = summary
            listeners = list(self._listeners)
        if changed:
            for listener in listeners:
                listener(summary)

    def _summary(self) -> DeviceStatus:
        conditions = sorted(self._conditions.values(),
                            key=lambda c: -SEVERITIES.index(c.severity))
        if not conditions:
            return DeviceStatus("ok", render("ok", self.lang))
        return DeviceStatus(
            status=conditions[0].severity,
            message=" ".join(c.message(self.lang) for c in conditions),
            code=conditions[0].code,
            conditions=tuple(conditions),
        )
