"""Public board data: health, the Board, fields, counters, and the sentence of a call."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from queue_core import __version__
from queue_core.domain.errors import InvalidInput
from queue_core.domain.messages import render
from queue_core.domain.speech import SpeechTextError
from queue_core.web import validation
from queue_core.web.api.base import api, center
from queue_core.web.errors import language


@api.get("/health")
def health() -> Response:
    """How the box is: database, storage, the box's printer and loudspeaker, with reasons.

    Only the box's own parts make it "degraded"; a device's report about itself is listed
    under `devices` and changes nothing else.
    """
    xephang = current_app.extensions["xephang"]
    try:
        xephang.center.check_database()
        database = "ok"
    except Exception:
        database = "error"
    storage = xephang.center.storage_state()
    devices = xephang.hub.device_report()
    reasons = []
    if database != "ok":
        reasons.append("database_error")
    if storage != "ok":
        reasons.append(f"storage_{storage}")
    reasons += [f"{name}_{devices[name]['status']}" for name in ("printer", "audio")
                if devices[name]["status"] in ("error", "offline")]
    lang = language()
    return jsonify({"status": "degraded" if reasons else "ok", "database": database,
                    "storage": storage, "printer": devices["printer"]["status"],
                    "audio": devices["audio"]["status"], "devices": devices,
                    "reasons": [{"code": code, "message": render(code, lang)} for code in reasons],
                    "version": __version__})


@api.get("/state")
def state() -> Response:
    return jsonify(center().board())


@api.get("/services")
def services() -> Response:
    return jsonify(center().services())


@api.get("/counters")
def counters() -> Response:
    return jsonify(center().counters())


@api.get("/counters/<int:number>")
def counter(number: int) -> Response:
    return jsonify(center().counter_view(number))


@api.get("/speech")
def speech() -> Response:
    label = request.args.get("label", "").strip()
    if not label:
        raise InvalidInput(field="label", reason="required: a ticket label such as A023")
    number = validation.query_int("counter", required=True, low=1, high=99_999)
    recall = request.args.get("recall", "0") in ("1", "true", "yes")
    try:
        text = center().speech(label, number or 1, recall=recall)
        caption = center().caption(label, number or 1, recall=recall)
    except SpeechTextError as exc:
        raise InvalidInput(field="label", reason=str(exc)) from None
    return jsonify({"text": text, "caption": caption})
