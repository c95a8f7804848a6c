"""What a printed ticket says and looks like: a 1-bit image for a thermal printer.

The ticket is drawn with Pillow in the bundled DejaVu Sans (every Vietnamese
glyph), for 58 mm (384 dots) or 80 mm (576 dots) paper: the center's name and
the "Hành chính phục vụ" line, the label very large, the field, people ahead and
the estimated wait, the time of issue, a QR code to the citizen's live ticket
page and a short footer.

>>> from datetime import datetime
>>> face = TicketFace(center_name="Trung tâm Phục vụ Hành chính công xã", subtitle="Hành chính phục vụ",
...                   label="A023", service_name="Chứng thực", priority=None,
...                   issued_at=datetime(2026, 11, 23, 8, 5), ahead=4, eta_minutes=12,
...                   url="http://192.168.1.10:8000/t/abc", footer="Cảm ơn quý công dân.")
>>> image = render_ticket(face, width=384)
>>> image.mode, image.width
('1', 384)
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hardware.fonts import font_path

from .messages import priority_name, render, where_text

if TYPE_CHECKING:
    # Pillow and qrcode load on the first ticket drawn, not when the server starts.
    from PIL import Image, ImageFont

PAPER_WIDTHS = (384, 576)
BLACK, WHITE = 0, 255


@dataclass(frozen=True)
class TicketFace:
    """Everything a ticket shows, as plain values."""

    center_name: str
    subtitle: str
    label: str
    service_name: str
    priority: str | None
    issued_at: datetime
    ahead: int | None
    eta_minutes: int | None
    url: str
    footer: str
    lang: str = "vi"
    # The counters that serve the field ("Mời đến quầy 1, 2 hoặc 5 khi được gọi").
    counters: tuple[int, ...] = ()


@dataclass(frozen=True)
class TicketImage:
    """A rendered ticket, where its QR code sits, and its lines of text (tests read them)."""

    image: Image.Image
    qr_origin: tuple[int, int]
    qr_scale: int
    qr_modules: int
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChecklistFace:
    """What the printed list of a procedure's documents shows, as plain values."""

    center_name: str
    subtitle: str
    procedure: str
    code: str
    service_name: str
    documents: tuple[str, ...]
    deadline: str
    fee: str
    forms: tuple[str, ...]
    printed_at: datetime
    notice: str = ""
    lang: str = "vi"


def face_for(ticket: Mapping[str, Any], *, center_name: str, subtitle: str, service_name: str,
             url: str, footer: str, lang: str = "vi",
             counters: tuple[int, ...] = ()) -> TicketFace:
    """Build a ticket's face from a Ticket of the API (CONTRACT.md)."""
    issued = ticket.get("issued_at")
    return TicketFace(
        center_name=center_name,
        subtitle=subtitle,
        label=str(ticket["label"]),
        service_name=service_name,
        priority=priority_name(ticket.get("priority"), lang),
        issued_at=datetime.fromisoformat(issued) if isinstance(issued, str) else datetime.now(),
        ahead=ticket.get("ahead"),
        eta_minutes=ticket.get("eta_minutes"),
        url=url,
        footer=footer,
        lang=lang,
        counters=tuple(counters),
    )


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR code of `data` as rows of dark (True) modules, without the quiet zone."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


@lru_cache(maxsize=64)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path(bold)), size)


def _text_width(text: str, font: ImageFont.FreeTypeFont) -> int:
    left, _, right, _ = font.getbbox(text)
    return int(right - left)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break `text` into lines no wider than `width` pixels (long words are split)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if _text_width(candidate, font) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _text_width(word, font) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and _text_width(word[:cut], font) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return [line for line in lines if line] or [""]


