"""Ticket numbers and labels: one series per field, restarting every day, never running out.

A series widens instead of ending. Prefixed labels go on from A999 to A1000, A1001, …;
the plain numbers of a field (base 1000, 2000, … 9000) run 1001–1999, then go on with
the field's digit followed by the number: 11000, 11001, … 19999, 110000, … Labels stay
unique across fields (the first digit names the field, and a widened label is longer
than every 4-digit one) and are read aloud as numbers ("mười một nghìn").

>>> format_label("A", 23, style="prefix")
'A023'
>>> format_label("A", 1000, style="prefix")
'A1000'
>>> format_label("B", 7, style="numeric", numeric_base=2000)
'2007'
>>> format_label("A", 999, style="numeric", numeric_base=1000)
'1999'
>>> format_label("A", 1000, style="numeric", numeric_base=1000)
'11000'
>>> next_number(999, code="A", style="numeric")
1000
"""

from __future__ import annotations

from queue_core.domain.errors import Conflict

# The plain 4-digit series keeps inside its thousand (2001–2999) for this many numbers.
NUMERIC_SERIES_SIZE = 999
# No field gives more numbers a day than this (far past any hall: 70 a minute for 24
# hours); every label up to it can be read aloud.
MAX_NUMBER_PER_DAY = 99_999


def format_label(code: str, number: int, *, style: str = "prefix", numeric_base: int = 0) -> str:
    """Return the label printed and shown for a field's `number`-th ticket of the day."""
    if number < 1:
        raise ValueError("ticket numbers start at 1")
    if style == "numeric":
        if number <= NUMERIC_SERIES_SIZE:
            return str(numeric_base + number)
        # Widened: the field's digit, then the number (1999 → 11000).
        return f"{numeric_base // 1000}{number}"
    return f"{code}{number:03d}"


def next_number(last_number: int | None, *, code: str, style: str = "prefix") -> int:
    """Return the number after the day's last one (the series widens past 999)."""
    number = (last_number or 0) + 1
    if number > MAX_NUMBER_PER_DAY:
        raise Conflict("series_exhausted", service=code)
    return number
