"""Every name citizens and officers see, in one place: Python, templates and screens read it.

One formal wording per thing, used alike on the kiosk, the printed ticket, the wall and
counter screens, the staff console, the dashboard and the exports. Pages get the same
words as JSON (`as_json()`), the pygame screen and the reports import them.

>>> priority_name("child")
'Người đi cùng trẻ nhỏ'
>>> counter_name(3)
'Quầy 3'
>>> state_word("paused"), state_name("paused")
('tạm dừng', 'Tạm dừng')
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Priority groups (DOMAIN.md), in the order the kiosk offers them.
PRIORITY_ORDER = ("elderly", "disabled", "pregnant", "child", "merit")
PRIORITY_NAMES: dict[str, str] = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "child": "Người đi cùng trẻ nhỏ",
    "merit": "Người có công với cách mạng",
}
PRIORITY_NAMES_EN: dict[str, str] = {
    "elderly": "Elderly person",
    "disabled": "Person with a disability",
    "pregnant": "Pregnant woman",
    "child": "Person with a small child",
    "merit": "Person with revolutionary merit",
}

# Ticket and counter states, as words inside a sentence ("Quầy 3 đang tạm dừng").
STATE_WORDS: dict[str, str] = {
    "waiting": "chờ",
    "called": "đang gọi",
    "done": "đã xong",
    "no_show": "vắng mặt",
    "cancelled": "đã hủy",
    "expired": "hết hạn",
    "open": "mở",
    "paused": "tạm dừng",
    "closed": "đóng",
}
# Counter states as a badge or a column (staff console, dashboard).
COUNTER_STATE_NAMES: dict[str, str] = {
    "open": "Đang mở",
    "paused": "Tạm dừng",
    "closed": "Đóng",
}
# Ticket states as a column of a report or a badge.
TICKET_STATE_LABELS: dict[str, str] = {
    "waiting": "Đang chờ",
    "called": "Đang phục vụ",
    "done": "Đã phục vụ",
    "no_show": "Vắng mặt",
    "cancelled": "Đã hủy",
    "expired": "Hết hạn (chưa được gọi)",
}

# Satisfaction levels (a center offers some of them, see `[ratings] levels`).
RATING_NAMES: dict[str, str] = {
    "very_satisfied": "Rất hài lòng",
    "satisfied": "Hài lòng",
    "neutral": "Bình thường",
    "unsatisfied": "Không hài lòng",
}
DEFAULT_RATING_LEVELS = ("very_satisfied", "satisfied", "unsatisfied")
DEFAULT_RATING_REASONS = ("Chờ lâu", "Thái độ phục vụ", "Hướng dẫn chưa rõ",
                          "Hồ sơ phải bổ sung nhiều lần", "Khác")

# How a ticket came to be.
CHANNEL_NAMES: dict[str, str] = {"kiosk": "Kiosk", "staff": "Cán bộ cấp", "keypad": "Bàn phím",
                                 "api": "API"}

# The built-in center: (code, name, English name, first number of its numeric series).
CENTER_NAME = "Trung tâm Phục vụ Hành chính công xã"
CENTER_NAME_EN = "Commune Public Administration Service Center"
CENTER_SUBTITLE = "Hành chính phục vụ"
DEFAULT_FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("A", "Chứng thực", "Certification", 1000),
    ("B", "Hộ tịch", "Civil status", 2000),
    ("C", "Đất đai – Xây dựng", "Land and construction", 3000),
    ("D", "Hộ kinh doanh – Đầu tư", "Household business", 4000),
    ("E", "Chính sách xã hội – Người có công", "Social policy", 5000),
    ("F", "Trả kết quả", "Returning results", 6000),
)
COUNTER = "Quầy"
PRIORITY = "Ưu tiên"


# A dossier's status (CONTRACT.md `GET /dossiers/{code}`): as a badge, and as the sentence
# the look-up kiosk says to its holder. `{place}` is where results are handed over.
DOSSIER_STATUS_NAMES: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "processing": "Đang giải quyết",
    "additional_info_needed": "Cần bổ sung hồ sơ",
    "ready": "Đã có kết quả",
    "returned": "Đã trả kết quả",
    "rejected": "Không giải quyết",
}
DOSSIER_STATUS_TEXTS: dict[str, str] = {
    "received": "Hồ sơ của ông/bà đã được tiếp nhận và đang chờ xử lý.",
    "processing": "Hồ sơ của ông/bà đang được giải quyết.",
    "additional_info_needed": "Hồ sơ của ông/bà cần bổ sung giấy tờ. Mời ông/bà đến Trung tâm "
                              "để được hướng dẫn.",
    "ready": "Hồ sơ của ông/bà đã có kết quả. Mời ông/bà đến {place} để nhận kết quả.",
    "returned": "Kết quả đã được trả cho ông/bà.",
    "rejected": "Hồ sơ của ông/bà không được giải quyết. Mời ông/bà đến Trung tâm để được "
                "giải thích.",
}
# Where results are handed over when no counter serves the results field.
RESULTS_PLACE = "bộ phận Trả kết quả"
# The procedure catalog on embedded defaults is a sample written for this product.
SAMPLE_CATALOG_NOTICE = "Dữ liệu mẫu để giới thiệu — không phải văn bản pháp lý."


def priority_name(code: str | None, lang: str = "vi") -> str | None:
    """Return how a priority group reads, or None for a ticket without priority."""
    if not code:
        return None
    names = PRIORITY_NAMES_EN if lang == "en" else PRIORITY_NAMES
    return names.get(code, code)


def counter_name(number: int) -> str:
    """Return the default name of counter `number`."""
    return f"{COUNTER} {number}"


def state_word(state: str) -> str:
    """Return a ticket or counter state as a word inside a sentence."""
    return STATE_WORDS.get(state, state)


def state_name(state: str) -> str:
    """Return a ticket or counter state as a label on its own (capitalised)."""
    word = state_word(state)
    return word[:1].upper() + word[1:]


def rating_name(level: str) -> str:
    """Return the words of a satisfaction level."""
    return RATING_NAMES.get(level, level)


def dossier_status_text(status: str, place: str = RESULTS_PLACE) -> str:
    """Return the plain sentence telling a dossier's holder where it stands.

    >>> dossier_status_text("ready", "Quầy 5")
    'Hồ sơ của ông/bà đã có kết quả. Mời ông/bà đến Quầy 5 để nhận kết quả.'
    """
    return DOSSIER_STATUS_TEXTS.get(status, DOSSIER_STATUS_NAMES.get(status, status)).format(
        place=place)


def as_json() -> dict[str, Any]:
    """Return the names pages need, for a `<script type="application/json">` block.

    Every page has it as ``<script id="vocabulary">`` (the base template); scripts read it
    with ``JSON.parse(document.getElementById("vocabulary").textContent)``.
    """
    return {
        "priorities": dict(PRIORITY_NAMES),
        "priority_order": list(PRIORITY_ORDER),
        "states": {state: state_name(state) for state in STATE_WORDS},
        "counter_states": dict(COUNTER_STATE_NAMES),
        "ticket_states": dict(TICKET_STATE_LABELS),
        "ratings": dict(RATING_NAMES),
        "counter": COUNTER,
        "priority": PRIORITY,
        "dossier_statuses": dict(DOSSIER_STATUS_NAMES),
    }


__all__ = [
    "CHANNEL_NAMES", "COUNTER_STATE_NAMES", "DEFAULT_FIELDS", "DOSSIER_STATUS_NAMES",
    "DOSSIER_STATUS_TEXTS", "PRIORITY_NAMES", "PRIORITY_ORDER", "RATING_NAMES", "STATE_WORDS",
    "TICKET_STATE_LABELS", "as_json", "counter_name", "dossier_status_text", "priority_name",
    "rating_name", "state_name", "state_word",
]


# Days of the week as a notice says them (ISO order: Monday first).
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# Shown on every screen while the demo switch keeps the center open at any hour.
DEMO_MODE = "CHẾ ĐỘ THỬ"


def opening_words(moment: datetime) -> str:
    """Return when the center opens, as a closed screen says it.

    >>> from queue_core.domain.clock import VIETNAM
    >>> opening_words(datetime(2027, 2, 11, 7, 0, tzinfo=VIETNAM))
    '7 giờ 00, thứ Năm 11/02/2027'
    """
    return (f"{moment.hour} giờ {moment.minute:02d}, {WEEKDAY_NAMES[moment.isoweekday() - 1]} "
            f"{moment:%d/%m/%Y}")
