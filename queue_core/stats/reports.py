"""Reports for the province: one row per ticket as CSV, and an Excel workbook with a summary.

The CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly; times are
local wall-clock times (`2026-11-23 08:05:12`) and durations whole seconds, which no
spreadsheet locale misreads. The workbook (openpyxl, streamed in write-only mode) has a
summary sheet with the figures of `/stats`, sheets per day and per hour, and the tickets,
with real date cells and durations in minutes.

>>> HEADERS_CSV[:4]
['Ngày', 'Số thứ tự', 'Lĩnh vực lấy số', 'Lĩnh vực']
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from queue_core.domain import vocabulary
from queue_core.stats.figures import Facts, Filters, target_met

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STATE_LABELS = vocabulary.TICKET_STATE_LABELS
PRIORITY_LABELS = vocabulary.PRIORITY_NAMES
CHANNEL_LABELS = vocabulary.CHANNEL_NAMES
RATING_LABELS = vocabulary.RATING_NAMES
YES, NO = "Có", "Không"
NOTE = ("Ghi chú: thời gian chờ tính từ lúc lấy số đến lần gọi đầu tiên; thời gian phục vụ từ lần"
        " gọi cuối đến khi kết thúc. Theo quầy và cán bộ: số lượt gọi; lượt kết thúc bằng chuyển"
        " lĩnh vực vẫn tính thời gian phục vụ tại quầy đó.")


@dataclass(frozen=True)
class ReportContext:
    """What a report needs besides the tickets: names, the target, the period asked for."""

    center: str
    services: Mapping[str, str]
    counters: Mapping[int, str]
    target_wait_s: float
    now: datetime
    date_from: str
    date_to: str
    filters: Filters = field(default_factory=Filters)
    rating_labels: Mapping[str, str] = field(default_factory=dict)

    def rating(self, level: str | None) -> str:
        if level is None:
            return ""
        return self.rating_labels.get(level) or RATING_LABELS.get(level, level)


# (header, CSV duration unit) — the two files share columns; durations differ in unit.
_COLUMNS = (
    "Ngày", "Số thứ tự", "Lĩnh vực lấy số", "Lĩnh vực", "Tên lĩnh vực", "Đối tượng ưu tiên",
    "Kênh", "Trạng thái", "Quầy", "Cán bộ", "Giờ lấy số", "Giờ gọi lần đầu",
    "Giờ bắt đầu phục vụ", "Giờ kết thúc", "Thời gian chờ ({unit})",
    "Thời gian phục vụ ({unit})", "Đạt mục tiêu chờ", "Số lần gọi lại", "Số lần chuyển",
    "Chờ sau chuyển ({unit})", "Đánh giá", "Giờ đánh giá", "Góp ý", "Mã hồ sơ", "Mã thủ tục",
)
HEADERS_CSV = [c.format(unit="giây") for c in _COLUMNS]
HEADERS_XLSX = [c.format(unit="phút") for c in _COLUMNS]
_TIME_COLUMNS = (10, 11, 12, 13, 21)
_DURATION_COLUMNS = (14, 15, 19)


def _local(moment: datetime | None) -> datetime | None:
    # Spreadsheets know no time zones: write the center's wall-clock time.
    return moment.replace(tzinfo=None, microsecond=0) if moment else None


def ticket_values(f: Facts, context: ReportContext) -> list[Any]:
    """Return one ticket's row: times as naive local datetimes, durations in seconds."""
    met = target_met(f, target_wait_s=context.target_wait_s, now=context.now)
    transfer_wait = sum(seconds for _, seconds in f.transfer_waits) if f.transfer_waits else None
    counter = context.counters.get(f.counter, vocabulary.counter_name(f.counter)) if f.counter else ""
    return [
        f.day, f.label, f.series, f.service, context.services.get(f.service, f.service),
        PRIORITY_LABELS.get(f.priority, f.priority) if f.priority else "",
        CHANNEL_LABELS.get(f.channel, f.channel) if f.channel else "",
        STATE_LABELS.get(f.state, f.state), counter, f.officer or "",
        _local(f.issued_at), _local(f.first_called_at), _local(f.called_at),
        _local(f.finished_at), f.wait_s, f.service_s, "" if met is None else (YES if met else NO),
        f.recalls, f.transfers, transfer_wait, context.rating(f.rating), _local(f.rated_at),
        f.comment or "", f.dossier or "", f.procedure or "",
    ]


