"""Typed settings: the built-in center, a TOML file on top, `XEPHANG_*` variables on top of that.

>>> settings = load_settings(env={"XEPHANG_PORT": "8080"})
>>> settings.server.port, len(settings.counters)
(8080, 5)
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import threading
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardware.audio import AUDIO_BACKENDS
from hardware.printer import PRINTER_BACKENDS
from queue_core.domain import dossiers, vocabulary
from queue_core.domain.errors import ConfigError
from queue_core.domain.model import RATING_LEVELS
from queue_core.domain.outbox import OUTBOX_EVENTS
from queue_core.domain.speech import DEFAULT_RECALL_TEMPLATE, DEFAULT_TEMPLATE, DIALECTS

LABEL_STYLES = ("prefix", "numeric")
ASYNC_MODES = ("asyncio", "threading", "eventlet")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CenterSettings:
    """Who the center is and when it is open."""

    name: str = vocabulary.CENTER_NAME
    name_en: str = vocabulary.CENTER_NAME_EN
    subtitle: str = vocabulary.CENTER_SUBTITLE
    timezone: str = "Asia/Ho_Chi_Minh"
    opens_at: str = "07:00"
    closes_at: str = "17:30"
    # ISO weekdays (1 = Monday); many communes also open Saturday morning.
    workdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    label_style: str = "prefix"
    # Vietnam's public holidays (Tết and Giỗ Tổ by the lunar calendar) are closed days.
    public_holidays: bool = True
    # Open at any hour on any day, said on every screen: for trying the appliance out.
    demo: bool = False


@dataclass(frozen=True)
class PolicySettings:
    """How the next ticket is chosen and how waits are judged."""

    # A ticket waiting longer than this goes ahead of newer priority tickets (0 = off).
    aging_minutes: int = 0
    target_wait_minutes: int = 15
    # Service time assumed for estimates before the day has any history.
    default_service_minutes: float = 5.0
    # How many recent services of a field feed its estimate.
    eta_sample_size: int = 20


@dataclass(frozen=True)
class ServiceSettings:
    """One field (lĩnh vực) with its own number series."""

    code: str
    name: str
    name_en: str = ""
    open: bool = True
    # First number of this field's plain 4-digit series (label style "numeric").
    numeric_base: int = 0


@dataclass(frozen=True)
class CounterSettings:
    """One counter (quầy) and the fields it serves."""

    number: int
    services: tuple[str, ...]
    name: str = ""

    @property
    def display_name(self) -> str:
        return self.name or vocabulary.counter_name(self.number)


@dataclass(frozen=True)
class SpeechSettings:
    """What the loudspeaker says and how."""

    dialect: str = "north"
    template: str = DEFAULT_TEMPLATE
    recall_template: str = DEFAULT_RECALL_TEMPLATE
    voice: str = "vi"
    rate: int = 140
    volume: float = 1.0
    repeat: int = 2
    chime: bool = True
    # An announcement older than this (the queue fell behind) is dropped, not read late.
    max_age_seconds: float = 60.0
    synth_timeout_seconds: float = 5.0
    # Folder of recorded clips (one WAV per word); empty = synthesise.
    voice_pack: str = ""


@dataclass(frozen=True)
class HardwareSettings:
    """Which device backends this box drives."""

    printer: str = "fake"
    printer_host: str = ""
    printer_port: int = 9100
    printer_usb_vendor: int = 0
    printer_usb_product: int = 0
    printer_serial_device: str = ""
    printer_baudrate: int = 19200
    printer_file: str = ""
    printer_profile: str = "TM-T88III"
    printer_paper_width: int = 576
    printer_timeout_seconds: float = 2.0
    audio: str = "fake"
    # The loudspeaker hangs on this box: `xephang serve` runs the announcer too.
    speaker_attached: bool = True
    gpio: str = "none"


@dataclass(frozen=True)
class KioskSettings:
    """The ticket kiosk's behaviour."""

    # Seconds the number stays on screen before the start screen returns.
    return_seconds: int = 15
    # Tickets one kiosk may issue per minute (a child pressing fifty times gets a pause).
    tickets_per_minute: int = 12
    # Base address printed in the ticket's QR code (empty: the address the kiosk uses).
    public_url: str = ""
    footer: str = "Cảm ơn quý công dân. Vui lòng chờ gọi số."
    # After a ticket, the kiosk says its number once on its own speaker (never the hall's).
    speak: bool = True
    speak_volume: float = 0.6


