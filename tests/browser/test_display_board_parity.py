"""The page's LiveBoard (board.js) and the native screen's (display/board.py) agree, step by
step, on a real day's events with a gap, duplicates, a stale fetch and a core restart."""

from __future__ import annotations

import dataclasses
from typing import Any

from playwright.sync_api import expect

from display.board import LiveBoard
from queue_core.domain.events import ROOM_BOARD

RUN_IN_PAGE = """(steps) => {
    const live = new XephangDisplay.LiveBoard({recentLimit: 4, highlightMs: 8000, pendingLimit: 50});
    const out = [];
    for (const step of steps) {
        const [kind, ...args] = step;
        if (kind === 'load') out.push(live.load(args[0], args[1] * 1000, {reset: args[2]}));
        else if (kind === 'apply') live.apply(args[0], args[1], args[2] * 1000);
        else if (kind === 'subscribed') live.subscribed(args[0] * 1000);
        else if (kind === 'take') out.push(live.takeResync(args[0] * 1000));
        else if (kind === 'look') out.push({
            seq: live.seq, board: live.board, resyncs: live.resyncs, pending: live.pending.length,
            call: live.call, recent: live.recent(),
            fresh: [1, 2, 3, 4, 5].map((n) => live.isFresh(n, args[0] * 1000)),
        });
    }
    return out;
}"""


def run_in_python(steps: list[list[Any]]) -> list[Any]:
    live = LiveBoard(recent_limit=4, highlight_seconds=8, pending_limit=50)
    out: list[Any] = []
    for kind, *args in steps:
        if kind == "load":
            out.append(live.load(args[0], now=args[1], reset=args[2]))
        elif kind == "apply":
            live.apply(args[0], args[1], now=args[2])
        elif kind == "subscribed":
            live.subscribed(now=args[0])
        elif kind == "take":
            out.append(live.take_resync(now=args[0]))
        elif kind == "look":
            out.append({
                "seq": live.seq, "board": live.board, "resyncs": live.resyncs,
                "pending": live.pending, "recent": live.recent(),
                "call": dataclasses.asdict(live.call) if live.call else None,
                "fresh": [live.is_fresh(n, now=args[0]) for n in range(1, 6)],
            })
    return out


def test_page_and_native_screen_follow_the_same_rules(page: Any, live_server: Any) -> None:
    center = live_server.center
    page.goto(live_server.url + "/display/wall")
    expect(page.locator("#overlay")).to_be_hidden()
    recorded: list[Any] = []
    publish = center.publish
    center.publish = lambda events: (recorded.extend(events), publish(events))

    steps: list[list[Any]] = [["load", center.board(), 0, True], ["look", 0]]
    tickets = [center.issue(code, actor="k") for code in "AABBCEEF"]
    snapshot_early = center.board()
    center.call_next(1, actor="s")
    center.call_next(3, actor="s")
    center.recall(3, actor="s")
    center.finish(1, actor="s")
    center.call_next(1, actor="s")
    center.no_show(1, actor="s")
    center.transfer(3, "F", actor="s")
    center.set_priority(tickets[5]["id"], "elderly", actor="s")
    center.set_counter_state(4, "paused", actor="s")
    center.call_next(5, actor="s")
    center.call_next(2, actor="s")
    events = [(e.name, e.message()) for e in recorded if ROOM_BOARD in e.rooms]
    events.append(("device_status", {"device": "printer", "status": "error", "message": ""}))
    lost = events[12][1]["seq"]
    now = 1.0
    for index, (name, payload) in enumerate(events):
        if payload.get("seq") == lost:
            continue  # a lost operation: the next event is a gap
        steps.append(["apply", name, payload, now])
        if index == 5:
            steps.append(["apply", name, payload, now])  # delivered twice
        if index % 7 == 0:
            steps.append(["look", now])
        now += 0.5
    steps += [["look", now], ["take", now], ["take", now + 1],
              ["load", snapshot_early, now + 2, False],   # a stale answer: ignored
              ["look", now + 2], ["take", now + 3],
              ["load", center.board(), now + 4, False],
              ["look", now + 5], ["look", now + 30]]
    # The core comes back on an empty database; the page subscribes again.
    fresh_board = {**center.board(), "seq": 0, "recent_calls": [],
                   "counters": [{**c, "current": None} for c in center.board()["counters"]]}
    steps += [["subscribed", now + 40],
              ["apply", "ticket_issued", {"seq": 1, "ticket": {}, "waiting": {"A": 1}}, now + 40],
              ["load", fresh_board, now + 41, True], ["look", now + 41]]

    in_python = run_in_python(steps)
    in_page = page.evaluate(RUN_IN_PAGE, steps)
    assert in_page == in_python
    looks = [result for result in in_python if isinstance(result, dict)]
    assert looks[-3]["board"]["counters"] == center.board()["counters"]
    assert looks[-3]["resyncs"] == 2 and looks[-3]["pending"] == 0
    assert looks[-1]["seq"] == 1 and looks[-1]["call"] is None
