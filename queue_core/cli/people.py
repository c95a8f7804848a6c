"""`xephang user add`, `xephang token create`, `xephang first-admin`: people and device tokens.

Each goes through `service.auth`, which audits what it creates in the same write.
"""

from __future__ import annotations

import sys

import click

from queue_core.cli import serve as serving
from queue_core.cli.options import become_data_owner, common_options
from queue_core.config import Settings
from queue_core.domain.clock import SystemClock
from queue_core.domain.errors import XephangError
from queue_core.service import audit, auth
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
