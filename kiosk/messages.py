"""Words of the kiosk, the printed ticket and the printer reports, Vietnamese first.

>>> render("ahead", count=4)
'Trước ông/bà: 4 người'
>>> PRIORITY_NAMES["elderly"]["vi"] == vocabulary.PRIORITY_NAMES["elderly"]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from queue_core.domain import vocabulary

# The priority groups, as citizens read them (the one vocabulary), and the order offered.
PRIORITY_NAMES: dict[str, dict[str, str]] = {
    code: {"vi": vocabulary.PRIORITY_NAMES[code], "en": vocabulary.PRIORITY_NAMES_EN[code]}
    for code in vocabulary.PRIORITY_ORDER
}
PRIORITY_ORDER = vocabulary.PRIORITY_ORDER

CATALOG: dict[str, dict[str, str]] = {
    # The printed ticket.
    "ticket_heading": {"vi": "SỐ THỨ TỰ", "en": "YOUR NUMBER"},
    "field": {"vi": "Lĩnh vực: {name}", "en": "Field: {name}"},
    # Where to go once called: the counters that serve the field, from the configuration.
    "where": {"vi": "Mời đến quầy {counters} khi được gọi", "en": "Go to counter {counters} when called"},
    "priority": {"vi": "ƯU TIÊN · {name}", "en": "PRIORITY · {name}"},
    "ahead": {"vi": "Trước ông/bà: {count} người", "en": "Ahead of you: {count}"},
    "ahead_none": {"vi": "Ông/bà là người tiếp theo", "en": "You are next"},
    "eta": {"vi": "Thời gian chờ dự kiến: khoảng {minutes} phút",
            "en": "Expected wait: about {minutes} min"},
    "eta_unknown": {"vi": "Chưa ước tính được thời gian chờ", "en": "No wait estimate yet"},
    "issued": {"vi": "Lấy số lúc {time} ngày {date}", "en": "Issued {time} on {date}"},
    "scan": {"vi": "Quét mã để theo dõi lượt của ông/bà", "en": "Scan to follow your turn"},
    # The list of documents the look-up kiosk prints for a procedure.
    "checklist_heading": {"vi": "GIẤY TỜ CẦN CHUẨN BỊ", "en": "DOCUMENTS TO BRING"},
    "checklist_procedure": {"vi": "Mã thủ tục: {procedure} · Lĩnh vực: {field}",
                            "en": "Procedure {procedure} · Field: {field}"},
    "checklist_deadline": {"vi": "Thời hạn giải quyết: {text}", "en": "Time limit: {text}"},
    "checklist_fee": {"vi": "Phí, lệ phí: {text}", "en": "Fees: {text}"},
    "checklist_forms": {"vi": "Mẫu đơn, tờ khai: {names}", "en": "Forms: {names}"},
    "checklist_forms_hint": {"vi": "Quét mã QR trên kiosk tra cứu để tải mẫu đơn về điện thoại.",
                             "en": "Scan the QR codes on the look-up kiosk to download the forms."},
    "checklist_none": {"vi": "Không yêu cầu giấy tờ.", "en": "No documents are required."},
    "checklist_printed": {"vi": "In lúc {time} ngày {date}", "en": "Printed {time} on {date}"},
    # Printer reports (device_status messages seen by staff and manager).
    "printer_ok": {"vi": "Máy in hoạt động bình thường.", "en": "The printer works normally."},
    "printer_emulated": {"vi": "Máy in giả lập: vé được lưu thành ảnh.",
                         "en": "Emulated printer: tickets are saved as images."},
    "printer_paper_low": {"vi": "Máy in sắp hết giấy — hãy chuẩn bị cuộn giấy mới.",
                          "en": "The printer is low on paper."},
    "printer_paper_out": {"vi": "Máy in hết giấy — hãy thay cuộn giấy.{ticket}",
                          "en": "The printer is out of paper.{ticket}"},
    "printer_cover_open": {"vi": "Nắp máy in đang mở — hãy đóng nắp.{ticket}",
                           "en": "The printer cover is open.{ticket}"},
    "printer_offline": {"vi": "Không kết nối được máy in — kiểm tra nguồn và cáp.{ticket}",
                        "en": "The printer cannot be reached.{ticket}"},
    "printer_timeout": {"vi": "Máy in không phản hồi — kiểm tra máy in.{ticket}",
                        "en": "The printer stopped answering.{ticket}"},
    "printer_disconnected": {"vi": "Máy in ngắt kết nối giữa chừng — kiểm tra máy in.{ticket}",
                             "en": "The printer dropped the connection mid-job.{ticket}"},
    "printer_error": {"vi": "Máy in gặp lỗi ({detail}).{ticket}",
                      "en": "Printer error ({detail}).{ticket}"},
    "printer_none": {"vi": "Không dùng máy in (cấu hình printer = none).",
                     "en": "No printer configured."},
    "ticket_not_printed": {"vi": " Số {label} chưa được in.", "en": " Ticket {label} was not printed."},
    "list_not_printed": {"vi": " Danh sách giấy tờ chưa được in.",
                         "en": " The list of documents was not printed."},
}


def render(code: str, lang: str = "vi", **params: Any) -> str:
    """Return the text of `code` in `lang`, filled with `params` (missing ones left as is)."""
    entry = CATALOG.get(code) or CATALOG["printer_error"]
    text = entry.get(lang) or entry["vi"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def counters_text(numbers: Sequence[int], lang: str = "vi") -> str:
    """Return counter numbers as a list in words: "1, 2 hoặc 5" ("1, 2 or 5").

    >>> counters_text([1, 2, 5]), counters_text([4]), counters_text([2, 3], "en")
    ('1, 2 hoặc 5', '4', '2 or 3')
    """
    shown = [str(n) for n in numbers]
    if len(shown) < 2:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} {'or' if lang == 'en' else 'hoặc'} {shown[-1]}"


def where_text(numbers: Sequence[int], lang: str = "vi") -> str:
    """Return the line telling which counters will call the ticket ("" when none serves)."""
    return render("where", lang, counters=counters_text(numbers, lang)) if numbers else ""


def priority_name(code: str | None, lang: str = "vi") -> str | None:
    """Return how a priority group reads, or None for none."""
    return vocabulary.priority_name(code, "en" if lang == "en" else "vi")
