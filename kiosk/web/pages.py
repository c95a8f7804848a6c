"""The kiosk's pages and the printing routes of the API.

Pages: ``/kiosk`` (the touch screen; a kiosk token is handed over once as
``/kiosk#token=…`` and kept by the browser) and ``/t/<ticket id>?k=<holder key>`` (the
citizen's live ticket page, the QR code's target; with the ticket's key it also offers
the rating, without it the page only shows the ticket). Routes under ``/api/v1``:

| method and path | role | result |
|---|---|---|
| ``POST /kiosk/tickets`` ``{"service","priority"[,"print":false]}`` + ``Idempotency-Key`` | kiosk | issue, then print (unless the kiosk prints itself): ``{"ticket": Ticket, "print": Print or null, "where": "Mời đến quầy 1, 2 hoặc 5 khi được gọi"}``; 429 past the kiosk's rate |
| ``POST /tickets/{id}/print`` | kiosk (once), staff (reprint) | Print |
| ``GET /tickets/{id}/print`` | kiosk, staff | Print, as far as known |
| ``POST /tickets/{id}/print-result`` ``{"printed","code","message","status"}`` | kiosk | a satellite's own printer reports |
| ``GET /tickets/{id}/ticket.png[?width=384][&k=KEY]`` | none | the ticket as it prints; its QR code carries the holder's key only for a kiosk, staff, or the right ``k`` |
| ``GET /kiosk/sample-ticket.png[?width=384]`` | none | a sample ticket, to check the layout |
| ``GET /kiosk/config`` | kiosk | what a kiosk satellite prints with |
| ``GET /kiosk/not-printed`` | staff | today's tickets whose paper did not come out |
| ``GET /kiosk/tickets/{id}/speech.wav`` | kiosk | the sentence said after issue (``kiosk/web/speech.py``) |

Print: ``{"ticket","label","state":"printed"|"failed"|"printing","printed","code","message"}``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState

from kiosk import layout
from kiosk.messages import PRIORITY_NAMES, PRIORITY_ORDER, where_text
from kiosk.printing import PrintOutcome
from kiosk.web.printing import CorePrinting, ticket_drawer
from queue_core.domain import businessday, holder
from queue_core.domain.errors import Conflict, InvalidInput, NotFound
from queue_core.domain.model import PRINT_FAILED as FAILED
from queue_core.domain.model import PRINTED
from queue_core.service.center import Center
from queue_core.web import validation
from queue_core.web.security import (current_principal, ensure_field_allowed, holder_or_box, requires,
                                     ticket_as_seen)

blueprint = Blueprint("kiosk", __name__, template_folder="../templates",
                      static_folder="../static", static_url_path="/static/kiosk")

DEVICE_STATES = ("ok", "degraded", "error", "offline", "emulated", "none", "unknown")

# Icons by words in a field's name (any center's own fields get a fitting one), else by code.
ICON_WORDS = (
    ("chứng thực", "stamp"), ("hộ tịch", "family"), ("đất", "house"), ("xây dựng", "house"),
    ("kinh doanh", "shop"), ("đầu tư", "shop"), ("chính sách", "heart"), ("người có công", "heart"),
    ("trả kết quả", "result"), ("tư pháp", "stamp"), ("lao động", "heart"),
)
ICON_CODES = {"A": "stamp", "B": "family", "C": "house", "D": "shop", "E": "heart", "F": "result"}
PRIORITY_ICONS = {"elderly": "elderly", "disabled": "wheelchair", "pregnant": "pregnant",
                  "child": "child", "merit": "medal"}


@dataclass
class KioskState:
    """What the kiosk routes keep per app: one print per ticket at a time."""

    print_lock: threading.Lock = field(default_factory=threading.Lock)


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions["xephang_kiosk"] = KioskState()


def _center() -> Center:
    return current_app.extensions["xephang"].center  # type: ignore[no-any-return]


def _printing() -> CorePrinting:
    return current_app.extensions["xephang_printer"]  # type: ignore[no-any-return]


def _state() -> KioskState:
    return current_app.extensions["xephang_kiosk"]  # type: ignore[no-any-return]


def icon_for(code: str, name: str) -> str:
    """Return the icon name of a field."""
    lowered = name.lower()
    for word, icon in ICON_WORDS:
        if word in lowered:
            return icon
    return ICON_CODES.get(code, "document")


# --- pages -------------------------------------------------------------------------------------

@blueprint.get("/kiosk")
def kiosk_page() -> str:
    settings = current_app.extensions["xephang"].settings
    # A kiosk is starting: have the printer ready before its first citizen.
    _printing().warm_up_soon()
    fields = [{"code": s.code, "name": s.name, "name_en": s.name_en, "icon": icon_for(s.code, s.name)}
              for s in settings.services]
    priorities = [{"code": code, "name": PRIORITY_NAMES[code]["vi"], "icon": PRIORITY_ICONS[code]}
                  for code in PRIORITY_ORDER]
    options = {"return_seconds": settings.kiosk.return_seconds, "fields": fields,
               "priorities": priorities, "opens_at": settings.center.opens_at,
               "closes_at": settings.center.closes_at, "timezone": settings.center.timezone,
               "speak": settings.kiosk.speak}
    return render_template("kiosk/kiosk.html", center=settings.center, fields=fields,
                           priorities=priorities, options=options)


@blueprint.get("/t/<ticket_id>")
def ticket_page(ticket_id: str) -> tuple[str, int]:
    """The citizen's page; the key from the QR code (``?k=``) lets it offer the rating."""
    settings = current_app.extensions["xephang"].settings
    center = _center()
    try:
        ticket = center.ticket(ticket_id)
    except NotFound:
        return render_template("kiosk/ticket.html", center=settings.center, ticket=None,
                               service_name="", holder_key=None), 404
    given = request.args.get(holder.PAGE_PARAMETER)
    key = given if given and center.holder_key_matches(ticket_id, given) else None
    ticket = ticket_as_seen(ticket,
                            holder=key is not None or holder_or_box(center, ticket_id, None))
    service = settings.service(ticket["service"])
    return render_template("kiosk/ticket.html", center=settings.center, ticket=ticket,
                           service_name=service.name if service else ticket["service"],
                           holder_key=key,
                           where=where_text(settings.counters_serving(ticket["service"]))), 200


