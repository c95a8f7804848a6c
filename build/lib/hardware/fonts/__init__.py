"""Fonts shipped with xephang: DejaVu Sans has every Vietnamese glyph, on screen and on paper."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


def font_path(bold: bool = False) -> Path:
    """Return the path of the bundled font."""
    return BOLD if bold else REGULAR
