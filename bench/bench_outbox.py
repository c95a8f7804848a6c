"""What the durable outbox costs the queue: issue and call latency with and without it.

Four variants of one center, each on its own SQLite file in a temporary dir, measured in
one run, in interleaved blocks (so the machine's noise falls on all of them alike):

* ``no outbox``: the writer path without its outbox rows (the cost's baseline);
* ``outbox``: the shipped writer path, no receiver configured;
* ``outbox + live hook``: a webhook receiver on loopback taking every event, so the
  delivery worker sends and records concurrently with the queue;
* ``outbox + dead hook``: an endpoint that never answers (the worker hangs on it).

Each operation is timed in the process, as the web layer calls it: ``Center.issue`` and
``Center.call_next`` (each call followed by an untimed finish). Target: no measurable
change at p95. Run: ``python -m bench.bench_outbox [--ops 400] [--block 50]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support_webhooks import SECRET, Receiver  # noqa: E402

from queue_core.config import Settings, WebhookSettings, load_settings  # noqa: E402
from queue_core.domain.clock import VIETNAM, SystemClock  # noqa: E402
from queue_core.ops.relay import Relay  # noqa: E402
from queue_core.service.center import Center  # noqa: E402
from queue_core.storage import Store  # noqa: E402

from .bench_core import percentile  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results-outbox.json"


@dataclass
class Variant:
    name: str
    center: Center
    relay: Relay | None = None
    issue_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)

    def block(self, ops: int) -> None:
        for _ in range(ops):
            started = time.perf_counter()
            self.center.issue("A", actor="kiosk:bench")
            self.issue_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            self.center.call_next(1, actor="user:bench", officer="bench")
            self.call_ms.append((time.perf_counter() - started) * 1000)
            self.center.finish(1, actor="user:bench")


def _thread(target: Callable[..., Any], *args: Any) -> None:
    threading.Thread(target=target, args=args, daemon=True).start()


def make_variant(name: str, folder: Path, settings: Settings, *, outbox: bool,
                 hook: str | None) -> Variant:
    store = Store.open(folder / f"{name.replace(' ', '-').replace('+', '')}.sqlite3")
    center = Center(settings, store, outbox=outbox)
    relay = None
    if hook is not None:
        relay = Relay(settings.replace(webhooks=(WebhookSettings(hook, SECRET),)), store,
                      now=SystemClock(VIETNAM).now)
        center.outbox_grew = relay.wake
        relay.start(_thread)
    return Variant(name, center, relay)


def run(ops: int, block: int) -> dict[str, Any]:
    live, dead = Receiver().start(), Receiver().start()
    dead.mode = "hang"
    settings = load_settings(env={"XEPHANG_CENTER_OPENS_AT": "00:00",
                                  "XEPHANG_CENTER_CLOSES_AT": "24:00",
                                  "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
                                  "XEPHANG_OUTBOX_READ_TIMEOUT_SECONDS": "60"})
    with tempfile.TemporaryDirectory(prefix="xephang-bench-outbox-") as tmp:
        folder = Path(tmp)
        variants = [
            make_variant("no outbox", folder, settings, outbox=False, hook=None),
            make_variant("outbox", folder, settings, outbox=True, hook=None),
            make_variant("outbox + live hook", folder, settings, outbox=True, hook=live.url),
            make_variant("outbox + dead hook", folder, settings, outbox=True, hook=dead.url),
        ]
        for variant in variants:
            variant.block(10)  # warm up: caches, first pages of the file
            variant.issue_ms.clear()
            variant.call_ms.clear()
        done = 0
        while done < ops:
            step = min(block, ops - done)
            for variant in variants:
                variant.block(step)
            done += step
        delivered = len(live.events())
        for variant in variants:
            if variant.relay is not None:
                variant.relay.stop()
            variant.center.store.close()
    dead.stop()
    live.stop()
    results: dict[str, Any] = {"ops": ops, "block": block, "delivered_to_live_hook": delivered,
                               "variants": {}}
    base = variants[0]
    for variant in variants:
        row = {}
        for op, values, base_values in (("issue", variant.issue_ms, base.issue_ms),
                                        ("call", variant.call_ms, base.call_ms)):
            p50, p95 = percentile(values, 50), percentile(values, 95)
            row[op] = {"p50_ms": p50, "p95_ms": p95,
                       "p95_ratio": (p95 or 0) / (percentile(base_values, 95) or 1)}
        results["variants"][variant.name] = row
    return results


def table(results: dict[str, Any]) -> str:
    lines = [f"outbox cost: {results['ops']} issues and calls per variant, interleaved blocks "
             f"of {results['block']} ({results['delivered_to_live_hook']} events delivered to "
             "the live hook meanwhile)", "",
             f"{'variant':<22} {'issue p50':>10} {'issue p95':>10} {'x base':>7} "
             f"{'call p50':>10} {'call p95':>10} {'x base':>7}"]
    for name, row in results["variants"].items():
        lines.append(f"{name:<22} {row['issue']['p50_ms']:>8.2f}ms {row['issue']['p95_ms']:>8.2f}ms "
                     f"{row['issue']['p95_ratio']:>7.2f} {row['call']['p50_ms']:>8.2f}ms "
                     f"{row['call']['p95_ms']:>8.2f}ms {row['call']['p95_ratio']:>7.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=400)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(args.ops, args.block)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