# A spreadsheet may run a cell starting with one of these as a formula (CSV injection):
# the ASCII signs, control and blank characters some programs skip before a formula, and
# the full-width signs some programs read as their ASCII twins.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", " ", "\u00a0", "\u3000",
                  "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_text(value: str) -> str:
    """Return text as a CSV cell no spreadsheet takes for a formula.

    >>> csv_text("=1+1"), csv_text(" =1+1"), csv_text("\uff1d1"), csv_text("Chờ lâu")
    ("'=1+1", "' =1+1", "'＝1", 'Chờ lâu')
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(index: int, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if index in _TIME_COLUMNS:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if index in _DURATION_COLUMNS:
        return round(value)
    return value


def csv_chunks(facts: Iterable[Facts], context: ReportContext, *,
               rows_per_chunk: int = 500) -> Iterator[bytes]:
    """Yield the CSV file in pieces: UTF-8 with a byte-order mark, the header, one row a ticket."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(HEADERS_CSV)
    pending = 0
    for f in facts:
        writer.writerow([_csv_cell(i, v) for i, v in enumerate(ticket_values(f, context))])
        pending += 1
        if pending == rows_per_chunk:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            pending = 0
    if out.tell():
        yield out.getvalue().encode("utf-8")


def csv_bytes(facts: Iterable[Facts], context: ReportContext) -> bytes:
    """Return the whole CSV file."""
    return b"".join(csv_chunks(facts, context))


# --- Excel ----------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATETIME = "dd/mm/yyyy hh:mm:ss"
_MINUTES = "0.0"
_PERCENT = "0.0"


class _Sheet:
    """A write-only sheet with helpers for titles, header rows and typed cells."""

    def __init__(self, book: Workbook, title: str, widths: Sequence[float]) -> None:
        self.ws: WriteOnlyWorksheet = book.create_sheet(title)
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width

    def cell(self, value: Any, *, font: Font | None = None, fmt: str | None = None,
             fill: PatternFill | None = None, wrap: bool = False) -> Cell:
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text from people is never a formula
        if font is not None:
            cell.font = font
        if fmt is not None and value is not None:
            cell.number_format = fmt
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = _WRAP
        return cell

    def title(self, text: str) -> None:
        self.ws.append([self.cell(text, font=_TITLE)])

    def blank(self) -> None:
        self.ws.append([])

    def header(self, names: Sequence[str]) -> None:
        self.ws.append([self.cell(n, font=_BOLD, fill=_HEADER_FILL, wrap=True) for n in names])

    def row(self, values: Sequence[Any], formats: Sequence[str | None] | None = None) -> None:
        formats = formats or [None] * len(values)
        self.ws.append([v if isinstance(v, Cell) else self.cell(v, fmt=f)
                        for v, f in zip(values, formats)])


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


# A field serves the tickets transferred to it too: it may serve more than it issued.
SERVED_IN_FIELD = "Đã phục vụ (kể cả số chuyển đến)"
TRANSFERS_IN = "Số chuyển đến"


def _group_header(first: str, *, field: bool = False) -> list[str]:
    return [first, "Số phiếu / lượt", SERVED_IN_FIELD if field else "Đã phục vụ", "Vắng mặt",
            "Chờ TB (phút)", "Chờ trung vị (phút)", "Chờ P90 (phút)", "Phục vụ TB (phút)",
            "Đạt mục tiêu chờ (%)", "Rất hài lòng", "Hài lòng", "Không hài lòng",
            "Tỷ lệ hài lòng (%)"] + ([TRANSFERS_IN] if field else [])


_GROUP_FORMATS = [None, None, None, None, _MINUTES, _MINUTES, _MINUTES, _MINUTES, _PERCENT,
                  None, None, None, _PERCENT]


