"""Words the screens show: the native screen draws them, the pages get them as JSON.

One list for both, so the wall in a browser and the pygame wall say the same thing; the
names of things (counters, states) come from the one vocabulary.
"""

from __future__ import annotations

from typing import Any

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
    # Over a call still true that is not the latest (the latest one is over).
    "earlier_caption": "Đang phục vụ số",
    "to_counter": "đến",
    "at_counter": "tại",
    "recall_mark": "gọi lại",
    "no_calls": "Mời công dân lấy số thứ tự tại máy lấy số.",
    "center_closed": "Ngoài giờ làm việc",
    "recent": "Số vừa gọi",
    "waiting": "Đang chờ",
    "serving": "Đang phục vụ số",
    "waiting_here": "đang chờ",
    "fields": "Lĩnh vực",
    "counter": vocabulary.COUNTER,
}
COUNTERS_HEAD = (vocabulary.COUNTER, TEXT["fields"], "Đang phục vụ")
# Indexed by `datetime.weekday()`: Monday first.
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def counter_name(number: int) -> str:
    return vocabulary.counter_name(number)


def page_text() -> dict[str, Any]:
    """Return the words for the pages' scripts (weekdays as `Date.getDay()`: Sunday first)."""
    return {**TEXT, "counters_head": list(COUNTERS_HEAD),
            "weekdays": [WEEKDAYS[6], *WEEKDAYS[:6]]}
