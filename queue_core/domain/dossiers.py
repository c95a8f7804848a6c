"""A dossier's status (hồ sơ) as the one-door system reports it, in the contract's words.

The one-door (một cửa) software of a province names its statuses in its own way
("Đang giải quyết", "Chờ bổ sung", "DA_TRA_KQ"…). `status_of` maps such a word to one of
the contract's statuses, through a center's own map first and the usual wordings after,
comparing without accents or case. Only the code, the status and dates ever leave this
module: an export's other columns (the applicant's name, address…) are never read.

>>> status_of("Đang giải quyết")
'processing'
>>> status_of("da tra ket qua")
'returned'
>>> status_of("Chờ bổ sung hồ sơ", {"cho bo sung ho so": "additional_info_needed"})
'additional_info_needed'
>>> status_of("???") is None
True
>>> parse_moment("20/11/2026 08:30", VIETNAM).isoformat()
'2026-11-20T08:30:00+07:00'

A ticket's dossier code, as an officer types or scans it, is kept in one form:

>>> ticket_code("  000.00.12.h13-261123   0001 ")
'000.00.12.H13-261123 0001'
>>> ticket_code("A\\x07B")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
queue_core.domain.errors.InvalidInput: code
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from queue_core.domain.catalog import CODE_RE as PROCEDURE_CODE_RE
from queue_core.domain.catalog import plain
from queue_core.domain.clock import VIETNAM
from queue_core.domain.errors import InvalidInput

RECEIVED = "received"
PROCESSING = "processing"
ADDITIONAL_INFO_NEEDED = "additional_info_needed"
READY = "ready"
RETURNED = "returned"
REJECTED = "rejected"
STATUSES = (RECEIVED, PROCESSING, ADDITIONAL_INFO_NEEDED, READY, RETURNED, REJECTED)

# What a dossier answer holds, and the keys a connector's mapping may name.
FIELDS = ("code", "status", "received_at", "due_at", "updated_at")

# A receipt's code: letters, digits, dots, dashes, underscores; nothing a path could use.
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{2,63}$")

# The usual wordings of one-door systems, without accents, lower case.
USUAL_STATUS_WORDS: dict[str, str] = {
    "received": RECEIVED, "moi tiep nhan": RECEIVED, "da tiep nhan": RECEIVED,
    "tiep nhan": RECEIVED, "cho xu ly": RECEIVED, "moi": RECEIVED,
    "processing": PROCESSING, "dang xu ly": PROCESSING, "dang giai quyet": PROCESSING,
    "dang tham dinh": PROCESSING, "cho phe duyet": PROCESSING, "dang thu ly": PROCESSING,
    "additional_info_needed": ADDITIONAL_INFO_NEEDED, "yeu cau bo sung": ADDITIONAL_INFO_NEEDED,
    "cho bo sung": ADDITIONAL_INFO_NEEDED, "bo sung ho so": ADDITIONAL_INFO_NEEDED,
    "can bo sung": ADDITIONAL_INFO_NEEDED,
    "ready": READY, "cho tra ket qua": READY, "da co ket qua": READY, "co ket qua": READY,
    "returned": RETURNED, "da tra ket qua": RETURNED, "da tra": RETURNED,
    "hoan thanh": RETURNED,
    "rejected": REJECTED, "tu choi": REJECTED, "khong giai quyet": REJECTED,
    "tra lai": REJECTED,
}

DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S",
                "%d-%m-%Y %H:%M", "%d-%m-%Y")


@dataclass(frozen=True)
class Dossier:
    """What a citizen may see of a dossier: its code, status and dates, nothing personal."""

    code: str
    status: str
    received_at: datetime | None = None
    due_at: datetime | None = None
    updated_at: datetime | None = None


def status_key(word: str) -> str:
    """Return a status word as compared: no accents, lower case, words joined by one space."""
    return " ".join(re.split(r"[\s_\-]+", plain(word).strip()))


def status_of(word: object, own: Mapping[str, str] | None = None) -> str | None:
    """Return the contract's status for a one-door system's word, or None when unknown."""
    if word is None:
        return None
    key = status_key(str(word))
    if not key:
        return None
    for source, status in (own or {}).items():
        if status_key(source) == key:
            return status
    return USUAL_STATUS_WORDS.get(key) or USUAL_STATUS_WORDS.get(key.replace(" ", "_"))


def normal_code(code: str) -> str | None:
    """Return a receipt's code as looked up (trimmed), or None when it cannot be one."""
    code = code.strip()
    return code if CODE_RE.match(code) else None


# A dossier code on a ticket: trimmed, runs of spaces made one, upper case; then letters A–Z,
# digits, single spaces and . - _ / only, 3 to 50 characters (receipts' codes fit easily).
TICKET_CODE_MAX = 50
TICKET_CODE_RE = re.compile(r"^[A-Z0-9](?:[A-Z0-9._/\-]| (?! ))*$")
TICKET_CODE_RULE = "3 to 50 letters A–Z, digits, spaces and . - _ / (no control characters)"


def ticket_code(code: object) -> str:
    """Return a dossier code as kept on a ticket, or raise InvalidInput naming `code`."""
    if not isinstance(code, str) or any(
            ch not in " \u00a0" and (ch.isspace() or not ch.isprintable()) for ch in code):
        raise InvalidInput(field="code", reason=TICKET_CODE_RULE)
    text = " ".join(code.split()).upper()
    if not 3 <= len(text) <= TICKET_CODE_MAX or not TICKET_CODE_RE.match(text):
        raise InvalidInput(field="code", reason=TICKET_CODE_RULE)
    return text


def procedure_code(code: object) -> str:
    """Return a procedure's code as the catalog keeps it (trimmed), or raise naming it."""
    text = code.strip() if isinstance(code, str) else ""
    if not PROCEDURE_CODE_RE.match(text):
        raise InvalidInput(field="procedure",
                           reason="a procedure code of the catalog, such as 1.001234")
    return text


def parse_moment(value: object, zone: tzinfo = VIETNAM) -> datetime | None:
    """Return a date or time from an export cell (ISO, dd/mm/yyyy, a datetime), in `zone`.

    Raises ValueError for text that is no date; an empty cell is None.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if not text:
            return None
        moment = _parse_text(text)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def _parse_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"not a date: {text[:40]!r}")


__all__ = ["FIELDS", "STATUSES", "Dossier", "normal_code", "parse_moment", "procedure_code",
           "status_of", "ticket_code"]