@dataclass(frozen=True)
class DisplaySettings:
    """The wall and counter screens."""

    notice: str = ""
    # Seconds a new call stays highlighted.
    highlight_seconds: int = 8
    recent_calls: int = 8


@dataclass(frozen=True)
class RatingSettings:
    """The satisfaction levels offered and the reasons asked for when unsatisfied."""

    levels: tuple[str, ...] = vocabulary.DEFAULT_RATING_LEVELS
    labels: tuple[str, ...] = tuple(vocabulary.rating_name(level)
                                    for level in vocabulary.DEFAULT_RATING_LEVELS)
    reasons: tuple[str, ...] = vocabulary.DEFAULT_RATING_REASONS
    idle_seconds: int = 20


@dataclass(frozen=True)
class ServerSettings:
    """Where the core listens and keeps its data."""

    host: str = "0.0.0.0"
    port: int = 8000
    data_dir: str = "./var"
    # asyncio: websockets on one event loop (uvicorn), the REST API on `request_threads`.
    async_mode: str = "asyncio"
    secret_key: str = ""
    # threading mode only: gunicorn's gthread worker holds one thread per open websocket
    # (every screen, console and device), so the pool is sized for a busy center.
    threads: int = 500
    # asyncio mode: threads that run REST requests; websockets never take one.
    request_threads: int = 16
    # Live connections (Socket.IO clients) held at once; past it new ones get 503.
    max_connections: int = 5000
    # Live connections from one address (a phone, a screen, or a router hiding many).
    max_connections_per_address: int = 200
    # Seconds a client has to send a request's headers, then its body, before it is dropped.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 15.0


@dataclass(frozen=True)
class BackupSettings:
    """Nightly copies of the database, and how long tickets are kept at all."""

    # Folder of the copies; empty: <data_dir>/backups (the only folder the service may write).
    dir: str = ""
    # Local hour of the nightly copy; a box switched off then makes it when it next runs.
    hour: int = 2
    # Copies kept: at most this many, none older than keep_days (the newest is always kept).
    keep_count: int = 14
    keep_days: int = 30
    # Tickets older than this many months are deleted with their history (0 = keep for ever).
    retention_months: int = 0


@dataclass(frozen=True)
class SecuritySettings:
    """How hard logging in is made for a guesser, and how long the audit log is kept."""

    # Login attempts a minute for one name from one address, and for all names from one
    # address (a guesser trying many names meets the second).
    login_attempts_per_minute: int = 5
    login_attempts_per_address_per_minute: int = 30
    # Audit entries older than this many days go, and the oldest past this many rows.
    audit_keep_days: int = 400
    audit_keep_rows: int = 200_000


@dataclass(frozen=True)
class LookupSettings:
    """The look-up kiosk (`/lookup`): its catalog, its dossier connector, its timings.

    The connector reads the one-door system's dossiers: `none`; `file`, a periodic export
    (.xlsx or .csv) reloaded when it changes (empty `file`: the sample export shipped with
    xephang); `rest`, `rest_url` with `{code}` in it, its JSON fields found through
    `rest_fields` (contract key → dotted path). `status_map` maps the system's status words
    to the contract's statuses (the usual Vietnamese wordings are known already).
    """

    # Load the sample catalog shipped with xephang until a catalog is imported.
    sample_catalog: bool = True
    connector: str = "file"
    file: str = ""
    # An export column name → the contract key it holds (code, status, received_at, …).
    file_columns: dict[str, str] = field(default_factory=dict)
    rest_url: str = ""
    rest_headers: dict[str, str] = field(default_factory=dict)
    rest_fields: dict[str, str] = field(default_factory=dict)
    status_map: dict[str, str] = field(default_factory=dict)
    # The kiosk answers within this, whatever the one-door system does.
    timeout_seconds: float = 2.0
    # A remote answer is reused this long (a slow system is asked less).
    cache_seconds: int = 60
    # Dossier look-ups one address may make a minute (codes cannot be enumerated).
    lookups_per_minute: int = 10
    # Lists of documents one kiosk may print a minute.
    prints_per_minute: int = 6
    # Seconds without a touch before the page goes back to its attract screen.
    idle_seconds: int = 60
    # Counters whose rating requests the page takes (empty: every counter); [0]: none.
    rating_counters: tuple[int, ...] = ()
    # The field where results are handed over (a "ready" dossier's holder takes its number).
    results_service: str = "F"


