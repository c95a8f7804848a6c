"""CSV and Excel exports, read back (csv, openpyxl) and checked against the /stats figures."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.stats import figures as stats
from queue_core.stats import reports
from queue_core.stats.figures import RatingRow, StepRow, TicketHistory, TicketRow
from queue_core.stats.reports import HEADERS_CSV, HEADERS_XLSX, ReportContext


@pytest.fixture
def center(app: Any) -> Any:
    return app.extensions["xephang"].center


def week(center: Any, clock: FakeClock) -> None:
    """Monday and Tuesday: served, rated, transferred, no-show, cancelled, priority tickets."""
    first = center.issue("A", actor="kiosk:hall")
    center.issue("B", actor="kiosk:hall", priority="elderly")
    clock.advance(minutes=3)
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(minutes=5, seconds=30)
    center.attach_dossier(first["id"], "000.00.12.h13-261123-0001", procedure="1.000001",
                          actor="user:lan", counter=1)
    center.finish(1, actor="user:lan")
    center.rate(first["id"], "very_satisfied", comment="Cán bộ nhiệt tình, hướng dẫn rõ ràng")
    moved = center.call_next(2, actor="user:hoa", officer="hoa")
    clock.advance(minutes=2)
    center.transfer(2, "F", actor="user:hoa")
    clock.advance(minutes=20)
    center.call_next(5, actor="user:minh", officer="minh")
    clock.advance(minutes=1)
    center.finish(5, actor="user:minh")
    center.rate(moved["id"], "unsatisfied")
    clock.advance(days=1)
    gone = center.issue("C", actor="staff:lan", channel="staff")
    center.issue("A", actor="kiosk:hall")
    clock.advance(minutes=4)
    center.cancel(gone["id"], actor="user:lan")
    center.call_next(1, actor="device:keypad-1")
    clock.advance(minutes=1)
    center.no_show(1, actor="device:keypad-1")


QUERY = "from=2026-11-23&to=2026-11-24"


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads the diacritics
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_ticket_matching_the_figures(app: Any, client: Any,
                                                         manager: dict[str, str],
                                                         clock: FakeClock, center: Any) -> None:
    week(center, clock)
    figures = client.get(f"/api/v1/stats?{QUERY}", headers=manager).get_json()
    response = client.get(f"/api/v1/stats/export.csv?{QUERY}", headers=manager)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="thong-ke-2026-11-23-den-2026-11-24.csv"'
    rows = read_csv(response.data)
    assert list(rows[0]) == HEADERS_CSV
    assert len(rows) == figures["issued"] == 4
    by_label = {(r["Ngày"], r["Số thứ tự"]): r for r in rows}
    plain = by_label[("2026-11-23", "A001")]
    assert plain == {
        "Ngày": "2026-11-23", "Số thứ tự": "A001", "Lĩnh vực lấy số": "A", "Lĩnh vực": "A",
        "Tên lĩnh vực": "Chứng thực", "Đối tượng ưu tiên": "", "Kênh": "Kiosk",
        "Trạng thái": "Đã phục vụ", "Quầy": "Quầy 1", "Cán bộ": "lan",
        "Giờ lấy số": "2026-11-23 08:00:00", "Giờ gọi lần đầu": "2026-11-23 08:03:00",
        "Giờ bắt đầu phục vụ": "2026-11-23 08:03:00", "Giờ kết thúc": "2026-11-23 08:08:30",
        "Thời gian chờ (giây)": "180", "Thời gian phục vụ (giây)": "330",
        "Đạt mục tiêu chờ": "Có", "Số lần gọi lại": "0", "Số lần chuyển": "0",
        "Chờ sau chuyển (giây)": "", "Đánh giá": "Rất hài lòng",
        "Giờ đánh giá": "2026-11-23 08:08:30", "Góp ý": "Cán bộ nhiệt tình, hướng dẫn rõ ràng",
        "Mã hồ sơ": "000.00.12.H13-261123-0001", "Mã thủ tục": "1.000001",
    }
    assert [row["procedure"] for row in figures["by_procedure"]] == ["1.000001"]
    assert (figures["by_procedure"][0]["issued"], figures["by_procedure"][0]["served"]) == (1, 1)
    assert by_label[("2026-11-23", "B001")]["Mã hồ sơ"] == ""
    moved = by_label[("2026-11-23", "B001")]
    assert (moved["Lĩnh vực lấy số"], moved["Lĩnh vực"], moved["Quầy"], moved["Cán bộ"]) == (
        "B", "F", "Quầy 5", "minh")
    assert (moved["Đối tượng ưu tiên"], moved["Số lần chuyển"], moved["Chờ sau chuyển (giây)"],
            moved["Đánh giá"]) == ("Người cao tuổi", "1", "1200", "Không hài lòng")
    assert moved["Thời gian chờ (giây)"] == str(round(8.5 * 60))
    gone = by_label[("2026-11-24", "C001")]
    assert (gone["Trạng thái"], gone["Kênh"], gone["Thời gian chờ (giây)"],
            gone["Đạt mục tiêu chờ"]) == ("Đã hủy", "Cán bộ cấp", "", "")
    assert by_label[("2026-11-24", "A001")]["Trạng thái"] == "Vắng mặt"
    assert by_label[("2026-11-24", "A001")]["Cán bộ"] == ""
    # The rows add up to the API's figures.
    served = [r for r in rows if r["Trạng thái"] == "Đã phục vụ"]
    assert len(served) == figures["served"]
    waits = [int(r["Thời gian chờ (giây)"]) for r in rows if r["Thời gian chờ (giây)"]]
    assert sum(waits) / len(waits) == pytest.approx(figures["wait"]["mean_s"], abs=0.5)
    assert sum(r["Đánh giá"] != "" for r in rows) == figures["ratings"]["total"]


def test_csv_follows_the_filters(client: Any, manager: dict[str, str], clock: FakeClock,
                                 center: Any) -> None:
    week(center, clock)
    rows = read_csv(client.get(f"/api/v1/stats/export.csv?{QUERY}&service=F",
                               headers=manager).data)
    assert [r["Số thứ tự"] for r in rows] == ["B001"]
    rows = read_csv(client.get(f"/api/v1/stats/export.csv?{QUERY}&officer=lan",
                               headers=manager).data)
    assert [r["Số thứ tự"] for r in rows] == ["A001"]


def test_excel_workbook_reads_back_with_openpyxl(client: Any, manager: dict[str, str],
                                                 clock: FakeClock, center: Any) -> None:
    week(center, clock)
    figures = client.get(f"/api/v1/stats?{QUERY}", headers=manager).get_json()
    response = client.get(f"/api/v1/stats/export.xlsx?{QUERY}", headers=manager)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == reports.XLSX_MIMETYPE
    assert "thong-ke-2026-11-23-den-2026-11-24.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tổng hợp", "Theo ngày", "Theo giờ", "Chi tiết"]

    summary = book["Tổng hợp"]
    cells = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert str(summary["A1"].value).startswith("Báo cáo thống kê xếp hàng – Trung tâm")
    assert "Từ ngày 23/11/2026 đến ngày 24/11/2026" in cells
    assert cells["Số phiếu đã cấp"] == figures["issued"]
    assert cells["Đã phục vụ"] == figures["served"]
    assert cells["Vắng mặt"] == figures["no_show"]
    assert cells["Đã hủy"] == figures["cancelled"]
    assert cells["Lượt chuyển lĩnh vực"] == figures["transfers"] == 1
    assert cells["Thời gian chờ trung bình (phút)"] == round(figures["wait"]["mean_s"] / 60, 1)
    assert cells["Tỷ lệ được gọi trong thời gian mục tiêu (%)"] == figures["within_target_pct"]
    assert cells["Tỷ lệ hài lòng (%)"] == figures["ratings"]["satisfied_pct"] == 50.0
    services = {row[0]: row for row in summary.iter_rows(values_only=True)
                if row and isinstance(row[0], str) and row[0][:4] in ("A – ", "B – ", "F – ")}
    assert services["A – Chứng thực"][1] == 2
    assert services["F – Trả kết quả"][2] == 1
    # A field serves what was transferred to it too: the column says so, and counts them.
    header = next(row for row in summary.iter_rows(values_only=True) if row and row[0] == "Lĩnh vực")
    assert header[2] == "Đã phục vụ (kể cả số chuyển đến)" and header[-1] == "Số chuyển đến"
    assert services["F – Trả kết quả"][-1] == next(
        r["transfers_in"] for r in figures["by_service"] if r["service"] == "F") == 1
    officers = [row[0] for row in summary.iter_rows(values_only=True) if row and row[0] in (
        "lan", "hoa", "minh", "(bàn phím, không rõ cán bộ)")]
    assert officers == ["hoa", "lan", "minh", "(bàn phím, không rõ cán bộ)"]

    days = list(book["Theo ngày"].iter_rows(values_only=True))
    assert days[0][0] == "Ngày" and [d[0] for d in days[1:]] == ["23/11/2026", "24/11/2026"]
    assert sum(d[1] for d in days[1:]) == figures["issued"]

    tickets = book["Chi tiết"]
    header = [c.value for c in tickets[1]]
    assert header == HEADERS_XLSX
    assert tickets.freeze_panes == "C2"
    assert tickets.auto_filter.ref == f"A1:Y{figures['issued'] + 1}"
    rows = [dict(zip(header, row)) for row in tickets.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == figures["issued"]
    first = next(r for r in rows if r["Số thứ tự"] == "A001" and r["Ngày"] == "23/11/2026")
    assert first["Giờ lấy số"] == datetime(2026, 11, 23, 8, 0)
    assert first["Thời gian chờ (phút)"] == 3.0 and first["Thời gian phục vụ (phút)"] == 5.5
    assert tickets.cell(row=2, column=11).is_date


def test_empty_exports_still_open(client: Any, manager: dict[str, str]) -> None:
    rows = read_csv(client.get("/api/v1/stats/export.csv", headers=manager).data)
    assert rows == []
    book = load_workbook(io.BytesIO(client.get("/api/v1/stats/export.xlsx",
                                               headers=manager).data))
    assert book["Chi tiết"].max_row == 1


def context(**changes: Any) -> ReportContext:
    values: dict[str, Any] = {
        "center": "Trung tâm Phục vụ Hành chính công phường Hòa Khánh",
        "services": {"A": "Chứng thực"}, "counters": {1: "Quầy 1"}, "target_wait_s": 900.0,
        "now": datetime(2026, 11, 23, 17, tzinfo=VIETNAM), "date_from": "2026-11-23",
        "date_to": "2026-11-23"}
    values.update(changes)
    return ReportContext(**values)


def served_facts(level: str = "neutral") -> stats.Facts:
    at = datetime(2026, 11, 23, 9, tzinfo=VIETNAM)
    from datetime import timedelta

    return stats.ticket_facts(TicketHistory(
        TicketRow(id="t1", label="A001", day="2026-11-23", series="A", service="A", state="done",
                  issued_at=at, counter=1, officer="lan", called_at=at + timedelta(seconds=61.4),
                  finished_at=at + timedelta(seconds=300)),
        (StepRow("call", at + timedelta(seconds=61.4), "user:lan", "A", 1),
         StepRow("finish", at + timedelta(seconds=300), "user:lan", "A", 1)),
        RatingRow(level, at + timedelta(seconds=320), "=1+1")))


def test_rating_labels_come_from_the_configuration() -> None:
    rows = read_csv(reports.csv_bytes([served_facts()], context(
        rating_labels={"neutral": "Tạm được"})))
    assert rows[0]["Đánh giá"] == "Tạm được"
    assert rows[0]["Thời gian chờ (giây)"] == "61"
    rows = read_csv(reports.csv_bytes([served_facts("satisfied")], context()))
    assert rows[0]["Đánh giá"] == "Hài lòng"
    assert rows[0]["Góp ý"] == "'=1+1"  # never a formula when Excel opens the file


def test_text_that_looks_like_a_formula_stays_text_in_excel() -> None:
    out = io.BytesIO()
    figures = stats.summarize([served_facts()], date_from="2026-11-23", date_to="2026-11-23",
                              target_wait_s=900.0, now=datetime(2026, 11, 23, 17, tzinfo=VIETNAM))
    reports.write_xlsx(out, figures, [served_facts()], context())
    sheet = load_workbook(io.BytesIO(out.getvalue()))["Chi tiết"]
    comment = sheet.cell(row=2, column=HEADERS_XLSX.index("Góp ý") + 1)
    assert comment.value == "=1+1" and comment.data_type == "s"


def test_summary_names_the_filters() -> None:
    out = io.BytesIO()
    chosen = stats.Filters(service="A", counter=1, officer="lan")
    figures = stats.summarize([served_facts()], date_from="2026-11-23", date_to="2026-11-23",
                              target_wait_s=900.0, filters=chosen,
                              now=datetime(2026, 11, 23, 17, tzinfo=VIETNAM))
    reports.write_xlsx(out, figures, [served_facts()], context(filters=chosen))
    values = [row[0] for row in load_workbook(io.BytesIO(out.getvalue()))["Tổng hợp"].iter_rows(
        values_only=True) if row]
    assert "Lọc theo: lĩnh vực A – Chứng thực, Quầy 1, cán bộ lan" in values
    assert "Ngày 23/11/2026" in values


def test_any_comment_text_survives_the_workbook() -> None:
    facts = served_facts()._replace(comment='  chờ lâu\x01 <quá> & "mệt"  ')
    out = io.BytesIO()
    figures = stats.summarize([facts], date_from="2026-11-23", date_to="2026-11-23",
                              target_wait_s=900.0, now=datetime(2026, 11, 23, 17, tzinfo=VIETNAM))
    assert reports.write_xlsx(out, figures, [facts], context()) == 1
    sheet = load_workbook(io.BytesIO(out.getvalue()))["Chi tiết"]
    assert sheet.cell(row=2, column=HEADERS_XLSX.index("Góp ý") + 1).value == '  chờ lâu <quá> & "mệt"  '
    assert sheet.cell(row=2, column=15).value == 1.0  # waited 61.4 s: 1.0 minute
    assert sheet.max_row == 2
