"""Configuration: built-in center, TOML, environment, and clear errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_core.config import load_settings
from queue_core.domain.errors import ConfigError


def test_built_in_center() -> None:
    settings = load_settings(env={})
    assert [s.code for s in settings.services] == list("ABCDEF")
    assert settings.service("A").name == "Chứng thực"  # type: ignore[union-attr]
    assert [c.number for c in settings.counters] == [1, 2, 3, 4, 5]
    served = {code for c in settings.counters for code in c.services}
    assert served == set("ABCDEF")
    assert settings.server.data_dir == "./var" and settings.hardware.printer == "fake"


def test_toml_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "center.toml"
    config.write_text("""
[center]
name = "Trung tâm Phục vụ Hành chính công phường Hòa Khánh"
label_style = "numeric"

[server]
port = 9000

[[services]]
code = "A"
name = "Chứng thực"
numeric_base = 1000

[[services]]
code = "F"
name = "Trả kết quả"
numeric_base = 6000

[[counters]]
number = 1
services = ["A", "F"]
""", encoding="utf-8")
    settings = load_settings(config, env={"XEPHANG_PORT": "9100", "XEPHANG_SPEECH_REPEAT": "1"})
    assert settings.center.name.endswith("Hòa Khánh")
    assert settings.server.port == 9100 and settings.speech.repeat == 1
    assert [c.services for c in settings.counters] == [("A", "F")]


@pytest.mark.parametrize("toml,key", [
    ("[center]\nopens_at = '7h'\n", "center.opens_at"),
    ("[center]\nlabel_style = 'roman'\n", "center.label_style"),
    ("[center]\ntimezone = 'Mars/Base'\n", "center.timezone"),
    ("[server]\nport = 'eighty'\n", "server.port"),
    ("[server]\nasync_mode = 'gevent'\n", "server.async_mode"),
    ("[server]\nmax_connections = 0\n", "server.max_connections"),
    ("[server]\nmax_connections_per_address = -1\n", "server.max_connections_per_address"),
    ("[server]\nrequest_threads = 0\n", "server.request_threads"),
    ("[server]\nheader_timeout_seconds = 0\n", "server.header_timeout_seconds"),
    ("[server]\nbody_timeout_seconds = -5\n", "server.body_timeout_seconds"),
    ("[speech]\ntemplate = 'Mời {name}'\n", "speech.template"),
    ("[policy]\nwait_forever = true\n", "policy.wait_forever"),
    ("[lobby]\nx = 1\n", "lobby"),
    ("[[counters]]\nnumber = 1\nservices = ['Z']\n", "counters[0].services"),
    ("[[services]]\ncode = 'a'\nname = 'x'\n", "services[0].code"),
    ("[[services]]\ncode = 'A'\n", "services[0].name"),
    ("[hardware]\nspeaker_attached = 'yes'\n", "hardware.speaker_attached"),
    ("not toml at all = = =", "not valid TOML"),
    ("[ratings]\nlevels = ['satisfied']\n", "ratings.labels"),
    ("[ratings]\nlevels = ['meh']\nlabels = ['Meh']\n", "ratings.levels"),
    ("[kiosk]\ntickets_per_minute = 0\n", "kiosk.tickets_per_minute"),
])
def test_invalid_config_names_the_key(tmp_path: Path, toml: str, key: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(config, env={})
    assert key in str(error.value)


@pytest.mark.parametrize("env,key", [
    ({"XEPHANG_PORT": "x"}, "XEPHANG_PORT"),
    ({"XEPHANG_HARDWARE_SPEAKER_ATTACHED": "maybe"}, "XEPHANG_HARDWARE_SPEAKER_ATTACHED"),
    ({"XEPHANG_PRINTER": "laser"}, "hardware.printer"),
])
def test_invalid_environment_names_the_variable(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env=env)
    assert key in str(error.value)


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings("/nonexistent/center.toml", env={})


def test_server_limits_have_defaults_and_come_from_the_environment() -> None:
    defaults = load_settings(env={}).server
    assert (defaults.async_mode, defaults.max_connections) == ("asyncio", 5000)
    assert defaults.max_connections_per_address == 200 and defaults.request_threads == 16
    server = load_settings(env={"XEPHANG_SERVER_MAX_CONNECTIONS": "800",
                                "XEPHANG_SERVER_HEADER_TIMEOUT_SECONDS": "2.5"}).server
    assert server.max_connections == 800 and server.header_timeout_seconds == 2.5
