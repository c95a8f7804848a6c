"""The `xephang` command: its group, and which module holds each subcommand."""

from __future__ import annotations

import click

from queue_core import __version__
from queue_core.cli.people import token, user
from queue_core.cli.serve import serve


class LazyGroup(click.Group):
    """A command group whose other commands are imported only when run.

    `xephang --help`, `user` and `token` then load no satellite (no pygame, escpos or
    speech engine); `serve` loads what the core itself drives (its printer's python-escpos),
    and speech only ever runs in the announcer's own process.
    """

    LAZY = {
        "announcer": "queue_core.cli.announcer:announcer_command",
        "display": "queue_core.cli.display:display_command",
        "keypad": "queue_core.cli.device_commands:keypad_command",
        "ratingpad": "queue_core.cli.device_commands:ratingpad_command",
        "kiosk": "queue_core.cli.kiosk:kiosk_command",
        "doctor": "queue_core.cli.upkeep:doctor_command",
        "backup": "queue_core.cli.upkeep:backup_command",
        "restore": "queue_core.cli.upkeep:restore_command",
        "purge": "queue_core.cli.upkeep:purge_command",
        "first-admin": "queue_core.cli.people:first_admin_command",
        "browser": "queue_core.cli.browser:browser_command",
        "simulate": "queue_core.cli.simulate:simulate_command",
        "hub": "queue_core.province.cli:hub_command",
        "catalog": "queue_core.cli.catalog:catalog",
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


main.add_command(serve)
main.add_command(user)
main.add_command(token)

if __name__ == "__main__":
    main()
