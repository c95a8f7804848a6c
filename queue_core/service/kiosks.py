"""What a kiosk device may issue, whichever route it takes: at most so many tickets a minute.

A kiosk token issues through `POST /kiosk/tickets` (issue and print) or the plain
`POST /tickets`; both come here, so one kiosk never gets past `kiosk.tickets_per_minute`
by switching routes. A retry of a press already served (same request key) is not a new
ticket and does not count. Staff and managers are not limited here.

>>> from queue_core.config import load_settings
>>> from queue_core.service.auth import Principal
>>> from queue_core.service.center import Center
>>> from queue_core.storage import Store
>>> center = Center(load_settings(env={"XEPHANG_CENTER_OPENS_AT": "00:00",
...                                    "XEPHANG_CENTER_CLOSES_AT": "24:00",
...                                    "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7"}),
...                 Store.open(":memory:"))
>>> limit = KioskLimit(1)
>>> hall = Principal("hall", "kiosk", kind="device")
>>> limit.issue(center, hall, "A")[0]["label"]
'A001'
>>> try:
...     limit.issue(center, hall, "A")
... except TooManyRequests as error:
...     print(error.code)
kiosk_rate_limited
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from queue_core.domain.errors import TooManyRequests
from queue_core.service.auth import Principal
from queue_core.service.center import Center
from queue_core.service.throttle import Throttle


class KioskLimit:
    """At most `per_minute` new tickets a minute for each kiosk device."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.throttle = Throttle(limit=per_minute, window=60, clock=clock)

    def applies_to(self, principal: Principal) -> bool:
        return principal.kind == "device" and principal.role == "kiosk"

    def issue(self, center: Center, principal: Principal, service: Any, *, priority: Any = None,
              channel: Any = "kiosk", request_key: str | None = None
              ) -> tuple[dict[str, Any], bool]:
        """Issue a ticket for `principal`, counting it against a kiosk's minute."""
        if self.applies_to(principal) and (request_key is None
                                           or not center.issued_for(request_key)):
            try:
                self.throttle.hit(principal.actor)
            except TooManyRequests:
                raise TooManyRequests("kiosk_rate_limited") from None
        return center.issue_once(service, priority=priority, channel=channel,
                                 actor=principal.actor, request_key=request_key)
