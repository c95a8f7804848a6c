"""The core's own printer: opened once per app, its print records kept through `service.printing`.

Only `queue_core.web.app` (the composition root) attaches it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask

from hardware.printer import open_printer, warm_up
from kiosk import layout
from kiosk.printing import Draw, PrintService
from queue_core.config import LiveSettings, Settings
from queue_core.domain import holder
from queue_core.domain.errors import ConfigError
from queue_core.service.printing import PrintRecords

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["CorePrinting", "attach_printing", "ticket_drawer", "ticket_face"]

log = logging.getLogger(__name__)

# What a warm-up renders: a ticket like any other, never printed.
SAMPLE_TICKET = {"id": "warm-up", "label": "A001", "service": "A", "number": 1,
                 "issued_at": "2026-01-05T08:00:00+07:00", "ahead": 0, "eta_minutes": 1,
                 "priority": None, "holder_key": "warm-up"}


@dataclass
class CorePrinting:
    """What the core prints with; found as `app.extensions["xephang_printer"]`."""

    live: LiveSettings
    service: PrintService
    records: PrintRecords
    # Set once the first warm-up is done (`warm_up_soon`).
    warmed: threading.Event = field(default_factory=threading.Event)
    _warming: threading.Lock = field(default_factory=threading.Lock)
    _warm_started: bool = False

    @property
    def settings(self) -> Settings:
        return self.live.current

    def warm_up_soon(self) -> threading.Event:
        """Load what printing a ticket needs, once, on a thread of its own; return `warmed`.

        Called when a kiosk opens its page, long before the first citizen: rendering the
        first ticket loads Pillow, the fonts and qrcode, and encoding it python-escpos
        (most of a second on a busy box, inside the kiosk's answer time). A real printer's
        service loads python-escpos at start already; the emulated one (the embedded
        default) waits for this, so a box without a kiosk never carries them. Nothing is
        printed.
        """
        with self._warming:
            if self._warm_started:
                return self.warmed
            self._warm_started = True
        threading.Thread(target=self._warm_up, daemon=True, name="printer-warm-up").start()
        return self.warmed

    def _warm_up(self) -> None:
        try:
            settings = self.settings
            ticket_drawer(settings, SAMPLE_TICKET, "http://localhost")(
                settings.hardware.printer_paper_width)
            warm_up(settings.hardware.printer_profile or None)
        except Exception:  # noqa: BLE001 - the first ticket then loads them itself
            log.exception("could not warm up the ticket printer")
        finally:
            self.warmed.set()

    def draw(self, ticket: Mapping[str, Any], base_url: str) -> Draw:
        """Return how to render `ticket` at a given width (on the worker)."""
        return ticket_drawer(self.settings, ticket, base_url)


def ticket_face(settings: Settings, ticket: Mapping[str, Any], base_url: str) -> layout.TicketFace:
    """Return what the ticket carries under these settings (the counters serving its field)."""
    service = settings.service(str(ticket.get("service")))
    public = settings.kiosk.public_url.rstrip("/") or base_url.rstrip("/")
    return layout.face_for(ticket, center_name=settings.center.name,
                           subtitle=settings.center.subtitle,
                           service_name=service.name if service else str(ticket.get("service")),
                           url=public + holder.page_path(str(ticket["id"]),
                                                         ticket.get("holder_key")),
                           footer=settings.kiosk.footer,
                           counters=settings.counters_serving(str(ticket.get("service"))))


def ticket_drawer(settings: Settings, ticket: Mapping[str, Any], base_url: str) -> Draw:
    """Return a function rendering the ticket `width` dots wide for these settings."""
    face = ticket_face(settings, ticket, base_url)

    def draw(width: int) -> Image.Image:
        return layout.render_ticket(face, width=width)

    return draw


def attach_printing(app: Flask, *, background: bool = False) -> CorePrinting:
    """Open the configured printer for the core and keep it in `app.extensions`.

    A printer changed in the admin console (backend, address, paper width) is opened anew
    and takes the next ticket; the old one finishes what it was given.
    """
    xephang = app.extensions["xephang"]
    live: LiveSettings = xephang.live
    center = xephang.center

    def report(status: str, message: str) -> None:
        xephang.hub.device_status("printer", status, message)

    def open_service(settings: Settings) -> tuple[PrintService, PrintRecords]:
        try:
            printer = open_printer(settings.hardware, settings.data_path)
        except ValueError as exc:
            raise ConfigError(str(exc), field="hardware.printer") from None
        records = PrintRecords(xephang.store, center.clock.now, printer=printer.name)
        service = PrintService(printer, budget=settings.hardware.printer_timeout_seconds,
                               report=report, on_outcome=records.save)
        return service, records

    service, records = open_service(live.current)
    printing = CorePrinting(live, service, records)
    app.extensions["xephang_printer"] = printing
    if background:
        service.start(poll_seconds=30.0)

    def printer_changed(old: Settings, new: Settings) -> None:
        if old.hardware == new.hardware:
            return
        try:
            fresh, fresh_records = open_service(new)
        except ConfigError as exc:
            report("error", str(exc))
            return
        previous = printing.service
        printing.service, printing.records = fresh, fresh_records
        if background:
            fresh.start(poll_seconds=30.0)
            previous.stop(timeout=0.5)

    live.listen(printer_changed)
    return printing
