"""Ticket numbers and labels: one series per field, restarting every day.

>>> format_label("A", 23, style="prefix")
'A023'
>>> format_label("B", 7, style="numeric", numeric_base=2000)
'2007'
"""

from __future__ import annotations

from queue_core.domain.errors import Conflict

# A plain 4-digit series keeps inside its thousand (2001–2999).
NUMERIC_SERIES_SIZE = 999


def format_label(code: str, number: int, *, style: str = "prefix", numeric_base: int = 0) -> str:
    """Return the label printed and shown for a field's `number`-th ticket of the day."""
    if number < 1:
        raise ValueError("ticket numbers start at 1")
    if style == "numeric":
        return str(numeric_base + number)
    return f"{code}{number:03d}"


def next_number(last_number: int | None, *, code: str, style: str = "prefix") -> int:
    """Return the number after the day's last one, or refuse when the series is used up."""
    number = (last_number or 0) + 1
    if style == "numeric" and number > NUMERIC_SERIES_SIZE:
        raise Conflict("series_exhausted", service=code)
    return number
