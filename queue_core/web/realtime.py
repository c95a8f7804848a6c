"""The real-time hub (Socket.IO): rooms per audience, the Board on subscribe, events pushed after commit.

Screens, consoles and devices join `board`, `counter:n` and the private rooms, and get the
whole Board when they subscribe. A citizen's ticket page joins `ticket:<id>` with the
ticket's holder key (from its QR code; ids alone are public): every change of its own
ticket at once, and its place in the queue, paced (`place_notices.py`); the
acknowledgement of that subscription carries the ticket and its `seq` instead of a Board,
which such a page has no use for.

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
from queue_core.domain.errors import NotFound
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
    TICKET_PLACE,
    TICKET_ROOM_PREFIX,
    Event,
    counter_room,
)
from queue_core.service import auth
from queue_core.service.center import Center
from queue_core.web.place_notices import PlaceNotices
from queue_core.web.security import session_principal

log = logging.getLogger("xephang.hub")

# Which role a private room needs; the board and counter rooms are open on the LAN.
PRIVATE_ROOMS = {ROOM_KIOSK: "kiosk", ROOM_ANNOUNCER: "announcer", ROOM_STAFF: "staff"}
DEVICE_STATES = ("ok", "degraded", "error", "offline", "emulated", "none", "unknown")
# The announcer owns the loudspeaker: its health is the center's audio health.
AUDIO_NAMES = ("audio", "announcer", "speaker")
REPORTING_ROLES = ("kiosk", "announcer", "keypad", "display", "staff")
# Ticket ids are long random tokens; anything longer is not one.
MAX_TICKET_ID = 64
# The box's own parts, which no device token may report for.
CORE_DEVICES = ("printer", "audio", "storage")
# Devices remembered at most (one per device token reporting; the oldest goes first).
MAX_DEVICES = 100
STORAGE = "storage"


def _ticket_of(room: str) -> str | None:
    """The ticket id of a ticket's room, None for any other room."""
    return room.removeprefix(TICKET_ROOM_PREFIX) if room.startswith(TICKET_ROOM_PREFIX) else None


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
        self.place_notices = PlaceNotices(self._tell_places, places=center.places)
        self._telling_places = False
        # The tickets whose rooms each connection joined (their places are told).
        self._pages: dict[str, set[str]] = {}
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
        self.place_notices.published(events)

    def _tell_places(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Send a batch of `ticket_place` messages (room, payload).

        A place carries no `seq`, and a page ignores it once its ticket is called, so the
        asyncio server may hold it back behind the board's events (`emit_when_quiet`); the
        other servers send it as it comes.
        """
        late = getattr(self.socketio.server, "emit_when_quiet", None)
        if late is not None:
            late(TICKET_PLACE, messages)
            return
        for room, payload in messages:
            self.socketio.emit(TICKET_PLACE, payload, to=room)

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
        # Counters, their fields and the service times set every field's waits: the ticket
        # pages are told their new place and minutes (paced, like any other move).
        self.place_notices.moved({s.code for s in (*old.services, *new.services)}, {})

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
            pages = self._pages.pop(request.sid, set())  # type: ignore[attr-defined]
            self._credentials.pop(request.sid, None)  # type: ignore[attr-defined]
        for ticket_id in pages:
            self.place_notices.unwatch(ticket_id)
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

    def _rooms(self, data: Any, *, joining: bool = True) -> list[str] | dict[str, Any]:
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
            elif room.startswith(TICKET_ROOM_PREFIX):
                # Leaving needs no key: a client that was never in the room loses nothing.
                refused = self._ticket_room_refused(room, data.get("key")) if joining else None
                if refused is not None:
                    return refused
            elif room != ROOM_BOARD:
                return _error("not_found", f"no room {room}")
        return rooms

    def _ticket_room_refused(self, room: str, key: Any) -> dict[str, Any] | None:
        """Return why a ticket's room may not be joined with `key`, None when it may.

        Ticket ids are public (the board's events carry them), and the room's answer
        carries what only the ticket's own page shows (its dossier): the room is the
        holder's, joined with the key printed in the ticket's QR code, like the rating.
        """
        ticket_id = room.removeprefix(TICKET_ROOM_PREFIX)
        if not 0 < len(ticket_id) <= MAX_TICKET_ID:
            return _error("not_found", f"no ticket room {room[:80]}")
        try:
            if self.center.holder_key_matches(ticket_id, key):
                return None
        except NotFound:
            return _error("not_found", f"no ticket room {room}")
        return _error("forbidden", f"room {room} needs the ticket's holder key (key)")

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        rooms = self._rooms(data)
        if isinstance(rooms, dict):
            return rooms
        # Join before reading the board: an event committed in between is then both in
        # the board and pushed, and the client drops the push by its seq.
        try:
            for room in rooms:
                join_room(room)
        except ValueError:
            # python-socketio's word for a client no longer connected: its link dropped
            # after the subscribe arrived. Nobody is left to read this answer.
            return _error("not_connected", "the connection closed before it joined")
        answer: dict[str, Any] = {"ok": True, "rooms": rooms}
        tickets = [ticket_id for ticket_id in map(_ticket_of, rooms) if ticket_id is not None]
        if len(tickets) < len(rooms):
            # Under the center's publishing order: no event of a newer seq can overtake it.
            with self.center.publishing():
                board = self.center.board()
                emit(BOARD, board)
                answer["seq"] = board["seq"]
                if tickets:
                    answer["ticket"], answer["seq"] = self.center.ticket_at_seq(tickets[0])
        elif tickets:
            # A ticket page alone: the ticket and its seq are read together, and the page
            # keeps the newest by seq, so a push that overtakes this answer is not undone.
            # Not under the publishing order: thousands of pages opening at once must not
            # hold up the counters' calls.
            answer["ticket"], answer["seq"] = self.center.ticket_at_seq(tickets[0])
        if tickets:
            self._watch_pages(tickets, answer["ticket"])
        return answer

    def _watch_pages(self, tickets: list[str], shown: dict[str, Any]) -> None:
        """Tell these tickets' pages their place from now on (the first was just `shown`)."""
        sid: str = request.sid  # type: ignore[attr-defined]
        with self._lock:
            if sid not in self._principals:
                return  # disconnected meanwhile: on_disconnect has already let its pages go
            joined = self._pages.setdefault(sid, set())
            fresh = [ticket_id for ticket_id in tickets if ticket_id not in joined]
            joined.update(fresh)
            start = not self._telling_places
            self._telling_places = True
        for ticket_id in fresh:
            told = ((shown["ahead"], shown.get("eta_minutes"))
                    if shown["id"] == ticket_id and shown.get("ahead") is not None else None)
            self.place_notices.watch(ticket_id, told)
        if start:
            self.socketio.start_background_task(self.place_notices.run, self.socketio.sleep)

    def on_unsubscribe(self, data: Any = None) -> dict[str, Any]:
        rooms = self._rooms(data, joining=False)
        if isinstance(rooms, dict):
            return rooms
        for room in rooms:
            leave_room(room)
            ticket_id = _ticket_of(room)
            with self._lock:
                joined = self._pages.get(request.sid, set())  # type: ignore[attr-defined]
                watched = ticket_id in joined
                joined.discard(ticket_id or "")
            if watched and ticket_id is not None:
                self.place_notices.unwatch(ticket_id)
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
