"""Serving models side by side on this machine, with the real app: a hall full of phones.

For each serving option, on a fresh data dir and a free loopback port:

* **memory idle**: RSS and PSS of every process of the serving tree (psutil);
* **call-next p95** with no other client, then with N idle Socket.IO clients held (lean
  asyncio websockets from many loopback addresses, subscribed to the board, answering
  pings), and `/health` p95 under that load. "held" counts the clients that got their
  board; a model that stalls shows how many it took before it stopped;
* **past the ceiling** (asyncio only): extra clients once the ceiling is reached, and
  how many were refused with 503;
* **slow-loris**: 600 half-sent HTTP requests, then call-next and `/health` again;
* **fan-out**: call → all 200 clients p99, and 200 more clients of a bare python-socketio
  server of the same kind (the floor), the two taking turns call by call so both see the
  machine at the same moments; memory with those 200 screens connected. With the 5,000
  ticket pages held, the same pair again.

Options: `asyncio` (the default: uvicorn, websockets on one loop, REST on a bounded
pool), `gthread` (gunicorn gthread, the former default), `eventlet`, `gevent`
(gevent's WSGIServer, python-engineio with simple-websocket), and `main` (the tree given
with `--baseline`, as it was before: gunicorn gthread plus the announcer child).

    python -m bench.bench_serving                       # all options, 5,000 idle clients
    python -m bench.bench_serving --idle 1000 --options asyncio gthread
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import resource
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil
import requests

from .bench_core import (
    MANY_KIOSKS,
    SPACING,
    Audience,
    LiveServer,
    floor_server,
    measure_fanout,
    measure_fanouts,
    pause,
    summary,
)
from .import_memory import SERVING_CODE, measure_in_child

RESULTS = Path(__file__).resolve().parent / "results-serving.json"
OPTIONS = ("asyncio", "gthread", "eventlet", "gevent", "main")
SLOW_LORIS = 600
FANOUT = 200
ADDRESSES = 64                      # idle clients come from 127.0.0.2 … 127.0.0.65
STOPPED = "stopped"
# After a crowd leaves: the server counts as settled once it has used less than this share
# of a core for this many seconds in a row (or after the limit).
SETTLED_CPU = 0.1
SETTLED_SECONDS = 3
SETTLED_LIMIT = 90

GEVENT_SERVER = r'''
import sys
from gevent import monkey
monkey.patch_all()
data_dir, port = sys.argv[1], int(sys.argv[2])
import queue_core.web.app as web
from queue_core.cli.serve import prepare_serving
from queue_core.config import load_settings

# Flask-SocketIO in gevent mode; the settings only know the supported modes.
web.flask_socketio_mode = lambda mode: "gevent"
settings = load_settings(None, overrides={"server": {"data_dir": data_dir, "host": "127.0.0.1",
                                                     "port": port, "async_mode": "threading"}})
prepare_serving(settings, accept_clock=False)
app = web.create_app(settings, background=True)
from gevent.pywsgi import WSGIServer
WSGIServer(("127.0.0.1", port), app, log=None).serve_forever()
'''



# --- idle crowd ------------------------------------------------------------------------------

def hold_worker(host: str, port: int, count: int, out: Any, stop: Any,
                subscribe: bool = True, tickets: list[tuple[str, str]] | None = None) -> None:
    """Hold `count` idle Socket.IO clients from many loopback addresses; report counts.

    With `subscribe` each joins the board (as a ticket page did before it had rooms of its
    own) and so receives every event; without, it only stays connected (a page in a
    pocket between events). With `tickets`, each is a ticket page as it is now: it asks for
    a relaxed ping pace and joins its own ticket's room (`ticket:<id>`) with the ticket's
    holder key (`tickets` are `(id, key)` pairs), held once answered.
    """
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import (AcceptConnection, CloseConnection, Ping, RejectConnection,
                                RejectData, Request, TextMessage)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = {"held": 0, "refused": 0, "failed": 0, "lost": 0}

    async def client(index: int) -> None:
        source = f"127.0.0.{2 + index % ADDRESSES}"
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, local_addr=(source, 0)), 10)
        except (OSError, TimeoutError):
            counts["failed"] += 1
            return
        ws = WSConnection(ConnectionType.CLIENT)
        pace = "&pace=relaxed" if tickets else ""
        writer.write(ws.send(Request(host=f"{host}:{port}",
                                     target=f"/socket.io/?EIO=4&transport=websocket{pace}")))
        held = False
        try:
            while True:
                data = await asyncio.wait_for(reader.read(65536), None if held else 20)
                if not data:
                    break
                ws.receive_data(data)
                for event in ws.events():
                    if isinstance(event, (RejectConnection, RejectData)):
                        counts["refused"] += 1
                        return
                    if isinstance(event, Ping):
                        writer.write(ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        return
                    elif isinstance(event, TextMessage):
                        message = event.data
                        if message == "2":
                            writer.write(ws.send(TextMessage(data="3")))
                        elif message.startswith("0"):
                            writer.write(ws.send(TextMessage(data="40")))
                        elif message.startswith("40") and not subscribe:
                            if not held:
                                held = True
                                counts["held"] += 1
                        elif message.startswith("40") and tickets:
                            ticket_id, key = tickets[index % len(tickets)]
                            asked = json.dumps({"rooms": [f"ticket:{ticket_id}"], "key": key})
                            writer.write(ws.send(TextMessage(
                                data=f'420["subscribe",{asked}]')))
                        elif message.startswith('430[{"ok":true') and not held:
                            held = True
                            counts["held"] += 1
                        elif message.startswith("40"):
                            writer.write(ws.send(TextMessage(
                                data='42["subscribe",{"rooms":["board"]}]')))
                        elif message.startswith('42["board",') and not held:
                            held = True
                            counts["held"] += 1
                await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            counts["failed" if not held else "lost"] += 1
            return
        finally:
            if held:
                counts["held"] -= 1
                counts["lost"] += 1
            writer.close()
        if not held:
            counts["failed"] += 1

    async def main() -> None:
        tasks = []
        for index in range(count):
            tasks.append(asyncio.create_task(client(index)))
            await asyncio.sleep(0.002)
            if index % 100 == 99:
                out.put(dict(counts, started=index + 1))
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            out.put(dict(counts, started=count))
            await loop.run_in_executor(None, stop.wait, 0.5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


class Crowd:
    """An idle crowd in one worker process; `wait_settled` waits until it stops growing."""

    def __init__(self, url: str, count: int, subscribe: bool = True,
                 tickets: list[tuple[str, str]] | None = None) -> None:
        ctx = multiprocessing.get_context("spawn")
        host, port = url.removeprefix("http://").split(":")
        self.out = ctx.Queue()
        self.stop = ctx.Event()
        self.count = count
        self.last: dict[str, int] = {"held": 0, "refused": 0, "failed": 0, "lost": 0,
                                     "started": 0}
        self.worker = ctx.Process(target=hold_worker, args=(host, int(port), count, self.out,
                                                            self.stop, subscribe, tickets),
                                  daemon=True)

    def __enter__(self) -> "Crowd":
        self.worker.start()
        return self

    def poll(self, timeout: float = 0.5) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.last = self.out.get(timeout=max(0.01, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - queue.Empty
                break
        return self.last

    def wait_settled(self, limit: float) -> dict[str, int]:
        """Wait until every client has an outcome, or nothing changed for 10 s, or `limit`."""
        deadline = time.monotonic() + limit
        previous, still_since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = self.poll(1.0)
            done = now["held"] + now["refused"] + now["failed"] + now["lost"]
            if now["started"] >= self.count and done >= self.count:
                break
            key = (now["held"], now["refused"], now["failed"])
            if key != previous:
                previous, still_since = key, time.monotonic()
            elif time.monotonic() - still_since > 10 and now["started"] >= self.count:
                break
        return self.poll(0.2)

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.worker.join(20)
        if self.worker.is_alive():
            self.worker.kill()


# --- the servers -----------------------------------------------------------------------------

class Served(LiveServer):
    """A LiveServer started with another command for the gevent option and the baseline."""

    def __init__(self, data_dir: Path, option: str, baseline: Path | None,
                 env: dict[str, str]) -> None:
        mode = {"asyncio": "asyncio", "eventlet": "eventlet"}.get(option, "threading")
        # One kiosk token stands for a hall of kiosks (the desk's issues): its minute is lifted.
        super().__init__(data_dir, mode=mode, env={**MANY_KIOSKS, **env})
        self.option = option
        if option == "main" and baseline is not None:
            # The recorded baseline's own code: it knows no asyncio mode and no limits.
            self.env["PYTHONPATH"] = str(baseline)
            self.env.pop("XEPHANG_ASYNC_MODE", None)

    def serve_command(self) -> list[str]:
        if self.option == "gevent":
            return [sys.executable, "-c", GEVENT_SERVER, str(self.data_dir), str(self.port)]
        return super().serve_command()


def tree_memory(pid: int) -> dict[str, Any]:
    """RSS and PSS of a process and its descendants, in all and per process (MB)."""
    root = psutil.Process(pid)
    processes = []
    for proc in [root, *root.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
            name = " ".join(proc.cmdline()[1:4]).replace("\n", " ")[:60]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        processes.append({"pid": proc.pid, "name": name, "rss": info.rss / 2**20,
                          "pss": getattr(info, "pss", info.rss) / 2**20})
    return {"rss": sum(p["rss"] for p in processes), "pss": sum(p["pss"] for p in processes),
            "processes": processes}


def timed(call: Any, count: int, timeout: float = 5.0,
          between: Any = None) -> dict[str, Any]:
    """Run `call(timeout)` `count` times; p50/p95 of those that answered, and failures.

    `between(timeout)` runs before each call and after the last, untimed (the finish
    after a call-next).
    """
    times, failures = [], 0
    for _ in range(count):
        if between is not None:
            try:
                between(timeout)
            except requests.RequestException:
                pass
        start = time.perf_counter()
        try:
            ok = call(timeout)
        except requests.RequestException:
            ok = False
        if ok:
            times.append((time.perf_counter() - start) * 1000)
        else:
            failures += 1
            if failures >= 3:
                break
    if between is not None:                      # leave the counter free
        try:
            between(timeout)
        except requests.RequestException:
            pass
    return {**summary(times), "failures": failures}


class Desk:
    """A kiosk and counter 1 over HTTP, for the timed requests."""

    def __init__(self, server: LiveServer, kiosk: str, staff: str) -> None:
        self.url = server.url
        self.api = f"{server.url}/api/v1"
        self.http = requests.Session()
        self.kiosk = {"Authorization": f"Bearer {kiosk}"}
        self.staff = {"Authorization": f"Bearer {staff}"}

    def issue(self, count: int) -> None:
        for _ in range(count):
            self.http.post(f"{self.api}/tickets", json={"service": "A"}, headers=self.kiosk,
                           timeout=10).raise_for_status()

    def call(self, timeout: float) -> bool:
        answer = self.http.post(f"{self.api}/counters/1/call-next", headers=self.staff,
                                timeout=timeout)
        return answer.status_code == 200

    def finish(self, timeout: float) -> bool:
        """Finish the ticket called, and issue one more so the next call has someone."""
        answer = self.http.post(f"{self.api}/counters/1/finish", headers=self.staff,
                                timeout=timeout)
        self.http.post(f"{self.api}/tickets", json={"service": "A"}, headers=self.kiosk,
                       timeout=timeout)
        # Spaced like calls at a real counter: the pushes of one call are done before the next.
        pause(0.2)
        return answer.status_code in (200, 409)

    def health(self, timeout: float) -> bool:
        return requests.get(f"{self.api}/health", timeout=timeout).status_code == 200

    def issue_pages(self, count: int) -> list[tuple[str, str]]:
        """Issue `count` tickets in field A (four at a time); return their ids and holder keys."""
        from concurrent.futures import ThreadPoolExecutor

        def one(_: int) -> tuple[str, str]:
            answer = requests.post(f"{self.api}/tickets", json={"service": "A"},
                                   headers=self.kiosk, timeout=30)
            answer.raise_for_status()
            ticket = answer.json()
            return str(ticket["id"]), str(ticket["holder_key"])

        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(one, range(count)))


def cpu_share(pid: int, seconds: float) -> float:
    """The serving tree's CPU time per second of wall time over `seconds` (1.0 = one core)."""
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]

    def used() -> float:
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    before, start = used(), time.monotonic()
    pause(seconds)
    return (used() - before) / (time.monotonic() - start)


