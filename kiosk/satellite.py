"""The button kiosk: physical buttons issue tickets at the core; the ticket prints here.

For centers without a touch screen. Each GPIO button is mapped to a field (and
optionally a priority category); a press asks the core for a ticket
(``POST /api/v1/kiosk/tickets`` with an Idempotency-Key, so a retry never makes a
second one), prints it on this box's printer and reports the outcome to the core
(``POST /api/v1/tickets/<id>/print-result``), which shows printer trouble to staff.
With no printer here (``hardware.printer = "none"``) the core prints instead.
After the ticket, a `TicketSpeaker` (when given) says its number on this box's speaker.
A press while the previous one is still being handled does nothing. The LED says
how things are: steady = ready, fast blink = printer trouble, slow blink = the
core cannot be reached.

>>> kiosk = ButtonKiosk(CoreClient("http://127.0.0.1:8000", token), printer)  # doctest: +SKIP
>>> kiosk.press("A").ticket["label"]                                          # doctest: +SKIP
'A024'
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from hardware.printer import NullPrinter, Printer
from queue_core.client.rest import CoreClient, CoreUnreachable
from queue_core.domain import holder
from queue_core.domain.model import PRINT_FAILED as FAILED
from queue_core.domain.model import PRINTED

from . import layout
from .messages import render
from .printing import PrintOutcome, PrintService
from .speaker import TicketSpeaker

__all__ = ["ButtonKiosk", "PressResult", "parse_button"]

log = logging.getLogger(__name__)


@dataclass
class PressResult:
    """What one press came to."""

    state: str  # "issued", "busy", "refused", "unreachable"
    ticket: dict[str, Any] | None = None
    printed: PrintOutcome | dict[str, Any] | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class ButtonMapping:
    """One button: its pin, the field it issues for, and the priority it marks."""

    pin: int
    service: str
    priority: str | None = None


def parse_button(text: str) -> ButtonMapping:
    """Read "A=17" or "A:elderly=5" (field, optional priority, GPIO pin).

    >>> parse_button("B:elderly=27")
    ButtonMapping(pin=27, service='B', priority='elderly')
    """
    target, sep, pin = text.partition("=")
    service, _, priority = target.partition(":")
    if not sep or not pin.strip().isdigit() or not service.strip():
        raise ValueError(f"button {text!r}: write FIELD=PIN or FIELD:PRIORITY=PIN, e.g. A=17")
    return ButtonMapping(int(pin), service.strip().upper(), priority.strip() or None)


@dataclass
class _Face:
    """What the core says a ticket should carry (its name, footer, fields)."""

    center_name: str = ""
    subtitle: str = ""
    footer: str = ""
    public_url: str = ""
    services: dict[str, str] = field(default_factory=dict)
    # The counters serving each field (printed as where to go when called).
    counters: dict[str, tuple[int, ...]] = field(default_factory=dict)


class ButtonKiosk:
    """Turn presses into tickets: one at a time, printed here (or at the core).

    `light(state)` hears "ready", "printer" (trouble) or "offline" (core out of reach).
    """

    def __init__(self, core: CoreClient, printer: Printer | None, *,
                 light: Callable[[str], None] | None = None, retry_seconds: float = 10.0,
                 budget: float = 1.5, clock: Callable[[], float] = time.monotonic,
                 speaker: TicketSpeaker | None = None) -> None:
        self.core = core
        self.speaker = speaker
        self.printer = printer if not isinstance(printer, NullPrinter) else None
        self.light = light
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.state = "starting"
        self.face = _Face()
        self.results: list[PressResult] = []
        self.handled = threading.Condition()
        self._busy = threading.Lock()
        self._presses: queue.Queue[tuple[str, str | None] | None] = queue.Queue()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._printer_trouble = False
        self.service = (PrintService(self.printer, budget=budget, report=self._printer_report)
                        if self.printer is not None else None)

    # -- presses --------------------------------------------------------------------------

    def button_pressed(self, service: str, priority: str | None = None) -> bool:
        """Take a press from a button (any thread); False when one is being handled."""
        if not self._busy.acquire(blocking=False):
            log.info("press on %s ignored: the previous ticket is still being issued", service)
            return False
        self._presses.put((service, priority))
        self._ensure_worker()
        return True

    def press(self, service: str, priority: str | None = None) -> PressResult:
        """Issue and print one ticket now (blocks); a press during another is refused."""
        if not self._busy.acquire(blocking=False):
            return PressResult("busy")
        try:
            return self._handle(service, priority)
        finally:
            self._busy.release()

    def wait_for_results(self, count: int, timeout: float) -> bool:
        with self.handled:
            return self.handled.wait_for(lambda: len(self.results) >= count, timeout)

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, daemon=True, name="button-kiosk")
            self._worker.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            item = self._presses.get()
            if item is None:
                continue
            try:
                self._handle(*item)
            except Exception:
                log.exception("a press failed")
            finally:
                self._busy.release()

    def _handle(self, service: str, priority: str | None) -> PressResult:
        key = "button-" + secrets.token_hex(12)
        body = {"service": service, "priority": priority, "print": self.printer is None}
        give_up = self.clock() + self.retry_seconds
        while True:
            try:
                answer = self.core.post("/api/v1/kiosk/tickets", body,
                                        headers={"Idempotency-Key": key})
                break
            except CoreUnreachable as exc:
                self._set_state("offline")
                if self.clock() >= give_up or self._stop.wait(1.0):
                    log.warning("no ticket: %s", exc)
                    return self._done(PressResult("unreachable", error={"message": str(exc)}))
        self._set_state("printer" if self._printer_trouble else "ready")
        if answer.status not in (200, 201) or not isinstance(answer.data, dict):
            error = answer.data.get("error") if isinstance(answer.data, dict) else None
            log.warning("the core refused a ticket for %s: %s %s", service, answer.status, error)
            return self._done(PressResult("refused", error=error or {"status": answer.status}))
        ticket = answer.data["ticket"]
        if self.service is None:
            self._say(answer.data)
            return self._done(PressResult("issued", ticket, answer.data.get("print")))
        outcome = self.service.print_ticket(ticket["id"], ticket["label"], self._drawer(ticket))
        self._report(ticket, outcome)
        # Printed first: the voice comes after the paper, never before or instead.
        self._say(answer.data)
        return self._done(PressResult("issued", ticket, outcome))

    def _say(self, answer: Mapping[str, Any]) -> None:
        if self.speaker is not None:
            self.speaker.say(answer.get("speech"))

    def _done(self, result: PressResult) -> PressResult:
        with self.handled:
            self.results.append(result)
            del self.results[:-100]
            self.handled.notify_all()
        return result

    # -- printing here --------------------------------------------------------------------

    def _drawer(self, ticket: Mapping[str, Any]) -> Callable[[int], Image.Image]:
        face = self.face
        base = face.public_url.rstrip("/") or self.core.core_url
        ticket_face = layout.face_for(ticket, center_name=face.center_name, subtitle=face.subtitle,
                                      service_name=face.services.get(str(ticket["service"]),
                                                                     str(ticket["service"])),
                                      url=base + holder.page_path(str(ticket["id"]),
                                                                  ticket.get("holder_key")),
                                      footer=face.footer,
                                      counters=face.counters.get(str(ticket["service"]), ()))
        return lambda width: layout.render_ticket(ticket_face, width=width)

    def _report(self, ticket: Mapping[str, Any], outcome: PrintOutcome) -> None:
        status = self.service.last_report if self.service is not None else None
        body = {"printed": outcome.state == PRINTED, "code": outcome.code,
                "message": outcome.message,
                "status": status[0] if status else ("error" if outcome.state == FAILED else None)}
        if outcome.state == PRINTED and status is not None:
            body["message"] = status[1]
        try:
            self.core.post(f"/api/v1/tickets/{ticket['id']}/print-result", body)
        except CoreUnreachable:
            log.warning("could not tell the core how %s printed", ticket["label"])

    def _printer_report(self, status: str, message: str) -> None:
        self._printer_trouble = status in ("error", "offline")
        if self.state != "offline":
            self._set_state("printer" if self._printer_trouble else "ready")

    # -- life -----------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Fetch what tickets carry from the core; return whether the core answered."""
        try:
            answer = self.core.get("/api/v1/kiosk/config", timeout=3.0)
        except CoreUnreachable:
            self._set_state("offline")
            return False
        if answer.status == 200 and isinstance(answer.data, dict):
            body = answer.data
            self.face = _Face(center_name=body["center"]["name"],
                              subtitle=body["center"].get("subtitle", ""),
                              footer=body.get("footer", ""), public_url=body.get("public_url", ""),
                              services={s["code"]: s["name"] for s in body.get("services", [])},
                              counters={s["code"]: tuple(s.get("counters") or ())
                                        for s in body.get("services", [])})
            self._set_state("printer" if self._printer_trouble else "ready")
            return True
        log.error("the core refused this kiosk's token (%s)", answer.status)
        self._set_state("offline")
        return False

    def run(self, *, check_seconds: float = 15.0) -> None:
        """Keep the LED true until `stop`: look at the core and the printer now and then."""
        if self.service is not None:
            self.service.start()
        while not self._stop.is_set():
            self.refresh()
            if self.service is not None:
                self.service.check_now()
            if self._stop.wait(check_seconds):
                break

    def stop(self) -> None:
        self._stop.set()
        self._presses.put(None)
        if self.service is not None:
            self.service.stop()

    def _set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        if self.light is not None:
            try:
                self.light(state)
            except Exception:
                log.exception("could not set the kiosk light")


def light_for(indicator: Any) -> Callable[[str], None]:
    """Drive an IndicatorLight from the kiosk's state."""

    def show(state: str) -> None:
        if state == "ready":
            indicator.on()
        elif state == "printer":
            indicator.blink(fast=True)
        elif state == "offline":
            indicator.blink(fast=False)
        else:
            indicator.off()

    return show


def sample_ticket(printer: Printer, face: Mapping[str, str]) -> None:
    """Print a sample ticket (the installer's check)."""
    from datetime import datetime

    ticket_face = layout.TicketFace(center_name=face.get("center_name", ""),
                                    subtitle=face.get("subtitle", ""), label="A023",
                                    service_name=face.get("service_name", "Chứng thực"),
                                    priority=None, issued_at=datetime.now(), ahead=4,
                                    eta_minutes=12, url=face.get("url", "http://xephang/t/mau"),
                                    footer=face.get("footer", render("scan")))
    printer.print_image(layout.render_ticket(ticket_face, width=printer.width), name="sample",
                        deadline=time.monotonic() + 5.0)


__all__ += ["light_for", "sample_ticket"]
