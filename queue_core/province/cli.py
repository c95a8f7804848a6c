"""`xephang hub …`: the province hub's commands (thin wrappers over the same functions the
web layer calls). Every command takes `--database postgresql://…` or `XEPHANG_HUB_DATABASE`;
none needs a box's `--data-dir`."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from ..domain.clock import VIETNAM, SystemClock


def database_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command --database and hand it an open, upgraded Database."""

    @click.option("--database", envvar="XEPHANG_HUB_DATABASE", required=True,
                  help="PostgreSQL address, e.g. postgresql://hub@localhost/xephang_hub"
                       " (or XEPHANG_HUB_DATABASE).")
    @functools.wraps(command)
    def wrapper(database: str, **kwargs: Any) -> Any:
        from ..domain.errors import XephangError
        from .storage.database import Database, DatabaseUnavailable
        from .storage.migrations import migrate

        db = Database(database, max_size=2).open()
        try:
            with db.transaction() as conn:
                migrate(conn)
            return command(db, **kwargs)
        except DatabaseUnavailable as exc:
            raise click.ClickException(f"PostgreSQL cannot be reached: {exc}") from None
        except XephangError as exc:
            raise click.ClickException(exc.message("en")) from None
        finally:
            db.close()

    return wrapper


def _now() -> Any:
    return SystemClock(VIETNAM).now()


@click.group("hub")
def hub_command() -> None:
    """The province hub: every commune center of a province in one view, on PostgreSQL."""


@hub_command.command("serve")
@click.option("--database", envvar="XEPHANG_HUB_DATABASE", required=True,
              help="PostgreSQL address (or XEPHANG_HUB_DATABASE).")
@click.option("--host", envvar="XEPHANG_HUB_HOST", default="0.0.0.0", show_default=True,
              help="Address to listen on.")
@click.option("--port", envvar="XEPHANG_HUB_PORT", type=int, default=8100, show_default=True,
              help="Port to listen on.")
@click.option("--workers", envvar="XEPHANG_HUB_WORKERS", type=click.IntRange(1, 64), default=2,
              show_default=True, help="Serving processes.")
def serve(database: str, host: str, port: int, workers: int) -> None:
    """Run the province's service: ingest from the boxes, dashboard at /."""
    from .storage.database import Database, DatabaseUnavailable
    from .storage.migrations import migrate

    db = Database(database, max_size=1).open()
    try:
        with db.transaction() as conn:
            done = migrate(conn)
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"PostgreSQL cannot be reached: {exc}") from None
    finally:
        db.close()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    click.echo("xephang hub — Trung tâm dữ liệu của tỉnh (province hub)")
    if done:
        click.echo(f"Cơ sở dữ liệu đã nâng cấp (database upgraded): {', '.join(done)}")
    click.echo(f"Bảng điều khiển (dashboard): http://{shown}:{port}/")
    click.echo(f"Nhận dữ liệu (ingest): http://{shown}:{port}/api/v1/ingest")
    sys.stdout.flush()
    from .server import run

    run(database, host=host, port=port, workers=workers)


@hub_command.group("center")
def center() -> None:
    """Register the centers whose boxes forward to this hub."""


@center.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The center's name, as the province writes it.")
@database_option
def center_add(db: Any, code: str, name: str) -> None:
    """Register a center; its box's token is printed once, on the last line."""
    from . import accounts

    token = accounts.add_center(db, code, name)
    click.echo(f"center {code.upper()} registered; its box's hub token (shown once):", err=True)
    click.echo(token)


@center.command("list")
@database_option
def center_list(db: Any) -> None:
    """List the registered centers."""
    from .storage import accounts as rows

    with db.transaction() as conn:
        for _, code, name in rows.centers(conn):
            click.echo(f"{code}\t{name}")


@center.command("token")
@click.argument("code")
@click.option("--revoke-old", is_flag=True, help="Revoke the center's earlier tokens too.")
@database_option
def center_token(db: Any, code: str, revoke_old: bool) -> None:
    """Give a center's box a new token (printed once, on the last line)."""
    from . import accounts

    token = accounts.new_center_token(db, code, now=_now(), revoke_old=revoke_old)
    click.echo(f"new hub token for center {code.upper()} (shown once):", err=True)
    click.echo(token)


@center.command("revoke")
@click.argument("code")
@database_option
def center_revoke(db: Any, code: str) -> None:
    """Revoke every token of a center's box: its next batch is refused (401)."""
    from . import accounts

    count = accounts.revoke_center(db, code, now=_now())
    click.echo(f"revoked {count} token(s) of center {code.upper()}")


@hub_command.group("token")
def token() -> None:
    """Read tokens for provincial viewers and scripts."""


@token.command("create")
@click.argument("name")
@click.option("--center", "center_code", default=None,
              help="Bind the token to one center (it reads only that center).")
@database_option
def token_create(db: Any, name: str, center_code: str | None) -> None:
    """Create a viewer's read token; it is printed once, on the last line."""
    from . import accounts

    secret = accounts.create_viewer_token(db, name, center=center_code)
    click.echo(f"read token {name!r} (shown once, keep it safe):", err=True)
    click.echo(secret)


@token.command("revoke")
@click.argument("name_or_id")
@database_option
def token_revoke(db: Any, name_or_id: str) -> None:
    """Revoke tokens by name or id."""
    from . import accounts

    click.echo(f"revoked {accounts.revoke_token(db, name_or_id, now=_now())} token(s)")


@token.command("list")
@database_option
def token_list(db: Any) -> None:
    """List tokens (never the tokens themselves)."""
    from .storage import accounts as rows

    with db.transaction() as conn:
        for t in rows.tokens(conn):
            state = "revoked" if t["revoked_at"] else "live"
            click.echo(f"{t['id']}\t{t['name']}\t{t['kind']}\t{t['center'] or '-'}\t{state}")


@hub_command.group("user")
def user() -> None:
    """People who log in to the province dashboard."""


@user.command("add")
@click.argument("username")
@click.option("--center", "center_code", default=None,
              help="Bind the person to one center (they see only that center).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@database_option
def user_add(db: Any, username: str, center_code: str | None, password_stdin: bool) -> None:
    """Create a person (password from --password-stdin or a prompt)."""
    from . import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    accounts.add_user(db, username, password, center=center_code)
    click.echo(f"created {username}" + (f" for center {center_code.upper()}" if center_code
                                        else " for the whole province"))


@user.command("disable")
@click.argument("username")
@database_option
def user_disable(db: Any, username: str) -> None:
    """Stop a person from logging in (their sessions end at once)."""
    from . import accounts

    if not accounts.disable_user(db, username, now=_now()):
        raise click.ClickException(f"no enabled user {username!r}")
    click.echo(f"disabled {username}")


__all__ = ["hub_command"]
