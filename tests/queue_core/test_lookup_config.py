"""The `[lookup]` settings: defaults, a TOML file, variables, and every wrong value named."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_core.config import load_settings
from queue_core.domain.errors import ConfigError


def test_defaults_show_the_sample_export() -> None:
    lookup = load_settings(env={}).lookup
    assert (lookup.connector, lookup.file, lookup.timeout_seconds) == ("file", "", 2.0)
    assert lookup.sample_catalog and lookup.rating_counters == ()


def test_a_rest_connector_from_a_file_and_variables(tmp_path: Path) -> None:
    path = tmp_path / "xephang.toml"
    path.write_text('[lookup]\nconnector = "rest"\nrest_url = "https://motcua/hoso/{code}"\n'
                    'rest_fields = {status = "data.trangThai"}\n'
                    'status_map = {"DA_XONG" = "returned"}\n', encoding="utf-8")
    lookup = load_settings(path, env={"XEPHANG_LOOKUP_TIMEOUT_SECONDS": "1.5",
                                      "XEPHANG_LOOKUP_RATING_COUNTERS": "1,3"}).lookup
    assert lookup.rest_fields == {"status": "data.trangThai"}
    assert lookup.status_map == {"DA_XONG": "returned"}
    assert (lookup.timeout_seconds, lookup.rating_counters) == (1.5, (1, 3))


@pytest.mark.parametrize(("text", "named"), [
    ('connector = "ftp"', "lookup.connector"),
    ('connector = "rest"\nrest_url = "https://motcua/hoso"', "lookup.rest_url"),
    ('rest_url = "motcua/{code}"', "lookup.rest_url"),
    ('status_map = {"Xong" = "done"}', "lookup.status_map.Xong"),
    ('rest_fields = {name = "hoTen"}', "lookup.rest_fields"),
    ('file_columns = {"Họ tên" = "name"}', "lookup.file_columns"),
    ("status_map = {a = 1}", "lookup.status_map"),
    ("timeout_seconds = 60", "lookup.timeout_seconds"),
    ("lookups_per_minute = 0", "lookup.lookups_per_minute"),
    ("rating_counters = [9]", "lookup.rating_counters"),
])
def test_a_wrong_value_is_named(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "xephang.toml"
    path.write_text("[lookup]\n" + text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert named in str(caught.value)
