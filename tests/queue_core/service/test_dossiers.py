"""Dossier status through each connector: the export file, the REST system, none; faults."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from queue_core.config import Settings
from queue_core.domain.errors import ConnectorUnavailable, InvalidInput, NotFound, TooManyRequests
from queue_core.service.dossiers import (
    SETTLE_SECONDS,
    DossierLookup,
    FileConnector,
    NoConnector,
    RestConnector,
)

HEADER = "STT,Mã hồ sơ,Người nộp,Trạng thái,Ngày tiếp nhận,Ngày hẹn trả\n"


def export(path: Path, rows: list[str], *, age: float = 60.0) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    settle(path, age)
    return path


def settle(path: Path, age: float) -> None:
    moment = time.time() - age
    os.utime(path, (moment, moment))


# --- the export file ------------------------------------------------------------------------------

def test_the_sample_export_on_defaults(settings: Settings) -> None:
    lookup = DossierLookup(settings)
    answers = {code: lookup.status(code, address=f"10.0.0.{n}")
               for n, code in enumerate(["MAU-0001", "MAU-0002", "MAU-0003", "MAU-0004",
                                         "MAU-0005", "mau-0006"])}
    assert [a["status"] for a in answers.values()] == [
        "received", "processing", "additional_info_needed", "ready", "returned", "rejected"]
    ready = answers["MAU-0004"]
    assert ready["status_text"] == ("Hồ sơ của ông/bà đã có kết quả. Mời ông/bà đến Quầy 5 "
                                    "để nhận kết quả.")
    assert ready["received_at"] == "2026-11-02T10:00:00.000+07:00"
    assert set(ready) == {"code", "status", "status_text", "received_at", "due_at", "updated_at"}
    # The export's name column is never read, let alone shown.
    assert "Mẫu" not in json.dumps(answers, ensure_ascii=False)


def test_an_export_is_reread_when_it_changes(tmp_path: Path) -> None:
    path = export(tmp_path / "motcua.csv", ["1,HS-001,Nguyễn A,Đang xử lý,20/11/2026,25/11/2026"])
    connector = FileConnector(path)
    assert connector.find("HS-001").status == "processing"
    export(path, ["1,HS-001,Nguyễn A,Chờ trả kết quả,20/11/2026,25/11/2026",
                  "2,HS-002,Trần B,Từ chối,21/11/2026,"], age=30)
    assert connector.find("HS-001").status == "ready"
    assert connector.find("HS-002").due_at is None
    assert connector.find("HS-404") is None


def test_a_half_written_export_keeps_the_previous_data(tmp_path: Path) -> None:
    path = export(tmp_path / "motcua.csv", ["1,HS-001,Nguyễn A,Đang xử lý,20/11/2026,25/11/2026",
                                            "2,HS-002,Trần B,Đã tiếp nhận,21/11/2026,26/11/2026"])
    connector = FileConnector(path)
    assert connector.find("HS-002").status == "received"
    # Cut in the middle of a row, and left alone long enough to be read.
    path.write_text(HEADER + "1,HS-001,Nguyễn A,Đã trả kết quả,20/11/2026,25/11/2026\n2,HS-0",
                    encoding="utf-8")
    settle(path, 30)
    assert connector.find("HS-002").status == "received"
    assert connector.find("HS-001").status == "processing"


def test_an_export_being_written_is_not_read_yet(tmp_path: Path) -> None:
    now = [time.time()]
    path = export(tmp_path / "motcua.csv", ["1,HS-001,A,Đang xử lý,20/11/2026,25/11/2026"])
    connector = FileConnector(path, clock=lambda: now[0])
    assert connector.find("HS-001").status == "processing"
    export(path, ["1,HS-001,A,Đã trả kết quả,20/11/2026,25/11/2026"], age=0)
    assert connector.find("HS-001").status == "processing"
    now[0] += SETTLE_SECONDS + 1
    assert connector.find("HS-001").status == "returned"


def test_an_xlsx_export_and_a_truncated_one(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Số hồ sơ", "Họ tên", "Tình trạng", "Hẹn trả", "Cập nhật"])
    from datetime import datetime
    sheet.append(["H12-0001", "Lê C", "Đã có kết quả", datetime(2026, 11, 25, 16, 30), None])
    path = tmp_path / "motcua.xlsx"
    book.save(path)
    settle(path, 60)
    connector = FileConnector(path)
    dossier = connector.find("h12-0001")
    assert dossier is not None and dossier.status == "ready"
    assert dossier.due_at is not None and dossier.due_at.isoformat() == "2026-11-25T16:30:00+07:00"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    settle(path, 30)
    assert connector.find("H12-0001").status == "ready"


def test_an_export_with_its_own_names(tmp_path: Path) -> None:
    path = tmp_path / "motcua.csv"
    path.write_text("hoso_id,tinh_trang_xu_ly\nX-001,KQ\n", encoding="utf-8")
    settle(path, 60)
    connector = FileConnector(path, columns={"hoso_id": "code", "tinh_trang_xu_ly": "status"},
                              statuses={"KQ": "ready"})
    assert connector.find("X-001").status == "ready"


def test_no_export_yet_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ConnectorUnavailable):
        FileConnector(tmp_path / "chua-co.csv").find("HS-001")


# --- the one-door system's REST API, on loopback -------------------------------------------------

class Remote:
    """A tiny one-door system on loopback: each test says how it answers."""

    def __init__(self, answer: Callable[[str], tuple[int, bytes]]) -> None:
        self.answer = answer
        self.asked: list[str] = []
        self.release = threading.Event()
        remote = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                remote.asked.append(self.path)
                status, body = remote.answer(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hoso/{{code}}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote() -> Iterator[Callable[[Callable[[str], tuple[int, bytes]]], Remote]]:
    made: list[Remote] = []

    def make(answer: Callable[[str], tuple[int, bytes]]) -> Remote:
        made.append(Remote(answer))
        return made[-1]

    yield make
    for server in made:
        server.close()


def good(path: str) -> tuple[int, bytes]:
    code = path.rsplit("/", 1)[-1]
    if code == "KHONG-CO":
        return 404, b'{"error": "not found"}'
    return 200, json.dumps({"data": {"maHoSo": code, "trangThai": "DANG_XU_LY",
                                     "ngayNhan": "2026-11-20T08:00:00+07:00",
                                     "hanTra": "25/11/2026 16:30", "hoTen": "Nguyễn Văn A"}}).encode()


FIELDS = {"code": "data.maHoSo", "status": "data.trangThai", "received_at": "data.ngayNhan",
          "due_at": "data.hanTra"}


def test_rest_answers_mapped_and_cached(remote: Any) -> None:
    server = remote(good)
    connector = RestConnector(server.url, timeout=2, fields=FIELDS)
    dossier = connector.find("HS-001")
    assert dossier is not None and (dossier.code, dossier.status) == ("HS-001", "processing")
    assert dossier.due_at is not None and dossier.due_at.hour == 16
    assert connector.find("HS-001") == dossier
    assert connector.find("KHONG-CO") is None
    assert server.asked == ["/hoso/HS-001", "/hoso/KHONG-CO"]


@pytest.mark.parametrize(("answer", "why"), [
    (lambda path: (500, b"{}"), "an error"),
    (lambda path: (200, b"<html>maintenance</html>"), "not JSON"),
    (lambda path: (200, b'{"data": {"trangThai": "???"}}'), "an unknown status"),
    (lambda path: (200, b'[1, 2, 3]'), "JSON of another shape"),
    (lambda path: (200, b'{"data": {"trangThai": "DANG_XU_LY", "hanTra": "mai"}}'), "a bad date"),
])
def test_rest_garbage_is_unavailable(remote: Any, answer: Any, why: str) -> None:
    connector = RestConnector(remote(answer).url, timeout=2, fields=FIELDS)
    with pytest.raises(ConnectorUnavailable):
        connector.find("HS-001")


def test_a_remote_that_is_down(remote: Any) -> None:
    server = remote(good)
    url = server.url
    server.close()
    with pytest.raises(ConnectorUnavailable):
        RestConnector(url, timeout=2).find("HS-001")


def test_a_slow_remote_answers_within_the_timeout(remote: Any) -> None:
    def slow(path: str) -> tuple[int, bytes]:
        server.release.wait(10)  # a remote taking 10 s (released when the test ends)
        return good(path)

    server = remote(slow)
    connector = RestConnector(server.url, timeout=0.5, fields=FIELDS)
    started = time.monotonic()
    with pytest.raises(ConnectorUnavailable):
        connector.find("HS-001")
    assert time.monotonic() - started < 5  # the timeout, not the remote's 10 s
    # While every worker waits on the hung system, further questions fail at once.
    for _ in range(5):
        with pytest.raises(ConnectorUnavailable):
            connector.find("HS-002")
    assert time.monotonic() - started < 10


# --- the public answer ------------------------------------------------------------------------------

def test_rate_limited_per_address(settings: Settings) -> None:
    lookup = DossierLookup(settings.replace(lookup={"lookups_per_minute": 3}))
    for _ in range(3):
        with pytest.raises(NotFound):
            lookup.status("HS-9999", address="10.0.0.1")
    with pytest.raises(TooManyRequests):
        lookup.status("MAU-0001", address="10.0.0.1")
    assert lookup.status("MAU-0001", address="10.0.0.2")["status"] == "received"


@pytest.mark.parametrize("code", ["", "a", "../etc", "x" * 65, "MAU 0001", "MÃ-01"])
def test_a_code_that_cannot_be_one(settings: Settings, code: str) -> None:
    with pytest.raises(InvalidInput):
        DossierLookup(settings).status(code, address="10.0.0.1")


def test_dossier_lookup_off(settings: Settings) -> None:
    lookup = DossierLookup(settings.replace(lookup={"connector": "none"}))
    assert isinstance(lookup.connector, NoConnector) and not lookup.enabled
    with pytest.raises(ConnectorUnavailable) as caught:
        lookup.status("MAU-0001", address="10.0.0.1")
    assert caught.value.status == 503 and "thử lại" in caught.value.message()