def _group_values(name: Any, row: Mapping[str, Any], count_key: str, *,
                  field: bool = False) -> list[Any]:
    wait, service, ratings = row["wait"], row["service_time"], row["ratings"]
    return [name, row.get(count_key, 0), row["served"], row["no_show"],
            _minutes(wait["mean_s"]), _minutes(wait["median_s"]), _minutes(wait["p90_s"]),
            _minutes(service["mean_s"]), row["within_target_pct"],
            ratings["very_satisfied"], ratings["satisfied"], ratings["unsatisfied"],
            ratings["satisfied_pct"]] + ([row.get("transfers_in", 0)] if field else [])


def _summary(book: Workbook, figures: Mapping[str, Any], context: ReportContext) -> None:
    sheet = _Sheet(book, "Tổng hợp", [34, 16, 12, 12, 12, 14, 12, 14, 14, 12, 10, 14, 14])
    sheet.title(f"Báo cáo thống kê xếp hàng – {context.center}")
    period = (f"Ngày {_vn_date(context.date_from)}" if context.date_from == context.date_to
              else f"Từ ngày {_vn_date(context.date_from)} đến ngày {_vn_date(context.date_to)}")
    sheet.row([period])
    filters = context.filters
    chosen = []
    if filters.service:
        chosen.append(f"lĩnh vực {filters.service} – {context.services.get(filters.service, '')}")
    if filters.counter:
        chosen.append(context.counters.get(filters.counter, vocabulary.counter_name(filters.counter)))
    if filters.officer:
        chosen.append(f"cán bộ {filters.officer}")
    sheet.row([f"Lọc theo: {', '.join(chosen)}" if chosen else "Toàn trung tâm"])
    sheet.row([f"Mục tiêu thời gian chờ: {round(context.target_wait_s / 60)} phút"])
    sheet.row(["Lập lúc", _local(context.now)], [None, _DATETIME])
    sheet.blank()
    sheet.header(["Chỉ tiêu", "Giá trị"])
    wait, service, ratings = figures["wait"], figures["service_time"], figures["ratings"]
    lines: list[tuple[str, Any, str | None]] = [
        ("Số phiếu đã cấp", figures["issued"], None),
        ("Đã phục vụ", figures["served"], None),
        ("Vắng mặt", figures["no_show"], None),
        ("Đã hủy", figures["cancelled"], None),
        ("Hết hạn (chưa được gọi)", figures["expired"], None),
        ("Phiếu ưu tiên", figures["priority"]["total"], None),
        ("Lượt chuyển lĩnh vực", figures["transfers"], None),
        ("Thời gian chờ trung bình (phút)", _minutes(wait["mean_s"]), _MINUTES),
        ("Thời gian chờ trung vị (phút)", _minutes(wait["median_s"]), _MINUTES),
        ("Thời gian chờ P90 (phút)", _minutes(wait["p90_s"]), _MINUTES),
        ("Thời gian chờ lâu nhất (phút)", _minutes(wait["max_s"]), _MINUTES),
        ("Thời gian phục vụ trung bình (phút)", _minutes(service["mean_s"]), _MINUTES),
        ("Thời gian phục vụ trung vị (phút)", _minutes(service["median_s"]), _MINUTES),
        ("Thời gian phục vụ P90 (phút)", _minutes(service["p90_s"]), _MINUTES),
        ("Tỷ lệ được gọi trong thời gian mục tiêu (%)", figures["within_target_pct"], _PERCENT),
        ("Đánh giá: Rất hài lòng", ratings["very_satisfied"], None),
        ("Đánh giá: Hài lòng", ratings["satisfied"], None),
    ]
    if ratings.get("neutral"):
        lines.append(("Đánh giá: Bình thường", ratings["neutral"], None))
    lines += [
        ("Đánh giá: Không hài lòng", ratings["unsatisfied"], None),
        ("Tỷ lệ hài lòng (%)", ratings["satisfied_pct"], _PERCENT),
        ("Tỷ lệ phiếu được đánh giá (%)", ratings.get("rated_pct"), _PERCENT),
    ]
    for label, value, fmt in lines:
        sheet.row([label, value], [None, fmt])
    for title, first, rows, key, count_key in (
        ("Theo lĩnh vực", "Lĩnh vực", figures["by_service"], "service", "issued"),
        ("Theo quầy", "Quầy", figures["by_counter"], "counter", "calls"),
        ("Theo cán bộ", "Cán bộ", figures["by_officer"], "officer", "calls"),
        ("Theo thủ tục (phiếu đã gắn mã hồ sơ)", "Mã thủ tục", figures.get("by_procedure", []),
         "procedure", "issued"),
    ):
        sheet.blank()
        sheet.row([sheet.cell(title, font=_BOLD)])
        sheet.header(_group_header(first, field=key == "service"))
        for row in rows:
            if key == "service":
                title = row.get("name") or context.services.get(row["service"], "")
                name = f"{row['service']} – {title}"
            elif key == "counter":
                name = row.get("name") or context.counters.get(row["counter"], row["counter"])
            elif key == "procedure":
                name = row["procedure"]
            else:
                name = row["officer"] or "(bàn phím, không rõ cán bộ)"
            sheet.row(_group_values(name, row, count_key, field=key == "service"),
                      _GROUP_FORMATS + [None])
    sheet.blank()
    sheet.row([NOTE])


