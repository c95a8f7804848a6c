"""The appliance's upkeep commands: doctor, backup, restore, purge, first-admin, browser.

`xephang` loads this module only when one of these commands runs (see `LazyGroup`).
Run as root on an installed box, the commands that touch the data dir first become
the user that owns it (the service's user), so a file they create never locks the
service out of its own database.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import audit, auth, backup, clockguard, doctor, retention
from .cli import common_options
from .clock import SystemClock
from .config import Settings
from .errors import XephangError
from .messages import render
from .store import Store

__all__ = [
    "backup_command", "browser_command", "doctor_command", "first_admin_command",
    "prepare_serving", "purge_command", "restore_command",
]

CLOCK_REFUSED_EXIT = 3
# Under systemd, how long a clock behind the data is watched before the start is refused.
CLOCK_PATIENCE_SECONDS = 60.0
CLOCK_LOOK_SECONDS = 5.0


class ClockRefused(click.ClickException):
    """The clock is behind the data: the server does not start."""

    exit_code = CLOCK_REFUSED_EXIT


def _now(settings: Settings) -> Any:
    from zoneinfo import ZoneInfo

    return SystemClock(ZoneInfo(settings.center.timezone)).now()


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


# --- serve: what is checked before listening -----------------------------------------------------

def prepare_serving(settings: Settings, *, accept_clock: bool = False,
                    interactive: bool | None = None, clock: Callable[[], datetime] | None = None,
                    wait: Callable[[float], Any] | None = None,
                    patience: float | None = None) -> int:
    """Take the data dir, upgrade the database, check the clock, make sure of an admin.

    Under systemd a clock behind the data is given `patience` seconds (network time often
    arrives just after boot) before the start is refused. Returns the serving lock's
    descriptor (held for the life of the process).
    """
    become_data_owner(settings)
    try:
        lock = backup.hold_serving_lock(settings.data_path)
    except backup.ServerRunning as exc:
        raise click.ClickException(f"{exc}. Máy chủ đã chạy trên thư mục dữ liệu này.") from None
    clock = clock or (lambda: _now(settings))
    if patience is None:
        patience = CLOCK_PATIENCE_SECONDS if os.environ.get("INVOCATION_ID") else 0.0
    store = Store.in_data_dir(settings.data_path)
    try:
        now = clock()
        verdict = clockguard.check(store, now)
        if verdict.status == clockguard.BEHIND and not accept_clock and patience > 0:
            verdict = _wait_for_the_clock(store, verdict, clock=clock, patience=patience,
                                          wait=wait or threading.Event().wait)
            now = verdict.now
        if verdict.status == clockguard.BEHIND and accept_clock:
            clockguard.accept(store, now, actor=audit.cli_actor())
            click.echo(f"Đã chấp nhận giờ hiện tại {now:%Y-%m-%d %H:%M} "
                       "(clock accepted as right).", err=True)
        elif not verdict.ok:
            os.close(lock)
            raise ClockRefused(render(verdict.code, "vi", **verdict.params()) + "\n"
                               + render(verdict.code, "en", **verdict.params()))
        ensure_first_admin(store, interactive=at_terminal() if interactive is None
                           else interactive)
    finally:
        store.close()
    return lock


def _wait_for_the_clock(store: Store, verdict: clockguard.ClockVerdict, *,
                        clock: Callable[[], datetime], patience: float,
                        wait: Callable[[float], Any]) -> clockguard.ClockVerdict:
    """Look at the clock again every few seconds, for `patience` seconds at most."""
    from .watchdog import Notifier

    notifier = Notifier()
    text = render(verdict.code, "en", **verdict.params())
    click.echo(render(verdict.code, "vi", **verdict.params()) + "\n" + text, err=True)
    waited = 0.0
    while waited < patience and verdict.status == clockguard.BEHIND:
        notifier.status(f"waiting for the clock: {text}"[:200])
        wait(CLOCK_LOOK_SECONDS)
        waited += CLOCK_LOOK_SECONDS
        verdict = clockguard.check(store, clock())
    if verdict.ok:
        click.echo("Đồng hồ đã đúng, tiếp tục (the clock is right now; starting).", err=True)
    return verdict


def at_terminal() -> bool:
    """Tell whether a person is typing (a service or a script has no terminal)."""
    return sys.stdin.isatty()


def ensure_first_admin(store: Store, *, interactive: bool) -> bool:
    """Create the first admin when none exists and someone is at the keyboard.

    Never a default password: without a terminal it only says how to make one.
    Returns whether an admin exists afterwards.
    """
    with store.read():
        admins = store.conn.execute(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").fetchone()[0]
    if admins:
        return True
    if not interactive:
        click.echo("Chưa có tài khoản quản trị. Tạo bằng (no admin account yet; create one): "
                   "xephang user add TEN --role admin", err=True)
        return False
    click.echo("Tạo tài khoản quản trị đầu tiên (create the first admin account).", err=True)
    while True:
        username = click.prompt("Tên đăng nhập (username)").strip()
        password = click.prompt("Mật khẩu (password, ≥ 8)", hide_input=True,
                                confirmation_prompt="Nhập lại (repeat)")
        try:
            auth.add_user(store, username, password, role="admin", counter=None,
                          now=SystemClock().now())
        except XephangError as exc:
            click.echo(f"{exc.message('vi')} ({exc.message('en')})", err=True)
            continue
        audit.record(store, actor=audit.cli_actor(), action=audit.USER_ADDED,
                     target=f"user:{username}", detail="role=admin (first run)",
                     now=SystemClock().now())
        click.echo(f"Đã tạo quản trị viên {username} (admin created).", err=True)
        return True


@click.command("first-admin")
@common_options
def first_admin_command(settings: Settings) -> None:
    """Create the first admin account if there is none (asks at a terminal only)."""
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        ensure_first_admin(store, interactive=at_terminal())
    finally:
        store.close()


# --- doctor --------------------------------------------------------------------------------------

@click.command("doctor")
@click.option("--core", "core_url", default=None, envvar="XEPHANG_CORE_URL",
              help="A satellite box: the queue core it works for (e.g. http://192.168.1.10:8000).")
@click.option("--gpio/--no-gpio", default=None,
              help="Check the GPIO pins (default: when hardware.gpio is set).")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON, for scripts.")
@common_options
def doctor_command(settings: Settings, core_url: str | None, gpio: bool | None,
                   as_json: bool) -> None:
    """Check database, disk, backups, clock, printer, speech, GPIO and the core; exit 1 if broken."""
    become_data_owner(settings)
    findings = doctor.examine(settings, core_url=core_url, gpio=gpio)
    click.echo(doctor.as_json(findings) if as_json else doctor.report(findings))
    sys.exit(doctor.exit_status(findings))


# --- backup, restore, purge ----------------------------------------------------------------------

@click.command("backup")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Where to put the copy (default: backup.dir, or backups/ in the data dir).")
@common_options
def backup_command(settings: Settings, folder: str | None) -> None:
    """Copy the database now (safe while serving), then drop copies past the keep limits."""
    become_data_owner(settings)
    target = Path(folder) if folder else backup.backup_dir(settings)
    try:
        made = backup.take(backup.database_path(settings), target,
                           now=_now(settings).replace(tzinfo=None))
    except backup.BackupError as exc:
        raise click.ClickException(exc.message("en")) from None
    removed = backup.rotate(target, keep_count=settings.backup.keep_count,
                            keep_days=settings.backup.keep_days)
    click.echo(f"Đã sao lưu (backup made): {made.path} — {made.tickets} vé (tickets), "
               f"{made.size // 1024} KB" + (f"; đã xóa {len(removed)} bản cũ (old copies removed)"
                                            if removed else ""))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@common_options
def restore_command(settings: Settings, file: Path, yes: bool) -> None:
    """Replace the database with a backup FILE (the server must be stopped)."""
    become_data_owner(settings)
    if backup.is_serving(settings.data_path):
        raise click.ClickException(
            "Máy chủ đang chạy; hãy dừng trước: sudo systemctl stop xephang "
            "(the server is running; stop it first)")
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("add --yes to restore without a terminal")
        click.confirm(f"Thay cơ sở dữ liệu bằng {file}? (replace the database with this backup?)",
                      abort=True)
    now = _now(settings)
    try:
        done = backup.restore(settings, file.resolve(), now=now.replace(tzinfo=None))
    except backup.BackupError as exc:
        raise click.ClickException(exc.message("en")) from None
    store = Store.in_data_dir(settings.data_path)
    try:
        audit.record(store, actor=audit.cli_actor(), action=audit.BACKUP_RESTORED,
                     target=file.name, detail=f"{done.tickets} tickets", now=now)
    finally:
        store.close()
    click.echo(f"Đã khôi phục (restored) {file} — {done.tickets} vé (tickets).")
    if done.previous is not None:
        click.echo(f"Cơ sở dữ liệu cũ được giữ ở (previous database kept at): {done.previous}")
    click.echo("Khởi động lại máy chủ (start the server again): sudo systemctl start xephang")


@click.command("purge")
@click.option("--months", type=click.IntRange(1, 1200), default=None,
              help="Delete tickets older than this many months (default: backup.retention_months).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@common_options
def purge_command(settings: Settings, months: int | None, yes: bool) -> None:
    """Delete old tickets with their history, ratings and print records (retention)."""
    become_data_owner(settings)
    months = months or settings.backup.retention_months
    if not months:
        click.echo("Không xóa gì: backup.retention_months = 0 giữ vé mãi mãi "
                   "(retention is off; give --months N).")
        return
    now = _now(settings)
    cutoff = retention.cutoff_day(now.date(), months)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("add --yes to purge without a terminal")
        click.confirm(f"Xóa mọi vé trước ngày {cutoff}? (delete every ticket before {cutoff}?)",
                      abort=True)
    store = Store.in_data_dir(settings.data_path)
    try:
        purged = retention.purge(store, before=cutoff)
        audit.record(store, actor=audit.cli_actor(), action=audit.TICKETS_PURGED, now=now,
                     detail=f"{purged.tickets} tickets before {cutoff}")
    finally:
        store.close()
    others = ", ".join(f"{table}: {count}" for table, count in sorted(purged.rows.items()))
    click.echo(f"Đã xóa {purged.tickets} vé trước ngày {cutoff} (tickets deleted)"
               + (f"; {others}" if others else ""))


# --- browser screens -----------------------------------------------------------------------------

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