# --- issuing and printing ------------------------------------------------------------------------

def _print_json(ticket: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    return {"ticket": ticket["id"], "label": ticket["label"],
            "state": PRINTED if record["printed"] else FAILED, "printed": record["printed"],
            "code": record["code"], "message": record.get("message") or "",
            "attempts": record.get("attempts", 1)}


def _with_key(ticket: dict[str, Any]) -> dict[str, Any]:
    """Return the ticket with its holder key, for a paper printed by the box itself."""
    if ticket.get("holder_key"):
        return ticket
    return {**ticket, "holder_key": _center().holder_key(ticket["id"])}


def _print_once(ticket: dict[str, Any]) -> dict[str, Any]:
    """Print a ticket unless it was printed (or tried) already; return the Print."""
    printing = _printing()
    service = printing.service
    with _state().print_lock:
        job = service.job(ticket["id"])
        if job is None:
            record = printing.records.get(ticket["id"])
            if record is not None:
                return _print_json(ticket, record)
            job = service.submit(ticket["id"], ticket["label"],
                                 printing.draw(_with_key(ticket), request.host_url))
    return service.wait(job).json()


@blueprint.post("/api/v1/kiosk/tickets")
@requires("kiosk")
def issue_and_print() -> tuple[Response, int]:
    """Issue a ticket for the kiosk, then print it; at most `tickets_per_minute` per kiosk."""
    body = validation.json_body()
    service = validation.take(body, "service", str, reason="a field code such as 'A'")
    priority = validation.take(body, "priority", str, default=None,
                               reason="null or a priority category")
    key = request.headers.get("Idempotency-Key") or validation.take(
        body, "request_key", str, default=None, reason="a client-chosen unique text")
    if key is not None and not 8 <= len(key) <= 100:
        raise InvalidInput(field="request_key", reason="8 to 100 characters")
    principal = current_principal()
    assert principal is not None
    print_here = validation.take(body, "print", bool, default=True,
                                 reason="false when the kiosk prints on its own printer")
    center = _center()
    ticket, created = current_app.extensions["xephang"].kiosk_limit.issue(
        center, principal, service, priority=priority, channel="kiosk", request_key=key)
    # Committed: the number is the citizen's whatever the printer does next.
    printed = _print_once(ticket) if print_here else None
    where = where_text(center.settings.counters_serving(ticket["service"]))
    # Said once, for the press that made the ticket (a retry's answer stays silent).
    said = _speech.announce(ticket) if created else None
    return jsonify({"ticket": ticket, "print": printed, "where": where,
                    "speech": said}), 201 if created else 200


@blueprint.post("/api/v1/tickets/<ticket_id>/print")
@requires("kiosk", "staff")
def print_ticket(ticket_id: str) -> Response:
    """Print a ticket: a kiosk once (a retry returns the first outcome), staff again."""
    center = _center()
    ticket = center.ticket(ticket_id)
    principal = current_principal()
    assert principal is not None
    if principal.may("staff"):
        ensure_field_allowed(ticket["service"])
        printing = _printing()
        printing.records.record_reprint(ticket, actor=principal.actor)
        outcome = printing.service.print_ticket(ticket["id"], ticket["label"],
                                                printing.draw(_with_key(ticket), request.host_url))
        return jsonify(outcome.json())
    if ticket["day"] != businessday.day_of(center.clock.now()):
        raise Conflict("print_not_allowed")
    return jsonify(_print_once(ticket))


@blueprint.get("/api/v1/tickets/<ticket_id>/print")
@requires("kiosk", "staff")
def print_status(ticket_id: str) -> Response:
    ticket = _center().ticket(ticket_id)
    printing = _printing()
    job = printing.service.job(ticket_id)
    if job is not None and not job.done.is_set():
        return jsonify(printing.service.wait(job, timeout=0).json())
    record = printing.records.get(ticket_id)
    if record is None:
        return jsonify({"ticket": ticket["id"], "label": ticket["label"], "state": "not_printed",
                        "printed": False, "code": "not_printed", "message": ""})
    return jsonify(_print_json(ticket, record))


@blueprint.post("/api/v1/tickets/<ticket_id>/print-result")
@requires("kiosk")
def print_result(ticket_id: str) -> Response:
    """Keep what a kiosk satellite's own printer did with a ticket."""
    ticket = _center().ticket(ticket_id)
    body = validation.json_body()
    printed = validation.take(body, "printed", bool, reason="true or false")
    code = validation.take(body, "code", str, default="printed" if printed else "printer_error",
                           reason="a short code such as printer_paper_out")
    message = validation.take(body, "message", str, default="", reason="text") or ""
    status = validation.take(body, "status", str, default=None, reason="a device state")
    if status is not None and status not in DEVICE_STATES:
        raise InvalidInput(field="status", reason=f"one of {', '.join(DEVICE_STATES)}")
    outcome = PrintOutcome(ticket["id"], ticket["label"], PRINTED if printed else FAILED,
                           code[:40], message[:300])
    printing = _printing()
    printing.records.save(outcome)
    if status is not None:
        # The kiosk's own printer, under the kiosk's own name: never the box's printer.
        principal = current_principal()
        assert principal is not None
        current_app.extensions["xephang"].hub.report_own_status(principal, status, message[:300])
    return jsonify(outcome.json())


# --- previews and lists --------------------------------------------------------------------------

def _width() -> int:
    width = validation.query_int("width", low=1, high=10_000)
    if width is None:
        return min(_printing().service.printer.width, 576)
    if width not in layout.PAPER_WIDTHS:
        raise InvalidInput(field="width", reason="384 (58 mm paper) or 576 (80 mm paper)")
    return width


def _png(draw: Any) -> Response:
    image = draw(_width())
    response = Response(layout.png_bytes(image), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/api/v1/tickets/<ticket_id>/ticket.png")
def ticket_png(ticket_id: str) -> Response:
    """Draw a ticket; its QR code carries the holder key only for the kiosk, staff or holder."""
    center = _center()
    ticket = center.ticket(ticket_id)
    if holder_or_box(center, ticket_id, request.args.get(holder.PAGE_PARAMETER)):
        ticket = _with_key(ticket)
    return _png(_printing().draw(ticket, request.host_url))


def _sample_ticket(priority: str | None = None) -> dict[str, Any]:
    """Return a ticket that is no citizen's, to check how tickets look and print."""
    center = _center()
    settings = center.settings
    first = settings.services[0]
    return {"id": "mau-ve-thu", "label": "A023" if settings.center.label_style == "prefix"
            else "1023", "service": first.code,
            "priority": priority if priority in PRIORITY_NAMES else None,
            "issued_at": center.clock.now().isoformat(), "ahead": 4, "eta_minutes": 12}


@blueprint.get("/api/v1/kiosk/sample-ticket.png")
def sample_ticket_png() -> Response:
    sample = _sample_ticket(request.args.get("priority"))
    return _png(ticket_drawer(_center().settings, sample, request.host_url))


@blueprint.post("/api/v1/kiosk/test-print")
@requires("admin")
def test_print() -> Response:
    """Print a sample ticket on the core's printer (the admin console's "In thử")."""
    sample = _sample_ticket()
    printing = _printing()
    job = printing.service.submit(sample["id"], sample["label"],
                                  printing.draw(sample, request.host_url), keep=False)
    return jsonify(printing.service.wait(job).json())


@blueprint.get("/api/v1/kiosk/config")
@requires("kiosk")
def kiosk_config() -> Response:
    settings = current_app.extensions["xephang"].settings
    return jsonify({
        "center": {"name": settings.center.name, "subtitle": settings.center.subtitle},
        "services": [{"code": s.code, "name": s.name,
                      "counters": list(settings.counters_serving(s.code))}
                     for s in settings.services],
        "footer": settings.kiosk.footer,
        "public_url": settings.kiosk.public_url,
        "return_seconds": settings.kiosk.return_seconds,
        "tickets_per_minute": settings.kiosk.tickets_per_minute,
    })


@blueprint.get("/api/v1/kiosk/not-printed")
@requires("staff")
def not_printed() -> Response:
    center = _center()
    return jsonify(_printing().records.not_printed(businessday.day_of(center.clock.now())))


from kiosk.web import speech as _speech  # noqa: E402  (registers its route on `blueprint`)
