"""`xephang browser PAGE`: a screen page full screen in Chromium (in cage on a bare console).

It waits for the core to answer first, so a screen box that boots faster than the core
shows the page, not an error.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import click

PAGES = {
    "wall": "/display/wall",
    "kiosk": "/kiosk",
    "manager": "/manager",
    "staff": "/counter",
}
NUMBERED_PAGES = {"counter": "/display/counter/{n}", "rate": "/rate/{n}"}
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = (
    "--kiosk", "--noerrdialogs", "--disable-infobars", "--no-first-run",
    "--disable-session-crashed-bubble", "--disable-features=Translate,TranslateUI",
    "--check-for-update-interval=31536000", "--autoplay-policy=no-user-gesture-required",
    "--password-store=basic", "--overscroll-history-navigation=0", "--disable-pinch",
    "--ozone-platform-hint=auto",
)


def page_path(page: str) -> str:
    """Return the address path of a screen page: wall, kiosk, counter-3, rate-2, or /path."""
    if page.startswith("/"):
        return page
    if page in PAGES:
        return PAGES[page]
    name, _, number = page.rpartition("-")
    if name in NUMBERED_PAGES and number.isdigit():
        return NUMBERED_PAGES[name].format(n=int(number))
    raise click.BadParameter(
        f"{page!r}: give wall, kiosk, manager, staff, counter-N, rate-N or a /path",
        param_hint="PAGE")


def chromium_command(binary: str, url: str, profile: Path) -> list[str]:
    return [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url]


def cage_command(inner: list[str]) -> list[str]:
    """Return the command running `inner` full screen in cage (no decorations, VT switching)."""
    cage = shutil.which("cage")
    if cage is None:
        raise click.ClickException("cage is not installed: sudo apt install cage")
    return [cage, "-d", "-s", "--", *inner]


def wait_for_core(url: str, *, deadline: float | None, stop: threading.Event) -> bool:
    """Poll the core's health until it answers; False when `deadline` seconds pass first."""
    waited = 0.0
    delay = 0.5
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=3):
                return True
        except (urllib.error.URLError, OSError):
            pass
        if deadline is not None and waited >= deadline:
            return False
        stop.wait(delay)
        waited += delay
        delay = min(delay * 2, 5.0)
    return False


@click.command("browser")
@click.argument("page")
@click.option("--core", "core_url", default="http://127.0.0.1:8000", show_default=True,
              envvar="XEPHANG_CORE_URL", help="Address of the queue core.")
@click.option("--token", envvar="XEPHANG_SCREEN_TOKEN", default=None,
              help="Device token the page keeps (kiosk pages need one).")
@click.option("--chromium", "binary", envvar="XEPHANG_CHROMIUM", default=None,
              help="The browser to run (default: chromium or chromium-browser).")
@click.option("--wait", "wait_seconds", type=float, default=None,
              help="Give up after this many seconds without an answer from the core.")
@click.option("--dry-run", is_flag=True, help="Print the browser command instead of running it.")
@click.option("--data-dir", envvar="XEPHANG_DATA_DIR", default="./var",
              help="Where the browser keeps its profile (default ./var).")
@click.option("--compositor", type=click.Choice(["none", "cage"]), default="none",
              show_default=True,
              help="cage: run inside cage, a one-window Wayland compositor (a box with no desktop).")
def browser_command(page: str, core_url: str, token: str | None, binary: str | None,
                    wait_seconds: float | None, dry_run: bool, data_dir: str,
                    compositor: str) -> None:
    """Show PAGE (wall, counter-N, kiosk, rate-N) full screen in Chromium, once the core answers."""
    core_url = core_url.rstrip("/")
    if compositor == "cage":
        inner = [sys.executable, "-P", "-m", "queue_core.cli", "browser", page, "--core", core_url,
                 "--data-dir", data_dir] + (["--chromium", binary] if binary else []) \
            + (["--wait", str(wait_seconds)] if wait_seconds is not None else [])
        command = cage_command(inner)
        if dry_run:
            click.echo(" ".join(command))
            return
        # The unit's own runtime directory: the Wayland socket needs a writable one.
        if os.environ.get("RUNTIME_DIRECTORY"):
            os.environ["XDG_RUNTIME_DIR"] = os.environ["RUNTIME_DIRECTORY"].split(":")[0]
        os.execvp(command[0], command)
    url = core_url + page_path(page) + (f"#token={token}" if token else "")
    found = binary or next((b for b in CHROMIUM_NAMES if shutil.which(b)), None)
    if found is None:
        raise click.ClickException("Chromium is not installed: sudo apt install chromium")
    profile = Path(data_dir).resolve() / "browser" / page.strip("/").replace("/", "_")
    command = chromium_command(found, url, profile)
    if dry_run:
        click.echo(" ".join(command))
        return
    if not wait_for_core(core_url, deadline=wait_seconds, stop=threading.Event()):
        raise click.ClickException(f"the core at {core_url} does not answer")
    profile.mkdir(parents=True, exist_ok=True)
    os.execvp(found, command)
