"""Where a citizen's dossier stands, from the province's one-door system (`[lookup]`).

A connector answers for a receipt's code (phiếu tiếp nhận) with a `Dossier` (code,
status, dates: nothing personal), None when the system does not know the code, or raises
ConnectorUnavailable. `DossierLookup` adds what the public route needs: a limit per
address (so codes cannot be enumerated) and the plain Vietnamese sentence.

Connectors, chosen by `lookup.connector`:

* `none`: dossier look-up is off (503 `connector_unavailable`);
* `file`: the system's periodic export (.xlsx or .csv), reread when its modification time
  or size changes. A file still being written is not read until it has been left alone
  for `SETTLE_SECONDS`, and an export that does not read whole (a truncated spreadsheet,
  a row cut short, bytes that are not UTF-8) is refused: the previous data stays;
* `rest`: `rest_url` with `{code}`, fields found in its JSON through `rest_fields`. Each
  request runs on a small pool and is given up after `timeout_seconds`, so a slow or hung
  system never holds a kiosk; answers are kept `cache_seconds`.

>>> from queue_core.config import load_settings
>>> lookup = DossierLookup(load_settings(env={}))
>>> answer = lookup.status("MAU-0002", address="192.0.2.1")
>>> answer["status"], answer["status_text"]
('processing', 'Hồ sơ của ông/bà đang được giải quyết.')
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import tzinfo
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

from queue_core.config import LookupSettings, Settings
from queue_core.domain import vocabulary
from queue_core.domain.clock import time_text
from queue_core.domain.dossiers import Dossier, normal_code, parse_moment, status_key, status_of
from queue_core.domain.errors import ConnectorUnavailable, InvalidInput, NotFound
from queue_core.service.throttle import Throttle

log = logging.getLogger("xephang.dossiers")

SAMPLE_EXPORT = Path(__file__).resolve().parent / "sample" / "dossiers.csv"
# An export changed less than this long ago may still be being written.
SETTLE_SECONDS = 2.0
MAX_EXPORT_BYTES = 50 * 1024 * 1024
# The usual column names of one-door exports (compared without accents or case).
USUAL_COLUMNS = {
    "code": "code", "ma ho so": "code", "so ho so": "code", "ma": "code",
    "status": "status", "trang thai": "status", "tinh trang": "status",
    "received at": "received_at", "ngay tiep nhan": "received_at", "ngay nhan": "received_at",
    "due at": "due_at", "ngay hen tra": "due_at", "hen tra": "due_at",
    "ngay hen tra ket qua": "due_at",
    "updated at": "updated_at", "ngay cap nhat": "updated_at", "cap nhat": "updated_at",
}
REST_WORKERS = 4


class Connector(Protocol):
    """Finds a dossier by its code in the one-door system."""

    def find(self, code: str) -> Dossier | None: ...


class NoConnector:
    """Dossier look-up is off on this box."""

    def find(self, code: str) -> Dossier | None:
        raise ConnectorUnavailable()


def _columns(header: list[Any], own: Mapping[str, str]) -> dict[int, str]:
    """Return which contract key each header cell holds (the center's names first)."""
    named = {status_key(source): target for source, target in own.items()}
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = status_key(str(cell or ""))
        target = named.get(key) or USUAL_COLUMNS.get(key)
        if target and target not in found.values():
            found[index] = target
    return found


class FileConnector:
    """Reads the one-door system's export; keeps the last export that read whole."""

    def __init__(self, path: Path, *, columns: Mapping[str, str] | None = None,
                 statuses: Mapping[str, str] | None = None, zone: tzinfo | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.columns = dict(columns or {})
        self.statuses = dict(statuses or {})
        self.zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")
        self.clock = clock
        self._dossiers: dict[str, Dossier] | None = None
        self._seen: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def find(self, code: str) -> Dossier | None:
        dossiers = self._current()
        if dossiers is None:
            raise ConnectorUnavailable()
        return dossiers.get(code.upper())

    def _current(self) -> dict[str, Dossier] | None:
        with self._lock:
            try:
                info = self.path.stat()
            except OSError:
                return self._dossiers
            signature = (info.st_mtime_ns, info.st_size)
            if signature == self._seen:
                return self._dossiers
            if self._dossiers is not None and self.clock() - info.st_mtime < SETTLE_SECONDS:
                return self._dossiers  # still being written, perhaps: ask again later
            self._seen = signature
            try:
                self._dossiers = self._read(info.st_size)
                log.info("read %d dossiers from %s", len(self._dossiers), self.path)
            except (ValueError, OSError, zipfile.BadZipFile, KeyError) as exc:
                log.warning("the export %s does not read whole (%s); keeping the previous data",
                            self.path, exc)
            return self._dossiers

    def _read(self, size: int) -> dict[str, Dossier]:
        if size > MAX_EXPORT_BYTES:
            raise ValueError(f"{size} bytes is more than an export should be")
        rows = self._xlsx_rows() if self.path.suffix.lower() == ".xlsx" else self._csv_rows()
        header: list[Any] | None = None
        columns: dict[int, str] = {}
        found: dict[str, Dossier] = {}
        unknown = 0
        for number, cells in rows:
            if not any(str(c or "").strip() for c in cells):
                continue
            if header is None:
                header = cells
                columns = _columns(header, self.columns)
                if not {"code", "status"} <= set(columns.values()):
                    raise ValueError("the header names no code or no status column")
                continue
            if number and len(cells) != len(header):
                raise ValueError(f"line {number} has {len(cells)} cells, the header "
                                 f"{len(header)}: the file is cut short")
            values = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
            code = str(values.get("code") or "").strip()
            status = status_of(values.get("status"), self.statuses)
            if not code:
                continue
            if status is None:
                unknown += 1
                continue
            found[code.upper()] = Dossier(code, status, **{
                key: self._moment(values.get(key)) for key in ("received_at", "due_at",
                                                               "updated_at")})
        if header is None:
            raise ValueError("the export is empty")
        if unknown:
            log.warning("%d dossiers of %s have a status no mapping knows (lookup.status_map)",
                        unknown, self.path)
        return found

    def _moment(self, value: Any) -> Any:
        try:
            return parse_moment(value, self.zone)
        except ValueError:
            return None

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        text = self.path.read_bytes().decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            for cells in reader:
                yield reader.line_num, list(cells)
        except csv.Error as exc:
            raise ValueError(str(exc)) from None

    def _xlsx_rows(self) -> Iterator[tuple[int, list[Any]]]:
        import openpyxl

        book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield 0, list(row)  # a spreadsheet's short rows are only empty cells left out
        finally:
            book.close()


class RestConnector:
    """Asks the one-door system's REST API, on a small pool, each answer within a deadline."""

    def __init__(self, url: str, *, timeout: float, cache_seconds: float = 60,
                 fields: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                 statuses: Mapping[str, str] | None = None, zone: tzinfo | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.fields = {"code": "code", "status": "status", "received_at": "received_at",
                       "due_at": "due_at", "updated_at": "updated_at", **(fields or {})}
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.statuses = dict(statuses or {})
        self.zone = zone or ZoneInfo("Asia/Ho_Chi_Minh")
        self.clock = clock
        self._cache: dict[str, tuple[float, Dossier | None]] = {}
        self._pool = ThreadPoolExecutor(max_workers=REST_WORKERS, thread_name_prefix="one-door")
        self._busy = 0
        self._lock = threading.Lock()

    def find(self, code: str) -> Dossier | None:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(code)
            if cached is not None and cached[0] > now:
                return cached[1]
            if self._busy >= REST_WORKERS:
                # Every worker waits on a hung system already: do not queue behind them.
                raise ConnectorUnavailable()
            self._busy += 1
        future = self._pool.submit(self._ask, code)
        future.add_done_callback(lambda _: self._done())
        try:
            answer = future.result(timeout=self.timeout)
        except FutureTimeout:
            log.warning("the one-door system did not answer within %.1f s", self.timeout)
            raise ConnectorUnavailable() from None
        with self._lock:
            self._cache[code] = (self.clock() + self.cache_seconds, answer)
            if len(self._cache) > 5000:
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        return answer

    def _done(self) -> None:
        with self._lock:
            self._busy -= 1

    def _ask(self, code: str) -> Dossier | None:
        url = self.url.replace("{code}", quote(code, safe=""))
        try:
            response = requests.get(url, headers=self.headers, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("the one-door system cannot be reached: %s", exc)
            raise ConnectorUnavailable() from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning("the one-door system answered %s", response.status_code)
            raise ConnectorUnavailable()
        try:
            data = response.json()
        except ValueError:
            log.warning("the one-door system answered something that is not JSON")
            raise ConnectorUnavailable() from None
        status = status_of(_dig(data, self.fields["status"]), self.statuses)
        if status is None:
            log.warning("the one-door system's answer holds no status we know")
            raise ConnectorUnavailable()
        try:
            moments = {key: parse_moment(_dig(data, self.fields[key]), self.zone)
                       for key in ("received_at", "due_at", "updated_at")}
        except ValueError:
            raise ConnectorUnavailable() from None
        answered = _dig(data, self.fields["code"])
        return Dossier(str(answered) if isinstance(answered, (str, int)) else code, status,
                       **moments)


def _dig(data: Any, path: str) -> Any:
    """Return the value at a dotted path ('data.trangThai'), or None."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def connector_for(settings: Settings) -> Connector:
    """Return the connector `settings.lookup` names."""
    lookup: LookupSettings = settings.lookup
    zone = ZoneInfo(settings.center.timezone)
    if lookup.connector == "file":
        return FileConnector(Path(lookup.file) if lookup.file else SAMPLE_EXPORT,
                             columns=lookup.file_columns, statuses=lookup.status_map, zone=zone)
    if lookup.connector == "rest":
        return RestConnector(lookup.rest_url, timeout=lookup.timeout_seconds,
                             cache_seconds=lookup.cache_seconds, fields=lookup.rest_fields,
                             headers=lookup.rest_headers, statuses=lookup.status_map, zone=zone)
    return NoConnector()


class DossierLookup:
    """The public dossier status: at most `lookups_per_minute` per address, plain words."""

    def __init__(self, settings: Settings, connector: Connector | None = None) -> None:
        self.settings = settings
        self.connector = connector or connector_for(settings)
        self.throttle = Throttle(limit=settings.lookup.lookups_per_minute, window=60)

    @property
    def enabled(self) -> bool:
        return not isinstance(self.connector, NoConnector)

    def status(self, code: str, *, address: str) -> dict[str, Any]:
        """Return the contract's dossier answer for `code`, asked from `address`."""
        self.throttle.hit(address)
        wanted = normal_code(code)
        if wanted is None:
            raise InvalidInput(field="code", reason="the code on the receipt: letters, digits, "
                                                    "'.', '-' (3 to 64)")
        dossier = self.connector.find(wanted)
        if dossier is None:
            raise NotFound("unknown_dossier", dossier=wanted)
        return {
            "code": dossier.code,
            "status": dossier.status,
            "status_text": vocabulary.dossier_status_text(dossier.status, self.results_place()),
            "received_at": time_text(dossier.received_at),
            "due_at": time_text(dossier.due_at),
            "updated_at": time_text(dossier.updated_at),
        }

    def results_place(self) -> str:
        """Name the counters where results are handed over ("Quầy 5"), or the usual words."""
        field = self.settings.lookup.results_service
        names = [c.display_name for c in self.settings.counters if field in c.services]
        return " hoặc ".join(names) if names else vocabulary.RESULTS_PLACE


__all__ = ["Connector", "DossierLookup", "FileConnector", "NoConnector", "RestConnector",
           "connector_for"]
