"""`xephang simulate`: fill a database with a plausible history to see the dashboard full.

`stats.simulate` makes the days; they are written here, a transaction per day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click

from queue_core.cli.options import common_options
from queue_core.config import Settings
from queue_core.stats.simulate import BELIEVABLE, TEXTBOOK, Scenario, simulated_days, workdays
from queue_core.storage import Store


@click.command()
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="How many workdays of history, ending today.")
@click.option("--per-day", type=click.IntRange(1, 2000), default=150, show_default=True,
              help="About how many tickets a day.")
@click.option("--seed", type=int, default=7, show_default=True, help="The same seed, the same history.")
@click.option("--scenario", type=click.Choice(["believable", "textbook"]), default="believable",
              show_default=True,
              help="believable: breaks, people who give up, varied service; textbook: Poisson "
                   "arrivals and exponential service at known rates, nothing else (to check "
                   "the staffing advice).")
@common_options
def simulate_command(settings: Settings, days: int, per_day: int, seed: int,
                     scenario: str) -> None:
    """Fill the database with a plausible history (demos, benchmarks); never use on a live center."""
    store = Store.in_data_dir(settings.data_path)

    def progress(done: int, total: int) -> None:
        click.echo(f"\rMô phỏng (simulating): {done}/{total} ngày (days)", err=True,
                   nl=done == total)

    try:
        made = simulate_history(store, settings, days=days, per_day=per_day,
                                end=date.today(), seed=seed, progress=progress,
                                scenario=SCENARIOS[scenario])
    finally:
        store.close()
    click.echo(f"{made} tickets over {days} days in {settings.data_path / 'xephang.sqlite3'}")


SCENARIOS = {"believable": BELIEVABLE, "textbook": TEXTBOOK}


def simulate_history(store: Store, settings: Settings, *, days: int, per_day: float,
                     end: date, seed: int = 7,
                     progress: Callable[[int, int], None] | None = None,
                     scenario: Scenario = BELIEVABLE) -> int:
    """Insert `days` workdays of plausible history ending on `end`; return the tickets made."""
    made = 0
    total = len(workdays(end, days, settings))
    for i, simulated in enumerate(simulated_days(settings, days=days, per_day=per_day, end=end,
                                                 seed=seed, scenario=scenario), 1):
        with store.write():
            store.insert_history(simulated.tickets, simulated.transitions, simulated.ratings)
        made += len(simulated.tickets)
        if progress:
            progress(i, total)
    return made
