"""The kiosk says the number it just issued: once, quietly, on its own speaker.

After a ticket is issued (`POST /api/v1/kiosk/tickets`), `KioskVoice.announce` puts the
sentence ("Số của quý công dân là a không hai ba. Phía trước còn bốn người.") in the
answer and keeps it; nothing is rendered on that path, so neither the answer nor the
printing ever waits for speech. The kiosk then fetches
``GET /api/v1/kiosk/tickets/{id}/speech.wav`` (kiosk role) and plays it at
`kiosk.speak_volume`; that route renders on one worker thread (the cache answers at once
for a sentence said before), waits at most `WAIT_SECONDS` and answers 503
`speech_unavailable` past that (the kiosk then stays silent: the number is on screen).

The renderer is the announcer's (same engine, voice, rate and WAV cache); only the core's
composition root (`queue_core.web.app`) knows it and hands a factory to `attach_speech`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, Response, current_app, send_file

from kiosk.web.pages import blueprint
from queue_core.config import LiveSettings, Settings
from queue_core.domain import speech
from queue_core.domain.errors import NotFound, ServiceUnavailable
from queue_core.web.security import requires

__all__ = ["KioskVoice", "Renderer", "attach_speech"]

log = logging.getLogger(__name__)

EXTENSION = "xephang_kiosk_voice"
# The page asks right after the answer: a render (espeak-ng, a second or two) is waited for.
WAIT_SECONDS = 8.0
# Sentences remembered per ticket (what was said at issue, not what is true later).
REMEMBERED = 500


class Renderer(Protocol):
    """What renders speech: the announcer's synthesizer has this shape."""

    def start(self) -> None: ...

    def request(self, text: str, *, urgent: bool = True) -> Future[Path]: ...


class KioskVoice:
    """Sentences for issued tickets, rendered by one worker when a kiosk asks."""

    def __init__(self, settings: Settings | LiveSettings,
                 factory: Callable[[], Renderer] | None) -> None:
        # The settings in force: the admin console may change the voice while serving.
        self.live = settings if isinstance(settings, LiveSettings) else LiveSettings(settings)
        self.live.listen(self._settings_changed)
        self._factory = factory
        self._renderer: Renderer | None = None
        self._start_lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-voice")
        self._said: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self.live.current

    def _settings_changed(self, old: Settings, new: Settings) -> None:
        # A new voice, rate or dialect: the next sentence gets a renderer made with it.
        if old.speech == new.speech:
            return
        with self._start_lock:
            previous, self._renderer = self._renderer, None
        close = getattr(previous, "close", None)
        if close is not None:
            self._worker.submit(close)

    @property
    def enabled(self) -> bool:
        return self.settings.kiosk.speak and self._factory is not None

    def _sentence(self, ticket: dict[str, Any]) -> str:
        ahead = ticket.get("ahead")
        return speech.ticket_sentence(str(ticket["label"]),
                                      ahead if isinstance(ahead, int) else 0,
                                      dialect=self.settings.speech.dialect)

    def renderer(self) -> Renderer:
        """Return the started renderer (started on first use: it may take seconds)."""
        with self._start_lock:
            if self._renderer is None:
                assert self._factory is not None
                renderer = self._factory()
                renderer.start()
                self._renderer = renderer
            return self._renderer

    def announce(self, ticket: dict[str, Any]) -> dict[str, Any] | None:
        """Return the answer's `speech` for a just-issued ticket (the sentence is kept).

        Renders nothing: the kiosk asks for the WAV right after the answer, and that route
        renders it on the worker (a kiosk that never asks costs no CPU).
        """
        if not self.enabled:
            return None
        try:
            text = self._sentence(ticket)
        except speech.SpeechTextError:
            log.warning("no speech for ticket label %r", ticket.get("label"))
            return None
        with self._lock:
            self._said[str(ticket["id"])] = text
            self._said.move_to_end(str(ticket["id"]))
            while len(self._said) > REMEMBERED:
                self._said.popitem(last=False)
        ahead = ticket.get("ahead")
        return {"text": text,
                "caption": speech.ticket_caption(str(ticket["label"]),
                                                 ahead if isinstance(ahead, int) else 0),
                "url": f"/api/v1/kiosk/tickets/{ticket['id']}/speech.wav",
                "volume": self.settings.kiosk.speak_volume}

    def wav(self, ticket: dict[str, Any], *, wait: float | None = None) -> Path:
        """Return the WAV of the sentence said for `ticket` (rendering it if needed).

        A ticket issued before a restart is said as it stands now (people ahead now).
        """
        with self._lock:
            text = self._said.get(str(ticket["id"]))
        text = text or self._sentence(ticket)
        deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
        future = self._worker.submit(lambda: self.renderer().request(text))
        try:
            rendering = future.result(timeout=max(0.0, deadline - time.monotonic()))
            return rendering.result(timeout=max(0.0, deadline - time.monotonic()))
        except (FutureTimeout, Exception) as exc:
            log.warning("kiosk speech unavailable: %s", exc)
            raise ServiceUnavailable("speech_unavailable") from None

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)


def attach_speech(app: Flask, factory: Callable[[], Renderer] | None) -> KioskVoice:
    """Give the kiosk routes a voice; `factory` makes the renderer (None: always silent)."""
    voice = KioskVoice(app.extensions["xephang"].live, factory)
    app.extensions[EXTENSION] = voice
    return voice


def voice_of(app: Flask) -> KioskVoice | None:
    voice: KioskVoice | None = app.extensions.get(EXTENSION)
    return voice


def announce(ticket: dict[str, Any]) -> dict[str, Any] | None:
    """The `speech` of an issue answer (None when the kiosk is silent)."""
    voice = voice_of(current_app)
    return voice.announce(ticket) if voice is not None else None


@blueprint.get("/api/v1/kiosk/tickets/<ticket_id>/speech.wav")
@requires("kiosk")
def ticket_speech(ticket_id: str) -> Response:
    """The spoken sentence of a ticket this center issued, as a WAV to play once."""
    voice = voice_of(current_app)
    center = current_app.extensions["xephang"].center
    ticket = center.ticket(ticket_id)           # 404 unknown_ticket
    if voice is None or not voice.enabled:
        raise NotFound("speech_off")
    # The cache sits in the data dir, which may be given relative to the working directory
    # (`./var`); Flask would read a relative path from the package's folder instead.
    path = voice.wav(ticket).absolute()
    return send_file(path, mimetype="audio/wav", max_age=0)
