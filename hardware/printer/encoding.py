"""The bytes a printer receives: a ticket as one ESC/POS raster image, then a cut.

Every backend sends these bytes, so what the fake saves is what a real printer gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# ESC/POS bytes this package speaks.
ESC, GS, DLE, EOT = b"\x1b", b"\x1d", b"\x10", b"\x04"
INIT = ESC + b"@"


def escpos_job(image: Image.Image, *, profile: str | None = None, cut: bool = True,
               fragment_height: int = 256) -> bytes:
    """Return the ESC/POS bytes that print `image` (raster, GS v 0) and cut the paper.

    Bands of `fragment_height` rows keep each block small for printers with small buffers.
    """
    from escpos.image import EscposImage
    from escpos.printer import Dummy

    job = Dummy(profile=profile)
    job._raw(INIT)
    whole = EscposImage(image)
    bands = whole.split(fragment_height) if whole.height > fragment_height else [image]
    for band in bands:
        raster = EscposImage(band)
        job._raw(GS + b"v0\x00" + raster.width_bytes.to_bytes(2, "little")
                 + raster.height.to_bytes(2, "little") + raster.to_raster_format())
    if cut:
        job.cut()
    return bytes(job.output)


def warm_up(profile: str | None = None) -> None:
    """Load python-escpos and its printer profiles now (the first load takes most of a second)."""
    from PIL import Image

    escpos_job(Image.new("1", (8, 8), 1), profile=profile)


def profile_width(profile: str | None) -> int | None:
    """Return the printable width in dots a python-escpos profile states, if it states one."""
    from escpos.capabilities import get_profile

    try:
        pixels = get_profile(profile).profile_data["media"]["width"]["pixels"]
        return int(pixels)
    except (KeyError, ValueError, TypeError):
        return None


