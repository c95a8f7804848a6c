"""Which calls a screen shows: the list of recent calls, and the one in large type.

Two rules, kept by the Board the core sends, by the native screen (`display/board.py`)
and, line for line, by the pages (`display/static/board.js`):

- **A recall is one entry.** Calling a ticket again does not add a second line to the
  recent calls: the entry of the call it repeats moves to the top, marked ``recall``, at
  the time of the latest announcement (`add_call`).
- **The large panel shows a call that is still true.** That is the newest call whose
  ticket is still the one being served at its counter, and that counter still open. When
  the latest call is no longer true (the citizen was served, transferred or marked absent,
  or the counter paused), the newest call still true is shown instead, marked ``earlier``;
  when no call is true, nothing is (`shown_call`).

An entry of the recent calls is ``{"label", "counter", "at", "recall", "ticket"}`` (the
Board adds ``speech`` and ``caption``), newest first.

>>> recent = []
>>> for entry in ({"label": "A001", "counter": 1, "ticket": "t1", "recall": False},
...               {"label": "B001", "counter": 2, "ticket": "t2", "recall": False},
...               {"label": "A001", "counter": 1, "ticket": "t1", "recall": True}):
...     recent = add_call(recent, entry, limit=8)
>>> [(e["label"], e["recall"]) for e in recent]
[('A001', True), ('B001', False)]
>>> counters = [{"number": 1, "state": "open", "current": None},
...             {"number": 2, "state": "open", "current": {"id": "t2", "label": "B001"}}]
>>> call, earlier = shown_call(recent, counters)
>>> call["label"], earlier
('B001', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

OPEN = "open"


def _same_call(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return (a.get("ticket") or a.get("label")) == (b.get("ticket") or b.get("label")) \
        and a.get("counter") == b.get("counter")


def add_call(recent: Sequence[Mapping[str, Any]], entry: Mapping[str, Any], *,
             limit: int) -> list[dict[str, Any]]:
    """Return `recent` (newest first) with `entry` on top, at most `limit` entries.

    A recall takes the place of the entry of the call it repeats (the newest entry of the
    same ticket at the same counter).
    """
    rest = [dict(e) for e in recent]
    if entry.get("recall"):
        for index, known in enumerate(rest):
            if _same_call(known, entry):
                del rest[index]
                break
    return ([dict(entry)] + rest)[:max(0, limit)]


def fold_calls(announcements: Iterable[Mapping[str, Any]], *, limit: int) -> list[dict[str, Any]]:
    """Return the recent calls made by `announcements` (calls and recalls, oldest first)."""
    recent: list[dict[str, Any]] = []
    for entry in announcements:
        recent = add_call(recent, entry, limit=limit)
    return recent


def still_true(entry: Mapping[str, Any], counters: Iterable[Mapping[str, Any]]) -> bool:
    """Tell whether the call `entry` is still true: its ticket served at its counter, open."""
    for counter in counters:
        if counter.get("number") != entry.get("counter"):
            continue
        current = counter.get("current")
        return counter.get("state") == OPEN and isinstance(current, Mapping) and \
            (current.get("id") or current.get("label")) == (entry.get("ticket") or entry.get("label"))
    return False


def shown_call(recent: Sequence[Mapping[str, Any]], counters: Sequence[Mapping[str, Any]],
               ) -> tuple[dict[str, Any], bool] | None:
    """Return the call for the large panel and whether it is an earlier one, or None.

    The newest recent call still true; else, among open counters serving someone called
    before the recent calls began, the one called last (an earlier call too).
    """
    for index, entry in enumerate(recent):
        if still_true(entry, counters):
            return dict(entry), index > 0
    serving = [c for c in counters if c.get("state") == OPEN and isinstance(c.get("current"), Mapping)]
    if not serving:
        return None
    last = max(serving, key=lambda c: str(c["current"].get("called_at") or ""))
    current = last["current"]
    return {"label": current.get("label"), "counter": last.get("number"),
            "at": current.get("called_at"), "recall": False, "ticket": current.get("id")}, True


__all__ = ["add_call", "fold_calls", "shown_call", "still_true"]
