"""Errors of the announcer; each is also a built-in exception."""

from __future__ import annotations


class AnnouncerError(Exception):
    """Root of every error the announcer raises on purpose."""


class SpeechUnavailable(AnnouncerError, RuntimeError):
    """Neither the speech engine nor the espeak-ng command line produced a WAV."""


class VoicePackError(AnnouncerError, ValueError):
    """The recorded voice pack folder is missing, unreadable or its clips disagree in format."""


class MissingClips(VoicePackError, LookupError):
    """The voice pack has no clip for some words of a sentence."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        super().__init__(f"no recorded clip for: {', '.join(words)}")
