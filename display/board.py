"""A Board kept current from pushed events, in `seq` order: the state behind every screen.

What the large panel shows and how recalls enter the recent calls are the rules of
`queue_core.domain.calls` (a call still true; one entry per recall).

Pure: no I/O and no clock of its own. Callers pass `now` (seconds on any monotonic
scale) and do the network work the board asks for (`take_resync`). The page script
`display/static/board.js` follows the same rules, line for line:

- a snapshot (`load`) replaces everything; events it already covers are dropped;
- events of one operation share a `seq`: after an event of `seq` N, more events of N
  still apply; after a snapshot at N they do not;
- an event past `seq` + 1 is a gap: it is kept aside and a snapshot is wanted; once the
  snapshot is in, the kept events that follow it without a gap are applied;
- what is kept is bounded: the recent calls, the events kept aside, the highlights.

>>> live = LiveBoard(recent_limit=8, highlight_seconds=8)
>>> live.load({"seq": 4, "counters": [{"number": 3, "state": "open", "current": None}],
...            "services": [{"code": "B", "waiting": 1}], "recent_calls": []}, now=0.0)
True
>>> live.apply("ticket_called", {"seq": 5, "counter": 3, "recall": False,
...     "speech": "Xin mời …", "waiting": {"B": 0},
...     "ticket": {"id": "t1", "label": "B001", "state": "called", "called_at": None}}, now=1.0)
>>> live.call.label, live.counter(3)["current"]["label"], live.is_fresh(3, now=2.0)
('B001', 'B001', True)
>>> live.apply("ticket_updated", {"seq": 6, "waiting": {"B": 0},
...     "ticket": {"id": "t1", "label": "B001", "state": "done"}}, now=4.0)
>>> live.call is None   # B001 left counter 3: the large panel shows no stale call
True
>>> live.apply("ticket_issued", {"seq": 9, "ticket": {}, "waiting": {"B": 1}}, now=3.0)
>>> live.take_resync(now=3.0)   # a gap: fetch the Board again, then `load` it
True
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from queue_core.domain.calls import add_call, shown_call

TICKET_ISSUED = "ticket_issued"
TICKET_CALLED = "ticket_called"
TICKET_UPDATED = "ticket_updated"
COUNTER_UPDATED = "counter_updated"

PENDING_LIMIT = 500


@dataclass(frozen=True)
class Call:
    """The call a screen shows in large type.

    `speech` is what the loudspeaker says, `caption` the same sentence as written (shown
    for people who cannot hear it); `earlier` marks a call that is not the latest one made
    (the latest is no longer true).
    """

    label: str
    counter: int
    recall: bool = False
    speech: str = ""
    ticket: str | None = None
    at: str | None = None
    caption: str = ""
    earlier: bool = False

    @property
    def key(self) -> tuple[Any, ...]:
        """Identify one announcement (a recall of the same ticket is a new one)."""
        return (self.ticket or self.label, self.counter, self.recall, self.at)


def _seq_of(payload: Any) -> int | None:
    seq = payload.get("seq") if isinstance(payload, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def _int(*values: Any) -> int:
    """Return the first of `values` that is an int (a counter number), else 0."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def _call_from_entry(entry: dict[str, Any], earlier: bool) -> Call:
    return Call(label=str(entry.get("label") or ""), counter=_int(entry.get("counter")),
                recall=bool(entry.get("recall")), speech=str(entry.get("speech") or ""),
                ticket=entry.get("ticket"), at=entry.get("at"),
                caption=str(entry.get("caption") or ""), earlier=earlier)


