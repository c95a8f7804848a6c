"""`xephang catalog import FILE`: prints the count, or the bad line, and changes nothing then."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from queue_core.cli import main
from queue_core.config import load_settings
from queue_core.domain.clock import SystemClock
from queue_core.service import audit
from queue_core.service.catalog import Catalog
from queue_core.storage import Store

HEADER = "code,name,service,level,deadline,fee,documents,legal_basis,forms\n"


def facts(data_dir: Path) -> dict[str, object] | None:
    store = Store.in_data_dir(data_dir)
    try:
        catalog = Catalog(store, load_settings(env={"XEPHANG_DATA_DIR": str(data_dir)}),
                          forms_dir=data_dir / "forms", now=SystemClock().now)
        found = catalog.facts()
        if found is not None:
            found["actions"] = [e["action"] for e in audit.entries(store)]
        return found
    finally:
        store.close()


def test_import_prints_the_count(tmp_path: Path) -> None:
    (tmp_path / "mau.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "danh-muc.csv").write_text(
        HEADER + "A-1,Chứng thực,A,,,,,,mau.pdf\nB-1,Khai sinh,B,,,,,,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["catalog", "import", str(tmp_path / "danh-muc.csv"),
                                       "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert "imported 2 procedures and 1 forms from danh-muc.csv" in result.output
    found = facts(tmp_path / "var")
    assert found is not None and found["procedures"] == 2 and "catalog_imported" in found["actions"]


@pytest.mark.parametrize(("content", "said"), [
    (HEADER + "A-1,Một,A,,,,,,\nA-1,Hai,A,,,,,,\n", "Line 3: the code A-1 is already on line 2"),
    ("code,name\nA-1,Một\n", "Line 1: the column service is missing"),
    (HEADER + "A-1,Một,A,,,,,,khong-co.docx\n", "Line 2: the form file 'khong-co.docx'"),
])
def test_a_bad_file_names_its_line_and_imports_nothing(tmp_path: Path, content: str,
                                                       said: str) -> None:
    (tmp_path / "x.csv").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["catalog", "import", str(tmp_path / "x.csv"),
                                       "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 1 and said in result.output
    assert facts(tmp_path / "var") is None


def test_the_command_has_help() -> None:
    result = CliRunner().invoke(main, ["catalog", "import", "--help"])
    assert result.exit_code == 0 and ".xlsx, .csv or .json" in result.output
