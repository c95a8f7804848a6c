"""`xephang simulate`: fill a database with a plausible history to see the dashboard full."""

from __future__ import annotations

from datetime import date

import click

from .cli import common_options
from .config import Settings
from .simulate import simulate_history
from .store import Store


@click.command()
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="How many workdays of history, ending today.")
@click.option("--per-day", type=click.IntRange(1, 2000), default=150, show_default=True,
              help="About how many tickets a day.")
@click.option("--seed", type=int, default=7, show_default=True, help="The same seed, the same history.")
@common_options
def simulate_command(settings: Settings, days: int, per_day: int, seed: int) -> None:
    """Fill the database with a plausible history (demos, benchmarks); never use on a live center."""
    store = Store.in_data_dir(settings.data_path)

    def progress(done: int, total: int) -> None:
        click.echo(f"\rMô phỏng (simulating): {done}/{total} ngày (days)", err=True,
                   nl=done == total)

    try:
        made = simulate_history(store, settings, days=days, per_day=per_day,
                                end=date.today(), seed=seed, progress=progress)
    finally:
        store.close()
    click.echo(f"{made} tickets over {days} days in {settings.data_path / 'xephang.sqlite3'}")
