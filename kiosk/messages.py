"""Words of the kiosk, the printed ticket and the printer reports, Vietnamese first.

>>> render("ahead", count=4)
'Trước bạn: 4 người'
>>> PRIORITY_NAMES["elderly"]["vi"]
'Người cao tuổi'
"""

from __future__ import annotations

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
    "ticket_heading": {"vi": "SỐ THỨ TỰ CỦA BẠN", "en": "YOUR NUMBER"},
    "field": {"vi": "Lĩnh vực: {name}", "en": "Field: {name}"},
    "priority": {"vi": "ƯU TIÊN · {name}", "en": "PRIORITY · {name}"},
    "ahead": {"vi": "Trước bạn: {count} người", "en": "Ahead of you: {count}"},
    "ahead_none": {"vi": "Bạn là người tiếp theo", "en": "You are next"},
    "eta": {"vi": "Thời gian chờ dự kiến: khoảng {minutes} phút",
            "en": "Expected wait: about {minutes} min"},
    "eta_unknown": {"vi": "Chưa ước tính được thời gian chờ", "en": "No wait estimate yet"},
    "issued": {"vi": "Lấy số lúc {time} ngày {date}", "en": "Issued {time} on {date}"},
    "scan": {"vi": "Quét mã để theo dõi lượt của bạn", "en": "Scan to follow your turn"},
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
}


def render(code: str, lang: str = "vi", **params: Any) -> str:
    """Return the text of `code` in `lang`, filled with `params` (missing ones left as is)."""
    entry = CATALOG.get(code) or CATALOG["printer_error"]
    text = entry.get(lang) or entry["vi"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def priority_name(code: str | None, lang: str = "vi") -> str | None:
    """Return how a priority group reads, or None for none."""
    return vocabulary.priority_name(code, "en" if lang == "en" else "vi")
