"""`GET /dossiers/{code}`: where a citizen's dossier stands, from the one-door system.

Public (the code on the receipt is what the citizen holds), limited per address so codes
cannot be enumerated (429), and never more than the code, the status in plain words and
its dates. 404 for a code the system does not know; 503 `connector_unavailable` when the
system is off, down, slow or answers nonsense, always within `lookup.timeout_seconds`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState

from queue_core.service.dossiers import DossierLookup

dossiers_api = Blueprint("dossiers_api", __name__, url_prefix="/api/v1")


@dossiers_api.record_once
def _setup(state: BlueprintSetupState) -> None:
    settings = state.app.extensions["xephang"].settings
    state.app.extensions["xephang_dossiers"] = DossierLookup(settings)


@dossiers_api.get("/dossiers/<code>")
def dossier_status(code: str) -> Response:
    lookup: DossierLookup = current_app.extensions["xephang_dossiers"]
    response = jsonify(lookup.status(code, address=request.remote_addr or "?"))
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["dossiers_api"]
