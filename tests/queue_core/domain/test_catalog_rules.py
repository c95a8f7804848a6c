"""The catalog's rules and the dossier words: folding, query words, rows, form names, statuses."""

from __future__ import annotations

from datetime import datetime

import pytest

from queue_core.domain.catalog import (
    fold,
    form_file_name,
    form_name_problem,
    items,
    missing_columns,
    plain,
    procedure_from_row,
    search_tokens,
)
from queue_core.domain.clock import VIETNAM
from queue_core.domain.dossiers import normal_code, parse_moment, status_of
from queue_core.domain.errors import CatalogInvalid

SERVICES = {"A", "B", "C", "D", "E", "F"}
ROW = {"code": "HT-01", "name": "Đăng ký khai sinh", "service": "b", "level": "Cấp xã",
       "deadline": "Trong ngày", "fee": "Miễn phí", "documents": "- Tờ khai\n\n2. Giấy chứng sinh",
       "legal_basis": "Luật Hộ tịch", "forms": "Tờ khai đăng ký khai sinh.docx"}


def test_d_with_stroke_folds_to_d_and_marks_go() -> None:
    assert fold("ĐĂNG KÝ") == "dăng ký"
    assert plain("Đường Nguyễn Trãi") == "duong nguyen trai"
    assert plain("Chứng thực bản sao") == "chung thuc ban sao"


def test_letters_and_digits_that_touch_are_parted() -> None:
    assert fold("HT01") == fold("ht 01") == "ht 01"


@pytest.mark.parametrize("query", ['"', "*", "NEAR", "-", "(", ":", "^", "AND OR NOT", "{code}:x",
                                   "' OR 1=1 --", "NEAR(a b, 3)", ")(", "\x00"])
def test_query_syntax_becomes_plain_words(query: str) -> None:
    for token in search_tokens(query):
        assert token.isalnum(), token


def test_a_very_long_query_is_cut() -> None:
    tokens = search_tokens("chung thuc " * 2000)
    assert 0 < len(tokens) <= 12 and sum(len(t) for t in tokens) <= 200


def test_items_drop_bullets_and_empty_lines() -> None:
    assert items("1) Tờ khai\r\n• Bản sao\n   \n- CCCD") == ("Tờ khai", "Bản sao", "CCCD")


def test_a_good_row() -> None:
    procedure = procedure_from_row(ROW, line=2, services=SERVICES)
    assert procedure.service == "B"
    assert procedure.documents == ("Tờ khai", "Giấy chứng sinh")
    assert procedure.forms[0].name == "Tờ khai đăng ký khai sinh"
    assert procedure.forms[0].file == "to-khai-dang-ky-khai-sinh.docx"


@pytest.mark.parametrize(("change", "reason"), [
    ({"code": ""}, "empty_value"),
    ({"name": "  "}, "empty_value"),
    ({"code": "HT 01/x"}, "bad_code"),
    ({"service": "Z"}, "unknown_service"),
    ({"forms": "../../etc/passwd.docx"}, "form_path_outside"),
    ({"forms": "/etc/mau.docx"}, "form_path_outside"),
    ({"forms": "C:\\mau.docx"}, "form_path_outside"),
    ({"forms": "trang.html"}, "form_type_refused"),
    ({"fee": "x" * 20_001}, "cell_too_long"),
])
def test_a_bad_row_names_its_line_and_reason(change: dict[str, str], reason: str) -> None:
    with pytest.raises(CatalogInvalid) as caught:
        procedure_from_row({**ROW, **change}, line=7, services=SERVICES)
    assert caught.value.line == 7 and caught.value.reason == reason
    assert "Dòng 7" in caught.value.message() and caught.value.status == 422


def test_missing_columns_in_order() -> None:
    assert missing_columns(["Code", "Name", "service", "legal basis"]) == [
        "level", "deadline", "fee", "documents", "forms"]


def test_form_names() -> None:
    assert form_name_problem("mau/To khai.pdf") is None
    assert form_name_problem("mau/../../x.pdf") == "form_path_outside"
    assert form_file_name("Đơn đề nghị (mẫu 01).DOCX") == "don-de-nghi-mau-01.docx"


@pytest.mark.parametrize(("word", "status"), [
    ("Đã tiếp nhận", "received"), ("ĐANG XỬ LÝ", "processing"), ("dang_giai_quyet", "processing"),
    ("Yêu cầu bổ sung", "additional_info_needed"), ("Chờ trả kết quả", "ready"),
    ("Đã trả kết quả", "returned"), ("Từ chối", "rejected"), ("ready", "ready"),
    ("", None), ("Đã nộp tiền", None), (None, None),
])
def test_usual_status_words(word: str | None, status: str | None) -> None:
    assert status_of(word) == status


def test_a_centers_own_status_words_come_first() -> None:
    assert status_of("XONG", {"xong": "returned"}) == "returned"
    assert status_of("Đang xử lý", {"đang xử lý": "received"}) == "received"


def test_receipt_codes_and_dates() -> None:
    assert normal_code(" H12.99-250101-0001 ") == "H12.99-250101-0001"
    assert normal_code("../x") is None and normal_code("ab") is None
    assert parse_moment("2026-11-20", VIETNAM) == datetime(2026, 11, 20, tzinfo=VIETNAM)
    assert parse_moment("20-11-2026 08:30:05", VIETNAM).second == 5
    assert parse_moment("2026-11-20T01:00:00Z", VIETNAM).hour == 8
    assert parse_moment("", VIETNAM) is None
    with pytest.raises(ValueError):
        parse_moment("ngày mai", VIETNAM)
