"""Pairing a device: it shows a 6-digit code, an admin types it, the device gets its token.

A device without a token asks for a pairing (`start`) and shows the code with the box's
address; it asks now and then (`collect`) with the pairing's id, a secret only it knows.
An admin approves the code with a role and, for a counter's device, a counter
(`approve`). The device's next `collect` creates its token and hands it over once, in
the same transaction that ends the pairing; after that, or after ten minutes, the id
answers nothing. Wrong codes are throttled per admin; pairings are limited per address.

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> from queue_core.storage import Store
>>> store, now = Store.open(":memory:"), datetime(2026, 11, 23, 8, tzinfo=VIETNAM)
>>> pairings = Pairings(store)
>>> started = pairings.start("kiosk", name=None, address="10.0.0.7", now=now)
>>> len(started["code"]), pairings.collect(started["id"], now=now)["status"]
(6, 'waiting')
>>> _ = pairings.approve(started["code"], role="kiosk", counter=None, name="kiosk-sanh",
...                      actor="user:an", now=now, known_counters={1, 2})
>>> pairings.collect(started["id"], now=now)["token"].startswith("xph_")
True
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from queue_core.domain.clock import time_text
from queue_core.domain.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from queue_core.service import audit, auth
from queue_core.service.throttle import Throttle
from queue_core.storage import Store

DEVICES = ("kiosk", "display", "rating", "announcer", "keypad", "lookup")
# The role a device of each kind usually gets (the console proposes it).
DEFAULT_ROLES = {"kiosk": "kiosk", "display": "display", "rating": "kiosk",
                 "announcer": "announcer", "keypad": "keypad", "lookup": "kiosk"}
LIFETIME = timedelta(minutes=10)
CODE_DIGITS = 6
# Devices waiting at once, and pairings one address may start a minute.
MAX_PENDING = 50
STARTS_PER_MINUTE = 10
# Wrong codes one admin may type a minute.
WRONG_CODES_PER_MINUTE = 5
PAIRING_APPROVED = "pairing_approved"


class Pairings:
    """Pairings of one center: its store, and the throttles of starts and wrong codes."""

    def __init__(self, store: Store, *, starts: Throttle | None = None,
                 wrong_codes: Throttle | None = None) -> None:
        self.store = store
        self.starts = starts or Throttle(limit=STARTS_PER_MINUTE, window=60)
        self.wrong_codes = wrong_codes or Throttle(limit=WRONG_CODES_PER_MINUTE, window=60)

    def start(self, device: Any, *, name: Any, address: str, now: datetime) -> dict[str, Any]:
        """Open a pairing for a device; return its id (the device's secret) and code."""
        if device not in DEVICES:
            raise InvalidInput(field="device", reason=f"one of {', '.join(DEVICES)}")
        if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= 64):
            raise InvalidInput(field="name", reason="1 to 64 characters, or null")
        self.starts.hit(address)
        expires = now + LIFETIME
        with self.store.write():
            self.store.forget_pairings_before(time_text(now))
            if self.store.count_pairings() >= MAX_PENDING:
                raise TooManyRequests("pairing_busy")
            taken = self.store.pairing_codes()
            code = _code()
            while code in taken:
                code = _code()
            pairing_id = secrets.token_urlsafe(24)
            self.store.insert_pairing(pairing_id=pairing_id, code=code, device=device,
                                      name=name.strip() if name else None, address=address,
                                      created_at=time_text(now), expires_at=time_text(expires))
        return {"id": pairing_id, "code": code, "device": device,
                "expires_at": time_text(expires)}

    def collect(self, pairing_id: str, *, now: datetime) -> dict[str, Any]:
        """Return `waiting`, or the token once after approval (the pairing ends with it)."""
        with self.store.write():
            found = self.store.pairing(pairing_id)
            if found is None or found["expires_at"] <= time_text(now):
                raise NotFound("pairing_gone")
            if found["approved_at"] is None:
                return {"status": "waiting", "code": found["code"],
                        "expires_at": found["expires_at"]}
            self.store.delete_pairing(pairing_id)
            token = auth.insert_token(self.store, found["token_name"], role=found["role"],
                                      counter=found["counter"], now=now,
                                      actor=found["approved_by"])
        return {"status": "approved", "token": token, "role": found["role"],
                "counter": found["counter"], "name": found["token_name"]}

    def approve(self, code: Any, *, role: Any, counter: Any, name: Any, actor: str,
                now: datetime, known_counters: Collection[int]) -> dict[str, Any]:
        """Let the device showing `code` in, as `role` (at `counter`); audited."""
        if not isinstance(code, str) or not code.strip():
            raise InvalidInput(field="code", reason="the 6 digits the device shows")
        code = "".join(code.split())
        if role not in auth.TOKEN_ROLES:
            raise InvalidInput(field="role", reason=f"one of {', '.join(auth.TOKEN_ROLES)}")
        if counter is not None and (isinstance(counter, bool) or not isinstance(counter, int)
                                    or counter not in known_counters):
            raise InvalidInput(field="counter", reason="a counter of the center, or null")
        if role in auth.COUNTER_BOUND_ROLES and counter is None:
            raise InvalidInput(field="counter", reason=f"a {role} device works at a counter")
        if name is not None and (not isinstance(name, str) or not 0 < len(name.strip()) <= 64):
            raise InvalidInput(field="name", reason="1 to 64 characters, or null")
        # Every try counts and a right code clears the count: codes cannot be guessed, and an
        # admin pairing many devices in a row is never slowed.
        self.wrong_codes.hit(actor)
        with self.store.write():
            found = self.store.pairing_by_code(code)
            alive = found is not None and found["expires_at"] > time_text(now)
            if not alive or found is None or found["approved_at"] is not None:
                wrong = True
            else:
                wrong = False
                token_name = (name.strip() if isinstance(name, str) else None) \
                    or found["name"] or f"{found['device']}-{code}"
                self.store.approve_pairing(found["id"], approved_at=time_text(now),
                                           approved_by=actor, role=role, counter=counter,
                                           token_name=token_name)
                audit.add(self.store, actor=actor, action=PAIRING_APPROVED,
                          target=f"token:{token_name}",
                          detail=f"device={found['device']} role={role} counter={counter} "
                                 f"from={found['address']}", now=now)
        if wrong or found is None:
            raise NotFound("pairing_unknown", pairing_code=code)
        self.wrong_codes.reset(actor)
        return {"device": found["device"], "name": token_name, "role": role, "counter": counter}

    def pending(self, *, now: datetime) -> list[dict[str, Any]]:
        """Return the devices showing a code now (no ids: those are the devices' secrets)."""
        with self.store.read():
            rows = self.store.pending_pairings(time_text(now))
        return [{"code": r["code"], "device": r["device"], "name": r["name"],
                 "address": r["address"], "created_at": r["created_at"],
                 "expires_at": r["expires_at"], "role": DEFAULT_ROLES[r["device"]]}
                for r in rows]


def _code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


__all__ = ["DEFAULT_ROLES", "DEVICES", "LIFETIME", "Pairings"]
