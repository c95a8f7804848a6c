"""Errors of the hardware adapters; each is also a built-in exception."""

from __future__ import annotations


class HardwareError(Exception):
    """Root of every error a hardware adapter raises on purpose."""


class AudioUnavailable(HardwareError, OSError):
    """No sound device could be opened or it stopped working; the text says why."""
