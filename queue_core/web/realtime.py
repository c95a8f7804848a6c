"""The real-time hub (Socket.IO): rooms per audience, the Board on subscribe, events pushed after commit.

A client's credential is checked again whenever it asks for something (a private room,
a status report), so a session ended or a token revoked after connecting grants nothing.
A device reports only its own status: the announcer is the center's loudspeaker
("audio"), any other device is itself ("kiosk:<token name>"); the box's own printer and
storage are reported by the box alone.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

from flask import request, session
from flask_socketio import SocketIO, emit, join_room, leave_room

from queue_core.config import Settings, as_document
from queue_core.domain.clock import time_text
from queue_core.domain.messages import render
from queue_core.domain.events import (
    BOARD,
    DEVICE_STATUS,
    ROOM_ANNOUNCER,
    ROOM_BOARD,
    ROOM_KIOSK,
    ROOM_STAFF,
    SETTINGS_CHANGED,
    SPEECH_TEST,
    Event,
    counter_room,
)
from queue_core.service import auth
from queue_core.service.center import Center
from queue_core.web.security import session_principal

log = logging.getLogger("xephang.hub")

# Which role a private room needs; the board and counter rooms are open on the LAN.
PRIVATE_ROOMS = {ROOM_KIOSK: "kiosk", ROOM_ANNOUNCER: "announcer", ROOM_STAFF: "staff"}
DEVICE_STATES = ("ok", "degraded", "error", "offline", "emulated", "none", "unknown")
# The announcer owns the loudspeaker: its health is the center's audio health.
AUDIO_NAMES = ("audio", "announcer", "speaker")
REPORTING_ROLES = ("kiosk", "announcer", "keypad", "display", "staff")
# The box's own parts, which no device token may report for.
CORE_DEVICES = ("printer", "audio", "storage")
# Devices remembered at most (one per device token reporting; the oldest goes first).
MAX_DEVICES = 100
STORAGE = "storage"


def _initial_state(backend: str) -> str:
    return {"fake": "emulated", "none": "none"}.get(backend, "unknown")


class Hub:
    """Connects Socket.IO clients to the center's events.

    >>> # hub = Hub(socketio, center, settings); center.publish = hub.publish
    """

    def __init__(self, socketio: SocketIO, center: Center, settings: Settings) -> None:
        self.socketio = socketio
        self.center = center
        self.store = center.store
        self._principals: dict[str, auth.Principal | None] = {}
        # How each client proved who it is, checked again on every request it makes.
        self._credentials: dict[str, tuple[str, Any]] = {}
        self._devices: dict[str, dict[str, Any]] = {
            "printer": {"status": _initial_state(settings.hardware.printer), "message": ""},
            "audio": {"status": _initial_state(settings.hardware.audio), "message": ""},
        }
        self._lock = threading.Lock()
        self.store.watch_storage(self._storage_changed)
        socketio.on_event("connect", self.on_connect)
        socketio.on_event("disconnect", self.on_disconnect)
        socketio.on_event("subscribe", self.on_subscribe)
        socketio.on_event("unsubscribe", self.on_unsubscribe)
        socketio.on_event(DEVICE_STATUS, self.on_device_status)

    # --- pushing -------------------------------------------------------------------------------

    def publish(self, events: Sequence[Event]) -> None:
        """Send committed events to their rooms, in order."""
        for event in events:
            self.socketio.emit(event.name, event.message(), to=list(event.rooms))

    def device_status(self, device: str, status: str, message: str = "", code: str = "") -> None:
        """Record a device's health and tell the board and staff.

        `code` is the device's own machine-readable reason (the announcer's
        "audio_emulated"), kept so the home page can tell information from an alarm.
        """
        with self._lock:
            previous = self._devices.get(device)
            self._devices[device] = {"status": status, "message": message,
                                     "at": time_text(self.center.clock.now())}
            if code:
                self._devices[device]["code"] = code
        if previous is None or previous["status"] != status or previous["message"] != message:
            self.socketio.emit(DEVICE_STATUS, {"device": device, "status": status,
                                               "message": message}, to=[ROOM_BOARD, ROOM_STAFF])

    def device_report(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {name: dict(value) for name, value in self._devices.items()}

    def settings_changed(self, old: Settings, new: Settings) -> None:
        """Push new settings to every screen: a fresh Board, and what changed for each kind.

        Called when the admin console's save is swapped in, under the center's publishing
        order, so the Board goes out before any event computed with the new settings.
        """
        board = self.center.board()
        rooms = [ROOM_BOARD, ROOM_KIOSK, ROOM_ANNOUNCER, ROOM_STAFF,
                 *{counter_room(c.number) for c in (*old.counters, *new.counters)}]
        self.socketio.emit(BOARD, board, to=rooms)
        before, after = as_document(old), as_document(new)
        sections = [name for name in after if before.get(name) != after[name]]
        public = {"seq": board["seq"], "sections": sections,
                  "display": {"notice": new.display.notice}}
        self.socketio.emit(SETTINGS_CHANGED, public, to=[ROOM_BOARD, ROOM_KIOSK, ROOM_STAFF])
        self.socketio.emit(SETTINGS_CHANGED, {**public, "speech": after["speech"]},
                           to=ROOM_ANNOUNCER)

    def speech_test(self, text: str, label: str, counter: int) -> int:
        """Ask the announcers to play `text` now; return how many are connected to hear it."""
        self.socketio.emit(SPEECH_TEST, {"text": text, "label": label, "counter": counter},
                           to=ROOM_ANNOUNCER)
        with self._lock:
            return sum(1 for p in self._principals.values()
                       if p is not None and p.role == "announcer")

    def report_own_status(self, principal: auth.Principal, status: str, message: str,
                          code: str = "") -> str:
        """Record a device's report about itself; return the name it is kept under."""
        name = own_device(principal)
        with self._lock:
            if name not in self._devices and len(self._devices) >= MAX_DEVICES:
                oldest = next(n for n in self._devices if n not in CORE_DEVICES)
                del self._devices[oldest]
        self.device_status(name, status, message, code)
        return name

    def _storage_changed(self, full: bool) -> None:
        # Called by the store after its transaction has ended: screens say "bộ nhớ đầy".
        if full:
            self.device_status(STORAGE, "error", render("storage_full", "vi"))
        else:
            self.device_status(STORAGE, "ok", "")

    # --- cutting connections off ------------------------------------------------------------

    def sweep(self) -> int:
        """Drop every connection whose credential no longer holds; return how many.

        The same check as each request's (`_valid`): a revoked token, a disabled person, a
        session ended by logging out or a new password. Called at once after the console
        revokes or disables, and every few seconds for changes made elsewhere (the CLI).
        """
        with self._lock:
            held = [(sid, credential) for sid, credential in self._credentials.items()
                    if credential[0] != "none"]
        doomed = [sid for sid, credential in held if self._valid(credential) is None]
        for sid in doomed:
            log.info("dropping a connection whose credentials are no longer valid")
            try:
                self.socketio.server.disconnect(sid, namespace="/")
            except Exception:
                log.exception("could not drop a connection")
            with self._lock:
                self._principals.pop(sid, None)
                self._credentials.pop(sid, None)
        return len(doomed)

    # --- handlers ------------------------------------------------------------------------------

    def on_connect(self, auth_data: Any = None) -> bool:
        principal = None
        token = auth_data.get("token") if isinstance(auth_data, dict) else None
        header = request.headers.get("Authorization", "")
        if not token and header.lower().startswith("bearer "):
            token = header[7:].strip()
        credential: tuple[str, Any] = ("none", None)
        if token:
            principal = auth.token_principal(self.store, str(token), now=self.center.clock.now())
            if principal is None:
                log.info("refused a Socket.IO client with an unknown token")
                return False
            credential = ("token", str(token))
        elif session.get("user"):
            cookie = {key: session.get(key) for key in ("user", "session_version", "counter")}
            principal = session_principal(self.store, cookie)
            if principal is not None:
                credential = ("session", cookie)
        with self._lock:
            self._principals[request.sid] = principal  # type: ignore[attr-defined]
            self._credentials[request.sid] = credential  # type: ignore[attr-defined]
        return True

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            principal = self._principals.pop(request.sid, None)  # type: ignore[attr-defined]
            self._credentials.pop(request.sid, None)  # type: ignore[attr-defined]
        if principal is not None and principal.role == "announcer":
            self.device_status("audio", "offline", "announcer disconnected")

    def _principal(self) -> auth.Principal | None:
        """Return who this client is now: its token still live, its session still valid."""
        with self._lock:
            credential = self._credentials.get(request.sid, ("none", None))  # type: ignore[attr-defined]
        return self._valid(credential)

    def _valid(self, credential: tuple[str, Any]) -> auth.Principal | None:
        """Return who a credential stands for now, or None once it no longer holds."""
        kind, value = credential
        if kind == "token":
            return auth.token_principal(self.store, value)
        if kind == "session":
            return session_principal(self.store, value)
        return None

    def _rooms(self, data: Any) -> list[str] | dict[str, Any]:
        rooms = data.get("rooms") if isinstance(data, dict) else None
        if not isinstance(rooms, list) or not rooms or not all(isinstance(r, str) for r in rooms):
            return _error("invalid_input", "rooms must be a non-empty list of room names")
        principal = self._principal()
        for room in rooms:
            if room in PRIVATE_ROOMS:
                if principal is None or not principal.may(PRIVATE_ROOMS[room]):
                    return _error("forbidden", f"room {room} needs the {PRIVATE_ROOMS[room]} role")
            elif room.startswith("counter:"):
                number = room.removeprefix("counter:")
                if not number.isdigit() or self.center.settings.counter(int(number)) is None:
                    return _error("not_found", f"no counter room {room}")
            elif room != ROOM_BOARD:
                return _error("not_found", f"no room {room}")
        return rooms

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        rooms = self._rooms(data)
        if isinstance(rooms, dict):
            return rooms
        # Join before reading the board: an event committed in between is then both in
        # the board and pushed, and the client drops the push by its seq.
        for room in rooms:
            join_room(room)
        # Under the center's publishing order: no event of a newer seq can overtake it.
        with self.center.publishing():
            board = self.center.board()
            emit(BOARD, board)
        return {"ok": True, "rooms": rooms, "seq": board["seq"]}

    def on_unsubscribe(self, data: Any = None) -> dict[str, Any]:
        rooms = self._rooms(data)
        if isinstance(rooms, dict):
            return rooms
        for room in rooms:
            leave_room(room)
        return {"ok": True, "rooms": rooms}

    def on_device_status(self, data: Any = None) -> dict[str, Any]:
        principal = self._principal()
        if principal is None or principal.kind != "device" or not principal.may(*REPORTING_ROLES):
            return _error("forbidden", "only devices report their status")
        if not isinstance(data, dict):
            return _error("invalid_input", "device_status needs {device, status, message}")
        device, status, message = data.get("device"), data.get("status"), data.get("message", "")
        if device is not None and (not isinstance(device, str) or not 0 < len(device) <= 80):
            return _error("invalid_input", "device must be a short name")
        if status not in DEVICE_STATES:
            return _error("invalid_input", f"status must be one of {', '.join(DEVICE_STATES)}")
        if not isinstance(message, str):
            return _error("invalid_input", "message must be text")
        code = data.get("code", "")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z_]{0,40}", code):
            return _error("invalid_input", "code must be a short reason code (a-z, _)")
        if device is not None and device not in own_names(principal):
            return _error("forbidden", "a device reports only its own status "
                                       f"(as {own_device(principal)!r})")
        name = self.report_own_status(principal, status, message[:300], code)
        return {"ok": True, "device": name}


def own_device(principal: auth.Principal) -> str:
    """Return the name a device's status is kept under (derived from its token)."""
    if principal.role == "announcer":
        return "audio"
    return f"{principal.role}:{principal.name}"


def own_names(principal: auth.Principal) -> tuple[str, ...]:
    """Return the names a device may give itself in a report."""
    if principal.role == "announcer":
        return AUDIO_NAMES
    return (own_device(principal), principal.name, principal.role)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
