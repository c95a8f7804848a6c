"""Benchmark: one province hub taking a busy day from 300 centers, then a year of history.

    python bench/bench_hub.py [--centers 300] [--tickets 300] [--senders 6]
                              [--history-days 365] [--raw-budget 600] [--json OUT]

Starts its own PostgreSQL 15 (durable: fsync and synchronous commit on) and the real
`xephang hub serve` (gunicorn, 2 workers), registers the centers, and then:

1. **ingest**: every center's busy day (`--tickets` tickets each: issue, call, some recalls,
   finish or no-show, transfers, cancellations, ratings; every event in the shape of the
   ingest protocol) is posted by `--senders` threads in batches of 200, each center's events
   in order. Reported: events per second, and how long the hub then needs until every
   changed day is counted (the dashboard's figures are complete).
2. **lag**: while a background load sends events at a steady rate, probes send one new
   ticket to a center and time how long until `GET /api/v1/centers` shows it.
3. **dashboard queries** (median of 5) with the day just ingested, then again after a year
   of counted days (`--history-days` × centers rows of `center_days`, the only table the
   dashboard reads) has been loaded with COPY, and after raw history rows (events, tickets,
   steps) have been copied into past months' partitions for `--raw-budget` seconds (the
   full 30 M events take longer than that on a small machine: the rate is reported and the
   time for the whole year extrapolated).
4. **ingest again** with that history present (a smaller day): flat if it matches step 1.

Prints tables; writes every number to `bench/results-hub.json`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import requests  # noqa: E402
from support_postgres import PostgresServer  # noqa: E402

from queue_core.stats import figures as stats  # noqa: E402
from queue_core.province import accounts, aggregate, codec  # noqa: E402
from queue_core.province.storage.database import Database  # noqa: E402
from queue_core.province.storage.migrations import create_partitions, migrate, month_of  # noqa: E402

ICT = timezone(timedelta(hours=7))
FIELDS = (("A", (1, 2, 5), 0.45), ("B", (2, 3), 0.2), ("C", (4,), 0.1), ("D", (4,), 0.05),
          ("E", (3,), 0.05), ("F", (5,), 0.15))
BATCH = 200


# --- a synthetic busy day, event by event ---------------------------------------------------

def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def synthetic_day(rng: random.Random, day: date, tickets: int, *, first_seq: int = 1,
                  ) -> tuple[list[dict[str, Any]], list[stats.TicketHistory]]:
    """Return a center's events of one day (seq from `first_seq`) and the tickets' histories."""
    opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=ICT)
    changes: list[tuple[datetime, int, str, dict[str, Any]]] = []
    histories = []
    numbers: dict[str, int] = {}
    codes = [f[0] for f in FIELDS]
    weights = [f[2] for f in FIELDS]
    counters = {f[0]: f[1] for f in FIELDS}
    for n in range(tickets):
        # Arrivals peak mid-morning; the day lasts nine hours.
        issued = opening + timedelta(seconds=min(32000, abs(rng.gauss(9000, 8000))))
        service = rng.choices(codes, weights)[0]
        numbers[service] = numbers.get(service, 0) + 1
        ticket = {"id": f"t{day:%m%d}{n:04d}{rng.randrange(10**6):06d}", "number": numbers[service],
                  "label": f"{service}{numbers[service]:03d}", "service": service,
                  "series": service, "day": day.isoformat(),
                  "priority": "elderly" if rng.random() < 0.08 else None, "channel": "kiosk",
                  "state": "waiting", "counter": None, "officer": None,
                  "issued_at": _iso(issued), "called_at": None, "finished_at": None,
                  "recalls": 0}
        steps: list[stats.StepRow] = []

        def step(action: str, at: datetime, **change: Any) -> None:
            ticket.update(change)
            actor = f"user:{ticket['officer']}" if ticket["officer"] else "kiosk:sanh"
            steps.append(stats.StepRow(action, at, actor, ticket["service"], ticket["counter"]))
            name = {"issue": "ticket_issued", "call": "ticket_called",
                    "recall": "ticket_called"}.get(action, "ticket_updated")
            changes.append((at, len(changes), name, {"ticket": dict(ticket), "step": {
                "action": action, "at": _iso(at), "actor": actor, "service": ticket["service"],
                "counter": ticket["counter"]}}))

        step("issue", issued)
        at = issued
        rating = None
        if rng.random() < 0.02:
            at += timedelta(minutes=rng.uniform(3, 30))
            step("cancel", at, state="cancelled", finished_at=_iso(at))
        else:
            transfer = rng.random() < 0.03
            for hop in range(2 if transfer else 1):
                at += timedelta(seconds=min(7200, rng.expovariate(1 / 600)))
                counter = rng.choice(counters[ticket["service"]])
                step("call", at, state="called", counter=counter, officer=f"cb{counter}",
                     called_at=_iso(at), recalls=0)
                if rng.random() < 0.1:
                    at += timedelta(seconds=30)
                    step("recall", at, recalls=1)
                if transfer and hop == 0:
                    at += timedelta(seconds=rng.uniform(30, 240))
                    step("transfer", at, state="waiting", counter=None, officer=None,
                         service="F" if ticket["service"] != "F" else "A")
            if rng.random() < 0.05:
                at += timedelta(seconds=120)
                step("no_show", at, state="no_show", finished_at=_iso(at))
            else:
                at += timedelta(seconds=rng.lognormvariate(5.5, 0.5))
                step("finish", at, state="done", finished_at=_iso(at))
                if rng.random() < 0.4:
                    level = rng.choices(("very_satisfied", "satisfied", "unsatisfied"),
                                        (0.55, 0.35, 0.1))[0]
                    rated = at + timedelta(seconds=20)
                    rating = stats.RatingRow(level, rated)
                    changes.append((rated, len(changes), "rating_given", {
                        "ticket": ticket["id"], "day": ticket["day"], "level": level,
                        "at": _iso(rated), "service": ticket["service"],
                        "counter": ticket["counter"], "officer": ticket["officer"]}))
        histories.append(_history(ticket, steps, rating))
    changes.sort(key=lambda c: (c[0], c[1]))
    events = [{"id": f"e{first_seq + i}", "seq": first_seq + i, "event": name, "at": _iso(at),
               "data": data} for i, (at, _, name, data) in enumerate(changes)]
    return events, histories


def _history(ticket: dict[str, Any], steps: list[stats.StepRow],
             rating: stats.RatingRow | None) -> stats.TicketHistory:
    parse = datetime.fromisoformat
    row = stats.TicketRow(ticket["id"], ticket["label"], ticket["day"], ticket["series"],
                          ticket["service"], ticket["state"], parse(ticket["issued_at"]),
                          ticket["priority"], ticket["channel"], ticket["counter"],
                          ticket["officer"],
                          parse(ticket["called_at"]) if ticket["called_at"] else None,
                          parse(ticket["finished_at"]) if ticket["finished_at"] else None,
                          ticket["recalls"])
    multi = any(s.action in stats.HISTORY_ACTIONS for s in steps)
    counted = tuple(s for s in steps if s.action in stats.STEP_ACTIONS) if multi else ()
    return stats.TicketHistory(row, counted, rating)


# --- the hub process ------------------------------------------------------------------------

class HubProcess:
    def __init__(self, url: str, port: int, workers: int, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XEPHANG_")}
        env["XEPHANG_LOG_LEVEL"] = "warning"
        self.base = f"http://127.0.0.1:{port}"
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "queue_core.cli", "hub", "serve", "--database", url,
                 "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-3000:])
            try:
                if requests.get(f"{self.base}/api/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            threading.Event().wait(0.1)
        raise TimeoutError("the hub did not start")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- steps ----------------------------------------------------------------------------------

def ingest(base: str, tokens: list[str], days: list[list[dict[str, Any]]], senders: int,
           ) -> dict[str, Any]:
    """Post every center's events in order, `senders` centers at a time; return figures."""
    total = sum(len(d) for d in days)
    work = list(range(len(days)))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def sender() -> None:
        session = requests.Session()
        while True:
            with lock:
                if not work:
                    return
                n = work.pop()
            events, headers = days[n], {"Authorization": f"Bearer {tokens[n]}"}
            for start in range(0, len(events), BATCH):
                body = {"stream": "bench", "events": events[start:start + BATCH],
                        "sent_at": datetime.now(ICT).isoformat()}
                began = time.perf_counter()
                answer = session.post(f"{base}/api/v1/ingest", json=body, headers=headers,
                                      timeout=120)
                with lock:
                    latencies.append(time.perf_counter() - began)
                if answer.status_code != 200 or answer.json()["applied"] != len(body["events"]):
                    errors.append(f"{answer.status_code} {answer.text[:200]}")
                    return

    began = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(errors[0])
    latencies.sort()
    return {"events": total, "seconds": round(elapsed, 2),
            "events_per_s": round(total / elapsed), "batches": len(latencies),
            "batch_p50_ms": round(1000 * statistics.median(latencies), 1),
            "batch_p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1)}


def wait_counted(db: Database, timeout: float = 3600) -> float:
    """Wait until no day is left to count; return how long it took."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        with db.transaction() as conn:
            left = conn.execute("SELECT count(*) FROM dirty_days").fetchone()[0]
        if not left:
            return time.perf_counter() - began
        threading.Event().wait(0.2)
    raise TimeoutError("days still not counted")


def probe_lag(base: str, tokens: list[str], viewer: dict[str, str], next_seq: list[int],
              day: date, probes: int, background_rate: float) -> dict[str, Any]:
    """Time from posting one new ticket to seeing it in the overview, under a steady load."""
    rng = random.Random(7)
    stop = threading.Event()
    lock = threading.Lock()

    def new_ticket(n: int) -> dict[str, Any]:
        with lock:
            seq = next_seq[n]
            next_seq[n] += 1
        now = datetime.now(ICT).replace(year=day.year, month=day.month, day=day.day)
        ticket = {"id": f"p{n}-{seq}", "number": 900 + seq % 99, "label": f"A{900 + seq % 99}",
                  "service": "A", "series": "A", "day": day.isoformat(), "priority": None,
                  "channel": "kiosk", "state": "waiting", "counter": None, "officer": None,
                  "issued_at": _iso(now), "called_at": None, "finished_at": None, "recalls": 0}
        return {"stream": "bench", "events": [{"seq": seq, "event": "ticket_issued",
                "at": _iso(now), "data": {"ticket": ticket, "step": {
                    "action": "issue", "at": _iso(now), "actor": "kiosk:sanh", "service": "A",
                    "counter": None}}}]}

    def background() -> None:
        session = requests.Session()
        while not stop.is_set():
            n = rng.randrange(1, len(tokens))
            session.post(f"{base}/api/v1/ingest", json=new_ticket(n),
                         headers={"Authorization": f"Bearer {tokens[n]}"}, timeout=60)
            stop.wait(1 / background_rate)

    loader = threading.Thread(target=background)
    loader.start()
    session = requests.Session()
    lags = []
    try:
        for _ in range(probes):
            before = session.get(f"{base}/api/v1/centers", headers=viewer, timeout=60).json()
            issued = before[0]["issued_today"]
            began = time.perf_counter()
            answer = session.post(f"{base}/api/v1/ingest", json=new_ticket(0),
                                  headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=60)
            assert answer.ok and answer.json()["applied"] == 1, answer.text
            while True:
                now = session.get(f"{base}/api/v1/centers", headers=viewer, timeout=60).json()
                if now[0]["issued_today"] > issued:
                    lags.append(time.perf_counter() - began)
                    break
                if time.perf_counter() - began > 120:
                    raise TimeoutError("the probe never showed")
                threading.Event().wait(0.02)
    finally:
        stop.set()
        loader.join()
    lags.sort()
    return {"probes": len(lags), "background_events_per_s": background_rate,
            "lag_p50_ms": round(1000 * statistics.median(lags)),
            "lag_max_ms": round(1000 * lags[-1])}


def time_queries(base: str, viewer: dict[str, str], today: date, code: str,
                 repeats: int = 5) -> dict[str, float]:
    month = today.strftime("%Y-%m")
    first = today.replace(day=1).isoformat()
    year_ago = (today - timedelta(days=365)).isoformat()
    cases = {
        "overview (GET /centers)": "/api/v1/centers",
        "compare centers, this month": f"/api/v1/compare/centers?from={first}&to={today}",
        "compare centers, 12 months": f"/api/v1/compare/centers?from={year_ago}&to={today}",
        "compare 12 weeks, province": "/api/v1/compare/weeks?weeks=12",
        "one center, 12 months (drill-down)": f"/api/v1/centers/{code}/stats?from={year_ago}&to={today}",
        "monthly report (Excel)": f"/api/v1/reports/monthly.xlsx?month={month}",
        "province /stats, today": f"/api/v1/stats?from={today}&to={today}",
        "province /stats, this month": f"/api/v1/stats?from={first}&to={today}",
    }
    session = requests.Session()
    found = {}
    for name, path in cases.items():
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            answer = session.get(base + path, headers=viewer, timeout=600)
            times.append(time.perf_counter() - began)
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")
        found[name] = round(1000 * statistics.median(times), 1)
    return found


def load_history(db: Database, centers: list[int], today: date, days: int, pool_size: int,
                 tickets: int) -> dict[str, Any]:
    """COPY a year of counted days: a pool of real counted days, spread over every center."""
    rng = random.Random(11)
    pool = []
    for n in range(pool_size):
        day = today - timedelta(days=400 + n)
        _, histories = synthetic_day(rng, day, max(30, int(tickets * rng.uniform(0.4, 1.1))))
        facts = [stats.ticket_facts(h) for h in histories]
        tallies = stats.tally_days(facts, target_wait_s=900, now=datetime.now(ICT))[day.isoformat()]
        pool.append((day.isoformat(), aggregate.day_figures(tallies, facts),
                     codec.dumps(tallies, day.isoformat())))
    from queue_core.province.storage.days import DAY_FIGURES

    columns = ("center_id", "day", *DAY_FIGURES, "tallies", "counted_at")
    began = time.perf_counter()
    rows = 0
    now = datetime.now(timezone.utc)
    with db.transaction() as conn, conn.cursor() as cur:
        with cur.copy(f"COPY center_days ({', '.join(columns)}) FROM STDIN") as copy:
            for back in range(1, days + 1):
                day = today - timedelta(days=back)
                if day.isoweekday() == 7:
                    continue
                for center in centers:
                    source_day, figures, blob = pool[(center * 7 + back) % pool_size]
                    copy.write_row((center, day, *[figures[k] for k in DAY_FIGURES],
                                    blob.replace(f'"day":"{source_day}"',
                                                 f'"day":"{day.isoformat()}"', 1), now))
                    rows += 1
    with db.transaction() as conn:
        conn.execute("ANALYZE center_days")
    return {"center_days_rows": rows, "seconds": round(time.perf_counter() - began, 1)}


def load_raw(db: Database, centers: list[int], today: date, budget: float,
             events_per_center_day: int) -> dict[str, Any]:
    """COPY raw events, tickets and steps into past months' partitions, for `budget` seconds."""
    began = time.perf_counter()
    events = 0
    day = today.replace(day=1) - timedelta(days=1)
    payload = json.dumps({"ticket": {"id": "x", "state": "done"}, "step": {"action": "finish"}})
    with db.transaction() as conn:
        stream_ids = dict(conn.execute("SELECT center_id, id FROM streams").fetchall())
    while time.perf_counter() - began < budget and day > today - timedelta(days=365):
        with db.transaction() as conn:
            create_partitions(conn, {month_of(day)})
        at = datetime(day.year, day.month, day.day, 9, tzinfo=ICT)
        base = -(today - day).days * 10_000
        tables: list[tuple[str, Callable[[int, int, int], tuple[Any, ...]]]] = [
            ("events (stream_id, seq, day, center_id, event, at, received_at, data)",
             lambda stream, center, i: (stream, base + i, day, center, "ticket_updated", at, at,
                                        payload)),
            ("steps (stream_id, seq, day, center_id, ticket_id, action, at, actor, service,"
             " counter)", lambda stream, center, i: (stream, base + i, day, center,
                                                     f"t{i // 4}", "finish", at, "user:cb1",
                                                     "A", 1))]
        with db.transaction() as conn, conn.cursor() as cur:
            for table, row in tables:
                with cur.copy(f"COPY {table} FROM STDIN") as copy:
                    for center in centers:
                        stream = stream_ids.get(center)
                        for i in range(events_per_center_day if stream is not None else 0):
                            copy.write_row(row(stream, center, i))
            events += events_per_center_day * sum(1 for c in centers if c in stream_ids)
        day -= timedelta(days=1)
    elapsed = time.perf_counter() - began
    with db.transaction() as conn:
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))"
                            ).fetchone()[0]
    return {"events_copied": events, "steps_copied": events, "seconds": round(elapsed, 1),
            "events_per_s": round(events / elapsed) if elapsed else 0, "database_size": size}


