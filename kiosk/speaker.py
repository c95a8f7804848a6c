"""The button kiosk says the number it just issued, on this box's own speaker.

The core's answer to a press carries ``speech`` (``{"text","url","volume",…}``, or null
when the center's kiosks are silent). After the ticket has printed, `TicketSpeaker.say`
fetches the WAV from the core with the kiosk's token (the announcer's engine renders it)
and plays it once through `hardware.audio` at that volume, on a thread of its own: a slow
or missing voice never holds up the next press. The hall loudspeaker is the announcer's;
this is the kiosk box's own small speaker (its ``[hardware] audio``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from hardware.audio import AudioOutput, AudioUnavailable
from queue_core.client.rest import CoreClient, CoreUnreachable

__all__ = ["TicketSpeaker"]

log = logging.getLogger(__name__)

# A render the core has not finished in this long is not worth waiting for: the ticket
# is in the citizen's hand already.
FETCH_SECONDS = 10.0


class TicketSpeaker:
    """Fetch a ticket's spoken sentence from the core and play it once, off the press path."""

    def __init__(self, core: CoreClient, audio: AudioOutput) -> None:
        self.core = core
        self.audio = audio
        self.said = threading.Condition()
        self.count = 0           # sentences played (tests wait on it)
        self.failures = 0

    def say(self, speech: Mapping[str, Any] | None) -> threading.Thread | None:
        """Play `speech` (the answer's) in the background; None when there is nothing to say."""
        if not isinstance(speech, Mapping) or not isinstance(speech.get("url"), str):
            return None
        thread = threading.Thread(target=self._play, args=(speech,), daemon=True,
                                  name="kiosk-speech")
        thread.start()
        return thread

    def _play(self, speech: Mapping[str, Any]) -> None:
        played = False
        try:
            status, wav = self.core.get_bytes(str(speech["url"]), timeout=FETCH_SECONDS)
            if status != 200 or not wav:
                log.warning("the core gave no speech for this ticket (%s)", status)
            else:
                volume = speech.get("volume")
                self.audio.play(wav, volume=float(volume) if isinstance(volume, (int, float))
                                else 1.0)
                played = True
        except (CoreUnreachable, AudioUnavailable) as exc:
            log.warning("the number could not be said: %s", exc)
        except Exception:
            log.exception("the number could not be said")
        with self.said:
            if played:
                self.count += 1
            else:
                self.failures += 1
            self.said.notify_all()

    def wait(self, count: int, timeout: float) -> bool:
        """Wait until `count` sentences were played or failed (tests)."""
        with self.said:
            return self.said.wait_for(lambda: self.count + self.failures >= count, timeout)
