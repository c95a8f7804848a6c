"""The procedure catalog of the look-up kiosk: importing it whole, and its form files.

`Catalog.import_file` reads a province's catalog (.xlsx, .csv in UTF-8 with or without
BOM, or .json: a list of objects), checks every row against the domain's rules, copies
the forms it names (files next to the catalog) into `<data_dir>/forms/<version>/` under
safe names, and only then replaces the catalog in one transaction, with its audit row.
Any problem refuses the whole file with its line and reason, and the old catalog (rows
and forms) stays as it was. Formulas in an .xlsx are refused, not evaluated: the cached
value may be stale or missing, and a catalog citizens read must say what its file shows.

Until a catalog is imported, the sample catalog shipped in `sample/` (a dozen common
commune procedures written for this product, labelled as sample data) is loaded, so the
kiosk is useful on embedded defaults.

>>> from datetime import datetime
>>> from pathlib import Path
>>> import tempfile
>>> from queue_core.config import load_settings
>>> from queue_core.storage import Store
>>> catalog = Catalog(Store.open(":memory:"), load_settings(env={}),
...                   forms_dir=Path(tempfile.mkdtemp()), now=datetime.now)
>>> catalog.ensure_loaded()
>>> catalog.procedure("HT-01").name
'Đăng ký khai sinh'
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import secrets
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from queue_core.config import Settings
from queue_core.domain import catalog as rules
from queue_core.domain.catalog import FormFile, Procedure
from queue_core.domain.clock import time_text
from queue_core.domain.errors import CatalogInvalid, CatalogTooLarge, NotFound
from queue_core.service import audit
from queue_core.storage import Store

log = logging.getLogger("xephang.catalog")

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_CATALOG = SAMPLE_DIR / "catalog.csv"
SAMPLE_SOURCE = "sample"
FORMATS = (".xlsx", ".csv", ".json")
MAX_FORM_BYTES = 20 * 1024 * 1024
CATALOG_IMPORTED = "catalog_imported"

Row = tuple[int, dict[str, str]]


@dataclasses.dataclass(frozen=True)
class Imported:
    """What an import put in place."""

    procedures: int
    forms: int
    version: str
    source: str


def megabytes(size: int) -> str:
    """Return a size as people read it: '50.0 MB'."""
    return f"{size / 1024 / 1024:.1f} MB"


class Catalog:
    """The box's procedure catalog: import, read, and where each form's file is kept."""

    def __init__(self, store: Store, settings: Settings, *, forms_dir: Path,
                 now: Callable[[], datetime]) -> None:
        self.store = store
        self.settings = settings
        self.forms_dir = forms_dir
        self.now = now
        self._loading = threading.Lock()
        self._checked = False

    # --- reading ---------------------------------------------------------------------------

    def ensure_loaded(self) -> None:
        """Load the sample catalog if none was ever imported (and samples are wanted)."""
        if self._checked:
            return
        with self._loading:
            if self._checked:
                return
            if self.settings.lookup.sample_catalog and self.facts() is None:
                try:
                    self.import_file(SAMPLE_CATALOG, actor="system", source=SAMPLE_SOURCE,
                                     forms_from=SAMPLE_DIR / "forms")
                except CatalogInvalid as exc:
                    # A center whose fields differ from the built-in ones: no sample fits.
                    log.warning("the sample catalog does not fit this center: %s",
                                exc.message("en"))
            self._checked = True

    def facts(self) -> dict[str, Any] | None:
        """Return the catalog's source, import time, size, and whether it is the sample."""
        with self.store.read():
            facts = self.store.catalog_facts()
        if facts is None:
            return None
        return {**facts, "sample": facts["source"] == SAMPLE_SOURCE}

    def procedure(self, code: str) -> Procedure:
        """Return the procedure with `code`, or raise NotFound."""
        self.ensure_loaded()
        with self.store.read():
            found = self.store.procedure(code)
        if found is None:
            raise NotFound("unknown_procedure", procedure=code[:80])
        return found

    def form(self, code: str, file: str) -> tuple[FormFile, Path]:
        """Return a procedure's form and the path of its kept file, or raise NotFound."""
        procedure = self.procedure(code)
        facts = self.facts()
        for form in procedure.forms:
            if form.file == file and facts is not None:
                path = self.forms_dir / facts["version"] / form.file
                if path.is_file():
                    return form, path
        raise NotFound("unknown_form")

    # --- importing -------------------------------------------------------------------------

    def import_file(self, path: Path, *, actor: str, forms_from: Path | None = None,
                    source: str | None = None) -> Imported:
        """Replace the catalog with the one in `path` (forms looked up in `forms_from`)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise CatalogInvalid(None, "unknown_format")
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CatalogInvalid(None, "unreadable", detail=exc.strerror or str(exc)) from None
        if size > rules.MAX_FILE_BYTES:
            raise CatalogTooLarge(size=megabytes(size), limit=megabytes(rules.MAX_FILE_BYTES))
        rows = self._procedures(read_rows(path))
        base = Path(forms_from) if forms_from is not None else path.parent
        version = f"{self.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        target = self.forms_dir / version
        try:
            procedures, copied = self._copy_forms(rows, base, target)
            with self.store.write():
                self.store.replace_catalog(procedures, version=version,
                                           source=source or path.name, at=time_text(self.now()))
                audit.add(self.store, actor=actor, action=CATALOG_IMPORTED,
                          target=(source or path.name)[:200], now=self.now(),
                          detail=f"{len(procedures)} procedures, {copied} forms")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        self._checked = True
        self._forget_other_versions(version)
        return Imported(len(rows), copied, version, source or path.name)

    def _procedures(self, rows: Iterator[Row]) -> list[tuple[int, Procedure]]:
        """Return every row's procedure with its line; refuse the file at its first problem."""
        services = {s.code for s in self.settings.services}
        seen: dict[str, int] = {}
        found: list[tuple[int, Procedure]] = []
        for line, row in rows:
            if len(found) >= rules.MAX_ROWS:
                raise CatalogInvalid(line, "too_many_rows", limit=rules.MAX_ROWS)
            procedure = rules.procedure_from_row(row, line=line, services=services)
            if procedure.code in seen:
                raise CatalogInvalid(line, "duplicate_code", code=procedure.code,
                                     first=seen[procedure.code])
            seen[procedure.code] = line
            found.append((line, procedure))
        if not found:
            raise CatalogInvalid(None, "no_rows")
        return found

    @staticmethod
    def _copy_forms(procedures: list[tuple[int, Procedure]], base: Path,
                    target: Path) -> tuple[list[Procedure], int]:
        """Copy every named form into `target`; return the procedures with the kept names."""
        kept: dict[str, str] = {}  # source as written → name kept
        root = base.resolve()
        result = []
        for line, procedure in procedures:
            forms = []
            for form in procedure.forms:
                if form.source not in kept:
                    name = _free_name(form.file, set(kept.values()))
                    _copy_form(root, form.source, target / name, line=line)
                    kept[form.source] = name
                forms.append(dataclasses.replace(form, file=kept[form.source]))
            result.append(dataclasses.replace(procedure, forms=tuple(forms)))
        return result, len(kept)

    def _forget_other_versions(self, keep: str) -> None:
        if not self.forms_dir.is_dir():
            return
        for folder in self.forms_dir.iterdir():
            if folder.is_dir() and folder.name != keep:
                shutil.rmtree(folder, ignore_errors=True)