@dataclass(frozen=True)
class WebhookSettings:
    """One endpoint of the one-door system (or anything else) that wants the box's events."""

    url: str
    # Signs every delivery (HMAC-SHA256); the receiver holds the same text.
    secret: str
    # The events it wants (empty: every event of the outbox).
    events: tuple[str, ...] = ()


@dataclass(frozen=True)
class HubSettings:
    """The province hub this box forwards every event to (empty `url`: none)."""

    url: str = ""
    # The center's token, printed by `xephang hub center add`.
    token: str = ""


@dataclass(frozen=True)
class OutboxSettings:
    """How long events wait for their receivers, and how long a receiver may take."""

    # Events are kept this long, delivered or not (a week offline loses nothing)…
    retention_days: int = 30
    # …and at most this many (the oldest go first; what was never delivered is reported).
    max_rows: int = 500_000
    connect_timeout_seconds: float = 3.0
    # A receiver answering slower than this counts as failed (and is tried again later).
    read_timeout_seconds: float = 10.0
    # The wait after a first failure; it doubles (with jitter) up to the longest.
    first_retry_seconds: float = 5.0
    longest_retry_seconds: float = 3600.0


def _default_services() -> tuple[ServiceSettings, ...]:
    return tuple(ServiceSettings(code, name, name_en, numeric_base=base)
                 for code, name, name_en, base in vocabulary.DEFAULT_FIELDS)


def _default_counters() -> tuple[CounterSettings, ...]:
    # Certification is the busiest field, so three counters share it.
    return (
        CounterSettings(1, ("A",)),
        CounterSettings(2, ("A", "B")),
        CounterSettings(3, ("B", "E")),
        CounterSettings(4, ("C", "D")),
        CounterSettings(5, ("F", "A")),
    )


