"""Benchmark of the kiosk's print path: a press to the last byte at a network printer.

A core is served in this process (werkzeug, threaded) with its printer set to
``network`` at a `PrinterEmulator` on 127.0.0.1 (an ESC/POS printer that records
what it receives and answers DLE EOT). Each press is ``POST /api/v1/kiosk/tickets``
from one keep-alive HTTP connection, the way the kiosk page sends it. Times are
``time.monotonic()`` (one clock for the client, the server and the emulator):

* **press → printed**: until the emulator has parsed the job's final cut, i.e. the
  whole ticket image has reached the printer;
* **press → answer**: until the kiosk has its answer (ticket + print outcome), which
  includes the status query after the job;

for 80 mm (576 dots) and 58 mm (384 dots) paper. Then the faults: the time until
the kiosk hears "failed" with the printer out of paper, stalled mid-job, dropping
the connection, and absent (these must stay under 2 s).

Run on demand: ``python -m bench.bench_print`` or ``python bench/bench_print.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server

from hardware.printer import PrinterEmulator
from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.web.app import create_app

FAULTS = ("paper_out", "stall", "drop", "absent")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": percentile(values, 0.5) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000, "max_ms": max(values) * 1000,
            "mean_ms": statistics.fmean(values) * 1000}


class Core:
    """A core printing to `emulator`, served on a loopback port."""

    def __init__(self, data_dir: Path, emulator: PrinterEmulator, width: int) -> None:
        settings = load_settings(env={
            "XEPHANG_DATA_DIR": str(data_dir),
            "XEPHANG_CENTER_OPENS_AT": "00:00",
            "XEPHANG_CENTER_CLOSES_AT": "24:00",
            "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
            "XEPHANG_KIOSK_TICKETS_PER_MINUTE": "1000000",
            "XEPHANG_PRINTER": "network",
            "XEPHANG_HARDWARE_PRINTER_HOST": "127.0.0.1",
            "XEPHANG_HARDWARE_PRINTER_PORT": str(emulator.port),
            "XEPHANG_HARDWARE_PRINTER_PROFILE": "TM-T20II",
            "XEPHANG_HARDWARE_PRINTER_PAPER_WIDTH": str(width),
        })
        self.app = create_app(settings)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        center = self.app.extensions["xephang"].center
        self.token = auth.create_token(center.store, "bench-kiosk", role="kiosk", counter=None,
                                       now=center.clock.now())
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.presses = 0

    def press(self, service: str = "A") -> tuple[float, float, dict[str, Any]]:
        """Press once; return (start, answered, body)."""
        self.presses += 1
        body = json.dumps({"service": service})
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Idempotency-Key": f"bench-{self.presses:08d}"}
        start = time.monotonic()
        self.connection.request("POST", "/api/v1/kiosk/tickets", body=body, headers=headers)
        response = self.connection.getresponse()
        payload = json.loads(response.read())
        answered = time.monotonic()
        if response.status not in (200, 201):
            raise RuntimeError(f"press refused: {response.status} {payload}")
        return start, answered, payload

    def close(self) -> None:
        self.connection.close()
        self.server.shutdown()
        self.thread.join(10)
        self.app.extensions["xephang_printer"].service.stop()
        self.app.extensions["xephang"].store.close()


def run_width(width: int, presses: int, warmup: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, PrinterEmulator() as emulator:
        core = Core(Path(tmp), emulator, width)
        try:
            printed: list[float] = []
            answered: list[float] = []
            sizes: list[int] = []
            for i in range(warmup + presses):
                start, answer, body = core.press("ABCDEF"[i % 6])
                if body["print"]["state"] != "printed":
                    raise RuntimeError(f"press {i} not printed: {body['print']}")
                if not emulator.wait_for_cuts(i + 1, timeout=5):
                    raise RuntimeError(f"press {i}: the emulator saw no cut")
                job = emulator.jobs[i]
                if i >= warmup:
                    assert job.cut_at is not None
                    printed.append(job.cut_at - start)
                    answered.append(answer - start)
                    sizes.append(len(job.data))
            return {"width": width, "press_to_printed": summary(printed),
                    "press_to_answer": summary(answered),
                    "job_bytes_mean": statistics.fmean(sizes)}
        finally:
            core.close()


def run_fault(mode: str, presses: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, PrinterEmulator() as emulator:
        core = Core(Path(tmp), emulator, 576)
        try:
            core.press()  # warm: one good ticket first
            if mode == "absent":
                emulator.stop()
            else:
                emulator.mode, emulator.after_bytes = mode, 3000
            answered: list[float] = []
            codes: set[str] = set()
            for _ in range(presses):
                start, answer, body = core.press()
                if body["print"]["state"] != "failed":
                    raise RuntimeError(f"{mode}: printed anyway: {body['print']}")
                codes.add(body["print"]["code"])
                answered.append(answer - start)
            return {"mode": mode, "press_to_answer": summary(answered), "codes": sorted(codes)}
        finally:
            core.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=200, help="timed presses per paper width")
    parser.add_argument("--warmup", type=int, default=5, help="untimed presses first")
    parser.add_argument("--fault-presses", type=int, default=10, help="timed presses per fault")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results-print.json"))
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(),
                               "widths": [], "faults": []}
    print(f"{'scenario':<28}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for width in (576, 384):
        row = run_width(width, args.presses, args.warmup)
        results["widths"].append(row)
        for key in ("press_to_printed", "press_to_answer"):
            s = row[key]
            print(f"{f'{width} dots {key}':<28}{s['n']:>5}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}"
                  f"{s['max_ms']:>10.1f}")
    for mode in FAULTS:
        row = run_fault(mode, args.fault_presses)
        results["faults"].append(row)
        s = row["press_to_answer"]
        print(f"{f'fault {mode} → failed':<28}{s['n']:>5}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}"
              f"{s['max_ms']:>10.1f}  {','.join(row['codes'])}")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