def _free_name(name: str, taken: set[str]) -> str:
    """Return `name`, or `name-2`, `name-3`… when two forms would be kept under one name."""
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    number = 2
    while f"{stem}-{number}{dot}{suffix}" in taken:
        number += 1
    return f"{stem}-{number}{dot}{suffix}"


def _copy_form(root: Path, source: str, destination: Path, *, line: int | None) -> None:
    candidate = (root / source.replace("\\", "/")).resolve()
    if not candidate.is_relative_to(root):
        raise CatalogInvalid(line, "form_path_outside", form=source[:200])
    if not candidate.is_file():
        raise CatalogInvalid(line, "form_missing", form=source[:200])
    try:
        if candidate.stat().st_size > MAX_FORM_BYTES:
            raise CatalogInvalid(line, "form_too_large", form=source[:200],
                                 limit=megabytes(MAX_FORM_BYTES))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(candidate, destination)
    except OSError as exc:
        raise CatalogInvalid(line, "form_unreadable", form=source[:200],
                             detail=exc.strerror or type(exc).__name__) from None


# --- reading the file's rows -----------------------------------------------------------------------

def read_rows(path: Path) -> Iterator[Row]:
    """Yield (line, cells by column) for every non-empty row after a complete header."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx_table(path)
    elif suffix == ".csv":
        table = _csv_table(_text(path))
    else:
        yield from _json_rows(_text(path))
        return
    header: list[str] | None = None
    for line, cells in table:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [rules.normal_column(cell) for cell in cells]
            missing = rules.missing_columns(header)
            if missing:
                raise CatalogInvalid(line, "missing_column", column=missing[0],
                                     columns=", ".join(rules.COLUMNS))
            continue
        yield line, {name: cells[i] if i < len(cells) else ""
                     for i, name in enumerate(header) if name}
    if header is None:
        raise CatalogInvalid(None, "no_rows")


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogInvalid(None, "not_utf8") from None
    except OSError as exc:
        raise CatalogInvalid(None, "unreadable", detail=exc.strerror or str(exc)) from None


def _csv_table(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CatalogInvalid(start, "unreadable", detail=str(exc)) from None


def _xlsx_table(path: Path) -> Iterator[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise CatalogInvalid(None, "unreadable", detail=type(exc).__name__) from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise CatalogInvalid(number, "formula", cell=cell.coordinate,
                                         formula=str(cell.value)[:60])
                cells.append(_cell_text(cell.value))
            yield number, cells
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == datetime.min.time() \
            else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _json_rows(text: str) -> Iterator[Row]:
    """Yield the objects of a JSON list with the line each one starts on."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        raise CatalogInvalid(None, "bad_json", detail="expected [")
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return
    while True:
        line = text.count("\n", 0, position) + 1
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise CatalogInvalid(text.count("\n", 0, exc.pos) + 1, "bad_json",
                                 detail=exc.msg) from None
        if not isinstance(item, dict):
            raise CatalogInvalid(line, "not_an_object")
        yield line, {rules.normal_column(key): _json_cell(value) for key, value in item.items()}
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            continue
        if text.startswith("]", position):
            return
        raise CatalogInvalid(text.count("\n", 0, position) + 1, "bad_json",
                             detail="expected , or ]")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _json_cell(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_json_cell(item) for item in value)
    return _cell_text(value)


__all__ = ["CATALOG_IMPORTED", "Catalog", "Imported", "read_rows"]