@dataclass(frozen=True)
class Settings:
    """Everything the appliance is configured with."""

    center: CenterSettings = field(default_factory=CenterSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    hardware: HardwareSettings = field(default_factory=HardwareSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    ratings: RatingSettings = field(default_factory=RatingSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    lookup: LookupSettings = field(default_factory=LookupSettings)
    hub: HubSettings = field(default_factory=HubSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    webhooks: tuple[WebhookSettings, ...] = ()
    services: tuple[ServiceSettings, ...] = field(default_factory=_default_services)
    counters: tuple[CounterSettings, ...] = field(default_factory=_default_counters)
    # Extra closed days, and days open in spite of a holiday or the weekday (ISO dates).
    holidays: tuple[str, ...] = ()
    working_days: tuple[str, ...] = ()
    config_file: str = ""
    # Keys an `XEPHANG_*` variable set ("center.opens_at" → "XEPHANG_CENTER_OPENS_AT"): the
    # environment fixes them, the admin console shows them and cannot change them.
    fixed_by_env: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir)

    def service(self, code: str) -> ServiceSettings | None:
        return next((s for s in self.services if s.code == code), None)

    def counter(self, number: int) -> CounterSettings | None:
        return next((c for c in self.counters if c.number == number), None)

    def counters_serving(self, code: str) -> tuple[int, ...]:
        """Return the numbers of the counters that serve field `code`, in order."""
        return tuple(sorted(c.number for c in self.counters if code in c.services))

    def replace(self, **sections: Any) -> Settings:
        """Return a copy with some sections or section fields changed (tests use it)."""
        changes: dict[str, Any] = {}
        for name, value in sections.items():
            current = getattr(self, name)
            if isinstance(value, dict) and dataclasses.is_dataclass(current) \
                    and not isinstance(current, type):
                value = _build(type(current), {**dataclasses.asdict(current), **value}, name)
            changes[name] = value
        new = dataclasses.replace(self, **changes)
        validate(new)
        return new


SECTIONS = ("center", "policy", "speech", "hardware", "server", "kiosk", "display", "ratings",
            "backup", "security", "lookup", "hub", "outbox")
# Short names for the options every command takes (CONTRACT.md).
ENV_ALIASES = {
    "DATA_DIR": ("server", "data_dir"),
    "HOST": ("server", "host"),
    "PORT": ("server", "port"),
    "ASYNC_MODE": ("server", "async_mode"),
    "SECRET_KEY": ("server", "secret_key"),
    "PRINTER": ("hardware", "printer"),
    "AUDIO": ("hardware", "audio"),
    "LABEL_STYLE": ("center", "label_style"),
}


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Load the built-in center, then the TOML file, then `XEPHANG_*` variables, then overrides."""
    env = os.environ if env is None else env
    config_file = config_file or env.get("XEPHANG_CONFIG") or ""
    raw: dict[str, Any] = {}
    if config_file:
        path = Path(config_file)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise _invalid(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise _invalid(f"{path} is not valid TOML: {exc}") from None
    unknown = set(raw) - set(SECTIONS) - set(LISTS)
    if unknown:
        raise _invalid(f"unknown config section {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    sections: dict[str, dict[str, Any]] = {name: dict(raw.get(name, {})) for name in SECTIONS}
    fixed: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith("XEPHANG_") or name == "XEPHANG_CONFIG":
            continue
        key = name.removeprefix("XEPHANG_")
        target = ENV_ALIASES.get(key) or _env_target(key)
        if target is not None:
            section, option = target
            sections[section][option] = _from_env(section, option, value, name)
            fixed[f"{section}.{option}"] = name
    for section, values in (overrides or {}).items():
        sections[section].update(values)
    built = {name: _build(_SECTION_TYPES[name], sections[name], name) for name in SECTIONS}
    services = raw.get("services")
    counters = raw.get("counters")
    webhooks = raw.get("webhooks", ())
    if not isinstance(webhooks, (list, tuple)):
        raise _invalid("webhooks must be a list of [[webhooks]] tables", field="webhooks")
    settings = Settings(
        **built,
        services=(
            tuple(_build(ServiceSettings, s, f"services[{i}]") for i, s in enumerate(services))
            if services is not None
            else _default_services()
        ),
        counters=(
            tuple(_build(CounterSettings, c, f"counters[{i}]") for i, c in enumerate(counters))
            if counters is not None
            else _default_counters()
        ),
        holidays=_coerce(raw.get("holidays", []), tuple[str, ...], "holidays"),
        working_days=_coerce(raw.get("working_days", []), tuple[str, ...], "working_days"),
        webhooks=tuple(_build(WebhookSettings, w if isinstance(w, dict) else {}, f"webhooks[{i}]")
                       for i, w in enumerate(webhooks)),
        config_file=str(config_file),
        fixed_by_env=fixed,
    )
    validate(settings)
    return settings


# Settings that are lists at the top level of the file (and of the console's document).
LISTS = ("services", "counters", "holidays", "working_days", "webhooks")


def as_document(settings: Settings) -> dict[str, Any]:
    """Return the settings as plain JSON values: sections as objects, lists as lists."""
    document: dict[str, Any] = {name: _plain(getattr(settings, name)) for name in SECTIONS}
    for name in LISTS:
        document[name] = _plain(getattr(settings, name))
    return document


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def with_changes(base: Settings, changes: Mapping[str, Any]) -> Settings:
    """Return `base` with the console's `changes` applied, except where the environment rules.

    `changes` holds what the admin console changed: whole lists (`services`, `counters`,
    `holidays`, `working_days`) and single keys of sections (`{"center": {"name": …}}`).
    The result is validated; a wrong value raises ConfigError naming its key.

    >>> base = load_settings(env={"XEPHANG_CENTER_CLOSES_AT": "17:00"})
    >>> changed = with_changes(base, {"center": {"name": "Phường Hòa Khánh", "closes_at": "20:00"}})
    >>> changed.center.name, changed.center.closes_at
    ('Phường Hòa Khánh', '17:00')
    """
    if not isinstance(changes, Mapping):
        raise _invalid("settings must be an object of sections", field="settings")
    document = as_document(base)
    for name, value in changes.items():
        if name in LISTS:
            document[name] = value
        elif name in SECTIONS:
            if not isinstance(value, Mapping):
                raise _invalid(f"{name} must be an object of settings", field=name)
            section = document[name]
            for key, item in value.items():
                if f"{name}.{key}" in base.fixed_by_env:
                    continue
                section[key] = item
        else:
            raise _invalid(f"unknown config section {name!r}", field=name)
    built = {name: _build(_SECTION_TYPES[name], document[name], name) for name in SECTIONS}
    services, counters = document["services"], document["counters"]
    for name in ("services", "counters", "webhooks"):
        if not isinstance(document[name], list):
            raise _invalid(f"{name} must be a list", field=name)
    settings = Settings(
        **built,
        services=tuple(_build(ServiceSettings, _table(s, f"services[{i}]"), f"services[{i}]")
                       for i, s in enumerate(services)),
        counters=tuple(_build(CounterSettings, _table(c, f"counters[{i}]"), f"counters[{i}]")
                       for i, c in enumerate(counters)),
        holidays=_coerce(document["holidays"], tuple[str, ...], "holidays"),
        working_days=_coerce(document["working_days"], tuple[str, ...], "working_days"),
        webhooks=tuple(_build(WebhookSettings, _table(w, f"webhooks[{i}]"), f"webhooks[{i}]")
                       for i, w in enumerate(document["webhooks"])),
        config_file=base.config_file,
        fixed_by_env=dict(base.fixed_by_env),
    )
    validate(settings)
    return settings


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _invalid(f"{where} must be an object", field=where)
    return value


class LiveSettings:
    """The settings in force now: a frozen `Settings`, swapped whole after a successful save.

    Everything that reads settings while serving (a request, an event) reads `current`,
    so a change made in the admin console applies without a restart. Listeners hear of
    each swap with the old and the new value.

    >>> live = LiveSettings(load_settings(env={}))
    >>> seen = []
    >>> live.listen(lambda old, new: seen.append(new.center.name))
    >>> live.swap(live.current.replace(center={"name": "Phường Mới"}))
    >>> live.current.center.name, seen
    ('Phường Mới', ['Phường Mới'])
    """

    def __init__(self, settings: Settings) -> None:
        self._current = settings
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Settings, Settings], None]] = []

    @property
    def current(self) -> Settings:
        return self._current

    def listen(self, listener: Callable[[Settings, Settings], None]) -> None:
        """Call `listener(old, new)` after every swap."""
        self._listeners.append(listener)

    def swap(self, settings: Settings) -> None:
        """Put `settings` in force (one assignment: a reader sees the old or the new, whole)."""
        with self._lock:
            old, self._current = self._current, settings
        for listener in list(self._listeners):
            listener(old, settings)


_SECTION_TYPES: dict[str, type[Any]] = {
    "center": CenterSettings,
    "policy": PolicySettings,
    "speech": SpeechSettings,
    "hardware": HardwareSettings,
    "server": ServerSettings,
    "kiosk": KioskSettings,
    "display": DisplaySettings,
    "ratings": RatingSettings,
    "backup": BackupSettings,
    "security": SecuritySettings,
    "lookup": LookupSettings,
    "hub": HubSettings,
    "outbox": OutboxSettings,
}


def _env_target(key: str) -> tuple[str, str] | None:
    for section in SECTIONS:
        prefix = section.upper() + "_"
        if key.startswith(prefix):
            option = key.removeprefix(prefix).lower()
            if option in {f.name for f in dataclasses.fields(_SECTION_TYPES[section])}:
                return section, option
    return None


def _from_env(section: str, option: str, value: str, name: str) -> Any:
    kind = _field_types(_SECTION_TYPES[section])[option]
    try:
        if kind is bool:
            lowered = value.strip().lower()
            if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(value)
            return lowered in {"1", "true", "yes", "on"}
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        if typing.get_origin(kind) is tuple:
            return tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise _invalid(f"{name}={value!r} is not a valid {getattr(kind, '__name__', kind)}",
                       field=f"{section}.{option}") from None
    return value


def _field_types(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(cls: type[Any], values: Mapping[str, Any], where: str) -> Any:
    hints = _field_types(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in names:
            raise _invalid(f"unknown config key {where}.{key}", field=f"{where}.{key}")
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
    try:
        return cls(**kwargs)
    except TypeError:
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                   and f.name not in kwargs]
        raise _invalid(f"config key {where}.{missing[0]} is required",
                       field=f"{where}.{missing[0]}") from None


def _coerce(value: Any, kind: Any, key: str) -> Any:
    origin = typing.get_origin(kind)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise _invalid(f"config key {key} must be a list", field=key)
        (item_kind, _) = typing.get_args(kind)
        return tuple(_coerce(v, item_kind, key) for v in value)
    if origin is types.UnionType:
        return value
    if origin is dict:
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise _invalid(f"config key {key} must be a table of texts, such as "
                             '{"Đang xử lý" = "processing"}', field=key)
        return dict(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is float and isinstance(value, float) and not math.isfinite(value):
        raise _invalid(f"config key {key} must be a finite number", field=key)
    if kind is int and isinstance(value, int) and abs(value) > 2**53:
        raise _invalid(f"config key {key} is far too large", field=key)
    if kind is bool and not isinstance(value, bool):
        raise _invalid(f"config key {key} must be true or false, not {value!r}", field=key)
    if kind in (int, float, str) and (not isinstance(value, kind) or isinstance(value, bool)):
        raise _invalid(f"config key {key} must be {kind.__name__}, not {value!r}", field=key)
    return value


def validate(settings: Settings) -> None:
    """Raise ConfigError naming the first key that makes no sense."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    center = settings.center
    try:
        ZoneInfo(center.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid(f"center.timezone {center.timezone!r} is not a known time zone") from None
    for key in ("opens_at", "closes_at"):
        if not TIME_RE.match(getattr(center, key)):
            raise _invalid(f"center.{key} must look like 07:30, not {getattr(center, key)!r}")
    if center.opens_at >= center.closes_at:
        raise _invalid("center.closes_at must be after center.opens_at")
    if any(d not in range(1, 8) for d in center.workdays):
        raise _invalid("center.workdays must be ISO weekdays 1 (Monday) to 7 (Sunday)")
    _choice("center.label_style", center.label_style, LABEL_STYLES)
    _choice("speech.dialect", settings.speech.dialect, DIALECTS)
    _choice("server.async_mode", settings.server.async_mode, ASYNC_MODES)
    _choice("hardware.printer", settings.hardware.printer, PRINTER_BACKENDS)
    _choice("hardware.audio", settings.hardware.audio, AUDIO_BACKENDS)
    if not center.name.strip() or len(center.name) > 150:
        raise _invalid("center.name must be 1 to 150 characters")
    if not center.workdays:
        raise _invalid("center.workdays must name at least one day")
    _bounded(settings)
    for key in ("template", "recall_template"):
        template = getattr(settings.speech, key)
        for name in re.findall(r"{(\w*)[^}]*}", template):
            if name not in ("label", "counter"):
                raise _invalid(f"speech.{key} may use only {{label}} and {{counter}}, not {{{name}}}")
        if "{label}" not in template:
            raise _invalid(f"speech.{key} must say the number: put {{label}} in it")
    if not 1 <= settings.speech.repeat <= 5:
        raise _invalid("speech.repeat must be between 1 and 5")
    if not 0 < settings.speech.volume <= 1:
        raise _invalid("speech.volume must be above 0 and at most 1")
    if not 1 <= settings.server.port <= 65535:
        raise _invalid(f"server.port {settings.server.port} is not a TCP port")
    for key in ("threads", "request_threads", "max_connections", "max_connections_per_address"):
        if getattr(settings.server, key) < 1:
            raise _invalid(f"server.{key} must be at least 1")
    for key in ("header_timeout_seconds", "body_timeout_seconds"):
        if getattr(settings.server, key) <= 0:
            raise _invalid(f"server.{key} must be above 0")
    if settings.policy.aging_minutes < 0:
        raise _invalid("policy.aging_minutes must be 0 (off) or more")
    if settings.policy.default_service_minutes <= 0:
        raise _invalid("policy.default_service_minutes must be above 0")
    ratings = settings.ratings
    if not ratings.levels or len(ratings.levels) != len(ratings.labels):
        raise _invalid("ratings.labels must give one label per level in ratings.levels")
    for level in ratings.levels:
        _choice("ratings.levels", level, RATING_LEVELS)
    if settings.kiosk.tickets_per_minute < 1:
        raise _invalid("kiosk.tickets_per_minute must be at least 1")
    if not 0 < settings.kiosk.speak_volume <= 1:
        raise _invalid("kiosk.speak_volume must be above 0 and at most 1")
    if not settings.services:
        raise _invalid("services: at least one field is needed")
    if not settings.counters:
        raise _invalid("counters: at least one counter is needed")
    codes: set[str] = set()
    for i, service in enumerate(settings.services):
        if not re.fullmatch(r"[A-Z]", service.code):
            raise _invalid(f"services[{i}].code must be one capital letter A–Z, not {service.code!r}")
        if service.code in codes:
            raise _invalid(f"services[{i}].code {service.code!r} is used twice")
        if not service.name.strip():
            raise _invalid(f"services[{i}].name must not be empty")
        if center.label_style == "numeric" and not (1000 <= service.numeric_base <= 9000
                                                    and service.numeric_base % 1000 == 0):
            raise _invalid(f"services[{i}].numeric_base must be 1000, 2000, … 9000 for numeric labels")
        codes.add(service.code)
    if center.label_style == "numeric":
        bases = [s.numeric_base for s in settings.services]
        if len(set(bases)) != len(bases):
            raise _invalid("services.numeric_base: two fields share a number range")
    numbers: set[int] = set()
    for i, counter in enumerate(settings.counters):
        if counter.number < 1 or counter.number in numbers:
            raise _invalid(f"counters[{i}].number must be a positive number used once")
        numbers.add(counter.number)
        if not counter.services:
            raise _invalid(f"counters[{i}].services must name at least one field")
        for code in counter.services:
            if code not in codes:
                raise _invalid(f"counters[{i}].services names unknown field {code!r}")

    _validate_lookup(settings.lookup, numbers)
    _validate_calendar(settings)
    _validate_links(settings)

    backup = settings.backup
    if not 0 <= backup.hour <= 23:
        raise _invalid("backup.hour must be an hour from 0 to 23")
    if backup.keep_count < 1 or backup.keep_days < 1:
        raise _invalid("backup.keep_count and backup.keep_days must be at least 1")
    if backup.retention_months < 0:
        raise _invalid("backup.retention_months must be 0 (keep for ever) or more")
    security = settings.security
    for key in ("login_attempts_per_minute", "login_attempts_per_address_per_minute",
                "audit_keep_days"):
        if getattr(security, key) < 1:
            raise _invalid(f"security.{key} must be at least 1")
    if security.audit_keep_rows < 1000:
        raise _invalid("security.audit_keep_rows must be at least 1000")


def _is_web_address(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and url == url.strip()


def _validate_links(settings: Settings) -> None:
    """Check the webhooks, the hub and the outbox (each error names its key)."""
    urls: set[str] = set()
    for i, hook in enumerate(settings.webhooks):
        if not _is_web_address(hook.url):
            raise _invalid(f"webhooks[{i}].url must be an http:// or https:// address, "
                              f"not {hook.url[:100]!r}")
        if hook.url in urls:
            raise _invalid(f"webhooks[{i}].url {hook.url[:100]!r} is listed twice")
        urls.add(hook.url)
        if len(hook.secret.strip()) < 16:
            raise _invalid(f"webhooks[{i}].secret must be at least 16 characters "
                              "(the receiver checks signatures with it)")
        for event in hook.events:
            if event not in OUTBOX_EVENTS:
                raise _invalid(f"webhooks[{i}].events: {event[:60]!r} is not one of "
                                  f"{', '.join(OUTBOX_EVENTS)}")
    hub = settings.hub
    if hub.url and not _is_web_address(hub.url):
        raise _invalid(f"hub.url must be an http:// or https:// address, not {hub.url[:100]!r}")
    if hub.url and not hub.token.strip():
        raise _invalid("hub.token is required with hub.url (xephang hub center add prints it)")
    outbox = settings.outbox
    if outbox.retention_days < 1:
        raise _invalid("outbox.retention_days must be at least 1")
    if outbox.max_rows < 1000:
        raise _invalid("outbox.max_rows must be at least 1000")
    if not 0.01 <= outbox.first_retry_seconds <= outbox.longest_retry_seconds <= 86400:
        raise _invalid("outbox.first_retry_seconds must be at least 0.01 and at most "
                          "outbox.longest_retry_seconds (at most a day)")
    for key in ("connect_timeout_seconds", "read_timeout_seconds"):
        if not 0.05 <= getattr(outbox, key) <= 120:
            raise _invalid(f"outbox.{key} must be between 0.05 and 120")


LOOKUP_CONNECTORS = ("none", "file", "rest")


def _validate_lookup(lookup: LookupSettings, counters: set[int]) -> None:
    _choice("lookup.connector", lookup.connector, LOOKUP_CONNECTORS)
    if lookup.connector == "rest" and "{code}" not in lookup.rest_url:
        raise _invalid("lookup.rest_url must hold {code}, e.g. https://motcua/api/hoso/{code}")
    if lookup.rest_url and not lookup.rest_url.startswith(("http://", "https://")):
        raise _invalid("lookup.rest_url must start with http:// or https://")
    for source, target in lookup.file_columns.items():
        _choice(f"lookup.file_columns.{source}", target, dossiers.FIELDS)
    for target in lookup.rest_fields:
        _choice("lookup.rest_fields", target, dossiers.FIELDS)
    for source, status in lookup.status_map.items():
        _choice(f"lookup.status_map.{source}", status, dossiers.STATUSES)
    if not 0.1 <= lookup.timeout_seconds <= 30:
        raise _invalid("lookup.timeout_seconds must be between 0.1 and 30")
    if lookup.cache_seconds < 0:
        raise _invalid("lookup.cache_seconds must be 0 (no cache) or more")
    for key in ("lookups_per_minute", "prints_per_minute", "idle_seconds"):
        if getattr(lookup, key) < 1:
            raise _invalid(f"lookup.{key} must be at least 1")
    for number in lookup.rating_counters:
        if number != 0 and number not in counters:
            raise _invalid(f"lookup.rating_counters names unknown counter {number}")


_KEY = re.compile(r"^((?:%s)(?:\[\d+\])?(?:\.[A-Za-z0-9_]+)?)(?=[\s:,]|$)"
                  % "|".join((*SECTIONS, *LISTS)))


def _invalid(detail: str, *, field: str | None = None) -> ConfigError:
    """Return the error for `detail`; its field is the key the text starts with, unless given."""
    if field is None:
        found = _KEY.match(detail)
        field = found.group(1) if found else None
    return ConfigError(detail, field=field)


# Bounds of the numbers and texts the admin console may set (the console says them too).
BOUNDS: dict[str, tuple[float, float]] = {
    "speech.rate": (50, 400),
    "speech.max_age_seconds": (1, 3600),
    "speech.synth_timeout_seconds": (0.1, 60),
    "policy.target_wait_minutes": (1, 600),
    "policy.aging_minutes": (0, 600),
    "policy.eta_sample_size": (1, 500),
    "kiosk.return_seconds": (1, 600),
    # High on purpose: one kiosk token may stand for a hall of kiosks (the load tests' too).
    "kiosk.tickets_per_minute": (1, 1_000_000),
    "display.highlight_seconds": (1, 120),
    "display.recent_calls": (0, 12),
    "ratings.idle_seconds": (1, 600),
    "hardware.printer_paper_width": (200, 1000),
    "hardware.printer_timeout_seconds": (0.05, 60),
    "hardware.printer_port": (1, 65535),
}
TEXT_LIMITS = {"center.subtitle": 150, "center.name_en": 150, "display.notice": 300,
               "kiosk.footer": 200, "kiosk.public_url": 200, "speech.template": 300,
               "speech.recall_template": 300}


def _bounded(settings: Settings) -> None:
    for key, (low, high) in BOUNDS.items():
        section, option = key.split(".")
        value = getattr(getattr(settings, section), option)
        if not low <= value <= high:
            raise _invalid(f"{key} must be between {low:g} and {high:g}, not {value!r}")
    for key, limit in TEXT_LIMITS.items():
        section, option = key.split(".")
        if len(getattr(getattr(settings, section), option)) > limit:
            raise _invalid(f"{key} must be at most {limit} characters")
    public = settings.kiosk.public_url
    if public and not public.startswith(("http://", "https://")):
        raise _invalid("kiosk.public_url must start with http:// or https://, "
                       "e.g. http://192.168.1.10:8000")
    for i, service in enumerate(settings.services):
        if len(service.name) > 120 or len(service.name_en) > 120:
            raise _invalid(f"services[{i}].name must be at most 120 characters")
    for i, counter in enumerate(settings.counters):
        if len(counter.name) > 60:
            raise _invalid(f"counters[{i}].name must be at most 60 characters")
        if counter.number > 99:
            raise _invalid(f"counters[{i}].number must be from 1 to 99")


def _validate_calendar(settings: Settings) -> None:
    from datetime import date

    for name in ("holidays", "working_days"):
        for i, text in enumerate(getattr(settings, name)):
            try:
                date.fromisoformat(text)
                valid = bool(DATE_RE.match(text))
            except ValueError:
                valid = False
            if not valid:
                raise _invalid(f"{name}[{i}] must be a date such as 2026-12-24, not {text!r}")
    both = set(settings.holidays) & set(settings.working_days)
    if both:
        raise _invalid(f"working_days: {min(both)} is also among the holidays", field="working_days")


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise _invalid(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
