"""Importing the procedure catalog: all or nothing, forms copied safely, the sample on defaults."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from queue_core.config import Settings
from queue_core.domain.clock import FakeClock
from queue_core.domain.errors import CatalogInvalid, CatalogTooLarge, NotFound
from queue_core.service import audit
from queue_core.service.catalog import SAMPLE_SOURCE, Catalog
from queue_core.storage import Store

COLUMNS = ["code", "name", "service", "level", "deadline", "fee", "documents", "legal_basis",
           "forms"]


def row(code: str, name: str, service: str = "B", forms: str = "", documents: str = "Tờ khai"
        ) -> dict[str, str]:
    return {"code": code, "name": name, "service": service, "level": "Cấp xã",
            "deadline": "Trong ngày", "fee": "Miễn phí", "documents": documents,
            "legal_basis": "Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP", "forms": forms}


def write_csv(path: Path, rows: list[dict[str, str]], *, columns: list[str] = COLUMNS,
              bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


@pytest.fixture
def catalog(store: Store, settings: Settings, clock: FakeClock, tmp_path: Path) -> Catalog:
    return Catalog(store, settings.replace(lookup={"sample_catalog": False}),
                   forms_dir=tmp_path / "var" / "forms", now=clock.now)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "tinh"
    folder.mkdir()
    (folder / "Tờ khai đăng ký khai sinh.docx").write_bytes(b"PK docx bytes")
    (folder / "To khai ket hon.pdf").write_bytes(b"%PDF-1.4 pdf bytes")
    return folder


def good_rows() -> list[dict[str, str]]:
    return [row("HT-01", "Đăng ký khai sinh", forms="Tờ khai đăng ký khai sinh.docx"),
            row("HT-02", "Đăng ký kết hôn", forms="To khai ket hon.pdf\nTờ khai đăng ký khai sinh.docx"),
            row("CT-01", "Chứng thực bản sao từ bản chính", service="A")]


def forms_on_disk(catalog: Catalog) -> list[str]:
    return sorted(str(p.relative_to(catalog.forms_dir)) for p in catalog.forms_dir.rglob("*")
                  if p.is_file())


# --- the happy paths ------------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [False, True])
def test_csv_import_copies_forms_under_safe_names(catalog: Catalog, source: Path,
                                                  bom: bool) -> None:
    imported = catalog.import_file(write_csv(source / "danh-muc.csv", good_rows(), bom=bom),
                                   actor="cli:root")
    assert (imported.procedures, imported.forms) == (3, 2)
    procedure = catalog.procedure("HT-02")
    assert [f.file for f in procedure.forms] == ["to-khai-ket-hon.pdf",
                                                 "to-khai-dang-ky-khai-sinh.docx"]
    assert procedure.legal_basis == ("Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP")
    form, path = catalog.form("HT-01", "to-khai-dang-ky-khai-sinh.docx")
    assert form.name == "Tờ khai đăng ký khai sinh" and path.read_bytes() == b"PK docx bytes"
    assert path.parent.parent == catalog.forms_dir
    facts = catalog.facts()
    assert facts is not None and facts["source"] == "danh-muc.csv" and facts["procedures"] == 3


def test_xlsx_and_json_imports(catalog: Catalog, source: Path) -> None:
    values = [[r[c] for c in COLUMNS] for r in good_rows()]
    values[2][5] = 50000.0  # a fee typed as a number reads as one
    assert catalog.import_file(write_xlsx(source / "danh-muc.xlsx", values),
                               actor="t").procedures == 3
    assert catalog.procedure("CT-01").fee == "50000"
    items = [{**r, "documents": r["documents"].split("\n")} for r in good_rows()]
    (source / "danh-muc.json").write_text(json.dumps(items, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    assert catalog.import_file(source / "danh-muc.json", actor="t").procedures == 3


def test_a_new_catalog_replaces_the_old_one_whole(catalog: Catalog, source: Path,
                                                  store: Store) -> None:
    catalog.import_file(write_csv(source / "cu.csv", good_rows()), actor="t")
    first = forms_on_disk(catalog)
    catalog.import_file(write_csv(source / "moi.csv", [row("XD-01", "Cấp giấy phép xây dựng",
                                                           service="C")]), actor="t")
    with pytest.raises(NotFound):
        catalog.procedure("HT-01")
    assert catalog.procedure("XD-01").service == "C"
    assert forms_on_disk(catalog) == [] and first  # the old catalog's forms went with it
    assert [e["action"] for e in audit.entries(store)].count("catalog_imported") == 2


# --- bad files: a clear message, and the old catalog untouched ----------------------------------

def refused(catalog: Catalog, path: Path, **kwargs: Any) -> CatalogInvalid | CatalogTooLarge:
    before = (catalog.facts(), forms_on_disk(catalog))
    with pytest.raises((CatalogInvalid, CatalogTooLarge)) as caught:
        catalog.import_file(path, actor="t", **kwargs)
    assert (catalog.facts(), forms_on_disk(catalog)) == before
    assert catalog.procedure("HT-01").name == "Đăng ký khai sinh"
    return caught.value


@pytest.fixture
def imported(catalog: Catalog, source: Path) -> Catalog:
    catalog.import_file(write_csv(source / "goc.csv", good_rows()), actor="t")
    return catalog


def test_a_missing_column(imported: Catalog, source: Path) -> None:
    error = refused(imported, write_csv(source / "x.csv", good_rows(),
                                        columns=[c for c in COLUMNS if c != "fee"]))
    assert error.line == 1 and "fee" in error.message("en")


def test_a_duplicated_code_names_both_lines(imported: Catalog, source: Path) -> None:
    rows = good_rows() + [row("HT-02", "Đăng ký kết hôn lần hai")]
    error = refused(imported, write_csv(source / "x.csv", rows))
    # Lines of the file, not rows: the header is line 1 and each row's legal basis takes two
    # lines, so HT-01 is on lines 2–3, HT-02 starts on line 4, CT-01 on 7, the second HT-02 on 9.
    assert error.message("en") == ("The catalog was not imported. Line 9: the code HT-02 is "
                                   "already on line 4.")


def test_an_unknown_field(imported: Catalog, source: Path) -> None:
    error = refused(imported, write_csv(source / "x.csv", [row("Q-1", "Lạ", service="Q")]))
    assert error.line == 2 and "Q" in error.message()


def test_a_missing_or_unreadable_form(imported: Catalog, source: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    error = refused(imported, write_csv(source / "x.csv", [row("A-1", "Một", forms="khong-co.docx")]))
    assert error.reason == "form_missing" and error.line == 2
    (source / "thu-muc.docx").mkdir()
    assert refused(imported, write_csv(source / "y.csv", [row("A-1", "Một",
                                                              forms="thu-muc.docx")])).reason == "form_missing"

    def unreadable(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(shutil, "copyfile", unreadable)
    error = refused(imported, write_csv(source / "z.csv", good_rows()))
    assert error.reason == "form_unreadable" and "Permission denied" in error.message("en")


def test_a_form_outside_the_folder_is_never_read(imported: Catalog, source: Path) -> None:
    (source.parent / "bi-mat.docx").write_bytes(b"secret")
    os.symlink(source.parent / "bi-mat.docx", source / "lien-ket.docx")
    for name in ("../bi-mat.docx", "lien-ket.docx"):
        error = refused(imported, write_csv(source / "x.csv", [row("A-1", "Một", forms=name)]))
        assert error.reason == "form_path_outside"


def test_a_50_megabyte_file(imported: Catalog, source: Path) -> None:
    big = source / "lon.csv"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    error = refused(imported, big)
    assert isinstance(error, CatalogTooLarge) and error.status == 413
    assert "50.0 MB" in error.message() and "20.0 MB" in error.message()


def test_formulas_are_refused_naming_the_cell(imported: Catalog, source: Path) -> None:
    values = [[r[c] for c in COLUMNS] for r in good_rows()]
    values[1][5] = "=SUM(1,2)"
    error = refused(imported, write_xlsx(source / "x.xlsx", values))
    assert error.line == 3 and "F3" in error.message() and "=SUM(1,2)" in error.message()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("x.csv", "code,name\n".encode("cp1258", "replace") + "Chứng".encode("utf-16"), "not_utf8"),
    ("x.xlsx", b"PK\x03\x04 not really a workbook", "unreadable"),
    ("x.json", b'{"code": "A"}', "bad_json"),
    ("x.json", json.dumps([row("A-1", "Một"), 3]).encode(), "not_an_object"),
    ("x.json", b'[{"code": "A-1",', "bad_json"),
    ("x.csv", ",".join(COLUMNS).encode() + b"\n", "no_rows"),
    ("x.txt", b"code", "unknown_format"),
])
def test_unreadable_files(imported: Catalog, source: Path, name: str, content: bytes,
                          reason: str) -> None:
    (source / name).write_bytes(content)
    assert refused(imported, source / name).reason == reason


def test_a_json_item_names_its_line(imported: Catalog, source: Path) -> None:
    text = json.dumps([row("A-1", "Một"), row("A-2", "Hai", service="Z")], ensure_ascii=False,
                      indent=2)
    (source / "x.json").write_text(text, encoding="utf-8")
    error = refused(imported, source / "x.json")
    assert error.line == text.splitlines().index("  {", 2) + 1


def test_a_failure_while_writing_keeps_the_old_catalog(imported: Catalog, source: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = imported.store
    real = store.replace_catalog

    def half_then_fail(procedures: Any, **kwargs: Any) -> None:
        real(procedures[:1], **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(store, "replace_catalog", half_then_fail)
    before = (imported.facts(), forms_on_disk(imported))
    with pytest.raises(OSError):
        imported.import_file(write_csv(source / "x.csv", [row("XD-01", "Xây dựng", service="C",
                                                              forms="To khai ket hon.pdf")]),
                             actor="t")
    assert (imported.facts(), forms_on_disk(imported)) == before
    assert imported.procedure("HT-02").forms


# --- the sample ---------------------------------------------------------------------------------------

def test_the_sample_is_loaded_on_defaults_and_only_until_an_import(
        store: Store, settings: Settings, clock: FakeClock, tmp_path: Path, source: Path) -> None:
    catalog = Catalog(store, settings, forms_dir=tmp_path / "forms", now=clock.now)
    catalog.ensure_loaded()
    facts = catalog.facts()
    assert facts is not None and facts["sample"] and facts["source"] == SAMPLE_SOURCE
    assert facts["procedures"] == 12
    every_form = [(p.code, f.file) for p in map(catalog.procedure, (
        "HT-01", "HT-02", "HT-03", "HT-04", "HT-05", "CTR-01", "HKD-01", "HKD-02", "TGXH-01",
        "XD-01")) for f in p.forms]
    assert len(every_form) == 11
    for code, file in every_form:
        assert catalog.form(code, file)[1].stat().st_size > 500
    catalog.import_file(write_csv(source / "x.csv", good_rows()), actor="t")
    again = Catalog(store, settings, forms_dir=tmp_path / "forms", now=clock.now)
    again.ensure_loaded()
    assert not again.facts()["sample"] and again.facts()["procedures"] == 3


def test_no_sample_when_the_center_does_not_want_it(store: Store, settings: Settings,
                                                    clock: FakeClock, tmp_path: Path) -> None:
    catalog = Catalog(store, settings.replace(lookup={"sample_catalog": False}),
                      forms_dir=tmp_path / "forms", now=clock.now)
    catalog.ensure_loaded()
    assert catalog.facts() is None
    with pytest.raises(NotFound):
        catalog.procedure("HT-01")
