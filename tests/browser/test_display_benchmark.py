"""Benchmark: call-next sent → the label in the DOM of six open screens (1 wall + 5 counters).

Runs against the real `xephang serve` (gunicorn, threading mode) and headless Chromium;
prints p50/p95 over 100 calls and writes bench/results-display.json. Target: p95 ≤ 50 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CALLS = 100
TARGET_P95_MS = 50.0
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results-display.json"
# Which field to issue so that counter n calls it (counter 2 serves A and B: give it B only).
FIELD_FOR = {1: "A", 2: "B", 3: "E", 4: "C", 5: "F"}

WATCH = """(selector) => {
    window.__seen = {};
    const node = document.querySelector(selector);
    const note = () => {
        const text = node.textContent;
        if (!(text in window.__seen)) window.__seen[text] = performance.timeOrigin + performance.now();
    };
    new MutationObserver(note).observe(node, {childList: true, characterData: true, subtree: true});
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


@pytest.mark.slow
def test_call_to_six_screens_latency(browser: Any, tmp_path: Path) -> None:
    from support_live import MANY_KIOSKS, LiveServer

    # The queue is filled at once through one kiosk token: its minute's limit is lifted.
    with LiveServer(tmp_path / "var", env=MANY_KIOSKS) as server:
        server.start()
        kiosk, *keypads = server.tokens([("kiosk", None)] + [("keypad", n) for n in range(1, 6)])
        for index in range(CALLS):
            field = FIELD_FOR[1 + index % 5]
            assert server.post("/tickets", kiosk, {"service": field}).status_code == 201
        context = browser.new_context(bypass_csp=True, viewport={"width": 1920, "height": 1080}, locale="vi-VN")
        wall = context.new_page()
        wall.goto(server.url + "/display/wall")
        counters = {}
        for number in range(1, 6):
            counters[number] = context.new_page()
            counters[number].set_viewport_size({"width": 1366, "height": 768})
            counters[number].goto(f"{server.url}/display/counter/{number}")
        for screen in [wall, *counters.values()]:
            expect(screen.locator("#overlay")).to_be_hidden()
        wall.evaluate(WATCH, "#hero-label")
        for screen in counters.values():
            screen.evaluate(WATCH, "#cs-label")

        latencies: list[float] = []
        wall_only: list[float] = []
        answered: list[float] = []
        after_answer: list[float] = []
        transports = [screen.evaluate("window.xephangDisplay.socket.io.engine.transport.name")
                      for screen in [wall, *counters.values()]]
        for index in range(CALLS):
            number = 1 + index % 5
            token = keypads[number - 1]
            if index >= 5:
                assert server.post(f"/counters/{number}/finish", token).status_code == 200
            sent = time.time() * 1000
            answer = server.post(f"/counters/{number}/call-next", token)
            answered.append(time.time() * 1000 - sent)
            assert answer.status_code == 200, answer.text
            label = answer.json()["label"]
            seen = "(label) => window.__seen[label]"
            wall.wait_for_function(f"{seen} !== undefined", arg=label)
            counters[number].wait_for_function(f"{seen} !== undefined", arg=label)
            at_wall = wall.evaluate(seen, label)
            at_counter = counters[number].evaluate(seen, label)
            latencies.append(max(at_wall, at_counter) - sent)
            wall_only.append(at_wall - sent)
            after_answer.append(max(at_wall, at_counter) - sent - answered[-1])
        context.close()

    result = {
        "calls": CALLS, "screens": 6, "server": "xephang serve (gunicorn gthread, threading)",
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "max_ms": round(max(latencies), 2),
        "wall_p50_ms": round(statistics.median(wall_only), 2),
        "wall_p95_ms": round(percentile(wall_only, 0.95), 2),
        "http_p50_ms": round(statistics.median(answered), 2),
        "http_p95_ms": round(percentile(answered, 0.95), 2),
        "after_answer_p50_ms": round(statistics.median(after_answer), 2),
        "after_answer_p95_ms": round(percentile(after_answer, 0.95), 2),
        "transports": sorted(set(transports)),
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "target_p95_ms": TARGET_P95_MS,
    }
    result["target_met"] = result["p95_ms"] <= TARGET_P95_MS
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("\ncall-next → label on wall and counter screen (6 pages open):", json.dumps(result))
    # Pushed over websockets, never by polling. The time itself is a benchmark figure, printed
    # and kept in the JSON (target p95 ≤ 50 ms): a shared machine moves it too much to fail on.
    assert result["transports"] == ["websocket"]
    assert len(latencies) == CALLS and all(value > 0 for value in latencies)
