"""``xephang display``: the native full-screen wall or counter screen (pygame, no browser).

The main ``xephang`` command registers `display_command`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from queue_core.cli.options import configure_logging, core_option

__all__ = ["display_command"]

SIZE_RE = re.compile(r"^(\d{2,5})[x×](\d{2,5})$")


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    match = SIZE_RE.match(value.strip().lower())
    if not match:
        raise click.BadParameter("give WIDTHxHEIGHT, for example 1920x1080")
    return int(match.group(1)), int(match.group(2))


@click.command("display")
@core_option()
@click.option("--counter", type=click.IntRange(1, 999), default=None,
              help="Show this counter's screen instead of the wall screen.")
@click.option("--screen", "screen_name", default=None, metavar="wall|N",
              help="Which screen: wall, or a counter number (what xephang-display@NAME passes).")
@click.option("--token", envvar="XEPHANG_DISPLAY_TOKEN", default=None,
              help="Device token (role display); the board is readable without one on the LAN.")
@click.option("--notice", default="", help="A notice line along the bottom of the wall screen.")
@click.option("--highlight-seconds", type=click.IntRange(1, 120), default=8, show_default=True,
              help="How long a new call stays highlighted.")
@click.option("--recent", "recent_calls", type=click.IntRange(0, 12), default=8,
              show_default=True, help="How many earlier calls the wall lists.")
@click.option("--window", "size", callback=_size, metavar="WxH", default=None,
              help="Run in a window of this size instead of full screen (for a try-out).")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Save the first complete frame as PNG to this file and exit.")
@click.option("--timeout", type=float, default=None,
              help="With --screenshot: give up after this many seconds (exit status 1).")
@click.option("-v", "--verbose", is_flag=True, help="Log connections and resyncs.")
def display_command(core_url: str, counter: int | None, screen_name: str | None,
                    token: str | None, notice: str,
                    highlight_seconds: int, recent_calls: int, size: tuple[int, int] | None,
                    screenshot: Path | None, timeout: float | None, verbose: bool) -> None:
    """Show the wall screen (or one counter's screen) full screen with pygame."""
    if screen_name is not None:
        from display.instance import screen_counter

        try:
            named = screen_counter(screen_name)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--screen") from None
        if counter is not None and counter != named:
            raise click.UsageError(f"--screen {screen_name} and --counter {counter} disagree")
        counter = named
    configure_logging(verbose)
    try:
        from display.native import NativeScreen
    except ImportError as exc:
        raise click.ClickException(f"the native screen needs pygame ({exc}); "
                                   "install it with: pip install pygame") from None
    import pygame

    screen = NativeScreen(core_url, counter=counter, token=token, notice=notice,
                          highlight_seconds=highlight_seconds, recent_calls=recent_calls,
                          size=size if size is not None or screenshot is None else (1920, 1080))
    what = f"quầy {counter}" if counter else "màn hình chung"
    click.echo(f"xephang display → {core_url} ({what})", err=True)
    try:
        status = screen.run(screenshot=screenshot, timeout=timeout)
    except pygame.error as exc:
        raise click.ClickException(f"cannot open the screen: {exc} (no display? try "
                                   "SDL_VIDEODRIVER=kmsdrm on a console, or run under X)") from None
    except KeyboardInterrupt:
        status = 0
    if screenshot is not None and status == 0:
        click.echo(str(screenshot))
    sys.exit(status)
