"""The province's monthly report as an Excel workbook: one row per center, then the province.

Columns: issued, served, no-show, wait median and 90th percentile (minutes), share called
within the target wait, satisfaction (and how many ratings it rests on), with real number
cells, so the office can sort and add up.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS = ("Mã", "Trung tâm", "Số phiếu đã cấp", "Đã phục vụ", "Vắng mặt",
           "Chờ trung vị (phút)", "Chờ P90 (phút)", "Đạt mục tiêu chờ (%)",
           "Tỷ lệ hài lòng (%)", "Số lượt đánh giá")
WIDTHS = (10, 48, 14, 12, 11, 14, 12, 14, 13, 13)
FORMATS = (None, None, "0", "0", "0", "0.0", "0.0", "0.0", "0.0", "0")
PROVINCE = "Toàn tỉnh"
NOTE = ("Thời gian chờ tính từ lúc lấy số đến lần gọi đầu tiên. Tỷ lệ đạt mục tiêu: số phiếu được"
        " gọi trong thời gian chờ mục tiêu của từng trung tâm. Tỷ lệ hài lòng: (Rất hài lòng +"
        " Hài lòng) / tổng số lượt đánh giá.")


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def row_values(code: str, name: str, figures: Mapping[str, Any]) -> list[Any]:
    """Return one line of the report from compared figures (see figures.compare_centers)."""
    return [code, name, figures["issued"], figures["served"], figures["no_show"],
            _minutes(figures["wait_median_s"]), _minutes(figures["wait_p90_s"]),
            figures["within_target_pct"], figures["satisfied_pct"], figures["ratings"]]


def monthly_xlsx(compared: Mapping[str, Any], *, month: str, title: str,
                 made_at: datetime) -> bytes:
    """Return the workbook of one month's comparison of centers."""
    book = Workbook()
    sheet = book.active
    year, number = month.split("-")
    sheet.title = f"Tháng {number}-{year}"
    sheet.append([f"Báo cáo tháng {number}/{year} – {title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Từ ngày {_vn(compared['from'])} đến ngày {_vn(compared['to'])}"])
    sheet.append(["Lập lúc", made_at.replace(tzinfo=None, microsecond=0)])
    sheet["B3"].number_format = "dd/mm/yyyy hh:mm"
    sheet.append([])
    sheet.append(list(HEADERS))
    fill = PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[5]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines: list[Sequence[Any]] = [row_values(c["code"], c["name"], c)
                                  for c in compared["centers"]]
    lines.append(row_values("", PROVINCE, compared["total"]))
    for values in lines:
        sheet.append(list(values))
        for cell, fmt in zip(sheet[sheet.max_row], FORMATS):
            if fmt is not None and cell.value is not None:
                cell.number_format = fmt
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([NOTE])
    for i, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "C6"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _vn(day: str) -> str:
    year, month, dom = day.split("-")
    return f"{dom}/{month}/{year}"


__all__ = ["HEADERS", "PROVINCE", "XLSX_MIMETYPE", "monthly_xlsx", "row_values"]
