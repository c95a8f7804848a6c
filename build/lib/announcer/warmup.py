"""Guess the next calls from what the core pushes, so their sentences are rendered before they are needed.

Numbers in a field rise one by one and are called oldest first, so after
``A023`` was called the next calls of field A are most likely ``A024``,
``A025``…, at one of the open counters serving A. Priority tickets and
transfers break the guess now and then; a wrong guess only costs a render.

>>> forecast = CallForecast(ahead=2)
>>> forecast.apply_board({"seq": 7, "services": [{"code": "A", "waiting": 3}],
...     "counters": [{"number": 1, "services": ["A"], "state": "open", "current": None},
...                  {"number": 2, "services": ["A"], "state": "closed", "current": None}],
...     "recent_calls": [{"label": "A023", "counter": 1}]})
>>> forecast.likely_calls()
[('A024', 1), ('A025', 1)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CallForecast", "next_label"]

_LABEL = re.compile(r"(\D*)(\d+)")


def next_label(label: str) -> str | None:
    """Return the label issued right after `label` in its field ("A023" → "A024"), or None."""
    match = _LABEL.fullmatch(label.strip()) if isinstance(label, str) else None
    if match is None:
        return None
    prefix, digits = match.groups()
    return prefix + str(int(digits) + 1).zfill(len(digits))


def _number(label: str) -> int:
    match = _LABEL.fullmatch(label)
    return int(match.group(2)) if match else -1


@dataclass
class _Counter:
    services: tuple[str, ...]
    state: str


class CallForecast:
    """What the announcer knows of the queue, reduced to "who is likely called next, where"."""

    def __init__(self, *, ahead: int = 2, max_calls: int = 24) -> None:
        self.ahead = ahead
        self.max_calls = max_calls
        self._counters: dict[int, _Counter] = {}
        self._waiting: dict[str, int] = {}
        self._last_called: dict[str, str] = {}
        self._issued: dict[str, list[str]] = {}
        self._codes: set[str] = set()
        self._label_service: dict[str, str] = {}

    # -- events -----------------------------------------------------------------

    def apply_board(self, board: Mapping[str, Any]) -> None:
        """Take counters, waiting counts and the latest calls from a Board snapshot."""
        services = [s for s in board.get("services") or () if isinstance(s, Mapping)]
        self._codes = {str(s.get("code")) for s in services if s.get("code")}
        self._waiting = {str(s["code"]): _int(s.get("waiting")) for s in services if s.get("code")}
        self._counters = {}
        for counter in board.get("counters") or ():
            self.apply_counter(counter)
        # recent_calls is newest first: the first label seen per field is its latest call.
        latest: dict[str, str] = {}
        for counter in board.get("counters") or ():
            ticket = counter.get("current") if isinstance(counter, Mapping) else None
            service, label = self._remember(ticket)
            if service and label:
                self._called(service, label)
        for call in board.get("recent_calls") or ():
            label = str(call.get("label") or "") if isinstance(call, Mapping) else ""
            service = self._service_of(label)
            if service and service not in latest:
                latest[service] = label
        for service, label in latest.items():
            self._called(service, label)

    def apply_counter(self, counter: Any) -> None:
        """Take one counter's fields and state (`counter_updated`, or a board entry)."""
        if not isinstance(counter, Mapping):
            return
        number = _int(counter.get("number"))
        if number <= 0:
            return
        services = tuple(str(s) for s in counter.get("services") or ())
        self._counters[number] = _Counter(services, str(counter.get("state") or "open"))

    def apply_issued(self, ticket: Any) -> None:
        """Count a newly issued ticket (`ticket_issued`)."""
        service, label = self._remember(ticket)
        if service is None or label is None:
            return
        waiting = self._issued.setdefault(service, [])
        if label not in waiting:
            waiting.append(label)
            self._waiting[service] = self._waiting.get(service, 0) + 1

    def apply_called(self, ticket: Any, counter: Any = None) -> None:
        """Move a field on past the ticket just called (`ticket_called`)."""
        service, label = self._remember(ticket)
        if service is None or label is None:
            return
        waiting = self._issued.get(service, [])
        if label in waiting:
            waiting.remove(label)
            self._waiting[service] = max(0, self._waiting.get(service, 0) - 1)
        elif not (isinstance(ticket, Mapping) and ticket.get("recalls")):
            self._waiting[service] = max(0, self._waiting.get(service, 0) - 1)
        self._called(service, label)

    # -- the guess --------------------------------------------------------------

    def likely_calls(self) -> list[tuple[str, int]]:
        """Return (label, counter) pairs most likely to be called next, most likely first."""
        calls: list[tuple[str, int]] = []
        for rank in range(self.ahead):
            for service in sorted(self._waiting):
                labels = self._next_labels(service)
                if rank >= len(labels):
                    continue
                for number, counter in sorted(self._counters.items()):
                    if service in counter.services and counter.state == "open":
                        calls.append((labels[rank], number))
        return calls[: self.max_calls]

    def _next_labels(self, service: str) -> list[str]:
        count = min(self._waiting.get(service, 0), self.ahead)
        if count <= 0:
            return []
        last = self._last_called.get(service)
        if last is None:
            # Nothing called yet today: the oldest tickets we saw issued go first.
            return sorted(self._issued.get(service, []), key=_number)[:count]
        labels: list[str] = []
        label: str | None = last
        while len(labels) < count:
            label = next_label(label) if label else None
            if label is None:
                break
            labels.append(label)
        return labels

    # -- helpers ----------------------------------------------------------------

    def _called(self, service: str, label: str) -> None:
        last = self._last_called.get(service)
        if last is None or _number(label) >= _number(last):
            self._last_called[service] = label
        self._issued[service] = [x for x in self._issued.get(service, [])
                                 if _number(x) > _number(self._last_called[service])]

    def _remember(self, ticket: Any) -> tuple[str | None, str | None]:
        if not isinstance(ticket, Mapping):
            return None, None
        label = ticket.get("label")
        service = ticket.get("service")
        if not isinstance(label, str) or not label:
            return None, None
        if isinstance(service, str) and service:
            if len(self._label_service) > 5000:
                self._label_service.clear()
            self._label_service[label] = service
            return service, label
        return self._service_of(label), label

    def _service_of(self, label: str) -> str | None:
        if label in self._label_service:
            return self._label_service[label]
        prefix = label[:1]
        if prefix.isalpha() and (not self._codes or prefix in self._codes):
            return prefix
        return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
