"""QR codes of this box's addresses, as SVG (a phone or a TV's browser scans them)."""

from __future__ import annotations

import qrcode
from flask import Response
from qrcode.image.svg import SvgPathImage


def qr_svg(text: str) -> Response:
    """Return an SVG answer drawing `text` as a QR code (medium error correction)."""
    image = qrcode.make(text, image_factory=SvgPathImage, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    response = Response(image.to_string(encoding="unicode"), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


__all__ = ["qr_svg"]
