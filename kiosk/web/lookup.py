"""The look-up kiosk (kiosk tra cứu): its touch page and the printing of a list of documents.

Page ``/lookup`` (portrait 1080×1920 or landscape): find a procedure with the on-screen
Vietnamese keyboard, see it in large type with its forms as QR codes, print its list of
documents, take a number in its field, see where a dossier stands, and rate a counter
that asks for it. Searching, reading and dossier status are public; printing, numbers and
ratings need a kiosk token, handed over once as ``/lookup#token=…`` like ``/kiosk``.
``/lookup?counters=3,4`` takes rating requests of those counters only.

| method and path | role | result |
|---|---|---|
| ``POST /api/v1/procedures/{code}/print`` | kiosk | prints the procedure's documents on the core's printer: ``{"procedure","state","printed","code","message"}``; 429 past ``lookup.prints_per_minute`` |
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, current_app, jsonify, render_template
from PIL import Image

from kiosk import layout
from kiosk.messages import render
from kiosk.web.pages import blueprint, icon_for
from kiosk.web.printing import CorePrinting
from queue_core.config import Settings
from queue_core.domain import vocabulary
from queue_core.domain.catalog import Procedure
from queue_core.domain.errors import TooManyRequests
from queue_core.domain.model import PRINT_FAILED
from queue_core.service.catalog import Catalog
from queue_core.service.dossiers import DossierLookup
from queue_core.service.ratings import rating_options
from queue_core.service.throttle import Throttle
from queue_core.web.security import current_principal, requires

THROTTLE_KEY = "xephang_lookup_prints"


def _catalog() -> Catalog:
    return current_app.extensions["xephang_catalog"]  # type: ignore[no-any-return]


def _settings() -> Settings:
    return current_app.extensions["xephang"].settings  # type: ignore[no-any-return]


def rating_counters(settings: Settings) -> list[int]:
    """Return the counters whose rating requests the page takes ([0] in settings: none)."""
    chosen = settings.lookup.rating_counters
    if chosen == (0,):
        return []
    return [c.number for c in settings.counters if not chosen or c.number in chosen]


@blueprint.get("/lookup")
def lookup_page() -> str:
    settings = _settings()
    catalog = _catalog()
    catalog.ensure_loaded()
    facts = catalog.facts() or {}
    dossiers: DossierLookup = current_app.extensions["xephang_dossiers"]
    results = settings.service(settings.lookup.results_service)
    fields = [{"code": s.code, "name": s.name, "icon": icon_for(s.code, s.name)}
              for s in settings.services]
    options: dict[str, Any] = {
        "fields": fields,
        "idle_seconds": settings.lookup.idle_seconds,
        "return_seconds": settings.kiosk.return_seconds,
        "timezone": settings.center.timezone,
        "dossiers": dossiers.enabled,
        "results_service": results.code if results else None,
        "sample": bool(facts.get("sample")),
        "rating_counters": rating_counters(settings),
        "counter_names": {c.number: c.display_name for c in settings.counters},
        "ratings": rating_options(settings),
        "dossier_statuses": vocabulary.DOSSIER_STATUS_NAMES,
    }
    return render_template("kiosk/lookup.html", center=settings.center, fields=fields,
                           options=options, sample=bool(facts.get("sample")))


def checklist_drawer(settings: Settings, procedure: Procedure, sample: bool) -> Any:
    """Return how to draw a procedure's list of documents at a given paper width."""
    service = settings.service(procedure.service)
    face = layout.ChecklistFace(
        center_name=settings.center.name, subtitle=settings.center.subtitle,
        procedure=procedure.name, code=procedure.code,
        service_name=service.name if service else procedure.service,
        documents=procedure.documents, deadline=procedure.deadline, fee=procedure.fee,
        forms=tuple(form.name for form in procedure.forms),
        printed_at=current_app.extensions["xephang"].center.clock.now(),
        notice=vocabulary.SAMPLE_CATALOG_NOTICE if sample else "")

    def draw(width: int) -> Image.Image:
        return layout.render_checklist(face, width=width)

    return draw


@blueprint.post("/api/v1/procedures/<code>/print")
@requires("kiosk")
def print_procedure(code: str) -> Response:
    """Print a procedure's list of documents on the core's printer (not a ticket's paper)."""
    catalog = _catalog()
    procedure = catalog.procedure(code)
    principal = current_principal()
    assert principal is not None
    settings = _settings()
    throttle = current_app.extensions.setdefault(
        THROTTLE_KEY, Throttle(limit=settings.lookup.prints_per_minute, window=60))
    try:
        throttle.hit(principal.actor)
    except TooManyRequests:
        raise TooManyRequests("lookup_print_limited") from None
    printing: CorePrinting = current_app.extensions["xephang_printer"]
    facts = catalog.facts() or {}
    job = printing.service.submit(f"list-{secrets.token_hex(6)}", procedure.code,
                                  checklist_drawer(settings, procedure, bool(facts.get("sample"))),
                                  keep=False)
    outcome = printing.service.wait(job)
    message = ""
    if outcome.state == PRINT_FAILED:
        message = render(outcome.code, ticket=render("list_not_printed"), detail=outcome.code)
    return jsonify({"procedure": procedure.code, "state": outcome.state,
                    "printed": outcome.printed, "code": outcome.code, "message": message})
