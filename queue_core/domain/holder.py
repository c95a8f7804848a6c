"""The ticket holder's key: what lets the person holding the paper act on their ticket.

Ticket ids are public (the wall screen and the Board show them), so an id alone grants
nothing. Each ticket gets a short random key at issue; it is printed in the ticket's QR
code (the citizen's page, ``/t/<id>?k=<key>``) and nowhere else: never in an event, the
Board, a public answer, a staff list or a log. Rating from the citizen's page needs it.

>>> page_path("Xy7_abc", "k3y")
'/t/Xy7_abc?k=k3y'
>>> page_path("Xy7_abc", None)
'/t/Xy7_abc'
>>> matches("k3y", "k3y"), matches("k3y", "k3Y"), matches(None, "k3y"), matches("k3y", None)
(True, False, False, False)
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

# 8 random bytes (64 bits), 11 characters in the URL: short enough for a small QR code,
# far beyond guessing at the ten tries a minute an address is allowed.
KEY_BYTES = 8
# The query parameter of the citizen's page that carries the key.
PAGE_PARAMETER = "k"


def new_key() -> str:
    """Return a fresh holder's key."""
    return secrets.token_urlsafe(KEY_BYTES)


def page_path(ticket_id: str, key: str | None) -> str:
    """Return the citizen's page of a ticket, with its key when there is one."""
    path = f"/t/{quote(ticket_id, safe='')}"
    return f"{path}?{PAGE_PARAMETER}={quote(key, safe='')}" if key else path


def matches(expected: str | None, given: object) -> bool:
    """Tell whether `given` is the ticket's key, in time that does not depend on the key."""
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
