"""Closed days: Vietnam's public holidays by the lunar calendar, the center's own closed and
working days, the kiosk's refusal on a closed day and when the center opens next."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from queue_core.config import load_settings, with_changes
from queue_core.domain import businessday
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.domain.errors import Conflict
from queue_core.service import workdays
from queue_core.service.center import Center
from queue_core.storage import Store


def _settings(data_dir: Path, **center: object) -> object:
    extra = {k: center.pop(k) for k in ("holidays", "working_days") if k in center}
    base = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir)},
                         overrides={"center": {"public_holidays": True, **center}})
    # The closed and working days are the console's lists.
    return with_changes(base, extra) if extra else base


@pytest.mark.parametrize("day,name", [
    (date(2027, 2, 6), "Tết Nguyên Đán"),        # the lunar new year, 2027
    (date(2026, 2, 17), "Tết Nguyên Đán"),       # and 2026: it moves with the moon
    (date(2027, 4, 16), "Giỗ Tổ Hùng Vương"),    # 10th day of the 3rd lunar month
    (date(2026, 9, 2), "Quốc khánh"),
])
def test_public_holidays_follow_the_lunar_calendar(day: date, name: str, tmp_path: Path) -> None:
    calendar = workdays.calendar_for(_settings(tmp_path))  # type: ignore[arg-type]
    reason = calendar.closed_reason(day)
    assert reason is not None and name.lower() in reason.lower()


def test_next_opening_across_tet(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    # Wednesday 3 February 2027, after closing: Tết closes 4–10 February.
    evening = datetime(2027, 2, 3, 18, 0, tzinfo=VIETNAM)
    opens = workdays.next_opening(settings, evening)  # type: ignore[arg-type]
    assert opens == datetime(2027, 2, 11, 7, 0, tzinfo=VIETNAM)
    assert not workdays.is_open(settings, datetime(2027, 2, 8, 9, 0, tzinfo=VIETNAM))  # type: ignore[arg-type]
    # Without the public holidays the next morning is a working day.
    plain = businessday.next_opening(evening, settings.center)  # type: ignore[attr-defined]
    assert plain == datetime(2027, 2, 4, 7, 0, tzinfo=VIETNAM)


def test_the_settings_close_and_open_days(tmp_path: Path) -> None:
    settings = _settings(tmp_path, holidays=["2026-12-24"], working_days=["2027-02-10",
                                                                          "2026-11-28"])
    calendar = workdays.calendar_for(settings)  # type: ignore[arg-type]
    assert calendar.closed_reason(date(2026, 12, 24)) == workdays.EXTRA_CLOSED
    # A working day opens a Tết day and a Saturday.
    assert workdays.is_open(settings, datetime(2027, 2, 10, 9, tzinfo=VIETNAM))  # type: ignore[arg-type]
    assert workdays.is_open(settings, datetime(2026, 11, 28, 9, tzinfo=VIETNAM))  # type: ignore[arg-type]
    evening = datetime(2027, 2, 3, 18, 0, tzinfo=VIETNAM)
    assert workdays.next_opening(settings, evening) == datetime(2027, 2, 10, 7, 0,  # type: ignore[arg-type]
                                                                tzinfo=VIETNAM)
    listed = {d["date"]: d for d in calendar.closed_days(2027)}
    assert listed["2027-02-10"].get("open") is True and listed["2027-02-06"]["source"] == "public"


def test_the_kiosk_is_refused_on_a_holiday_saying_when_the_center_opens(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    clock = FakeClock(datetime(2027, 2, 8, 9, 0, tzinfo=VIETNAM))   # a Monday of Tết
    center = Center(settings, Store.open(":memory:"), clock=clock)  # type: ignore[arg-type]
    with pytest.raises(Conflict) as refused:
        center.issue("A", actor="kiosk")
    assert refused.value.code == "center_closed"
    text = refused.value.message("vi")
    assert "Tết" in text and "thứ Năm 11/02/2027" in text, text
    board = center.board()
    assert board["open"] is False and "Tết" in (board["closed_reason"] or "")
    assert board["opens_next"].startswith("2027-02-11T07:00")


def test_the_demo_switch_keeps_the_center_open_at_any_hour(tmp_path: Path) -> None:
    settings = _settings(tmp_path, demo=True)
    clock = FakeClock(datetime(2027, 2, 6, 22, 30, tzinfo=VIETNAM))  # Tết, at night
    center = Center(settings, Store.open(":memory:"), clock=clock)  # type: ignore[arg-type]
    assert center.issue("A", actor="kiosk")["label"].startswith("A")
    assert center.board()["demo"] is True
