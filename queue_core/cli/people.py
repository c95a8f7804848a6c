"""`xephang user add|disable|enable`, `xephang token create|list|revoke`, `xephang first-admin`.

People and device tokens from the command line, for installers and scripts (the admin
console does the same). Each goes through `service.auth` or `service.accounts`, which audit
what they change in the same write. A running box notices a revoked token or a disabled
person at their next request; their open websockets are dropped within seconds.
"""

from __future__ import annotations

import json
import sys

import click

from queue_core.cli import serve as serving
from queue_core.cli.options import become_data_owner, common_options
from queue_core.config import Settings
from queue_core.domain.clock import SystemClock
from queue_core.domain.errors import XephangError
from queue_core.service import accounts, audit, auth
from queue_core.storage import Store


@click.group()
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
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        auth.add_user(store, username, password, role=role, counter=counter,
                      now=SystemClock().now(), actor=audit.cli_actor())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()
    click.echo(f"created {role} {username}" + (f" at counter {counter}" if counter else ""))


def _set_disabled(settings: Settings, username: str, disabled: bool) -> None:
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        accounts.update_person(store, settings, username, {"disabled": disabled},
                               actor=audit.cli_actor(), now=SystemClock().now())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()


@user.command("disable")
@click.argument("username")
@common_options
def user_disable(settings: Settings, username: str) -> None:
    """Stop a person logging in; their sessions end at their next request."""
    _set_disabled(settings, username, True)
    click.echo(f"disabled {username}")


@user.command("enable")
@click.argument("username")
@common_options
def user_enable(settings: Settings, username: str) -> None:
    """Let a disabled person log in again."""
    _set_disabled(settings, username, False)
    click.echo(f"enabled {username}")


@click.group()
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
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        secret = auth.create_token(store, name, role=role, counter=counter,
                                   now=SystemClock().now(), actor=audit.cli_actor())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()
    click.echo(f"token for {role} device {name!r} (shown once, keep it safe):", err=True)
    click.echo(secret)


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array, as GET /tokens answers.")
@common_options
def token_list(settings: Settings, as_json: bool) -> None:
    """List the live device tokens (never the tokens themselves) and when each was last used."""
    store = Store.in_data_dir(settings.data_path)
    try:
        found = accounts.tokens(store)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    if not found:
        click.echo("no live device tokens", err=True)
        return
    rows = [("ID", "NAME", "ROLE", "COUNTER", "CREATED", "LAST USED")]
    rows += [(str(t["id"]), t["name"], t["role"], str(t["counter"] or "-"),
              (t["created_at"] or "")[:16], (t["last_used_at"] or "never")[:16]) for t in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@token.command("revoke")
@click.argument("which", metavar="ID|NAME")
@common_options
def token_revoke(settings: Settings, which: str) -> None:
    """Revoke a device token by its id, or every live token of that name."""
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        revoked = accounts.revoke(store, which, actor=audit.cli_actor(), now=SystemClock().now())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()
    click.echo("revoked token " + ", ".join(str(i) for i in revoked))


@click.command("first-admin")
@common_options
def first_admin_command(settings: Settings) -> None:
    """Create the first admin account if there is none (asks at a terminal only)."""
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        serving.ensure_first_admin(store, interactive=serving.at_terminal())
    finally:
        store.close()
