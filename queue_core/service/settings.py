"""The settings the admin console changes: read, patch (JSON merge patch), save, apply live.

Effective settings are built-in defaults ← the TOML file ← the console's changes (kept in
the database) ← `XEPHANG_*` variables: the installer's file and environment stay the
defaults, the environment fixes what it names. A save is all or nothing: the whole new
`Settings` is validated (a wrong value is refused naming its key), written in one
transaction with a version that rises by one and an audit row, then swapped in whole;
`LiveSettings` listeners apply it (fresh boards, the announcer's voice, the kiosk's buttons).

>>> from queue_core.config import load_settings, LiveSettings
>>> from queue_core.storage import Store
>>> live = LiveSettings(load_settings(env={}))
>>> console = ConsoleSettings(live, Store.open(":memory:"))
>>> saved = console.patch({"center": {"name": "Trung tâm phường Hòa Khánh"}}, actor="user:an")
>>> saved["version"], live.current.center.name
(1, 'Trung tâm phường Hòa Khánh')
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from queue_core.config import LISTS, LiveSettings, Settings, as_document, with_changes
from queue_core.domain.clock import SystemClock, time_text
from queue_core.domain.errors import ConfigError, Conflict, InvalidInput
from queue_core.service import audit
from queue_core.storage import Store

log = logging.getLogger("xephang")

SETTINGS_CHANGED = "settings_changed"
# The sections the console edits, and within them the keys it may not (installer matters).
SECTIONS = ("center", "policy", "speech", "display", "kiosk", "ratings", "hardware", "lookup")
READ_ONLY = frozenset({"center.timezone", "speech.voice_pack", "hardware.audio",
                       "hardware.speaker_attached", "hardware.gpio"})
# Of the hardware, the console shows the printer only.
SHOWN: dict[str, Callable[[str], bool]] = {"hardware": lambda key: key.startswith("printer")}
# Values of keys with these names are never shown (a hook's secret, a hub's token).
SECRET_NAMES = frozenset({"secret", "token", "password"})
# Mappings whose every value is secret (the look-up connector's `Authorization: Bearer …`):
# the names stay visible, the values are masked.
SECRET_MAPS = frozenset({"rest_headers"})
MASK = "••••••"
MAX_SAVED_TEXT = 400


class SettingsInvalid(InvalidInput):
    """A setting the console sent cannot be used; `field` names it, nothing was changed."""

    code = "settings_invalid"
    # The answer carries the key apart too, so the console marks the input it belongs to.
    names_field = True


def settings_invalid(error: ConfigError) -> SettingsInvalid:
    return SettingsInvalid("settings_invalid", field=error.field or "settings", detail=error.detail)


class ConsoleSettings:
    """The console's changes over the installer's settings, kept in the database.

    `base` is what the file and the environment say; `live` holds what is in force.
    `guard` is held around a save and its application (the center's publishing lock),
    so no event of the queue is pushed between the new settings and their fresh board.
    """

    def __init__(self, live: LiveSettings, store: Store, *, base: Settings | None = None,
                 clock: Callable[[], datetime] | None = None,
                 guard: Callable[[], AbstractContextManager[Any]] | None = None,
                 bump: bool = False) -> None:
        self.live = live
        self.store = store
        self.base = base or live.current
        self.clock = clock or SystemClock().now
        self.guard = guard or nullcontext
        # Whether a save raises the board's seq (the serving app's screens follow it).
        self.bump = bump
        self.problem: str | None = None
        self._lock = threading.Lock()

    # --- reading --------------------------------------------------------------------------

    def load(self) -> Settings:
        """Put the saved changes in force over `base`; a set that no longer fits is reported."""
        with self.store.read():
            changes, _version = self.store.console_settings()
        try:
            settings = with_changes(self.base, changes)
            self.problem = None
        except ConfigError as exc:
            # The file changed under the saved changes (a field removed, say): serve on the
            # file's settings and say so in the console rather than refuse to start.
            self.problem = str(exc)
            log.error("the settings saved in the console no longer fit the configuration "
                      "(%s); serving without them until they are saved again", exc)
            settings = self.base
        self.live.swap(settings)
        return settings

    def version(self) -> int:
        with self.store.read():
            return self.store.console_settings()[1]

    def document(self) -> dict[str, Any]:
        """Return the settings in force as the console shows them, with the version."""
        settings = self.live.current
        with self.store.read():
            changes, version = self.store.console_settings()
        return {"version": version, **shown(settings),
                "fixed": dict(settings.fixed_by_env),
                "read_only": sorted(READ_ONLY),
                "changed": sorted(_keys(changes)),
                "problem": self.problem}

    # --- saving ---------------------------------------------------------------------------

    def patch(self, patch: Any, *, actor: str, expected_version: int | None = None,
              check: Callable[[Settings, Settings], None] | None = None) -> dict[str, Any]:
        """Apply a JSON merge patch; return the new document. All or nothing.

        `expected_version` (from `If-Match` or the body's `version`) must be the version
        saved now, else Conflict `settings_conflict`. `check(old, new)` may refuse a change
        the queue cannot take now (a field still holding tickets).
        """
        if not isinstance(patch, Mapping):
            raise SettingsInvalid(field="settings", detail="a JSON object of sections is expected")
        body = dict(patch)
        if "version" in body:
            given = body.pop("version")
            if isinstance(given, bool) or not isinstance(given, int):
                raise SettingsInvalid(field="version", detail="the version read with the settings")
            expected_version = given if expected_version is None else expected_version
        _check_patch(body, self.base)
        with self._lock, self.guard():
            with self.store.read():
                changes, version = self.store.console_settings()
            if expected_version is not None and expected_version != version:
                raise Conflict("settings_conflict", version=version)
            old = self.live.current
            merged = merge_patch(changes, _unmasked(body, changes))
            try:
                new = with_changes(self.base, merged)
            except ConfigError as exc:
                raise settings_invalid(exc) from None
            if check is not None:
                check(old, new)
            said = changed_keys(old, new)
            now = self.clock()
            with self.store.write():
                _, current = self.store.console_settings()
                if current != version:
                    raise Conflict("settings_conflict", version=current)
                self.store.save_console_settings(merged, version=version + 1,
                                                 saved_at=time_text(now), saved_by=actor)
                audit.add(self.store, actor=actor, action=SETTINGS_CHANGED, target="settings",
                          detail=_said(said, new), now=now)
                if self.bump:
                    self.store.bump_seq()
            self.problem = None
            self.live.swap(new)
        return self.document()


def shown(settings: Settings) -> dict[str, Any]:
    """Return the sections and lists the console edits, secrets masked."""
    document = as_document(settings)
    result: dict[str, Any] = {}
    for name in SECTIONS:
        keep = SHOWN.get(name, _everything)
        result[name] = {k: v for k, v in document[name].items() if keep(k)}
    for name in LISTS:
        result[name] = document[name]
    masked: dict[str, Any] = _masked(result)
    return masked


def _everything(key: str) -> bool:
    return True


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON merge patch: objects merge, null removes, anything else replaces.

    >>> merge_patch({"center": {"name": "A", "opens_at": "07:00"}}, {"center": {"name": None}})
    {'center': {'opens_at': '07:00'}}
    >>> merge_patch({"services": [1, 2]}, {"services": [3]})
    {'services': [3]}
    """
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return {k: v for k, v in result.items() if v != {}}


def changed_keys(old: Settings, new: Settings) -> list[str]:
    """Return the keys whose values differ (`center.name`, `services`…), in document order."""
    before, after = shown(old), shown(new)
    keys = []
    for name, value in after.items():
        if isinstance(value, dict):
            keys += [f"{name}.{k}" for k, v in value.items() if before[name].get(k) != v]
        elif before[name] != value:
            keys.append(name)
    return keys


def _check_patch(body: dict[str, Any], base: Settings) -> None:
    """Refuse keys the console does not edit, by their name."""
    for name, value in body.items():
        if name in LISTS:
            if value is not None and not isinstance(value, list):
                raise SettingsInvalid(field=name, detail="a list (it replaces the whole list) "
                                                         "or null is expected")
            continue
        if name not in SECTIONS:
            raise SettingsInvalid(field=name, detail="not a setting the console changes")
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise SettingsInvalid(field=name, detail="an object of settings is expected")
        keep = SHOWN.get(name, _everything)
        for key in value:
            where = f"{name}.{key}"
            if where in base.fixed_by_env:
                raise SettingsInvalid("settings_fixed", field=where,
                                      variable=base.fixed_by_env[where],
                                      detail="set by the environment")
            if where in READ_ONLY or not keep(key):
                raise SettingsInvalid(field=where, detail="set by the installer, not in the console")


def _keys(changes: Mapping[str, Any]) -> Iterator[str]:
    for name, value in changes.items():
        if isinstance(value, Mapping):
            yield from (f"{name}.{key}" for key in value)
        else:
            yield name


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if k in SECRET_NAMES and value[k]
                    else {name: MASK if text else text for name, text in v.items()}
                    if k in SECRET_MAPS and isinstance(v, dict) else _masked(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _unmasked(patch: Any, saved: Any) -> Any:
    """Keep the saved secret where the console sent back the mask it was shown."""
    if isinstance(patch, dict):
        return {k: (saved.get(k) if k in SECRET_NAMES and v == MASK and isinstance(saved, dict)
                    else _unmasked_map(v, saved.get(k) if isinstance(saved, dict) else None)
                    if k in SECRET_MAPS
                    else _unmasked(v, saved.get(k) if isinstance(saved, dict) else None))
                for k, v in patch.items()}
    if isinstance(patch, list):
        saved_list = saved if isinstance(saved, list) else []
        return [_unmasked(v, saved_list[i] if i < len(saved_list) else None)
                for i, v in enumerate(patch)]
    return patch


def _unmasked_map(patch: Any, saved: Any) -> Any:
    """Keep each saved secret value the console sent back masked, under its own name."""
    if not isinstance(patch, dict):
        return patch
    kept = saved if isinstance(saved, dict) else {}
    return {name: kept.get(name) if text == MASK else text for name, text in patch.items()}


def _said(keys: list[str], new: Settings) -> str:
    """Return the audit text: which keys changed and to what (secrets masked)."""
    if not keys:
        return "no change"
    document = shown(new)
    parts = []
    for key in keys:
        name, _, option = key.partition(".")
        value = document[name][option] if option else f"{len(document[name])} items"
        parts.append(f"{key}={value}")
    text = "; ".join(parts)
    return text if len(text) <= MAX_SAVED_TEXT else text[:MAX_SAVED_TEXT - 1] + "…"


__all__ = ["ConsoleSettings", "MASK", "SETTINGS_CHANGED", "SettingsInvalid", "changed_keys",
           "merge_patch", "shown"]
