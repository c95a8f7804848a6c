"""The procedure catalog's rules: what a row must hold, and how Vietnamese text is folded.

A province publishes its administrative procedures (thủ tục hành chính) as a table with
the columns of CONTRACT.md; one row is one procedure. Cells that hold several items
(required documents, legal basis, form files) put one item per line.

Search must find "Chứng thực bản sao" whether it is typed with accents or without,
and Unicode decomposition does not take the stroke off "đ": `fold` turns đ into d (and
lowers the case) before text reaches the full-text index, which removes the other marks
itself; `plain` removes every mark, for the fuzzy matcher and for file names.

>>> fold("Đăng ký khai sinh")
'dăng ký khai sinh'
>>> plain("Đăng ký khai sinh")
'dang ky khai sinh'
>>> search_tokens('"chứng thực" NEAR(*bản -sao):')
['chứng', 'thực', 'near', 'bản', 'sao']
>>> form_file_name("Tờ khai đăng ký khai sinh.docx")
'to-khai-dang-ky-khai-sinh.docx'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from queue_core.domain.errors import CatalogInvalid

COLUMNS = ("code", "name", "service", "level", "deadline", "fee", "documents", "legal_basis",
           "forms")
REQUIRED_VALUES = ("code", "name", "service")
LIST_COLUMNS = ("documents", "legal_basis", "forms")

# A catalog file larger than this is refused before it is read (a Pi has little memory).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000
MAX_CELL_CHARS = 20_000
MAX_NAME_CHARS = 500
# What a search reads of a query: a pasted page of text is cut, never an error.
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 12

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
# Form templates citizens download; anything else (a page, a script) is not served.
FORM_EXTENSIONS = (".doc", ".docx", ".odt", ".rtf", ".pdf", ".xls", ".xlsx", ".ods", ".txt",
                   ".jpg", ".jpeg", ".png")
# "- ", "• ", "1. ", "2) " before an item: the list is numbered by whoever shows it.
BULLET_RE = re.compile(r"^\s*(?:[-–•*+]|\d{1,2}[.)])\s+")
WORD_RE = re.compile(r"\w+")
LETTER_DIGIT_RE = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


@dataclass(frozen=True)
class FormFile:
    """A form template of a procedure: how it reads, the file as named, the file as kept."""

    name: str
    source: str
    file: str


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure of the catalog."""

    code: str
    name: str
    service: str
    level: str = ""
    deadline: str = ""
    fee: str = ""
    documents: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    forms: tuple[FormFile, ...] = ()


# --- folding -------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Return `text` composed, in lower case, with đ as d (the index removes the other marks).

    Letters and digits that touch are parted, so "HT01" and "HT-01" read alike:

    >>> fold("Mẫu HT01")
    'mẫu ht 01'
    """
    return LETTER_DIGIT_RE.sub(" ", unicodedata.normalize("NFC", text).lower().replace("đ", "d"))


def plain(text: str) -> str:
    """Return `text` folded and without any mark: 'Chứng thực' → 'chung thuc'."""
    decomposed = unicodedata.normalize("NFD", fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_tokens(query: str) -> list[str]:
    """Return the plain words of a query, folded; syntax characters are dropped, never parsed.

    >>> search_tokens("x" * 10_000) == ["x" * MAX_QUERY_CHARS]
    True
    """
    words = WORD_RE.findall(fold(query[:MAX_QUERY_CHARS]))
    return [w.replace("_", "") for w in words if w.replace("_", "")][:MAX_QUERY_TOKENS]


# --- rows ------------------------------------------------------------------------------------------

def missing_columns(header: Collection[str]) -> list[str]:
    """Return the catalog columns a header lacks, in the contract's order."""
    present = {normal_column(name) for name in header}
    return [column for column in COLUMNS if column not in present]


def normal_column(name: object) -> str:
    """Return a header cell as a column name: 'Legal basis ' → 'legal_basis'."""
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower())


def items(cell: str) -> tuple[str, ...]:
    """Split a multi-item cell at its line breaks, without bullets or empty lines.

    >>> items("- Tờ khai\\n\\n2. Bản chính giấy tờ ")
    ('Tờ khai', 'Bản chính giấy tờ')
    """
    found = []
    for line in cell.splitlines():
        item = BULLET_RE.sub("", line).strip()
        if item:
            found.append(item)
    return tuple(found)


def procedure_from_row(row: Mapping[str, str], *, line: int,
                       services: Collection[str]) -> Procedure:
    """Check one row (text cells by column name) and return its procedure.

    Form files are checked by name only here; whether they can be read is the importer's
    business. Raises CatalogInvalid naming the line and the reason.
    """
    values = {column: str(row.get(column) or "").strip() for column in COLUMNS}
    for column, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            raise CatalogInvalid(line, "cell_too_long", column=column, limit=MAX_CELL_CHARS)
    for column in REQUIRED_VALUES:
        if not values[column]:
            raise CatalogInvalid(line, "empty_value", column=column)
    code = values["code"]
    if not CODE_RE.match(code):
        raise CatalogInvalid(line, "bad_code", code=code[:80])
    if len(values["name"]) > MAX_NAME_CHARS:
        raise CatalogInvalid(line, "cell_too_long", column="name", limit=MAX_NAME_CHARS)
    service = values["service"].upper()
    if service not in services:
        raise CatalogInvalid(line, "unknown_service", service=values["service"][:20],
                             known=", ".join(sorted(services)))
    forms = []
    for source in items(values["forms"]):
        reason = form_name_problem(source)
        if reason:
            raise CatalogInvalid(line, reason, form=source[:200],
                                 allowed=" ".join(FORM_EXTENSIONS))
        forms.append(FormFile(name=form_title(source), source=source,
                              file=form_file_name(source)))
    return Procedure(
        code=code, name=" ".join(values["name"].split()), service=service,
        level=values["level"], deadline=values["deadline"], fee=values["fee"],
        documents=items(values["documents"]), legal_basis=items(values["legal_basis"]),
        forms=tuple(forms))


def form_name_problem(source: str) -> str | None:
    """Return why a form's file name is refused (a path out of the folder, a page), or None."""
    if "\x00" in source or PurePosixPath(source).is_absolute() \
            or PureWindowsPath(source).is_absolute() or PureWindowsPath(source).drive:
        return "form_path_outside"
    parts = re.split(r"[\\/]", source)
    if any(part in ("", ".", "..") for part in parts):
        return "form_path_outside"
    if PurePosixPath(parts[-1]).suffix.lower() not in FORM_EXTENSIONS:
        return "form_type_refused"
    return None


def form_title(source: str) -> str:
    """Return how a form reads: its file name without folders and extension."""
    name = re.split(r"[\\/]", source)[-1]
    stem = PurePosixPath(name).stem
    return " ".join(stem.replace("_", " ").split()) or name


def form_file_name(source: str) -> str:
    """Return the safe name a form is kept under: plain letters, digits and dashes."""
    name = re.split(r"[\\/]", source)[-1]
    path = PurePosixPath(name)
    stem = re.sub(r"[^a-z0-9]+", "-", plain(path.stem)).strip("-")[:80] or "mau-don"
    return stem + path.suffix.lower()


__all__ = [
    "COLUMNS", "FORM_EXTENSIONS", "MAX_FILE_BYTES", "FormFile", "Procedure", "fold",
    "form_file_name", "items", "missing_columns", "plain", "procedure_from_row",
    "search_tokens",
]