# --- output ---------------------------------------------------------------------------------

def table(title: str, rows: list[tuple[str, Any]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 16))
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=300)
    parser.add_argument("--tickets", type=int, default=300, help="tickets per center on the busy day")
    parser.add_argument("--senders", type=int, default=6, help="boxes posting at once")
    parser.add_argument("--workers", type=int, default=2, help="hub serving processes")
    parser.add_argument("--history-days", type=int, default=365)
    parser.add_argument("--raw-budget", type=float, default=600,
                        help="seconds spent copying raw history rows")
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--background-rate", type=float, default=50,
                        help="events per second sent while probing the lag")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results-hub.json"))
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"parameters": vars(args)}
    server = PostgresServer(durable=True).start()
    hub: HubProcess | None = None
    try:
        url = server.create_database("hub")
        db = Database(url, max_size=4).open()
        with db.transaction() as conn:
            migrate(conn)
        codes = [f"C{n:03d}" for n in range(args.centers)]
        tokens = [accounts.add_center(db, code, f"Trung tâm Phục vụ Hành chính công {code}")
                  for code in codes]
        viewer = {"Authorization": f"Bearer {accounts.create_viewer_token(db, 'bench')}"}
        today = datetime.now(ICT).date()
        rng = random.Random(1)
        print(f"generating {args.centers} busy days of {args.tickets} tickets…", file=sys.stderr)
        days = [synthetic_day(rng, today, args.tickets)[0] for _ in codes]
        hub = HubProcess(url, _free_port(), args.workers, Path(tempfile.gettempdir()) / "bench-hub.log")
        print("ingesting…", file=sys.stderr)
        results["ingest"] = ingest(hub.base, tokens, days, args.senders)
        results["ingest"]["counted_after_s"] = round(wait_counted(db), 1)
        results["ingest"]["events_per_center"] = round(results["ingest"]["events"] / len(codes))
        next_seq = [len(d) + 1 for d in days]
        results["lag"] = probe_lag(hub.base, tokens, viewer, next_seq, today, args.probes,
                                   args.background_rate)
        wait_counted(db)
        results["queries_one_day"] = time_queries(hub.base, viewer, today, codes[0])
        with db.transaction() as conn:
            ids = [i for (i,) in conn.execute("SELECT id FROM centers ORDER BY id")]
        print("loading a year of counted days…", file=sys.stderr)
        results["history"] = load_history(db, ids, today, args.history_days, 40, args.tickets)
        results["queries_year"] = time_queries(hub.base, viewer, today, codes[0])
        print("copying raw history…", file=sys.stderr)
        # A year of 30 M events over the centers' days; at most 2,000 a day (a short run).
        per_day = min(2000, max(1, round(30_000_000 / max(1, args.centers * args.history_days))))
        raw = load_raw(db, ids, today, args.raw_budget, per_day)
        raw["events_per_center_day"] = per_day
        raw["full_year_events"] = 30_000_000
        raw["full_year_extrapolated_minutes"] = (
            round(raw["full_year_events"] / raw["events_per_s"] / 60, 1)
            if raw["events_per_s"] else None)
        results["raw_history"] = raw
        results["queries_year_raw"] = time_queries(hub.base, viewer, today, codes[0])
        small = [synthetic_day(rng, today, max(10, args.tickets // 3), first_seq=seq)[0]
                 for seq in next_seq]
        results["ingest_with_history"] = ingest(hub.base, tokens, small, args.senders)
        results["ingest_with_history"]["counted_after_s"] = round(wait_counted(db), 1)
        db.close()
    finally:
        if hub is not None:
            hub.stop()
        server.destroy()

    ing, again, lag = results["ingest"], results["ingest_with_history"], results["lag"]
    table(f"Ingest: {args.centers} centers × {args.tickets} tickets, {args.senders} senders, "
          f"{args.workers} hub workers", [
              ("events", ing["events"]), ("events per center", ing["events_per_center"]),
              ("seconds", ing["seconds"]), ("events/s", ing["events_per_s"]),
              ("batch p50 (ms)", ing["batch_p50_ms"]), ("batch p95 (ms)", ing["batch_p95_ms"]),
              ("all days counted after (s)", ing["counted_after_s"]),
              ("events/s with a year of history", again["events_per_s"]),
              ("  (that run: events)", again["events"])])
    table(f"Lag from an event to the dashboard ({lag['background_events_per_s']} events/s "
          "in the background)", [("probes", lag["probes"]), ("p50 (ms)", lag["lag_p50_ms"]),
                                 ("max (ms)", lag["lag_max_ms"])])
    print("\nDashboard queries, median of 5 (ms)")
    names = list(results["queries_one_day"])
    width = max(len(n) for n in names)
    print(f"{'query':<{width}}  {'1 day':>10}  {'+ a year':>10}  {'+ raw rows':>10}")
    for name in names:
        print(f"{name:<{width}}  {results['queries_one_day'][name]:>10}  "
              f"{results['queries_year'][name]:>10}  {results['queries_year_raw'][name]:>10}")
    hist, raw = results["history"], results["raw_history"]
    table("History loaded", [
        ("center_days rows (COPY)", hist["center_days_rows"]), ("  seconds", hist["seconds"]),
        ("raw events copied", raw["events_copied"]), ("raw steps copied", raw["steps_copied"]),
        ("  seconds", raw["seconds"]), ("  rows/s per table", raw["events_per_s"]),
        ("full year (events)", raw["full_year_events"]),
        ("  extrapolated minutes", raw["full_year_extrapolated_minutes"]),
        ("database size", raw["database_size"])])
    Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


__all__ = ["main", "synthetic_day"]

if __name__ == "__main__":
    raise SystemExit(main())
