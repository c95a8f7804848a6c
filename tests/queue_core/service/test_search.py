"""Search as citizens type: accents or not, any order, a typo, a code, a word of the documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_core.config import Settings
from queue_core.domain.clock import FakeClock
from queue_core.domain.errors import InvalidInput
from queue_core.service.catalog import Catalog
from queue_core.service.search import ProcedureSearch
from queue_core.storage import Store

SAMPLE_COPY = "Chứng thực bản sao từ bản chính"


@pytest.fixture
def search(store: Store, settings: Settings, clock: FakeClock, tmp_path: Path) -> ProcedureSearch:
    # On embedded defaults: the sample catalog.
    return ProcedureSearch(Catalog(store, settings, forms_dir=tmp_path / "forms", now=clock.now))


def first(search: ProcedureSearch, query: str, **kwargs: object) -> str:
    found = search.search(query, **kwargs)  # type: ignore[arg-type]
    assert found, f"nothing found for {query!r}"
    return str(found[0]["name"])


@pytest.mark.parametrize("query", [
    "chứng thực bản sao", "chung thuc ban sao", "CHUNG THUC BAN SAO", "ban sao chung thuc",
    "sao bản chứng", "chung thuc ban soa", "chung thuc ban sa", "chúng thục bàn sao",
])
def test_with_or_without_accents_any_order_a_typo(search: ProcedureSearch, query: str) -> None:
    assert first(search, query).startswith(SAMPLE_COPY)


@pytest.mark.parametrize(("query", "name"), [
    ("đăng ký khai sinh", "Đăng ký khai sinh"),
    ("dang ky khai sinh", "Đăng ký khai sinh"),
    ("khai sinh", "Đăng ký khai sinh"),
    ("dang ki khai sinh", "Đăng ký khai sinh"),       # a wrong letter in a short word
    ("khaii sinh", "Đăng ký khai sinh"),              # a letter twice
    ("khaisinh", "Đăng ký khai sinh"),                # no space
    ("ket hon", "Đăng ký kết hôn"),
    ("xac nhan tinh trang hon nhan", "Cấp giấy xác nhận tình trạng hôn nhân"),
    ("giay fep xay dung", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
    ("tro cap xa hoi", "Trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng"),
    ("xác nhận cư trú", "Xác nhận thông tin về cư trú"),
    ("ho kinh doanh thay doi", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh"),
])
def test_common_searches(search: ProcedureSearch, query: str, name: str) -> None:
    assert first(search, query) == name


def test_by_code_first_whatever_it_looks_like(search: ProcedureSearch) -> None:
    for query in ("HT-01", "ht-01", "ht01", "HT 01"):
        assert search.search(query)[0]["code"] == "HT-01", query
    assert search.search("HT-01")[0]["score"] == 1.0


def test_by_a_word_of_the_documents(search: ProcedureSearch) -> None:
    assert first(search, "giấy báo tử") == "Đăng ký khai tử"
    assert first(search, "giay chung sinh") == "Đăng ký khai sinh"


def test_the_word_being_typed_is_a_prefix(search: ProcedureSearch) -> None:
    assert first(search, "khai s") == "Đăng ký khai sinh"
    assert {p["code"] for p in search.search("đăng k")} >= {"HT-01", "HT-02", "HT-03"}


def test_best_first_with_scores(search: ProcedureSearch) -> None:
    found = search.search("hôn nhân")
    scores = [p["score"] for p in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert set(found[0]) == {"code", "name", "service", "level", "deadline", "fee", "score"}


def test_within_one_field(search: ProcedureSearch) -> None:
    assert {p["service"] for p in search.search("đăng ký", service="D")} == {"D"}
    assert [p["code"] for p in search.search("", service="a")] == ["CT-01", "CT-02"]


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "NEAR", "-", "(", ")", ":", "^", "'",
                                   '"chứng', "thực*", "NEAR(khai sinh)", "-sao", "name:khai",
                                   "AND", "OR NOT", "'; DROP TABLE procedures; --", "\x00",
                                   "x" * 10_000, "chứng thực " * 1000, "🙂", "中文"])
def test_odd_queries_answer_never_fail(search: ProcedureSearch, query: str) -> None:
    found = search.search(query)
    assert isinstance(found, list)
    if not query.strip():
        assert [p["score"] for p in found] == [0.0] * len(found) and len(found) == 12


def test_nothing_like_it(search: ProcedureSearch) -> None:
    assert search.search("qwxz zzqq") == []


def test_the_limit(search: ProcedureSearch) -> None:
    assert len(search.search("", limit=3)) == 3
    for wrong in (0, 101):
        with pytest.raises(InvalidInput):
            search.search("", limit=wrong)
