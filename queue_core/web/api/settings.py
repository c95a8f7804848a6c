"""The center's settings for the admin console, its voice test, and the closed days."""

from __future__ import annotations

import re

from flask import Response, current_app, jsonify, request

from queue_core.domain import speech as speech_text
from queue_core.domain.errors import InvalidInput
from queue_core.domain.speech import SpeechTextError
from queue_core.service import workdays
from queue_core.service.settings import ConsoleSettings, SettingsInvalid
from queue_core.web import validation
from queue_core.web.api.base import actor, api, center
from queue_core.web.security import requires

VERSION_TAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def _console() -> ConsoleSettings:
    return current_app.extensions["xephang"].console  # type: ignore[no-any-return]


def _with_version(document: dict[str, object]) -> Response:
    response = jsonify(document)
    response.headers["ETag"] = f'"{document["version"]}"'
    return response


@api.get("/settings")
@requires("admin")
def get_settings() -> Response:
    return _with_version(_console().document())


@api.patch("/settings")
@requires("admin")
def patch_settings() -> Response:
    body = validation.json_body()
    expected = None
    tag = request.headers.get("If-Match", "").strip()
    if tag and tag != "*":
        found = VERSION_TAG.match(tag)
        if found is None:
            raise InvalidInput(field="If-Match", reason='the ETag read with the settings, e.g. "3"')
        expected = int(found.group(1))
    document = _console().patch(body, actor=actor(), expected_version=expected,
                                check=center().check_settings_change)
    return _with_version(document)


@api.get("/settings/speech")
@requires("admin", "announcer")
def speech_settings() -> Response:
    """The voice in force, for an announcer on another box (it refetches after a change)."""
    return jsonify(_console().document()["speech"])


@api.post("/settings/speech-test")
@requires("admin")
def speech_test() -> Response:
    """Play a sentence through the announcers, with the speech settings given (unsaved)."""
    body = validation.json_body(required=False)
    label = validation.take(body, "label", str, default="A023", reason="a ticket label")
    number = validation.take(body, "counter", int, default=1, reason="a counter number")
    given = validation.take(body, "speech", dict, default={}, reason="speech settings")
    current = center().settings.speech
    template = given.get("template", current.template)
    dialect = given.get("dialect", current.dialect)
    if not isinstance(template, str) or "{label}" not in template or len(template) > 300:
        raise SettingsInvalid(field="speech.template", detail="text with {label} in it")
    if dialect not in ("north", "south"):
        raise SettingsInvalid(field="speech.dialect", detail="north or south")
    if not 1 <= number <= 99:
        raise InvalidInput(field="counter", reason="a counter number from 1 to 99")
    try:
        text = speech_text.call_sentence(label[:12], number, template=template, dialect=dialect,
                                         recall_template=current.recall_template)
    except (SpeechTextError, KeyError, IndexError, ValueError) as exc:
        raise SettingsInvalid(field="speech.template", detail=str(exc)) from None
    heard_by = current_app.extensions["xephang"].hub.speech_test(text, label[:12], number)
    return jsonify({"text": text, "announcers": heard_by})


@api.get("/closed-days")
def closed_days() -> Response:
    """The days of a year the center is closed although their weekday works (holidays)."""
    year = validation.query_int("year", low=2000, high=2100)
    now = center().clock.now()
    calendar = workdays.calendar_for(center().settings)
    return jsonify(calendar.closed_days(year or now.year))


__all__ = ["closed_days", "get_settings", "patch_settings",
           "speech_settings", "speech_test"]
