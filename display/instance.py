"""What a screen's name means: ``wall``, or a counter number (``3``, ``counter-3``).

A native screen unit is started as ``xephang-display@NAME``; the name is handed to
``xephang display --screen NAME``, so the instance says which screen it shows.

>>> screen_counter("wall") is None
True
>>> screen_counter("3"), screen_counter("counter-12")
(3, 12)
"""

from __future__ import annotations

__all__ = ["screen_counter"]

MAX_COUNTER = 999


def screen_counter(name: str) -> int | None:
    """Return the counter a screen name shows, or None for the wall; ValueError otherwise."""
    text = name.strip().lower()
    if text == "wall":
        return None
    number = text.removeprefix("counter-")
    if number.isdigit() and 1 <= int(number) <= MAX_COUNTER:
        return int(number)
    raise ValueError(f"{name!r}: give wall, a counter number (3) or counter-N")
