"""What the commands share: --config/--data-dir into Settings, the satellites' --core and -v,
GPIO pins, and taking on the data dir's owner.

Every `xephang` command that reads the center's configuration takes it the same way here.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from queue_core.config import Settings, load_settings
from queue_core.domain.clock import SystemClock
from queue_core.domain.errors import ConfigError
from queue_core.ops.datadir import private_files

DEFAULT_CORE = "http://127.0.0.1:8000"


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command --data-dir and --config, and hand it the loaded settings.

    The command runs with a private umask (077): whatever it writes in the data dir (the
    database, a backup, a token's row) only the service's user can read.
    """

    @click.option("--config", "config_file", envvar="XEPHANG_CONFIG", default=None,
                  type=click.Path(dir_okay=False), help="Center configuration (TOML).")
    @click.option("--data-dir", envvar="XEPHANG_DATA_DIR", default=None,
                  help="Where the database and files live (default ./var).")
    @functools.wraps(command)
    def wrapper(config_file: str | None, data_dir: str | None, **kwargs: Any) -> Any:
        overrides: dict[str, dict[str, Any]] = {"server": {}}
        if data_dir:
            overrides["server"]["data_dir"] = data_dir
        for key in ("host", "port"):
            if kwargs.get(key) is not None:
                overrides["server"][key] = kwargs[key]
        try:
            settings = load_settings(config_file, overrides=overrides)
        except ConfigError as exc:
            raise click.ClickException(f"configuration: {exc}") from None
        with private_files():
            return command(settings, **kwargs)

    return wrapper


def core_option(*, show_envvar: bool = False) -> Callable[[Any], Any]:
    """`--core URL` (or XEPHANG_CORE_URL): the queue core a satellite works for."""
    return click.option("--core", "core_url", default=DEFAULT_CORE, show_default=True,
                        envvar="XEPHANG_CORE_URL", show_envvar=show_envvar,
                        help="Address of the queue core.")


def device_token_option(role: str) -> Callable[[Any], Any]:
    """`--token` (or XEPHANG_<ROLE>_TOKEN): the satellite's device token."""
    envvar = f"XEPHANG_{role.upper()}_TOKEN"
    return click.option("--token", envvar=envvar,
                        help=f"Device token with role {role} (xephang token create NAME --role "
                             f"{role}); or set {envvar}.")


def device_token(core_url: str, token: str | None, device: str, *, data_dir: str | None,
                 name: str | None = None) -> str:
    """Return the satellite's token: the one given, the one kept, or one got by pairing.

    Without a token the satellite shows a pairing code for an admin to type in the console
    (Thiết bị), then keeps the token it gets in `<data_dir>/<device>-token` (mode 0600).
    """
    if token:
        return token
    from pathlib import Path

    from queue_core.client.pairing import pair, read_token, save_token
    from queue_core.client.rest import CoreClient

    path = Path(data_dir or "./var") / f"{device}-token"
    kept = read_token(path)
    if kept:
        return kept
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    found = pair(CoreClient(core_url), device, name=name,
                 say=lambda text: click.echo(text, err=True), stop=stop)
    save_token(path, found)
    return found


def load(config_file: str | None, data_dir: str | None) -> Settings:
    """Load the settings for a satellite command; a bad file is a plain message, not a trace."""
    try:
        return load_settings(config_file,
                             overrides={"server": {"data_dir": data_dir}} if data_dir else None)
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None


def configure_logging(verbose: bool) -> None:
    """Log to standard error: INFO with -v, warnings otherwise."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def now_at_center(settings: Settings) -> datetime:
    """Return the time now in the center's time zone."""
    from zoneinfo import ZoneInfo

    return SystemClock(ZoneInfo(settings.center.timezone)).now()


def run_until_stopped(start: Callable[[], None], stop: Callable[[], None]) -> None:
    """Start a satellite, then stop it on SIGINT or SIGTERM."""
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    start()
    try:
        done.wait()
    finally:
        stop()


def become_data_owner(settings: Settings) -> None:
    """As root, switch to the user owning the data dir (the service's user), if another."""
    if os.geteuid() != 0:
        return
    try:
        info = settings.data_path.stat()
    except OSError:
        return
    if info.st_uid == 0:
        return
    import pwd

    try:
        name = pwd.getpwuid(info.st_uid).pw_name
        os.initgroups(name, info.st_gid)
    except (KeyError, OSError):
        os.setgroups([])
    os.setgid(info.st_gid)
    os.setuid(info.st_uid)
