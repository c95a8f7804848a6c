"""Benchmark of the queue core on a live `xephang serve`, for each async mode.

Measures, against a real server on a temporary data dir:

* HTTP latency of ticket issue and of call-next (p50/p95/p99), one keep-alive client;
* call-next → `ticket_called` received by 50 and 200 Socket.IO clients (websocket),
  per client (p50/p99) and until the last client has it (p99 over calls);
* RSS of the serving process tree, idle and with 200 clients connected;
* the floor: a bare python-socketio server in the same async mode that broadcasts an
  event of the same size on an HTTP request, with the same clients; the ratio says what
  the queue core adds on top of Socket.IO itself.

Clients live in a few worker processes; send and receive times are `time.monotonic()`,
one clock for every process on the machine. Run with `python -m bench` (see README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import queue as queues
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support_live import MANY_KIOSKS, LiveServer, clean_env, free_port, pause  # noqa: E402

from queue_core.config import ServerSettings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results-core.json"
TARGETS = {
    "issue_p95_ms": 10.0,
    "call_p95_ms": 10.0,
    "fanout_200_all_p99_ms": 25.0,
    "rss_mb": 80.0,
}
CLIENTS_PER_WORKER = 50           # python-socketio clients (threads) per worker process
LEAN_PER_WORKER = 200             # asyncio clients per worker process
READY_TIMEOUT = 60.0
RECEIVE_TIMEOUT = 10.0
# Calls are spaced out (as at a real counter, where they come seconds apart), so each is
# measured on a server that has finished pushing the previous call's events.
SPACING = 0.1


# --- numbers ---------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile with linear interpolation (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values_ms: list[float]) -> dict[str, Any]:
    return {"n": len(values_ms), "p50": percentile(values_ms, 50),
            "p95": percentile(values_ms, 95), "p99": percentile(values_ms, 99),
            "max": max(values_ms) if values_ms else None}


def tree_memory_mb(pid: int) -> dict[str, float]:
    """Memory of a process and all its descendants, in MB.

    `rss` sums resident sets (pages a forked worker shares with gunicorn's arbiter count
    twice); `pss` shares such pages out, so it is what the tree really costs the box.
    """
    root = psutil.Process(pid)
    rss = pss = 0
    largest = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
        largest = max(largest, info.rss)
    return {"rss": rss / 2**20, "pss": pss / 2**20, "largest_rss": largest / 2**20}


# --- Socket.IO client workers ----------------------------------------------------------------

def fanout_worker(url: str, count: int, out: Any, stop: Any) -> None:
    """Connect `count` clients that subscribe to the board; report each `ticket_called`."""
    import socketio

    clients = []

    def make() -> Any:
        client = socketio.Client(reconnection=False, handle_sigint=False)
        ready = threading.Event()

        def on_connect() -> None:
            client.emit("subscribe", {"rooms": ["board"]})

        def on_board(_data: Any) -> None:
            if not ready.is_set():
                ready.set()
                out.put(("ready", None, 0.0))

        def on_called(data: Any) -> None:
            out.put(("recv", str(data["ticket"]["id"]), time.monotonic()))

        client.on("connect", on_connect)
        client.on("board", on_board)
        client.on("ticket_called", on_called)
        return client

    try:
        for _ in range(count):
            client = make()
            client.connect(url, transports=["websocket"], wait_timeout=10)
            clients.append(client)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        out.put(("error", f"client {len(clients) + 1}: {exc!r}", 0.0))
    stop.wait(600)
    for client in clients:
        try:
            client.disconnect()
        except Exception:  # noqa: BLE001
            pass


def lean_worker(url: str, count: int, out: Any, stop: Any) -> None:
    """`count` minimal Socket.IO clients on one asyncio loop (wsproto, Engine.IO v4).

    They speak just enough of the protocol to subscribe and to answer pings, and take the
    receive time as soon as a `ticket_called` frame is complete, so the measuring side
    costs a fraction of a python-socketio client and the server is what gets measured.
    """
    import asyncio
    from urllib.parse import urlsplit

    from wsproto import ConnectionType, WSConnection
    from wsproto.events import (AcceptConnection, CloseConnection, Ping, RejectConnection,
                                Request, TextMessage)

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = "/socket.io/?EIO=4&transport=websocket"
    called_prefix = '42["ticket_called",'

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        ws = WSConnection(ConnectionType.CLIENT)
        writer.write(ws.send(Request(host=f"{host}:{port}", target=target)))
        text: list[str] = []
        ready = False
        while True:
            data = await reader.read(65536)
            if not data:
                return
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, RejectConnection):
                    raise ConnectionError("websocket refused")
                if isinstance(event, AcceptConnection):
                    continue
                if isinstance(event, Ping):
                    writer.write(ws.send(event.response()))
                    continue
                if isinstance(event, CloseConnection):
                    return
                if not isinstance(event, TextMessage):
                    continue
                text.append(event.data)
                if not event.message_finished:
                    continue
                message, text = "".join(text), []
                if message.startswith(called_prefix):
                    at = time.monotonic()
                    ticket = json.loads(message[2:])[1]["ticket"]
                    out.put(("recv", str(ticket["id"]), at))
                elif message == "2":                        # Engine.IO ping
                    writer.write(ws.send(TextMessage(data="3")))
                elif message.startswith("0"):               # Engine.IO open
                    writer.write(ws.send(TextMessage(data="40")))
                elif message.startswith("40"):              # Socket.IO connected
                    writer.write(ws.send(TextMessage(
                        data='42["subscribe",{"rooms":["board"]}]')))
                elif message.startswith('42["board",') and not ready:
                    ready = True
                    out.put(("ready", None, 0.0))
                elif message.startswith("44"):              # connect refused
                    raise ConnectionError(message)
            await writer.drain()

    async def main() -> None:
        tasks = []
        for _ in range(count):
            tasks.append(asyncio.create_task(client()))
            await asyncio.sleep(0.005)                      # do not stampede the accept queue
        loop = asyncio.get_running_loop()
        done = loop.run_in_executor(None, stop.wait, 600)
        finished, _ = await asyncio.wait([*tasks, done], return_when=asyncio.FIRST_COMPLETED)
        for task in finished:
            if task is not done and task.exception() is not None:
                out.put(("error", repr(task.exception()), 0.0))
        await done
        for task in tasks:
            task.cancel()

    asyncio.run(main())


class Audience:
    """N Socket.IO clients spread over worker processes."""

    def __init__(self, url: str, count: int, kind: str = "lean") -> None:
        ctx = multiprocessing.get_context("spawn")
        self.count = count
        self.out = ctx.Queue()
        self.stop = ctx.Event()
        per_worker = CLIENTS_PER_WORKER if kind == "socketio" else LEAN_PER_WORKER
        sizes = [per_worker] * (count // per_worker)
        if count % per_worker:
            sizes.append(count % per_worker)
        target = fanout_worker if kind == "socketio" else lean_worker
        self.workers = [ctx.Process(target=target, args=(url, size, self.out, self.stop),
                                    daemon=True) for size in sizes]
        self.pending: dict[str, list[float]] = defaultdict(list)
        self.error: str | None = None

    def __enter__(self) -> "Audience":
        for worker in self.workers:
            worker.start()
        ready = 0
        deadline = time.monotonic() + READY_TIMEOUT
        while ready < self.count and time.monotonic() < deadline:
            try:
                kind, detail, _ = self.out.get(timeout=1)
            except queues.Empty:
                continue
            if kind == "ready":
                ready += 1
            elif kind == "error":
                self.error = detail
                break
        if ready < self.count and self.error is None:
            self.error = f"only {ready} of {self.count} clients got a board"
        return self

    def receipts(self, ticket_id: str, timeout: float = RECEIVE_TIMEOUT) -> list[float]:
        """Wait until every client has reported `ticket_id`; return the receive times."""
        deadline = time.monotonic() + timeout
        while len(self.pending[ticket_id]) < self.count and time.monotonic() < deadline:
            try:
                kind, detail, at = self.out.get(timeout=0.5)
            except queues.Empty:
                continue
            if kind == "recv":
                self.pending[detail].append(at)
        return self.pending.pop(ticket_id, [])

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=20)
            if worker.is_alive():
                worker.kill()
                worker.join()


def measure_fanout(audience: Audience, trigger: Any, calls: int,
                   after: Any = None) -> dict[str, Any]:
    """Trigger `calls` calls; per client latency and time until the last client has it.

    `trigger()` returns the id the clients will report and the monotonic time at which
    the measured request was sent; `after(id)` runs, unmeasured, once all have it.
    """
    return measure_fanouts([(audience, trigger, after)], calls)[0]


def measure_fanouts(setups: list[tuple[Audience, Any, Any]], calls: int) -> list[dict[str, Any]]:
    """`measure_fanout` for several (audience, trigger, after) setups, taking turns call by call.

    On a machine whose speed drifts by more than the differences measured, setups measured
    one after the other compare the drift as much as themselves; taking turns gives every
    setup the same moments.
    """
    per_client: list[list[float]] = [[] for _ in setups]
    last_client: list[list[float]] = [[] for _ in setups]
    missing = [0 for _ in setups]
    for _ in range(calls):
        for index, (audience, trigger, after) in enumerate(setups):
            ticket_id, sent = trigger()
            times = audience.receipts(ticket_id)
            if after is not None:
                after(ticket_id)
            missing[index] += audience.count - len(times)
            latencies = [(at - sent) * 1000 for at in times]
            per_client[index].extend(latencies)
            if len(times) == audience.count:
                last_client[index].append(max(latencies))
    return [{"clients": audience.count, "calls": calls, "missing": missing[index],
             "per_client": summary(per_client[index]), "all_clients": summary(last_client[index])}
            for index, (audience, _, _) in enumerate(setups)]


# --- the queue core --------------------------------------------------------------------------

def http_latency(server: LiveServer, kiosk: str, manager: str, count: int) -> dict[str, Any]:
    http = requests.Session()
    kiosk_h = {"Authorization": f"Bearer {kiosk}"}
    manager_h = {"Authorization": f"Bearer {manager}"}
    api = f"{server.url}/api/v1"
    for _ in range(20):                                      # warm up, then serve them
        http.post(f"{api}/tickets", json={"service": "B"}, headers=kiosk_h, timeout=10)
    issue, call = [], []
    for _ in range(count):
        start = time.perf_counter()
        answer = http.post(f"{api}/tickets", json={"service": "A"}, headers=kiosk_h, timeout=10)
        issue.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 201:
            raise RuntimeError(f"issue: {answer.status_code} {answer.text}")
    for _ in range(count):
        start = time.perf_counter()
        answer = http.post(f"{api}/counters/1/call-next", headers=manager_h, timeout=10)
        call.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"call-next: {answer.status_code} {answer.text}")
        http.post(f"{api}/counters/1/finish", headers=manager_h, timeout=10)
    # The same requests while fewer than 50 tickets wait: the first issues, the last calls.
    short = min(50, count)
    return {"issue": summary(issue), "call_next": summary(call),
            "issue_short_queue": summary(issue[:short]),
            "call_next_short_queue": summary(call[-short:])}


def bench_core(mode: str, threads: int | None, args: argparse.Namespace,
               work: Path) -> dict[str, Any]:
    # One kiosk token stands for a hall of kiosks: its minute is lifted.
    env = {**MANY_KIOSKS, **({"XEPHANG_SERVER_THREADS": str(threads)} if threads else {})}
    server = LiveServer(work / f"core-{mode}-{threads or 'default'}", mode=mode, env=env)
    kiosk, manager = server.tokens([("kiosk", None), ("manager", None)])
    result: dict[str, Any] = {"mode": mode, "threads": threads}
    server.start()
    try:
        server.get("/state")
        result["memory_idle"] = tree_memory_mb(server.pid)
        result["http"] = http_latency(server, kiosk, manager, args.requests)
        http = requests.Session()
        api = f"{server.url}/api/v1"
        kiosk_h = {"Authorization": f"Bearer {kiosk}"}
        manager_h = {"Authorization": f"Bearer {manager}"}

        def call() -> tuple[str, float]:
            sent = time.monotonic()
            answer = http.post(f"{api}/counters/1/call-next", headers=manager_h, timeout=10)
            answer.raise_for_status()
            return str(answer.json()["id"]), sent

        def finish(_ticket_id: str) -> None:
            http.post(f"{api}/counters/1/finish", headers=manager_h, timeout=10)
            pause(SPACING)

        for clients in args.clients:
            # The tickets wait before the audience comes, so only the call is pushed.
            for _ in range(args.calls):
                http.post(f"{api}/tickets", json={"service": "A"}, headers=kiosk_h,
                          timeout=10).raise_for_status()
            with Audience(server.url, clients, args.client) as audience:
                if audience.error:
                    result[f"fanout_{clients}"] = {"clients": clients, "error": audience.error}
                    break
                result[f"fanout_{clients}"] = measure_fanout(audience, call, args.calls,
                                                             after=finish)
                if clients == max(args.clients):
                    result[f"memory_{clients}"] = tree_memory_mb(server.pid)
    except requests.RequestException as exc:
        result["error"] = f"server stopped answering: {exc!r}"
    finally:
        server.kill()
    return result


# --- the floor: bare python-socketio ---------------------------------------------------------

# A ticket_called of the queue core, same shape and size, for the bare servers below.
FLOOR_EVENT = '''
TICKET = {"id": "", "label": "A001", "number": 1, "service": "A", "priority": None,
          "state": "called", "counter": 1, "channel": "kiosk", "day": "2026-11-23",
          "issued_at": "2026-11-23T08:00:00.000+07:00",
          "called_at": "2026-11-23T08:05:00.000+07:00", "finished_at": None, "recalls": 0}
EVENT = {"seq": 0, "counter": 1, "recall": False,
         "speech": "Xin mời công dân có số thứ tự a không không một đến quầy số một.",
         "waiting": {"A": 0, "B": 0, "C": 0, "D": 0, "E": 0, "F": 0}}
'''

FLOOR_SERVER = r'''
import sys
mode, port, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if mode == "eventlet":
    import eventlet
    eventlet.monkey_patch()
import itertools, json
import socketio

sio = socketio.Server(async_mode=mode)
numbers = itertools.count(1)
''' + FLOOR_EVENT + r'''
@sio.on("subscribe")
def subscribe(sid, data):
    for room in data.get("rooms", []):
        sio.enter_room(sid, room)
    sio.emit("board", {"seq": 0}, to=sid)
    return {"ok": True}

def http(environ, start_response):
    if environ["PATH_INFO"] == "/emit":
        n = next(numbers)
        sio.emit("ticket_called", {**EVENT, "seq": n, "ticket": {**TICKET, "id": str(n)}},
                 to="board")
        body = json.dumps({"id": str(n)}).encode()
    else:
        body = b'{"status": "ok"}'
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]

app = socketio.WSGIApp(sio, http)
if mode == "eventlet":
    import eventlet.wsgi
    eventlet.wsgi.server(eventlet.listen(("127.0.0.1", port)), app, log_output=False)
else:
    from gunicorn.app.base import BaseApplication

    class Floor(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 1,
                               "worker_class": "gthread", "threads": threads, "timeout": 0,
                               "accesslog": None, "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Floor().run()
'''


# The same for the asyncio model: python-socketio's AsyncServer under uvicorn.
ASYNC_FLOOR = r'''
import itertools, json, sys
import socketio, uvicorn
port = int(sys.argv[1])
sio = socketio.AsyncServer(async_mode="asgi")
numbers = itertools.count(1)
''' + FLOOR_EVENT + r'''
@sio.on("subscribe")
async def subscribe(sid, data):
    for room in data.get("rooms", []):
        await sio.enter_room(sid, room)
    await sio.emit("board", {"seq": 0}, to=sid)
    return {"ok": True}

async def http(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/emit":
        n = next(numbers)
        await sio.emit("ticket_called", {**EVENT, "seq": n, "ticket": {**TICKET, "id": str(n)}},
                       to="board")
        body = json.dumps({"id": str(n)}).encode()
    else:
        body = b'{"status": "ok"}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})

uvicorn.run(socketio.ASGIApp(sio, other_asgi_app=http), host="127.0.0.1", port=port,
            ws="wsproto", log_level="warning", lifespan="off")
'''


@contextmanager
def floor_server(mode: str, threads: int, work: Path) -> Iterator[tuple[str, Any]]:
    """Run the bare python-socketio server of `mode`; yield its URL and its trigger.

    The trigger broadcasts one `ticket_called` to the board room and returns (its id, the
    monotonic time the request was sent), as `measure_fanout` wants.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = ([sys.executable, "-c", ASYNC_FLOOR, str(port)] if mode == "asyncio"
               else [sys.executable, "-c", FLOOR_SERVER, mode, str(port), str(threads)])
    proc = subprocess.Popen(command,
                            env=clean_env(), cwd=work, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pause(0.05)
        http = requests.Session()

        def emit() -> tuple[str, float]:
            sent = time.monotonic()
            answer = http.post(f"{url}/emit", timeout=10)
            answer.raise_for_status()
            return str(answer.json()["id"]), sent

        yield url, emit
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def bench_floor(mode: str, threads: int, args: argparse.Namespace,
                work: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"mode": mode, "threads": threads}
    with floor_server(mode, threads, work) as (url, emit):
        for clients in args.clients:
            with Audience(url, clients, args.client) as audience:
                if audience.error:
                    result[f"fanout_{clients}"] = {"clients": clients, "error": audience.error}
                    break
                result[f"fanout_{clients}"] = measure_fanout(
                    audience, emit, args.calls, after=lambda _id: pause(SPACING))
    return result


# --- report ----------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _fan(result: dict[str, Any], clients: int, part: str, stat: str) -> float | None:
    fan = result.get(f"fanout_{clients}") or {}
    return (fan.get(part) or {}).get(stat)


def table(runs: list[dict[str, Any]], clients: list[int]) -> str:
    """Metrics down, one column per run, the target beside each metric."""
    rows: list[tuple[str, str, list[str]]] = []

    def add(name: str, target: str, values: list[str]) -> None:
        rows.append((name, target, values))

    cores = [run["core"] for run in runs]
    floors = [run["floor"] for run in runs]
    for op, key, target in (("issue", "issue", "≤ 10 @p95"), ("call-next", "call_next",
                                                               "≤ 10 @p95")):
        for stat in ("p50", "p95", "p99"):
            add(f"{op} HTTP {stat} ms", target if stat == "p95" else "",
                [_ms((c.get("http") or {}).get(key, {}).get(stat)) for c in cores])
        add(f"  {op} p95 ms, < 50 waiting", "",
            [_ms((c.get("http") or {}).get(f"{key}_short_queue", {}).get("p95"))
             for c in cores])
    for n in clients:
        add(f"call → client, {n} clients p50 ms", "",
            [_ms(_fan(c, n, "per_client", "p50")) for c in cores])
        add(f"call → client, {n} clients p99 ms", "",
            [_ms(_fan(c, n, "per_client", "p99")) for c in cores])
        add(f"call → all {n} clients p99 ms", "≤ 25" if n == 200 else "",
            [_ms(_fan(c, n, "all_clients", "p99")) for c in cores])
        add(f"floor: bare socketio, {n} p50 ms", "",
            [_ms(_fan(f, n, "per_client", "p50")) for f in floors])
        add(f"floor: bare socketio, all {n} p99 ms", "",
            [_ms(_fan(f, n, "all_clients", "p99")) for f in floors])
        ratios = []
        for core, floor in zip(cores, floors):
            mine, base = _fan(core, n, "all_clients", "p99"), _fan(floor, n, "all_clients", "p99")
            ratios.append("—" if not mine or not base else f"{mine / base:.1f}×")
        add(f"core / floor, all {n} p99", "", ratios)
    top = max(clients)
    for key, when in (("memory_idle", "idle"), (f"memory_{top}", f"{top} clients")):
        add(f"RSS {when} MB (process tree)", "≤ 80",
            [_ms((c.get(key) or {}).get("rss")) for c in cores])
        add(f"  PSS {when} MB (shared split)", "",
            [_ms((c.get(key) or {}).get("pss")) for c in cores])
        add(f"  largest process RSS {when} MB", "",
            [_ms((c.get(key) or {}).get("largest_rss")) for c in cores])

    headers = [run["label"] for run in runs]
    width = max(len(name) for name, _, _ in rows) + 2
    cols = [max(len(h), 9) + 2 for h in headers]
    lines = ["metric".ljust(width) + "target".ljust(12)
             + "".join(h.rjust(w) for h, w in zip(headers, cols))]
    lines.append("-" * len(lines[0]))
    for name, target, values in rows:
        lines.append(name.ljust(width) + target.ljust(12)
                     + "".join(v.rjust(w) for v, w in zip(values, cols)))
    notes = []
    for run in runs:
        for part in ("core", "floor"):
            for key, value in run[part].items():
                if isinstance(value, dict) and value.get("error"):
                    notes.append(f"{run['label']} {part} {key}: {value['error']}")
                if key == "error":
                    notes.append(f"{run['label']} {part}: {value}")
                if isinstance(value, dict) and value.get("missing"):
                    notes.append(f"{run['label']} {part} {key}: {value['missing']} events "
                                 "never arrived")
    return "\n".join(lines + [""] + notes)


def parse_variant(text: str) -> tuple[str, int | None]:
    """'asyncio', 'threading', 'threading:256' (gthread threads) or 'eventlet'."""
    mode, _, threads = text.partition(":")
    return mode, int(threads) if threads else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", default=["asyncio", "threading", "eventlet"],
                        help="async modes to run; 'threading:N' sets gunicorn's threads to N")
    parser.add_argument("--requests", type=int, default=500, help="HTTP requests per operation")
    parser.add_argument("--calls", type=int, default=40, help="calls per fan-out measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--client", choices=["lean", "socketio"], default="lean",
                        help="fan-out clients: minimal asyncio Socket.IO clients in one "
                             "process, or python-socketio clients (50 per process)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.clients = sorted(args.clients)

    runs = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xephang-bench-") as tmp:
        work = Path(tmp)
        for variant in args.variants:
            mode, threads = parse_variant(variant)
            label = variant if threads else (f"{mode} (as shipped)" if mode == "asyncio"
                                             else mode)
            print(f"… {label}: queue core", file=sys.stderr, flush=True)
            try:
                core = bench_core(mode, threads, args, work)
            except Exception as exc:  # noqa: BLE001 - one broken variant must not hide the rest
                core = {"mode": mode, "threads": threads, "error": f"{exc!r}"[:500]}
            print(f"… {label}: bare python-socketio floor", file=sys.stderr, flush=True)
            try:
                floor = bench_floor(mode, threads or ServerSettings().threads, args, work)
            except Exception as exc:  # noqa: BLE001
                floor = {"mode": mode, "threads": threads, "error": f"{exc!r}"[:500]}
            runs.append({"label": label, "core": core, "floor": floor})

    report = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "settings": {"requests": args.requests, "calls": args.calls, "clients": args.clients,
                     "client": args.client},
        "targets": TARGETS,
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(table(runs, args.clients))
    print(f"\n{report['machine']['cpus']} CPUs; load average before {load_before[0]:.1f}, "
          f"after {report['machine']['load_average_after'][0]:.1f} (other work on the box "
          "skews every number)")
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
