"""Write the sample form templates of the sample catalog (queue_core/service/sample/forms/).

They are illustrations written for xephang, not the legal forms: each says so at its top.
A .docx is a minimal WordprocessingML package (standard library only); a .pdf is an A4
page drawn with Pillow in the bundled DejaVu Sans (every Vietnamese glyph).

    .venv/bin/python scripts/sample_forms.py
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from hardware.fonts import font_path  # noqa: E402

FORMS_DIR = ROOT / "queue_core" / "service" / "sample" / "forms"
NOTICE = "MẪU MINH HỌA — dữ liệu mẫu của phần mềm xephang, không phải biểu mẫu pháp lý."
HEADER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

PERSON = ["Họ, chữ đệm, tên:", "Ngày, tháng, năm sinh:", "Số định danh cá nhân:",
          "Nơi cư trú:", "Số điện thoại liên hệ:"]
FORMS: dict[str, tuple[str, list[str]]] = {
    "Tờ khai đăng ký khai sinh": ("TỜ KHAI ĐĂNG KÝ KHAI SINH", [
        "Kính gửi: Ủy ban nhân dân xã/phường ................",
        "Người yêu cầu:", *PERSON, "Quan hệ với người được khai sinh:",
        "Đề nghị đăng ký khai sinh cho người dưới đây:", "Họ, chữ đệm, tên:", "Ngày, tháng, năm sinh:",
        "Giới tính:", "Nơi sinh:", "Họ, chữ đệm, tên người mẹ:", "Họ, chữ đệm, tên người cha:"]),
    "Tờ khai đăng ký kết hôn": ("TỜ KHAI ĐĂNG KÝ KẾT HÔN", [
        "Kính gửi: Ủy ban nhân dân xã/phường ................",
        "Bên nữ:", *PERSON, "Bên nam:", *PERSON,
        "Chúng tôi cam đoan những lời khai trên là đúng sự thật, việc kết hôn là tự nguyện."]),
    "Tờ khai đăng ký khai tử": ("TỜ KHAI ĐĂNG KÝ KHAI TỬ", [
        "Kính gửi: Ủy ban nhân dân xã/phường ................", "Người yêu cầu:", *PERSON,
        "Quan hệ với người đã chết:", "Họ, chữ đệm, tên người đã chết:", "Ngày chết:",
        "Nơi chết:", "Nguyên nhân chết:"]),
    "Tờ khai cấp giấy xác nhận tình trạng hôn nhân": (
        "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", [
            "Kính gửi: Ủy ban nhân dân xã/phường ................", "Người yêu cầu:", *PERSON,
            "Tình trạng hôn nhân hiện nay:", "Mục đích sử dụng giấy xác nhận:"]),
    "Tờ khai cấp bản sao trích lục hộ tịch": ("TỜ KHAI CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH", [
        "Kính gửi: Ủy ban nhân dân xã/phường ................", "Người yêu cầu:", *PERSON,
        "Đề nghị cấp bản sao trích lục:", "Số lượng bản sao:"]),
    "Tờ khai thay đổi thông tin cư trú": ("TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", [
        "Kính gửi: Công an xã/phường ................", *PERSON, "Nội dung đề nghị:",
        "Những thành viên trong hộ gia đình cùng thay đổi:"]),
    "Giấy đề nghị đăng ký hộ kinh doanh": ("GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH", [
        "Kính gửi: Phòng Tài chính – Kế hoạch / Ủy ban nhân dân xã ................",
        "Tên hộ kinh doanh:", "Địa điểm kinh doanh:", "Ngành, nghề kinh doanh:",
        "Vốn kinh doanh:", "Số lượng lao động:", "Chủ hộ kinh doanh:", *PERSON]),
    "Thông báo thay đổi nội dung đăng ký hộ kinh doanh": (
        "THÔNG BÁO THAY ĐỔI NỘI DUNG ĐĂNG KÝ HỘ KINH DOANH", [
            "Kính gửi: Phòng Tài chính – Kế hoạch / Ủy ban nhân dân xã ................",
            "Tên hộ kinh doanh:", "Số Giấy chứng nhận đăng ký hộ kinh doanh:",
            "Nội dung thay đổi:", "Chủ hộ kinh doanh:", *PERSON]),
    "Tờ khai đề nghị trợ giúp xã hội": ("TỜ KHAI ĐỀ NGHỊ TRỢ GIÚP XÃ HỘI", [
        "Kính gửi: Ủy ban nhân dân xã/phường ................", *PERSON,
        "Thuộc đối tượng:", "Tình trạng khuyết tật (nếu có):",
        "Đang hưởng chế độ nào khác (nếu có):"]),
    "Đơn đề nghị cấp giấy phép xây dựng": ("ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG", [
        "Kính gửi: Ủy ban nhân dân xã/phường ................", "Chủ đầu tư:", *PERSON,
        "Địa điểm xây dựng (lô đất, thửa đất số, tờ bản đồ số):", "Diện tích xây dựng:",
        "Số tầng:", "Chiều cao công trình:", "Dự kiến thời gian hoàn thành:"]),
}
# Which template of each form is written: .docx, .pdf or both.
KINDS: dict[str, tuple[str, ...]] = {
    "Tờ khai đăng ký khai sinh": (".docx", ".pdf"),
    "Tờ khai thay đổi thông tin cư trú": (".pdf",),
    "Tờ khai đề nghị trợ giúp xã hội": (".pdf",),
}


def lines_of(title: str, fields: list[str]) -> list[tuple[str, str]]:
    """Return the page as (style, text): header, title, the notice, then the fields."""
    page = [("center-bold", HEADER[0]), ("center", HEADER[1]), ("gap", ""),
            ("title", title), ("notice", NOTICE), ("gap", "")]
    for text in fields:
        if text.endswith(":") and len(text) < 120:
            page.append(("field", text + " " + "." * 60))
        else:
            page.append(("text", text))
    page += [("gap", ""), ("right", "……, ngày …… tháng …… năm ……"),
             ("right-bold", "NGƯỜI YÊU CẦU"), ("right", "(Ký, ghi rõ họ, chữ đệm, tên)")]
    return page


def write_docx(path: Path, page: list[tuple[str, str]]) -> None:
    paragraphs = []
    for style, text in page:
        align = {"center": "center", "center-bold": "center", "title": "center",
                 "notice": "center", "right": "right", "right-bold": "right"}.get(style, "left")
        bold = style in ("center-bold", "title", "right-bold")
        size = 32 if style == "title" else 22 if style == "notice" else 26
        run = (f'<w:r><w:rPr>{"<w:b/>" if bold else ""}{"<w:i/>" if style == "notice" else ""}'
               f'<w:sz w:val="{size}"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>')
        paragraphs.append(f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>{run}</w:p>')
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:body>{"".join(paragraphs)}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701"/></w:sectPr>'
        '</w:body></w:document>')
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in (("[Content_Types].xml", types), ("_rels/.rels", rels),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, data)


def write_pdf(path: Path, page: list[tuple[str, str]]) -> None:
    dpi = 100
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    margin, y = 70, 60
    for style, text in page:
        if style == "gap":
            y += 14
            continue
        bold = style in ("center-bold", "title", "right-bold")
        size = 20 if style == "title" else 12 if style == "notice" else 14
        font = ImageFont.truetype(str(font_path(bold)), size)
        text = text if style != "field" else text[:text.index(":") + 1] + " " + "." * 70
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if style in ("center", "center-bold", "title", "notice"):
            x = (width - (right - left)) // 2
        elif style.startswith("right"):
            x = width - margin - (right - left)
        else:
            x = margin
        draw.text((x, y), text, font=font, fill=0)
        y += int(size * 1.9)
    image.convert("1").save(path, "PDF", resolution=dpi)


def main() -> None:
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    for name, (title, fields) in FORMS.items():
        page = lines_of(title, fields)
        for kind in KINDS.get(name, (".docx",)):
            target = FORMS_DIR / f"{name}{kind}"
            (write_docx if kind == ".docx" else write_pdf)(target, page)
            print(f"{target.relative_to(ROOT)}  {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