class _Canvas:
    """A tall greyscale page we draw down, then crop and turn to 1 bit."""

    def __init__(self, width: int) -> None:
        from PIL import Image, ImageDraw

        self.width = width
        self.margin = max(8, width // 24)
        self.image = Image.new("L", (width, width * 5), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = self.margin
        self.lines: list[str] = []

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def text(self, text: str, size: int, *, bold: bool = False, gap: float = 0.25,
             fill: int = BLACK) -> None:
        font = _font(size, bold)
        ascent, descent = font.getmetrics()
        for line in _wrap(text, font, self.inner):
            x = (self.width - _text_width(line, font)) // 2
            self.draw.text((x, self.y), line, font=font, fill=fill)
            self.y += ascent + descent
        self.lines.append(text)
        self.y += int(size * gap)

    def item(self, marker: str, text: str, size: int, *, gap: float = 0.2) -> None:
        """A list item, left aligned: its marker, then its lines under one another."""
        font = _font(size, False)
        ascent, descent = font.getmetrics()
        indent = _text_width(marker + " ", font)
        self.draw.text((self.margin, self.y), marker, font=font, fill=BLACK)
        for line in _wrap(text, font, self.inner - indent):
            self.draw.text((self.margin + indent, self.y), line, font=font, fill=BLACK)
            self.y += ascent + descent
        self.y += int(size * gap)

    def band(self, text: str, size: int) -> None:
        """White bold text on a black band (the priority mark)."""
        font = _font(size, True)
        ascent, descent = font.getmetrics()
        lines = _wrap(text, font, self.inner - size)
        pad = size // 3
        height = len(lines) * (ascent + descent) + 2 * pad
        self.draw.rectangle((self.margin, self.y, self.width - self.margin, self.y + height),
                            fill=BLACK)
        self.lines.append(text)
        y = self.y + pad
        for line in lines:
            x = (self.width - _text_width(line, font)) // 2
            self.draw.text((x, y), line, font=font, fill=WHITE)
            y += ascent + descent
        self.y += height + size // 2

    def big(self, text: str) -> None:
        """The label: as large as fits the paper, at most a third of its width tall."""
        size = self.width // 3
        while size > 20 and _text_width(text, _font(size, True)) > self.inner:
            size -= 4
        font = _font(size, True)
        left, top, right, bottom = font.getbbox(text)
        x = (self.width - (right - left)) // 2 - left
        self.draw.text((x, self.y - top), text, font=font, fill=BLACK)
        self.y += int(bottom - top) + self.width // 24

    def rule(self, *, dashed: bool = False) -> None:
        y = self.y
        thickness = max(2, self.width // 192)
        if dashed:
            step = self.width // 32
            for x in range(self.margin, self.width - self.margin, step * 2):
                self.draw.rectangle((x, y, min(x + step, self.width - self.margin), y + thickness),
                                    fill=BLACK)
        else:
            self.draw.rectangle((self.margin, y, self.width - self.margin, y + thickness),
                                fill=BLACK)
        self.y += thickness + self.width // 32

    def qr(self, data: str) -> tuple[tuple[int, int], int, int]:
        matrix = qr_matrix(data)
        modules = len(matrix)
        # About 45 % of the paper, whole dots per module, never under 3 dots.
        scale = max(3, int(self.width * 0.45) // (modules + 8))
        size = modules * scale
        x0 = (self.width - size) // 2
        y0 = self.y + 4 * scale  # the quiet zone above; white already
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    self.draw.rectangle((x0 + col * scale, y0 + row * scale,
                                         x0 + (col + 1) * scale - 1, y0 + (row + 1) * scale - 1),
                                        fill=BLACK)
        self.y = y0 + size + 3 * scale
        return (x0, y0), scale, modules

    def finish(self) -> Image.Image:
        from PIL import Image

        bottom = self.y + self.margin
        cropped = self.image.crop((0, 0, self.width, bottom))
        # A hard threshold (no dithering): crisp strokes on thermal paper.
        return cropped.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def _headed(width: int, center_name: str, subtitle: str, lang: str) -> tuple[_Canvas, float]:
    """Start a paper `width` dots wide with the center's name and line; return it and its unit.

    Sizes are given for 80 mm paper (576 dots) and scaled by the unit for 58 mm.
    """
    if width < 256 or width % 8:
        raise ValueError(f"paper width must be a multiple of 8 dots, at least 256, not {width}")
    unit = width / 576
    canvas = _Canvas(width)
    canvas.text(center_name.upper() if lang == "vi" else center_name, max(18, int(28 * unit)),
                bold=True, gap=0.15)
    if subtitle:
        canvas.text(subtitle, max(16, int(24 * unit)), gap=0.4)
    canvas.rule()
    return canvas, unit


def layout_ticket(face: TicketFace, *, width: int = 576) -> TicketImage:
    """Draw the ticket `width` dots wide; return it with the QR code's position."""
    lang = face.lang
    canvas, unit = _headed(width, face.center_name, face.subtitle, lang)
    canvas.text(render("ticket_heading", lang), max(16, int(24 * unit)), bold=True, gap=0.35)
    canvas.big(face.label)
    if face.priority:
        canvas.band(render("priority", lang, name=face.priority), max(16, int(26 * unit)))
    detail = max(17, int(26 * unit))
    where = where_text(face.counters, lang)
    canvas.text(render("field", lang, name=face.service_name), max(18, int(30 * unit)), bold=True,
                gap=0.2 if where else 0.4)
    if where:
        canvas.text(where, detail, gap=0.4)
    canvas.rule(dashed=True)
    if face.ahead is not None:
        canvas.text(render("ahead", lang, count=face.ahead) if face.ahead > 0
                    else render("ahead_none", lang), detail, bold=True, gap=0.1)
    if face.eta_minutes is not None:
        canvas.text(render("eta", lang, minutes=face.eta_minutes), detail, gap=0.1)
    elif face.ahead is not None:
        canvas.text(render("eta_unknown", lang), detail, gap=0.1)
    canvas.text(render("issued", lang, time=f"{face.issued_at:%H:%M}",
                       date=f"{face.issued_at:%d/%m/%Y}"), max(16, int(22 * unit)), gap=0.2)
    origin, scale, modules = canvas.qr(face.url)
    canvas.text(render("scan", lang), max(15, int(20 * unit)), gap=0.3)
    if face.footer:
        canvas.rule(dashed=True)
        canvas.text(face.footer, max(15, int(20 * unit)), gap=0.1)
    return TicketImage(canvas.finish(), origin, scale, modules, tuple(canvas.lines))


def render_checklist(face: ChecklistFace, *, width: int = 576) -> Image.Image:
    """Draw a procedure's list of documents `width` dots wide, to take home on paper.

    >>> face = ChecklistFace(center_name="Trung tâm", subtitle="", procedure="Đăng ký khai sinh",
    ...                      code="HT-01", service_name="Hộ tịch", documents=("Tờ khai",),
    ...                      deadline="Trong ngày", fee="Miễn phí", forms=("Tờ khai",),
    ...                      printed_at=datetime(2026, 11, 23, 8, 5))
    >>> render_checklist(face, width=384).mode
    '1'
    """
    lang = face.lang
    canvas, unit = _headed(width, face.center_name, face.subtitle, lang)
    canvas.text(render("checklist_heading", lang), max(17, int(26 * unit)), bold=True, gap=0.3)
    canvas.text(face.procedure, max(18, int(30 * unit)), bold=True, gap=0.3)
    canvas.text(render("checklist_procedure", lang, procedure=face.code, field=face.service_name),
                max(15, int(21 * unit)), gap=0.4)
    canvas.rule(dashed=True)
    detail = max(16, int(23 * unit))
    for number, document in enumerate(face.documents, start=1):
        canvas.item(f"{number}.", document, detail)
    if not face.documents:
        canvas.text(render("checklist_none", lang), detail)
    canvas.rule(dashed=True)
    if face.deadline:
        canvas.item("•", render("checklist_deadline", lang, text=face.deadline), detail)
    if face.fee:
        canvas.item("•", render("checklist_fee", lang, text=face.fee), detail)
    if face.forms:
        canvas.item("•", render("checklist_forms", lang, names="; ".join(face.forms)), detail)
        canvas.text(render("checklist_forms_hint", lang), max(15, int(20 * unit)), gap=0.2)
    canvas.rule(dashed=True)
    if face.notice:
        canvas.text(face.notice, max(15, int(19 * unit)), gap=0.2)
    canvas.text(render("checklist_printed", lang, time=f"{face.printed_at:%H:%M}",
                       date=f"{face.printed_at:%d/%m/%Y}"), max(15, int(20 * unit)), gap=0.1)
    return canvas.finish()


def render_ticket(face: TicketFace, *, width: int = 576) -> Image.Image:
    """Return the ticket as a 1-bit image `width` dots wide."""
    return layout_ticket(face, width=width).image


def png_bytes(image: Image.Image) -> bytes:
    """Return the image as PNG (the preview endpoint, saved jobs)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