def wait_settled_server(pid: int, busy: float = 0.0) -> float:
    """Wait until a crowd that left has cost the server all it will; return the seconds waited.

    Thousands of connections closing keep the server busy for seconds (each close runs the
    hub's handler), and the full collection that returns their memory comes a second after
    the last one (collector.py), about a second long with 5,000: a fixed pause was once too
    short for it. So: wait for `SETTLED_SECONDS` in a row of a quiet server, using less
    than `SETTLED_CPU` of a core above `busy` (what the clients still connected cost it).
    """
    start = time.monotonic()
    quiet = 0
    while quiet < SETTLED_SECONDS and time.monotonic() - start < SETTLED_LIMIT:
        quiet = quiet + 1 if cpu_share(pid, 1.0) < busy + SETTLED_CPU else 0
    return time.monotonic() - start


def slow_loris(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            sockets.append(sock)
        except OSError:
            break
    return sockets


def bench_option(option: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    # Room for the largest crowd and the 200 screens beside it, and 100 more: the extra
    # clients sent past a crowd of `idle` (EXTRA) are refused by 100.
    ceiling = max(args.idle, args.phones) + FANOUT + 100
    env = {"XEPHANG_SERVER_MAX_CONNECTIONS": str(ceiling),
           "XEPHANG_SERVER_MAX_CONNECTIONS_PER_ADDRESS": str(ceiling)}
    if option == "main":
        env = {}
    result: dict[str, Any] = {"option": option}
    # Embedded defaults first (emulated printer and loudspeaker, the announcer on).
    if option in ("asyncio", "main"):
        embedded = Served(work / f"{option}-embedded", option, args.baseline,
                          {"XEPHANG_HARDWARE_SPEAKER_ATTACHED": "true"})
        embedded.start()
        try:
            embedded.get("/state")
            settle = time.monotonic() + 60
            while embedded.get("/health").json().get("audio") != "degraded" \
                    and time.monotonic() < settle:
                pause(0.2)
            pause(2)
            result["memory_embedded"] = tree_memory(embedded.pid)
        finally:
            embedded.kill()
    server = Served(work / option, option, args.baseline, env)
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    desk = Desk(server, kiosk, staff)
    # Seconds waited, after each crowd left, for the server to settle.
    settled: list[float] = []
    result["settled_seconds"] = settled
    try:
        desk.issue(args.calls * 4)
        result["memory_idle"] = tree_memory(server.pid)
        result["call_0"] = timed(desk.call, args.calls, between=desk.finish)
        result["health_0"] = timed(desk.health, args.calls)
        # Fan-out to 200 screens, and memory with them; the floor beside it, call for call.
        desk.issue(args.calls)
        result["fanout"], result["floor"] = fan_out_beside_floor(option, args, desk, work)
        result["memory_200"] = tree_memory(server.pid)
        # The idle crowd: connected only, then subscribed to the board.
        if "quiet" in args.phases:
            with Crowd(server.url, args.idle, subscribe=False) as crowd:
                result["quiet_crowd"] = crowd.wait_settled(limit=args.idle / 50 + 60)
                result["cpu_idle_quiet"] = cpu_share(server.pid, 10)
                result["call_quiet"] = timed(desk.call, args.calls, between=desk.finish)
                result["health_quiet"] = timed(desk.health, args.calls)
                if option == "asyncio" and result["quiet_crowd"]["held"] == args.idle:
                    # Fill the ceiling and send 100 more: those are refused (503), the
                    # crowd and the counter carry on.
                    sent = ceiling - args.idle + 100
                    with Crowd(server.url, sent, subscribe=False) as extra:
                        result["past_ceiling"] = dict(extra.wait_settled(limit=60), sent=sent)
                    settled.append(wait_settled_server(server.pid, result["cpu_idle_quiet"]))
                    result["call_past_ceiling"] = timed(desk.call, 10, between=desk.finish)
                    result["quiet_after_ceiling"] = crowd.poll(0.5)  # still all held
        wait_answering(desk)
        settled.append(wait_settled_server(server.pid))
        if "board" in args.phases:
            with Crowd(server.url, args.idle) as crowd:
                held = crowd.wait_settled(limit=args.idle / 50 + 60)
                result["crowd"] = held
                result["call_idle"] = timed(desk.call, args.calls, between=desk.finish)
                result["health_idle"] = timed(desk.health, args.calls)
                result["memory_idle_crowd"] = tree_memory(server.pid)
        if option == "asyncio" and args.phones:
            # Ticket pages as they are now: each in its own ticket's room, every one of them
            # waiting in the field counter 1 calls (the worst case: every call moves them all).
            wait_answering(desk)
            settled.append(wait_settled_server(server.pid))
            tickets = desk.issue_pages(args.phones)
            # The same queue before its pages connect: what thousands more waiting tickets
            # cost a call by themselves, apart from the connections.
            result["call_queue"] = timed(desk.call, args.calls, between=desk.finish)
            with Crowd(server.url, args.phones, tickets=tickets) as phones:
                result["phones"] = phones.wait_settled(limit=args.phones / 50 + 60)
                result["cpu_idle_phones"] = cpu_share(server.pid, 10)
                result["call_phones"] = timed(desk.call, args.calls, between=desk.finish)
                result["health_phones"] = timed(desk.health, args.calls)
                result["memory_phones"] = tree_memory(server.pid)
                result["fanout_phones"], result["floor_phones"] = fan_out_beside_floor(
                    option, args, desk, work)
        # Slow-loris, the crowd gone and what its leaving cost past (wait_settled_server), so
        # what is measured is the half-sent requests.
        server_alive = server.proc is not None and server.proc.poll() is None
        if server_alive:
            wait_answering(desk)
            settled.append(wait_settled_server(server.pid))
            sockets = slow_loris(server.port, SLOW_LORIS)
            try:
                result["slow_loris"] = {"opened": len(sockets),
                                        "call": timed(desk.call, 10, between=desk.finish),
                                        "health": timed(desk.health, 10)}
            finally:
                for sock in sockets:
                    sock.close()
    except Exception as exc:  # noqa: BLE001 - reported in the table
        result["error"] = f"{exc!r}"[:300]
    finally:
        server.kill()
    return result


def wait_answering(desk: Desk, limit: float = 60) -> None:
    """Give a server that stalled under the last crowd time to recover."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if desk.health(2):
                return
        except requests.RequestException:
            pause(0.5)


def _call_id(desk: Desk) -> tuple[str, float]:
    sent = time.monotonic()
    answer = desk.http.post(f"{desk.api}/counters/1/call-next", headers=desk.staff, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["id"]), sent


def fan_out_beside_floor(option: str, args: argparse.Namespace, desk: Desk,
                         work: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Call → 200 screens, and the bare python-socketio broadcast of the same kind (the
    floor) to 200 screens of its own, taking turns call by call (`measure_fanouts`).

    Measured one after the other, the floor moved between runs by more than the difference
    it is there to show. gevent has no floor of its own (None).
    """
    def finish(_id: str) -> None:
        desk.http.post(f"{desk.api}/counters/1/finish", headers=desk.staff, timeout=10)
        pause(SPACING)

    ours: tuple[Any, Any] = (lambda: _call_id(desk), finish)
    with Audience(desk.url, FANOUT) as audience:
        if audience.error:
            return {"error": audience.error}, None
        if option == "gevent":
            return measure_fanout(audience, ours[0], args.calls, after=ours[1]), None
        kind = {"asyncio": "asyncio", "eventlet": "eventlet"}.get(option, "threading")
        print(f"… fan-out beside the floor ({kind})", file=sys.stderr, flush=True)
        with floor_server(kind, 500, work) as (url, emit), Audience(url, FANOUT) as bare:
            if bare.error:
                return (measure_fanout(audience, ours[0], args.calls, after=ours[1]),
                        {"error": bare.error})
            mine, floor = measure_fanouts(
                [(audience, *ours), (bare, emit, lambda _id: pause(SPACING))], args.calls)
            return mine, floor


# --- report ----------------------------------------------------------------------------------

def _f(value: Any, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _get(result: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(result, dict):
            return None
        result = result.get(key)  # type: ignore[assignment]
    return result


def _p(result: dict[str, Any], key: str, stat: str = "p95") -> str:
    part = result.get(key) or {}
    if not part:
        return "—"
    if part.get(stat) is None:
        return STOPPED
    text = _f(part[stat])
    return text + (f" ({part['failures']} failed)" if part.get("failures") else "")


def _ratio(mine: Any, base: Any) -> str:
    return "—" if not mine or not base else f"{mine / base:.2f}×"


def models_table(runs: list[dict[str, Any]], idle: int) -> str:
    rows: list[tuple[str, list[str]]] = []
    for run in runs:
        run["floor_p99"] = _get(run, "floor", "all_clients", "p99")
    rows.append(("call-next p95 ms, 0 idle clients", [_p(r, "call_0") for r in runs]))
    rows.append((f"connected, no room: held (of {idle})",
                 [str(_get(r, "quiet_crowd", "held")) if r.get("quiet_crowd") else "—"
                  for r in runs]))
    rows.append((f"  call-next p95 ms", [_p(r, "call_quiet") for r in runs]))
    rows.append(("  ratio to 0 idle (goal ≤ 2×)",
                 [_ratio(_get(r, "call_quiet", "p95"), _get(r, "call_0", "p95")) for r in runs]))
    rows.append(("  /health p95 ms", [_p(r, "health_quiet") for r in runs]))
    rows.append((f"board subscribers held (of {idle})",
                 [str(_get(r, "crowd", "held")) if r.get("crowd") else "—" for r in runs]))
    rows.append(("  refused / failed", [f"{_get(r, 'crowd', 'refused')} / "
                                        f"{_get(r, 'crowd', 'failed')}" if r.get("crowd")
                                        else "—" for r in runs]))
    rows.append(("  call-next p95 ms (every call pushed to all)",
                 [_p(r, "call_idle") for r in runs]))
    rows.append(("  ratio to 0 idle",
                 [_ratio(_get(r, "call_idle", "p95"), _get(r, "call_0", "p95")) for r in runs]))
    rows.append(("  /health p95 ms", [_p(r, "health_idle") for r in runs]))
    phones = max((_get(r, "phones", "started") or 0 for r in runs), default=0)
    rows.append((f"ticket pages on their own rooms: held (of {phones})",
                 [str(_get(r, "phones", "held")) if r.get("phones") else "—" for r in runs]))
    rows.append(("  server CPU while idle (cores)",
                 [_f(r.get("cpu_idle_phones"), 3) for r in runs]))
    rows.append(("  call-next p95 ms", [_p(r, "call_phones") for r in runs]))
    rows.append(("  ratio to 0 idle (goal ≤ 2×)",
                 [_ratio(_get(r, "call_phones", "p95"), _get(r, "call_0", "p95")) for r in runs]))
    rows.append((f"  call-next p95 ms, the same {phones:,} waiting, no page open",
                 [_p(r, "call_queue") for r in runs]))
    rows.append(("  ratio of the pages to that",
                 [_ratio(_get(r, "call_phones", "p95"), _get(r, "call_queue", "p95"))
                  for r in runs]))
    rows.append(("  /health p95 ms", [_p(r, "health_phones") for r in runs]))
    rows.append(("  call → 200 screens p99 ms, with the pages",
                 [_f(_get(r, "fanout_phones", "all_clients", "p99")) for r in runs]))
    rows.append(("  floor beside it, p99 ms",
                 [_f(_get(r, "floor_phones", "all_clients", "p99")) for r in runs]))
    rows.append(("  ratio to floor (goal ≤ 1.1×)",
                 [_ratio(_get(r, "fanout_phones", "all_clients", "p99"),
                         _get(r, "floor_phones", "all_clients", "p99") or r["floor_p99"])
                  for r in runs]))
    rows.append(("connected, no room: server CPU while idle (cores)",
                 [_f(r.get("cpu_idle_quiet"), 3) for r in runs]))
    rows.append(("100 more than the ceiling holds: refused",
                 [str(_get(r, "past_ceiling", "refused")) if r.get("past_ceiling") else "—"
                  for r in runs]))
    rows.append((f"{SLOW_LORIS} half-sent requests: call p95 ms",
                 [_p(r.get("slow_loris") or {}, "call") for r in runs]))
    rows.append(("  /health p95 ms", [_p(r.get("slow_loris") or {}, "health") for r in runs]))
    rows.append(("call → all 200 clients p99 ms",
                 [_f(_get(r, "fanout", "all_clients", "p99")) for r in runs]))
    rows.append(("  floor: bare python-socketio p99 ms", [_f(r["floor_p99"]) for r in runs]))
    rows.append(("  ratio to floor (goal ≤ 1.1×)",
                 [_ratio(_get(r, "fanout", "all_clients", "p99"), r["floor_p99"]) for r in runs]))
    for key, when in (("memory_idle", "idle"), ("memory_200", "200 screens"),
                      ("memory_idle_crowd", f"{idle} idle"),
                      ("memory_phones", f"{phones} ticket pages")):
        rows.append((f"RSS MB, {when} (serving tree)", [_f(_get(r, key, "rss")) for r in runs]))
        rows.append((f"  PSS MB, {when}", [_f(_get(r, key, "pss")) for r in runs]))
    return _render(["serving model", *[r["option"] for r in runs]], rows)


def _render(headers: list[str], rows: list[tuple[str, list[str]]]) -> str:
    width = max(len(name) for name, _ in rows) + 2
    cols = [max(len(h), *(len(v[i]) for _, v in rows)) + 2 for i, h in enumerate(headers[1:])]
    lines = [headers[0].ljust(width) + "".join(h.rjust(w) for h, w in zip(headers[1:], cols))]
    lines.append("-" * len(lines[0]))
    for name, values in rows:
        lines.append(name.ljust(width) + "".join(v.rjust(w) for v, w in zip(values, cols)))
    return "\n".join(lines)


def issue_table(runs: dict[str, dict[str, Any]], idle: int) -> str:
    """The issue's table: today (the baseline) and now (the default model)."""
    before, after = runs.get("main", {}), runs.get("asyncio", {})

    def held(run: dict[str, Any]) -> str:
        if not run.get("crowd"):
            return "—"
        text = (f"{_get(run, 'quiet_crowd', 'held')} held, call p95 {_p(run, 'call_quiet')} "
                f"ms ({_ratio(_get(run, 'call_quiet', 'p95'), _get(run, 'call_0', 'p95'))}); "
                f"{_get(run, 'crowd', 'held')} on the board, call p95 {_p(run, 'call_idle')} ms")
        if run.get("past_ceiling"):
            text += (f"; {_get(run, 'past_ceiling', 'refused')} refused of"
                     f" {_get(run, 'past_ceiling', 'sent')} sent to fill the ceiling and 100 more")
        return text

    def loris(run: dict[str, Any]) -> str:
        part = run.get("slow_loris")
        if not part:
            return "—"
        call = part.get("call") or {}
        return "center stops" if call.get("p95") is None or call.get("failures") \
            else f"call p95 {_f(call['p95'])} ms"

    def mem(run: dict[str, Any], key: str) -> str:
        part = run.get(key)
        if not part:
            return "—"
        return f"{_f(part['rss'])} (PSS {_f(part['pss'])})"

    def fan(run: dict[str, Any]) -> str:
        mine, floor = _get(run, "fanout", "all_clients", "p99"), run.get("floor_p99")
        return "—" if not mine else f"{_ratio(mine, floor)} ({_f(mine)} ms, floor {_f(floor)})"

    rows = [
        (f"open connections before the center stops ({idle} tried)", [held(before), held(after)],
         f"{idle} held; past the ceiling refused cleanly"),
        (f"{SLOW_LORIS} half-sent HTTP requests", [loris(before), loris(after)],
         "no effect on counters"),
        ("RSS MB whole tree idle, embedded defaults", [mem(before, "memory_embedded"),
                                                      mem(after, "memory_embedded")], "≤ 80"),
        ("RSS MB serving tree, 200 screens", [mem(before, "memory_200"),
                                              mem(after, "memory_200")], "≤ 100"),
        ("call → all 200 clients p99 / floor", [fan(before), fan(after)], "≤ 1.1×"),
    ]
    headers = ["measure", "before (main)", "now (asyncio)", "goal"]
    table_rows = [(name, [*values, goal]) for name, values, goal in rows]
    return _render(headers, table_rows)


def processes_table(runs: list[dict[str, Any]]) -> str:
    lines = ["process                                            RSS MB   PSS MB"]
    for run in runs:
        for key in ("memory_embedded", "memory_idle"):
            part = run.get(key)
            if not part:
                continue
            lines.append(f"{run['option']} — {key.removeprefix('memory_')}:")
            for proc in part["processes"]:
                lines.append(f"  {proc['name']:<48}{proc['rss']:>7.1f}{proc['pss']:>9.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_serving",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--options", nargs="+", default=list(OPTIONS), choices=OPTIONS)
    parser.add_argument("--idle", type=int, default=5000, help="idle Socket.IO clients")
    # 100: with 40, a p95 is the second slowest call, and one stray pause of this
    # 2-core machine moved a ratio by half.
    parser.add_argument("--calls", type=int, default=100, help="timed calls per measurement")
    parser.add_argument("--phones", type=int, default=5000,
                        help="ticket pages on their own rooms (asyncio only; 0: none)")
    parser.add_argument("--phases", nargs="+", default=["quiet", "board"],
                        choices=["quiet", "board"],
                        help="idle crowds to hold: connected only, subscribed to the board")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout of the tree to compare with (option 'main'), e.g. "
                             "`git worktree add /tmp/xephang-main <commit>`")
    parser.add_argument("--no-imports", action="store_true",
                        help="skip the per-import memory breakdown")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    options = [o for o in args.options if o != "main" or args.baseline is not None]
    if "main" in args.options and args.baseline is None:
        print("no --baseline given: the 'main' option is skipped", file=sys.stderr)

    load_before = os.getloadavg()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="xephang-serving-") as tmp:
        work = Path(tmp)
        for option in options:
            print(f"… {option}", file=sys.stderr, flush=True)
            runs.append(bench_option(option, args, work))
        imports: dict[str, Any] = {}
        if not args.no_imports:
            imports["now"] = measure_in_child(SERVING_CODE)
            if args.baseline is not None:
                imports["main"] = measure_in_child(
                    SERVING_CODE, env={"PYTHONPATH": str(args.baseline)})

    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_before": load_before,
                          "load_average_after": os.getloadavg()},
              "settings": {"idle": args.idle, "calls": args.calls,
                           "baseline": str(args.baseline or "")},
              "runs": runs, "imports": imports}
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(models_table(runs, args.idle))
    print()
    print(processes_table(runs))
    for name, figures in imports.items():
        from .import_memory import table as import_table

        print(f"\nserving process, memory by import ({name}):")
        print(import_table(figures, top=15))
    notes = [f"{r['option']}: {r['error']}" for r in runs if r.get("error")]
    if notes:
        print("\n" + "\n".join(notes))
    print("\n" + issue_table({r["option"]: r for r in runs}, args.idle))
    print(f"\n{os.cpu_count()} CPUs; load average before {load_before[0]:.1f}, after "
          f"{os.getloadavg()[0]:.1f} (other work on the box skews every number)")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