class LiveBoard:
    """The Board as the screen knows it, updated by snapshots and events."""

    def __init__(self, *, recent_limit: int = 8, highlight_seconds: float = 8.0,
                 pending_limit: int = PENDING_LIMIT, snapshot_timeout: float = 10.0) -> None:
        self.recent_limit = max(0, recent_limit)
        self.highlight_seconds = highlight_seconds
        self.pending_limit = pending_limit
        self.snapshot_timeout = snapshot_timeout
        self.board: dict[str, Any] | None = None
        self.seq: int | None = None
        self.call: Call | None = None
        # Rises with every change a screen would show; renderers redraw when it moves.
        self.version = 0
        self.resyncs = 0
        self._whole = False
        self._fresh: dict[int, float] = {}
        self._pending: list[tuple[int, str, dict[str, Any]]] = []
        self._resync = False
        self._awaiting = False
        self._asked_at = 0.0
        # The sentences fetched for a call known without them (the one shown, only).
        self._texts: tuple[tuple[Any, ...], str, str] | None = None

    # --- snapshots ---------------------------------------------------------------------------

    def load(self, board: dict[str, Any], *, now: float, reset: bool = True) -> bool:
        """Take a whole Board; return False if it was older than what is shown and ignored.

        `reset` says the snapshot came on the event stream itself (on subscribe), so it
        is the truth even when its `seq` went down (a core started on a new database).
        A snapshot fetched beside the stream (`reset=False`) may be stale instead.
        """
        seq = _seq_of(board)
        if seq is None:
            return False
        if not reset and self.seq is not None and seq < self.seq:
            self._awaiting = False
            self._resync = bool(self._pending)
            return False
        first = self.board is None
        previous = self.call
        self.board = copy.deepcopy(board)
        self.board["recent_calls"] = list(board.get("recent_calls") or [])[:self._keep()]
        self.seq, self._whole = seq, True
        self._resync = self._awaiting = False
        self._settle()
        call = self.call
        if call is not None and not call.earlier and not first and (
                previous is None or call.key != previous.key):
            # A call the screen did not see: announce it like one that arrived as an event.
            self._fresh[call.counter] = now + self.highlight_seconds
        self._replay(now)
        self.version += 1
        return True

    def _replay(self, now: float) -> None:
        pending, self._pending = sorted(self._pending, key=lambda item: item[0]), []
        for seq, name, payload in pending:
            if self._covered(seq):
                continue
            if self.seq is not None and seq > self.seq + 1:
                # Still a hole after the snapshot: ask again; the next one covers these.
                self._resync = True
                return
            self._apply(name, payload, seq, now)

    def subscribed(self, *, now: float) -> None:
        """Note that a snapshot is on its way (the client just subscribed).

        Events that arrive before it are kept aside, not taken for a gap.
        """
        self._resync, self._awaiting, self._asked_at = False, True, now

    def take_resync(self, *, now: float) -> bool:
        """Return True once when a fresh Board should be fetched (the caller fetches it).

        A snapshot asked for and not come within `snapshot_timeout` is asked for again.
        """
        if self._awaiting and now - self._asked_at >= self.snapshot_timeout:
            self._awaiting, self._resync = False, True
        if not self._resync or self._awaiting:
            return False
        self._resync, self._awaiting, self._asked_at = False, True, now
        self.resyncs += 1
        return True

    def request_resync(self) -> None:
        """Want a fresh Board even without a gap (the day turned, or a periodic check)."""
        if not self._awaiting:
            self._resync = True

    def resync_failed(self) -> None:
        """The fetch asked for by `take_resync` failed: want it again."""
        self._awaiting, self._resync = False, True

    @property
    def wants_resync(self) -> bool:
        return self._resync

    # --- events ------------------------------------------------------------------------------

    def apply(self, name: str, payload: Any, *, now: float) -> None:
        """Apply one pushed event, or keep it aside until a snapshot fills a gap."""
        seq = _seq_of(payload)
        if seq is None:
            return  # device_status and other events outside the Board's history
        if self.board is None or self.seq is None or self._awaiting or self._resync:
            self._keep_aside(seq, name, payload)
            if self.board is None and not self._awaiting:
                self._resync = True
            return
        if self._covered(seq):
            return
        if seq > self.seq + 1:
            self._keep_aside(seq, name, payload)
            self._resync = True
            return
        self._apply(name, payload, seq, now)
        self.version += 1

    def _covered(self, seq: int) -> bool:
        if self.seq is None:
            return False
        return seq < self.seq or (seq == self.seq and self._whole)

    def _keep_aside(self, seq: int, name: str, payload: dict[str, Any]) -> None:
        if len(self._pending) >= self.pending_limit:
            # The snapshot to come covers all of them anyway.
            self._pending.clear()
        self._pending.append((seq, name, payload))

    def _keep(self) -> int:
        return self.recent_limit + 1

    def _apply(self, name: str, payload: dict[str, Any], seq: int, now: float) -> None:
        board = self.board
        assert board is not None
        self.seq, self._whole = seq, False
        board["seq"] = seq
        waiting = payload.get("waiting")
        if isinstance(waiting, dict):
            for service in board.get("services", []):
                count = waiting.get(service.get("code"))
                if isinstance(count, int):
                    service["waiting"] = count
        ticket = payload.get("ticket") if isinstance(payload.get("ticket"), dict) else None
        if name == COUNTER_UPDATED and isinstance(payload.get("counter"), dict):
            self._put_counter(payload["counter"])
        elif name in (TICKET_CALLED, TICKET_UPDATED) and ticket is not None:
            for counter in board.get("counters", []):
                current = counter.get("current")
                if isinstance(current, dict) and current.get("id") == ticket.get("id"):
                    counter["current"] = ticket if ticket.get("state") == "called" else None
            if name == TICKET_CALLED:
                self._called(payload, ticket, now)
        self._settle()

    def _called(self, payload: dict[str, Any], ticket: dict[str, Any], now: float) -> None:
        board = self.board
        assert board is not None
        number = _int(payload.get("counter"), ticket.get("counter"))
        entry = {"label": str(ticket.get("label") or ""), "counter": number,
                 "at": payload.get("at") or ticket.get("called_at"),
                 "recall": bool(payload.get("recall")), "ticket": ticket.get("id"),
                 "speech": str(payload.get("speech") or ""),
                 "caption": str(payload.get("caption") or "")}
        board["recent_calls"] = add_call(board.get("recent_calls", []), entry, limit=self._keep())
        for counter in board.get("counters", []):
            if counter.get("number") == number:
                # The counter_updated that follows says the same; showing it now saves a frame.
                counter["current"] = ticket
        self._fresh[number] = now + self.highlight_seconds

    def _settle(self) -> None:
        """Choose the call the large panel shows; end the highlight of a counter left idle."""
        board = self.board or {}
        counters = board.get("counters", [])
        for counter in counters:
            if counter.get("state") != "open" or not counter.get("current"):
                self._fresh.pop(_int(counter.get("number")), None)
        shown = shown_call(board.get("recent_calls", []), counters)
        call = _call_from_entry(*shown) if shown is not None else None
        if call is not None and self._texts is not None and self._texts[0] == call.key:
            call = replace(call, speech=call.speech or self._texts[1],
                           caption=call.caption or self._texts[2])
        self.call = call

    def _put_counter(self, counter: dict[str, Any]) -> None:
        counters = self.board["counters"] if self.board else []
        for index, known in enumerate(counters):
            if known.get("number") == counter.get("number"):
                counters[index] = counter
                return
        counters.append(counter)
        counters.sort(key=lambda c: c.get("number") or 0)

    # --- what screens read -------------------------------------------------------------------

    def set_speech(self, call: Call, text: str, caption: str = "") -> None:
        """Fill in the sentences of a call known without them (fetched by the screen)."""
        if self.call is None or self.call.key != call.key:
            return
        self._texts = (call.key, text, caption)
        before = self.call
        self._settle()
        if self.call != before:
            self.version += 1

    def is_fresh(self, counter: int | None = None, *, now: float) -> bool:
        """Tell whether the latest call (or the latest at `counter`) is still highlighted."""
        if counter is None:
            if self.call is None or self.call.earlier:
                return False
            counter = self.call.counter
        return self._fresh.get(counter, float("-inf")) > now

    def highlighted_at(self, counter: int) -> float | None:
        """Return when the highlight at `counter` began, or None."""
        until = self._fresh.get(counter)
        return None if until is None else until - self.highlight_seconds

    def fresh_until(self) -> float | None:
        """Return when the last highlight ends (to schedule a redraw), or None."""
        return max(self._fresh.values()) if self._fresh else None

    def counter(self, number: int) -> dict[str, Any] | None:
        for counter in (self.board or {}).get("counters", []):
            if counter.get("number") == number:
                return counter  # type: ignore[no-any-return]
        return None

    def recent(self) -> list[dict[str, Any]]:
        """Return the recent calls but the one shown large, newest first (at most `recent_limit`)."""
        calls = list((self.board or {}).get("recent_calls", []))
        shown = self.call
        for index, entry in enumerate(calls):
            if shown is not None and _call_from_entry(entry, shown.earlier).key == shown.key:
                del calls[index]
                break
        return calls[:self.recent_limit]

    def services(self) -> list[dict[str, Any]]:
        return list((self.board or {}).get("services", []))

    @property
    def pending(self) -> int:
        return len(self._pending)