def _vn_date(day: str) -> str:
    year, month, dom = day.split("-")
    return f"{dom}/{month}/{year}"


def _periods(book: Workbook, figures: Mapping[str, Any]) -> None:
    days = _Sheet(book, "Theo ngày", [12, 10, 12, 10, 10, 10, 14, 14, 14, 16, 12, 10, 14, 14])
    days.header(["Ngày", "Số phiếu", "Đã phục vụ", "Vắng mặt", "Đã hủy", "Hết hạn",
                 "Chờ TB (phút)", "Chờ P90 (phút)", "Phục vụ TB (phút)", "Đạt mục tiêu chờ (%)",
                 "Rất hài lòng", "Hài lòng", "Không hài lòng", "Tỷ lệ hài lòng (%)"])
    for row in figures["by_day"]:
        if not row["issued"]:
            continue
        wait, ratings = row["wait"], row["ratings"]
        days.row([_vn_date(row["date"]), row["issued"], row["served"], row["no_show"],
                  row["cancelled"], row["expired"], _minutes(wait["mean_s"]),
                  _minutes(wait["p90_s"]), _minutes(row["service_time"]["mean_s"]),
                  row["within_target_pct"], ratings["very_satisfied"], ratings["satisfied"],
                  ratings["unsatisfied"], ratings["satisfied_pct"]],
                 [None, None, None, None, None, None, _MINUTES, _MINUTES, _MINUTES, _PERCENT,
                  None, None, None, _PERCENT])
    hours = _Sheet(book, "Theo giờ", [10, 12, 16, 12, 14, 14, 16])
    hours.header(["Giờ", "Số phiếu", "Trung bình mỗi ngày", "Đã phục vụ", "Chờ TB (phút)",
                  "Chờ P90 (phút)", "Đạt mục tiêu chờ (%)"])
    for row in figures["by_hour"]:
        hours.row([f"{row['hour']:02d}:00–{row['hour'] + 1:02d}:00", row["issued"],
                   row["issued_per_day"], row["served"], _minutes(row["wait"]["mean_s"]),
                   _minutes(row["wait"]["p90_s"]), row["within_target_pct"]],
                  [None, None, "0.00", None, _MINUTES, _MINUTES, _PERCENT])


# The tickets sheet is written by openpyxl with a marker row, whose place the ticket rows then
# take as XML written here: openpyxl spends some 15 µs on every cell, and a year is millions.
_MARKER = "xephang: ticket rows go here"
_MARKER_TIME = datetime(1901, 2, 3, 4, 5, 6)
_EXCEL_EPOCH = datetime(1899, 12, 30)
_LETTERS = [get_column_letter(i + 1) for i in range(len(HEADERS_XLSX))]
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROWS_PER_WRITE = 500


