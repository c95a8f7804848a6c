"""The printed ticket: size, 1 bit, and a QR code that leads to the citizen's page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from kiosk.layout import TicketFace, face_for, layout_ticket, qr_matrix, render_ticket
from queue_core.domain.clock import VIETNAM

URL = "http://192.168.1.10:8000/t/Zx9aQ2_kLmN8pQrS"


def face(**changes: object) -> TicketFace:
    values: dict[str, object] = {
        "center_name": "Trung tâm Phục vụ Hành chính công phường Hòa Khánh",
        "subtitle": "Hành chính phục vụ", "label": "A023", "service_name": "Chứng thực",
        "priority": None, "issued_at": datetime(2026, 11, 23, 8, 5, tzinfo=VIETNAM), "ahead": 4,
        "eta_minutes": 12, "url": URL, "footer": "Cảm ơn quý công dân. Vui lòng chờ gọi số."}
    values.update(changes)
    return TicketFace(**values)  # type: ignore[arg-type]


def colors(image: Image.Image) -> set[int]:
    return {value for value, count in enumerate(image.convert("L").histogram()) if count}


def read_matrix(image: Image.Image, origin: tuple[int, int], scale: int, modules: int
                ) -> list[list[bool]]:
    """Sample the centre of every module of the printed QR code."""
    x0, y0 = origin
    return [[image.getpixel((x0 + c * scale + scale // 2, y0 + r * scale + scale // 2)) == 0
             for c in range(modules)] for r in range(modules)]


@pytest.mark.parametrize("width", [384, 576])
def test_ticket_is_one_bit_and_as_wide_as_the_paper(width: int) -> None:
    image = render_ticket(face(), width=width)
    assert image.mode == "1" and image.width == width
    assert width < image.height < width * 3
    assert colors(image) == {0, 255}


@pytest.mark.parametrize("width", [384, 576])
def test_qr_code_matrix_is_the_url(width: int) -> None:
    drawn = layout_ticket(face(), width=width)
    expected = qr_matrix(URL)
    assert drawn.qr_modules == len(expected)
    assert drawn.qr_scale >= 3  # at least 3 dots (0.375 mm) per module: phones read it
    assert read_matrix(drawn.image, drawn.qr_origin, drawn.qr_scale, drawn.qr_modules) == expected
    # The quiet zone around it is white.
    x0, y0 = drawn.qr_origin
    size = drawn.qr_scale * drawn.qr_modules
    quiet = drawn.image.crop((x0 - 4 * drawn.qr_scale, y0 - 4 * drawn.qr_scale, x0, y0 + size))
    assert colors(quiet) == {255}


@pytest.mark.parametrize("width", [384, 576])
def test_qr_code_decodes_to_the_ticket_page(width: int) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = render_ticket(face(), width=width)
    found = zxingcpp.read_barcodes(image.convert("L"))
    assert [result.text for result in found] == [URL]


def test_label_is_the_largest_thing_on_the_ticket() -> None:
    image = render_ticket(face(label="A023"), width=576)
    plain = render_ticket(face(label=""), width=576)
    # The label adds a band of ink across most of the paper.
    assert image.height - plain.height > 576 // 5


def test_priority_adds_a_black_band() -> None:
    plain = render_ticket(face(), width=576)
    marked = render_ticket(face(priority="Người cao tuổi"), width=576)
    assert marked.height > plain.height
    rows = [sum(1 for x in range(24, 552) if marked.getpixel((x, y)) == 0)
            for y in range(marked.height)]
    assert max(rows) == 552 - 24  # a row of solid black from margin to margin


def test_long_names_wrap_instead_of_spilling() -> None:
    long_name = "Trung tâm Phục vụ Hành chính công xã Quỳnh Lưu Nghệ An Khu vực miền Trung " * 2
    image = render_ticket(face(center_name=long_name, service_name="Chính sách xã hội – Người có công"),
                          width=384)
    assert image.width == 384


def test_face_from_an_api_ticket() -> None:
    ticket = {"id": "abc", "label": "B007", "service": "B", "priority": "elderly",
              "issued_at": "2026-11-23T09:41:00.000+07:00", "ahead": 0, "eta_minutes": 3}
    built = face_for(ticket, center_name="X", subtitle="Y", service_name="Hộ tịch", url=URL,
                     footer="")
    assert built.label == "B007" and built.priority == "Người cao tuổi"
    assert built.issued_at.hour == 9 and built.ahead == 0


def test_odd_paper_widths_are_refused() -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        render_ticket(face(), width=380)


def test_the_ticket_says_which_counters_serve_the_field() -> None:
    printed = layout_ticket(face(counters=(1, 2, 5)), width=384)
    assert "Mời đến quầy 1, 2 hoặc 5 khi được gọi" in printed.texts
    assert printed.texts.index("Lĩnh vực: Chứng thực") + 1 == \
        printed.texts.index("Mời đến quầy 1, 2 hoặc 5 khi được gọi")
    assert "Mời đến quầy 4 khi được gọi" in layout_ticket(face(counters=(4,))).texts
    assert not any("quầy" in text for text in layout_ticket(face()).texts)


def test_the_ticket_is_formal_and_its_counters_come_from_the_live_configuration(
        tmp_path: Path) -> None:
    from kiosk.web.printing import ticket_face
    from queue_core.config import CounterSettings, load_settings

    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path)})
    ticket = {"id": "abc", "label": "A007", "service": "A", "priority": None,
              "issued_at": "2026-11-23T09:41:00.000+07:00", "ahead": 0, "eta_minutes": 3}
    assert settings.counters_serving("A") == (1, 2, 5)
    changed = settings.replace(counters=(CounterSettings(3, ("A", "B")), CounterSettings(6, ("A",))))
    for config, words in ((settings, "1, 2 hoặc 5"), (changed, "3 hoặc 6")):
        drawn = layout_ticket(ticket_face(config, ticket, "http://box/"), width=384)
        assert f"Mời đến quầy {words} khi được gọi" in drawn.texts
    texts = layout_ticket(face(ahead=0)).texts
    assert "Ông/bà là người tiếp theo" in texts and "SỐ THỨ TỰ" in texts
