"""The look-up kiosk's routes: search, a procedure and its forms, the upload, dossiers, printing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from queue_core.domain.clock import FakeClock
from queue_core.service import audit, auth

Headers = dict[str, str]
CATALOG = ("code,name,service,level,deadline,fee,documents,legal_basis,forms\n"
           'XD-09,Cấp phép sửa chữa nhà ở,C,Cấp xã,15 ngày,Miễn phí,"Đơn đề nghị\nBản vẽ",'
           'Luật Xây dựng,Đơn sửa chữa.docx\n')


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    return error  # type: ignore[no-any-return]


def test_search_and_a_procedure(client: Any) -> None:
    found = client.get("/api/v1/procedures", query_string={"q": "chung thuc ban sao"}).get_json()
    assert found[0]["name"].startswith("Chứng thực bản sao từ bản chính")
    detail = client.get("/api/v1/procedures/HT-01").get_json()
    assert detail["documents"][0] == "Tờ khai đăng ký khai sinh theo mẫu"
    assert [f["url"] for f in detail["forms"]] == [
        "http://localhost/api/v1/procedures/HT-01/forms/to-khai-dang-ky-khai-sinh.docx",
        "http://localhost/api/v1/procedures/HT-01/forms/to-khai-dang-ky-khai-sinh.pdf"]
    assert_error(client.get("/api/v1/procedures/KHONG-CO"), 404, "unknown_procedure")
    assert_error(client.get("/api/v1/procedures", query_string={"service": "Z"}), 404,
                 "unknown_service")
    assert_error(client.get("/api/v1/procedures", query_string={"limit": "500"}), 422)


@pytest.mark.parametrize("query", ['"', "*", "NEAR", "-", "(", ":", "x" * 10_000, ""])
def test_odd_queries_never_fail(client: Any, query: str) -> None:
    answer = client.get("/api/v1/procedures", query_string={"q": query})
    assert answer.status_code == 200 and isinstance(answer.get_json(), list)


def test_a_form_downloads_from_the_box(client: Any) -> None:
    url = client.get("/api/v1/procedures/HT-01").get_json()["forms"][1]["url"]
    download = client.get(url.removeprefix("http://localhost"))
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    assert "T%E1%BB%9D%20khai" in download.headers["Content-Disposition"]  # "Tờ khai …" kept
    qr = client.get(url.removeprefix("http://localhost") + "/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert_error(client.get("/api/v1/procedures/HT-01/forms/..%2F..%2Fsecret_key"), 404)
    assert_error(client.get("/api/v1/procedures/HT-01/forms/khong-co.pdf"), 404, "unknown_form")
    assert_error(client.get("/api/v1/procedures/CT-01/forms/to-khai-dang-ky-khai-sinh.pdf"), 404)


def test_form_addresses_use_the_public_address(settings: Any, clock: FakeClock) -> None:
    from queue_core.web.app import create_app

    app = create_app(settings.replace(kiosk={"public_url": "http://192.0.2.10:8000/"}), clock=clock,
                     test_config={"TESTING": True})
    try:
        forms = app.test_client().get("/api/v1/procedures/HT-02").get_json()["forms"]
        assert forms[0]["url"].startswith("http://192.0.2.10:8000/api/v1/procedures/HT-02/forms/")
    finally:
        app.extensions["xephang"].store.close()


# --- the upload ------------------------------------------------------------------------------------

@pytest.fixture
def admin_session(app: Any, client: Any, clock: FakeClock) -> Headers:
    auth.add_user(app.extensions["xephang"].store, "quantri", "mat-khau-an-toan", role="admin",
                  counter=None, now=clock.now())
    login = client.post("/api/v1/auth/login", json={"username": "quantri",
                                                    "password": "mat-khau-an-toan"})
    return {"X-CSRFToken": login.get_json()["csrf_token"]}


def upload(catalog: str = CATALOG, forms: tuple[tuple[bytes, str], ...] = (
        (b"PK sua chua", "Đơn sửa chữa.docx"),)) -> dict[str, Any]:
    return {"file": (io.BytesIO(catalog.encode("utf-8")), "danh-muc.csv"),
            "forms": [(io.BytesIO(data), name) for data, name in forms]}


def test_upload_needs_an_admin(client: Any, token_for: Callable[..., Headers], app: Any,
                               clock: FakeClock) -> None:
    assert_error(client.post("/api/v1/catalog", data=upload()), 401, "unauthorized")
    for role in ("manager", "kiosk", "display"):
        assert_error(client.post("/api/v1/catalog", data=upload(), headers=token_for(role)), 403)
    auth.add_user(app.extensions["xephang"].store, "lan", "mat-khau-an-toan", role="staff",
                  counter=2, now=clock.now())
    login = client.post("/api/v1/auth/login", json={"username": "lan",
                                                    "password": "mat-khau-an-toan"})
    assert_error(client.post("/api/v1/catalog", data=upload(),
                             headers={"X-CSRFToken": login.get_json()["csrf_token"]}), 403,
                 "forbidden")
    assert client.get("/api/v1/catalog").get_json()["sample"] is True


def test_an_admin_uploads_a_catalog_with_its_forms(app: Any, client: Any,
                                                   admin_session: Headers) -> None:
    assert_error(client.post("/api/v1/catalog", data=upload()), 403, "csrf_failed")
    answer = client.post("/api/v1/catalog", data=upload(), headers=admin_session)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json() | {"imported_at": None} == {
        "source": "danh-muc.csv", "imported_at": None, "procedures": 1, "forms": 1,
        "sample": False}
    assert client.get("/api/v1/catalog").get_json()["procedures"] == 1
    form = client.get("/api/v1/procedures/XD-09").get_json()["forms"][0]
    assert form["name"] == "Đơn sửa chữa"
    assert client.get(form["url"].removeprefix("http://localhost")).data == b"PK sua chua"
    entry = next(e for e in audit.entries(app.extensions["xephang"].store)
                 if e["action"] == "catalog_imported")
    assert entry["actor"] == "user:quantri" and entry["target"] == "danh-muc.csv"


def test_a_bad_upload_changes_nothing(client: Any, admin_session: Headers) -> None:
    before = client.get("/api/v1/catalog").get_json()
    error = assert_error(client.post("/api/v1/catalog", data=upload(forms=()),
                                     headers=admin_session), 422, "catalog_invalid")
    assert "Dòng 2" in error["message"] and "Đơn sửa chữa.docx" in error["message"]
    assert_error(client.post("/api/v1/catalog", data={}, headers=admin_session), 422)
    assert_error(client.post("/api/v1/catalog", data=upload(catalog=CATALOG.replace(",C,", ",Q,")),
                             headers=admin_session), 422, "catalog_invalid")
    assert client.get("/api/v1/catalog").get_json() == before
    assert client.get("/api/v1/procedures/HT-01").status_code == 200


def test_a_huge_upload_is_refused_before_it_is_read(client: Any, admin_session: Headers) -> None:
    error = assert_error(client.post("/api/v1/catalog", data=b"x", headers=admin_session,
                                     content_type="multipart/form-data; boundary=x",
                                     environ_overrides={"CONTENT_LENGTH": str(200 * 1024 * 1024)}),
                         413, "catalog_too_large")
    assert "200.0 MB" in error["message"]


def test_a_large_catalog_inside_an_upload(client: Any, admin_session: Headers) -> None:
    big = CATALOG + "x" * (21 * 1024 * 1024)
    assert_error(client.post("/api/v1/catalog", data=upload(catalog=big), headers=admin_session),
                 413, "catalog_too_large")


# --- dossiers -----------------------------------------------------------------------------------------

def test_dossier_status(client: Any) -> None:
    answer = client.get("/api/v1/dossiers/MAU-0002")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json()["status"] == "processing"
    assert_error(client.get("/api/v1/dossiers/KHONG-CO-0001"), 404, "unknown_dossier")
    assert_error(client.get("/api/v1/dossiers/a"), 422, "invalid_input")


def test_dossier_codes_cannot_be_enumerated(client: Any) -> None:
    for n in range(10):
        client.get(f"/api/v1/dossiers/HS-{n:04d}")
    assert_error(client.get("/api/v1/dossiers/MAU-0001"), 429)
    other = client.get("/api/v1/dossiers/MAU-0001", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_dossier_lookup_off(settings: Any, clock: FakeClock) -> None:
    from queue_core.web.app import create_app

    app = create_app(settings.replace(lookup={"connector": "none"}), clock=clock,
                     test_config={"TESTING": True})
    try:
        assert_error(app.test_client().get("/api/v1/dossiers/MAU-0001"), 503,
                     "connector_unavailable")
        assert 'id="l-attract-dossier"' in app.test_client().get("/lookup").get_data(as_text=True)
    finally:
        app.extensions["xephang"].store.close()


# --- printing the list of documents -------------------------------------------------------------------

def test_print_a_list_needs_a_kiosk(client: Any, token_for: Callable[..., Headers]) -> None:
    assert_error(client.post("/api/v1/procedures/HT-01/print"), 401)
    assert_error(client.post("/api/v1/procedures/HT-01/print", headers=token_for("display")), 403)
    assert_error(client.post("/api/v1/procedures/HT-01/print", headers=token_for("keypad", 1)), 403)


def test_print_a_list_on_the_ticket_printer(app: Any, client: Any, kiosk: Headers) -> None:
    answer = client.post("/api/v1/procedures/HT-01/print", headers=kiosk)
    assert answer.status_code == 200
    assert answer.get_json() == {"procedure": "HT-01", "state": "printed", "printed": True,
                                 "code": "printed", "message": ""}
    printing = app.extensions["xephang_printer"]
    jobs = printing.service.printer.jobs
    assert [job.name for job in jobs] == ["HT-01"]
    store = app.extensions["xephang"].store
    assert store.db["ticket_prints"].count == 0  # not a ticket's paper
    assert_error(client.post("/api/v1/procedures/KHONG-CO/print", headers=kiosk), 404)


def test_print_a_list_is_limited(client: Any, kiosk: Headers) -> None:
    for _ in range(6):
        assert client.post("/api/v1/procedures/CT-01/print", headers=kiosk).status_code == 200
    assert_error(client.post("/api/v1/procedures/CT-01/print", headers=kiosk), 429,
                 "lookup_print_limited")


def test_the_page_on_embedded_defaults(client: Any) -> None:
    page = client.get("/lookup").get_data(as_text=True)
    assert "Dữ liệu mẫu" in page and "Tìm thủ tục hành chính" in page
    assert "bạn" not in page.lower().replace("bản", "")