def _tickets_frame(book: Workbook) -> None:
    widths = [11, 10, 9, 9, 26, 18, 11, 20, 9, 12, 19, 19, 19, 19, 12, 12, 10, 9, 9, 12, 15, 19, 30,
              28, 14]
    sheet = _Sheet(book, "Chi tiết", widths)
    sheet.ws.freeze_panes = "C2"
    sheet.header(HEADERS_XLSX)
    # The date cell registers the date-time style the ticket rows then use.
    sheet.row([_MARKER, _MARKER_TIME], [None, _DATETIME])
    sheet.ws.auto_filter.ref = f"A1:{_LETTERS[-1]}1"


def _cell_xml(ref: str, value: Any, date_style: str) -> str:
    if isinstance(value, str):
        text = escape(_NOT_IN_XML.sub("", value))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        # An inline string is text, never a formula, whatever it starts with.
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, datetime):
        serial = (value - _EXCEL_EPOCH) / timedelta(days=1)
        return f'<c r="{ref}" s="{date_style}"><v>{serial!r}</v></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def _ticket_rows_xml(facts: Iterable[Facts], context: ReportContext,
                     date_style: str) -> Iterator[tuple[int, str]]:
    """Yield (tickets so far, XML of some rows), a few hundred rows at a time."""
    rows: list[str] = []
    count = 0
    for count, f in enumerate(facts, 1):
        values = ticket_values(f, context)
        for i in _DURATION_COLUMNS:
            values[i] = _minutes(values[i])
        values[0] = _vn_date(values[0])
        n = count + 1
        cells = "".join(_cell_xml(f"{letter}{n}", value, date_style)
                        for letter, value in zip(_LETTERS, values)
                        if value is not None and value != "")
        rows.append(f'<row r="{n}">{cells}</row>')
        if len(rows) == _ROWS_PER_WRITE:
            yield count, "".join(rows)
            rows.clear()
    yield count, "".join(rows)


def _splice_tickets(staging: IO[bytes], out: IO[bytes], facts: Iterable[Facts],
                    context: ReportContext) -> int:
    """Copy the workbook, writing the ticket rows in place of the marker row; return them."""
    marker = escape(_MARKER).encode()
    count = 0
    with zipfile.ZipFile(staging) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            at = data.find(marker) if info.filename.startswith("xl/worksheets/") else -1
            if at < 0:
                target.writestr(info, data)
                continue
            start = data.rfind(b"<row ", 0, at)
            end = data.index(b"</row>", at) + len(b"</row>")
            style = re.search(rb'<c [^>]*s="(\d+)"[^>]*><v>', data[start:end])
            if style is None:
                raise RuntimeError("the tickets sheet lost its date style")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w", force_zip64=True) as sheet:
                sheet.write(data[:start])
                for count, xml in _ticket_rows_xml(facts, context, style.group(1).decode()):
                    sheet.write(xml.encode("utf-8"))
                tail = data[end:].replace(
                    f'<autoFilter ref="A1:{_LETTERS[-1]}1"'.encode(),
                    f'<autoFilter ref="A1:{_LETTERS[-1]}{count + 1}"'.encode())
                sheet.write(tail)
    return count


def write_xlsx(out: IO[bytes], figures: Mapping[str, Any], facts: Iterable[Facts],
               context: ReportContext) -> int:
    """Write the workbook: summary, per day, per hour, then one row per ticket; return those."""
    book = Workbook(write_only=True)
    _summary(book, figures, context)
    _periods(book, figures)
    _tickets_frame(book)
    staging = io.BytesIO()  # small: every sheet but the tickets
    book.save(staging)
    staging.seek(0)
    return _splice_tickets(staging, out, facts, context)


__all__ = [
    "HEADERS_CSV",
    "HEADERS_XLSX",
    "XLSX_MIMETYPE",
    "ReportContext",
    "csv_bytes",
    "csv_chunks",
    "ticket_values",
    "write_xlsx",
]
