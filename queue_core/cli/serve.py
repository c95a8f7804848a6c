"""`xephang serve`: check the data dir, its database, the clock and the first admin, then serve.

Everything the server writes is private (umask 077; the data dir 0700, its files 0600).
A database unfit to serve (damaged, truncated, emptied, missing where this box had data,
older than the marks beside it) stops the start with a plain message naming
`xephang restore`; a full disk does not: the box serves what it has, says "bộ nhớ đầy",
and refuses only what it cannot save.

The serving itself is `queue_core.ops.server` (uvicorn's event loop by default, gunicorn or
eventlet's server in the optional modes) running `queue_core.web.app.create_app`; a
loudspeaker on this box gets the announcer in a supervised child process, so a speech
engine never runs in the serving process. An emulated loudspeaker in asyncio mode gets it
on threads of the serving process instead (`announcer.in_process`): nothing is played,
and each sentence is rendered by the espeak-ng command line in a child of its own.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from queue_core import __version__
from queue_core.cli.options import become_data_owner, common_options, now_at_center
from queue_core.config import Settings
from queue_core.domain.clock import SystemClock
from queue_core.domain.errors import StorageFull, XephangError
from queue_core.domain.messages import render
from queue_core.ops import backup, clockguard, datadir
from queue_core.service import accounts, audit, auth
from queue_core.service.center import LOW_STORAGE_BYTES
from queue_core.storage import DATABASE_FILE, Store
from queue_core.storage.connection import is_full
from queue_core.storage.marks import Marks

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

CLOCK_REFUSED_EXIT = 3
DATABASE_REFUSED_EXIT = 4
# Under systemd, how long a clock behind the data is watched before the start is refused.
CLOCK_PATIENCE_SECONDS = 60.0
CLOCK_LOOK_SECONDS = 5.0
LOCAL_ANNOUNCER = "announcer@serve"


class ClockRefused(click.ClickException):
    """The clock is behind the data: the server does not start."""

    exit_code = CLOCK_REFUSED_EXIT


class DatabaseRefusedExit(click.ClickException):
    """The database may not be served: the server does not start."""

    exit_code = DATABASE_REFUSED_EXIT


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@click.option("--accept-clock", is_flag=True,
              help="Start although the clock is behind the data (only once the date is checked).")
@common_options
def serve(settings: Settings, host: str | None, port: int | None, accept_clock: bool) -> None:
    """Run the whole appliance: queue core, screens and devices."""
    from queue_core.ops import server
    from queue_core.web.app import create_app
    from queue_core.web.realtime_asyncio import for_app

    # Private from the first file on, for the life of the server and its children.
    datadir.keep_private()
    # Open (and upgrade) the database here, so a broken data dir or a clock behind the data
    # stops us before listening. The app itself is built in the serving worker only.
    prepare_serving(settings, accept_clock=accept_clock)
    base = f"http://{_shown_host(settings.server.host)}:{settings.server.port}"
    click.echo(f"xephang {__version__} — {settings.center.name}")
    click.echo(f"Dữ liệu (data): {settings.data_path.resolve()}")
    for line in hardware_notice(settings):
        click.echo(line)
    warning = localhost_warning(settings)
    if warning:
        click.echo(warning, err=True)
    click.echo("Màn hình (screens):")
    for name, path in SCREENS:
        if "{n}" in path:
            for counter in settings.counters:
                click.echo(f"  {name} {counter.number}: {base}{path.format(n=counter.number)}")
        else:
            click.echo(f"  {name}: {base}{path}")
    sys.stdout.flush()
    # eventlet must patch the standard library before anything else imports it: its own entry.
    server.run(settings, create_app, eventlet_entry="queue_core.cli.eventlet",
               realtime=for_app, beside=start_local_announcer)


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
    datadir.secure(settings.data_path)
    try:
        lock = backup.hold_serving_lock(settings.data_path)
    except backup.ServerRunning as exc:
        raise click.ClickException(f"{exc}. Máy chủ đã chạy trên thư mục dữ liệu này.") from None
    try:
        datadir.check_database(settings)
        store = open_store(settings)
    except (datadir.DatabaseRefused, DatabaseRefusedExit) as exc:
        os.close(lock)
        raise DatabaseRefusedExit(str(exc) if isinstance(exc, datadir.DatabaseRefused)
                                  else exc.message) from None
    clock = clock or (lambda: now_at_center(settings))
    if patience is None:
        patience = CLOCK_PATIENCE_SECONDS if os.environ.get("INVOCATION_ID") else 0.0
    try:
        note_marks(settings, store)
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
        if interactive:
            ensure_first_admin(store, interactive=True)
        offer_setup(store, settings)
    finally:
        store.close()
    return lock


def offer_setup(store: Store, settings: Settings) -> str | None:
    """While no admin exists, make a one-time setup code and say where to use it.

    The center is then set up from a browser at `/setup` (the code is also kept in
    `<data_dir>/setup-code`, mode 0600); `xephang first-admin` remains for a terminal.
    Returns the code, or None once an admin exists (any old code is void then).
    """
    from queue_core.service import setup

    code = setup.issue_code(store, settings.data_path, now=SystemClock().now())
    if code is None:
        return None
    base = public_base(settings)
    click.echo("", err=True)
    click.echo("Chưa có quản trị viên. Mở trình duyệt để thiết lập trung tâm "
               "(no admin yet: set the center up from a browser):", err=True)
    click.echo(f"  Địa chỉ (address): {base}/setup", err=True)
    click.echo(f"  Mã thiết lập (setup code): {code}", err=True)
    click.echo(f"  (cũng có trong / also in {settings.data_path / setup.CODE_FILE})", err=True)
    click.echo("", err=True)
    return code


def public_base(settings: Settings) -> str:
    """Return the address other machines reach this box by: the configured one, else the
    LAN address with the port served."""
    from queue_core.web.addresses import lan_address

    if settings.kiosk.public_url:
        return settings.kiosk.public_url.rstrip("/")
    host = _shown_host(settings.server.host)
    if host == "127.0.0.1":
        host = lan_address() or host
    return f"http://{host}:{settings.server.port}"


def localhost_warning(settings: Settings) -> str | None:
    """Warn when printed tickets' QR codes would point at this box's own loopback."""
    from queue_core.web.addresses import is_loopback

    public = settings.kiosk.public_url
    if public and not is_loopback(public.split("//", 1)[-1].split("/", 1)[0]):
        return None
    if not public and not is_loopback(public_base(settings).split("//", 1)[-1]):
        return None
    return ("Cảnh báo: mã QR trên vé sẽ trỏ tới localhost — đặt kiosk.public_url (hoặc "
            "XEPHANG_KIOSK_PUBLIC_URL) thành địa chỉ LAN của máy (tickets' QR codes would point at "
            "localhost: set the box's public address).")


def open_store(settings: Settings) -> Store:
    """Open (and upgrade) the database; a full disk that stops an upgrade is said plainly."""
    try:
        return Store.in_data_dir(settings.data_path)
    except sqlite3.Error as exc:
        if not is_full(exc):
            raise
        path = settings.data_path / DATABASE_FILE
        raise DatabaseRefusedExit(render("database_storage_full", "vi", path=path) + "\n"
                                  + render("database_storage_full", "en", path=path)) from None


def note_marks(settings: Settings, store: Store) -> None:
    """Write the marks beside the database (this box now has one); say so if the disk is full."""
    marks = Marks.in_data_dir(settings.data_path)
    with store.read():
        seq = store.seq()
    try:
        marks.note_seq(seq)
    except StorageFull:
        pass
    free = store.free_bytes()
    if store.storage_full or (free is not None and free < LOW_STORAGE_BYTES):
        shown = f"{free // 1024} KB" if free is not None else "?"
        click.echo(render("serving_storage_full", "vi", free=shown) + "\n"
                   + render("serving_storage_full", "en", free=shown), err=True)


def _wait_for_the_clock(store: Store, verdict: clockguard.ClockVerdict, *,
                        clock: Callable[[], datetime], patience: float,
                        wait: Callable[[float], Any]) -> clockguard.ClockVerdict:
    """Look at the clock again every few seconds, for `patience` seconds at most."""
    from queue_core.ops.watchdog import Notifier

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
        admins = store.count_admins()
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
                          now=SystemClock().now(), actor=audit.cli_actor(),
                          note="role=admin (first run)")
        except XephangError as exc:
            click.echo(f"{exc.message('vi')} ({exc.message('en')})", err=True)
            continue
        click.echo(f"Đã tạo quản trị viên {username} (admin created).", err=True)
        return True


def start_local_announcer(settings: Settings) -> Any:
    """Run the announcer beside the core when the loudspeaker hangs on this box.

    Speech lives in a supervised child process, so a crash in the speech engine never
    touches the queue; with an emulated loudspeaker in asyncio mode it runs on threads
    of this process and renders speech with the espeak-ng command line only
    (`announcer.in_process`). Each start gets a fresh token; the previous one is revoked.
    """
    hardware = settings.hardware
    if not hardware.speaker_attached or hardware.audio == "none":
        return None
    import atexit

    from announcer.supervisor import AnnouncerProcess

    store = Store.in_data_dir(settings.data_path)
    try:
        now = SystemClock().now()
        token = accounts.replace_token(store, LOCAL_ANNOUNCER, role="announcer",
                                       actor="system:serve", now=now)
    except StorageFull:
        click.echo("Bộ nhớ đầy: loa thông báo trên máy này chưa chạy được (storage full: the "
                   "local announcer is not started until space is freed).", err=True)
        return None
    finally:
        store.close()
    host = settings.server.host
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    core_url = f"http://{host}:{settings.server.port}"
    child: Any
    if hardware.audio == "fake" and settings.server.async_mode == "asyncio":
        # Nothing is played: no speech engine is loaded, so no second process is needed.
        from announcer.in_process import InProcessAnnouncer

        child = InProcessAnnouncer(core_url, token, settings)
    else:
        child = AnnouncerProcess(core_url, token, config_file=settings.config_file,
                                 data_dir=str(settings.data_path.resolve()))
    child.start()
    atexit.register(child.stop)
    return child
