"""The announcer inside the serving process, for a box whose loudspeaker is emulated.

With `hardware.audio = "fake"` (embedded defaults, demos) nothing is played: calls are
rendered and recorded. A separate announcer process would cost the box about 40 MB
for that. Here the announcer runs as threads of the serving process instead, and the
guarantee that a hung or crashing speech engine never touches the queue is kept by
never loading one: every sentence is rendered by the `espeak-ng` command line in a
child process of its own, killed after `speech.synth_timeout_seconds`. The satellite
joins the core over Socket.IO like any other, so the core treats it the same way.

A real loudspeaker (`audio = "pygame"`) keeps the supervised child process
(`announcer.supervisor`): pyttsx3 and pygame load C libraries into their process.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .playback import Announcer
from .satellite import AnnouncerSatellite
from .synthesis import Synthesizer

if TYPE_CHECKING:
    from queue_core.config import Settings

log = logging.getLogger(__name__)


class InProcessAnnouncer:
    """An announcer satellite on threads of this process, speech rendered out of process."""

    def __init__(self, core_url: str, token: str, settings: Settings) -> None:
        # No engine factory: pyttsx3 (and espeak-ng's library) never load here.
        synthesizer = Synthesizer.from_settings(settings, engine_factory=None)
        self.announcer = Announcer.from_settings(settings, synthesizer=synthesizer)
        self.satellite = AnnouncerSatellite(core_url, token, self.announcer)

    def start(self) -> None:
        self.announcer.start()
        self.satellite.start()
        log.info("announcer (in process): %s", self.announcer.status.message)

    def stop(self) -> None:
        self.satellite.stop(timeout=1.0)
        self.announcer.stop()
