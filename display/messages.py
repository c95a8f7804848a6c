"""Words the native screen shows (the pages keep theirs in their templates)."""

from __future__ import annotations

from queue_core.domain import vocabulary

TEXT: dict[str, str] = {
    "connecting": "Đang kết nối…",
    "disconnected": "Mất kết nối — đang kết nối lại…",
    "paused": vocabulary.state_name("paused"),
    "closed": vocabulary.state_name("closed"),
    "idle": "—",
    "idle_hint": "Chưa gọi số",
    "call_caption": "Xin mời số",
    "recall_caption": "Nhắc lại — xin mời số",
    "to_counter": "đến",
    "no_calls": "Mời công dân lấy số thứ tự tại máy lấy số.",
    "center_closed": "Ngoài giờ làm việc",
    "recent": "Số vừa gọi",
    "waiting": "Đang chờ",
    "serving": "Đang phục vụ số",
    "waiting_here": "đang chờ",
    "counter": vocabulary.COUNTER,
}
COUNTERS_HEAD = (vocabulary.COUNTER, "Lĩnh vực", "Đang phục vụ")
# Indexed by `datetime.weekday()`: Monday first.
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def counter_name(number: int) -> str:
    return vocabulary.counter_name(number)
