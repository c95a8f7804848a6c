"""A tiny Socket.IO server on 127.0.0.1 standing in for the queue core in satellite and link tests."""

from __future__ import annotations

import threading
from typing import Any

import socketio
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class FakeCore:
    """Accepts one token, records subscriptions and device_status reports, emits what a test says."""

    def __init__(self, token: str = "announcer-secret") -> None:
        self.token = token
        # Long-polling only: Werkzeug's development server cannot close a websocket cleanly.
        self.sio = socketio.Server(async_mode="threading", transports=["polling"], logger=False,
                                   engineio_logger=False, ping_interval=0.25, ping_timeout=10)
        self.server = make_server("127.0.0.1", 0, socketio.WSGIApp(self.sio), threaded=True,
                                  request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.board: dict[str, Any] = {"seq": 0, "counters": [], "services": [], "recent_calls": []}
        self.subscriptions: list[list[str]] = []
        self.statuses: list[dict[str, Any]] = []
        self.refused = 0
        self.sids: set[str] = set()
        self.disconnects = 0
        self.changed = threading.Condition()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.sio.on("connect", self._connect)
        self.sio.on("subscribe", self._subscribe)
        self.sio.on("device_status", self._device_status)
        self.sio.on("disconnect", self._disconnect)

    def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        ok = isinstance(auth, dict) and auth.get("token") == self.token
        with self.changed:
            if ok:
                self.sids.add(sid)
            else:
                self.refused += 1
            self.changed.notify_all()
        return ok

    def _disconnect(self, sid: str, *reason: Any) -> None:
        with self.changed:
            self.sids.discard(sid)
            self.disconnects += 1
            self.changed.notify_all()

    def _subscribe(self, sid: str, data: Any) -> None:
        rooms = list(data.get("rooms", []))
        for room in rooms:
            self.sio.enter_room(sid, room)
        self.sio.emit("board", self.board, to=sid)
        with self.changed:
            self.subscriptions.append(rooms)
            self.changed.notify_all()

    def _device_status(self, sid: str, data: Any) -> None:
        with self.changed:
            self.statuses.append(dict(data))
            self.changed.notify_all()

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> bool:
        """Wait until predicate() is true (re-checked on every recorded event)."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def start(self) -> FakeCore:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join(5)

    def call(self, seq: int, label: str, counter: int, *, speech: str | None = None,
             recall: bool = False, service: str | None = None) -> None:
        """Emit ticket_called to the announcer room, as the core does after a commit."""
        payload: dict[str, Any] = {
            "seq": seq,
            "ticket": {"id": f"t{seq}", "label": label, "service": service or label[0],
                       "state": "called", "counter": counter, "recalls": int(recall)},
            "counter": counter,
            "recall": recall,
        }
        if speech is not None:
            payload["speech"] = speech
        self.sio.emit("ticket_called", payload, to="announcer")

    def emit(self, event: str, payload: Any, room: str = "announcer") -> None:
        self.sio.emit(event, payload, to=room)

    def drop_clients(self) -> None:
        """Disconnect every client, as a restarting core would."""
        with self.changed:
            sids, self.sids = list(self.sids), set()
        for sid in sids:
            self.sio.disconnect(sid)
