"""The `xephang` command line: thin wrappers over the same functions the web layer calls."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__, audit, auth
from .clock import SystemClock
from .config import Settings, load_settings
from .errors import ConfigError, XephangError
from .store import Store

SCREENS = (
    ("Trang chủ (home)", "/"),
    ("Kiosk lấy số (ticket kiosk)", "/kiosk"),
    ("Màn hình chung (wall screen)", "/display/wall"),
    ("Màn hình quầy (counter screen)", "/display/counter/{n}"),
    ("Bàn làm việc cán bộ (staff console)", "/counter"),
    ("Đánh giá hài lòng (rating)", "/rate/{n}"),
    ("Quản lý (manager)", "/manager"),
    ("API", "/api/v1/state"),
)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command --data-dir and --config, and hand it the loaded settings."""

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
        return command(settings, **kwargs)

    return wrapper


class LazyGroup(click.Group):
    """A command group whose satellite commands are imported only when run.

    `xephang serve` then stays small: it never loads pygame, escpos or speech.
    """

    LAZY = {
        "announcer": "announcer.cli:announcer_command",
        "display": "display.cli:display_command",
        "keypad": "queue_core.satellite_cli:keypad_command",
        "ratingpad": "queue_core.satellite_cli:ratingpad_command",
        "kiosk": "kiosk.cli:kiosk_command",
        "doctor": "queue_core.admin_cli:doctor_command",
        "backup": "queue_core.admin_cli:backup_command",
        "restore": "queue_core.admin_cli:restore_command",
        "purge": "queue_core.admin_cli:purge_command",
        "first-admin": "queue_core.admin_cli:first_admin_command",
        "browser": "queue_core.admin_cli:browser_command",
        "simulate": "queue_core.simulate_cli:simulate_command",
        "hub": "queue_core.province.cli:hub_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            import importlib

            module, _, attribute = self.LAZY[name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xephang")
def main() -> None:
    """xephang: queue management for a commune Public Administration Service Center."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@click.option("--accept-clock", is_flag=True,
              help="Start although the clock is behind the data (only once the date is checked).")
@common_options
def serve(settings: Settings, host: str | None, port: int | None, accept_clock: bool) -> None:
    """Run the whole appliance: queue core, screens and devices."""
    from .admin_cli import prepare_serving
    from .server import run

    # Open (and upgrade) the database here, so a broken data dir or a clock behind the data
    # stops us before listening. The app itself is built in the serving worker only.
    prepare_serving(settings, accept_clock=accept_clock)
    base = f"http://{_shown_host(settings.server.host)}:{settings.server.port}"
    click.echo(f"xephang {__version__} — {settings.center.name}")
    click.echo(f"Dữ liệu (data): {settings.data_path.resolve()}")
    for line in hardware_notice(settings):
        click.echo(line)
    click.echo("Màn hình (screens):")
    for name, path in SCREENS:
        if "{n}" in path:
            for counter in settings.counters:
                click.echo(f"  {name} {counter.number}: {base}{path.format(n=counter.number)}")
        else:
            click.echo(f"  {name}: {base}{path}")
    sys.stdout.flush()
    run(settings)


def hardware_notice(settings: Settings) -> list[str]:
    """Say plainly which devices are real and which are emulated."""
    hardware = settings.hardware
    lines = []
    if hardware.printer == "fake":
        lines.append("Máy in: GIẢ LẬP (emulated printer) — vé được lưu thành ảnh trong "
                     f"{settings.data_path / 'printer-jobs'}")
    elif hardware.printer == "none":
        lines.append("Máy in: không dùng (no printer)")
    else:
        lines.append(f"Máy in (printer): {hardware.printer}")
    if hardware.audio == "fake":
        lines.append("Loa: GIẢ LẬP (emulated audio) — lời gọi được ghi lại, không phát ra loa")
    elif hardware.audio == "none":
        lines.append("Loa: không dùng (no loudspeaker)")
    else:
        lines.append(f"Loa (audio): {hardware.audio}")
    return lines


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


@main.group()
def user() -> None:
    """Manage the people who log in."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(auth.USER_ROLES), required=True, help="What they may do.")
@click.option("--counter", type=int, default=None, help="The counter an officer works at.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@common_options
def user_add(settings: Settings, username: str, role: str, counter: int | None,
             password_stdin: bool) -> None:
    """Create a person (password from --password-stdin or a prompt)."""
    if counter is not None and settings.counter(counter) is None:
        raise click.BadParameter(f"there is no counter {counter}", param_hint="--counter")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    from .admin_cli import become_data_owner

    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        auth.add_user(store, username, password, role=role, counter=counter,
                      now=SystemClock().now())
        audit.record(store, actor=audit.cli_actor(), action=audit.USER_ADDED,
                     target=f"user:{username}", detail=f"role={role} counter={counter}",
                     now=SystemClock().now())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()
    click.echo(f"created {role} {username}" + (f" at counter {counter}" if counter else ""))


@main.group()
def token() -> None:
    """Manage device tokens."""


@token.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(auth.TOKEN_ROLES), required=True, help="What the device may do.")
@click.option("--counter", type=int, default=None, help="The counter a keypad or staff token is bound to.")
@common_options
def token_create(settings: Settings, name: str, role: str, counter: int | None) -> None:
    """Create a device token; it is printed once, on the last line."""
    if counter is not None and settings.counter(counter) is None:
        raise click.BadParameter(f"there is no counter {counter}", param_hint="--counter")
    from .admin_cli import become_data_owner

    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        secret = auth.create_token(store, name, role=role, counter=counter, now=SystemClock().now())
        audit.record(store, actor=audit.cli_actor(), action=audit.TOKEN_CREATED,
                     target=f"token:{name}", detail=f"role={role} counter={counter}",
                     now=SystemClock().now())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()
    click.echo(f"token for {role} device {name!r} (shown once, keep it safe):", err=True)
    click.echo(secret)


if __name__ == "__main__":
    main()
