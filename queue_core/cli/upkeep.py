"""`xephang doctor`, `backup`, `restore`, `purge`: looking after a box and its data.

Run as root on an installed box, each first becomes the user that owns the data dir
(the service's user), so a file it creates never locks the service out of its database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from queue_core.cli.options import become_data_owner, common_options, now_at_center
from queue_core.config import Settings
from queue_core.ops import backup, doctor, retention
from queue_core.service import audit
from queue_core.storage import Store
from queue_core.storage.marks import Marks


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
    findings = doctor.examine(settings, core_url=core_url, gpio=gpio,
                              probes=doctor.Probes(speech_checks=_speech_checks))
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
                           now=now_at_center(settings).replace(tzinfo=None))
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
    now = now_at_center(settings)
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
    marks = Marks.in_data_dir(settings.data_path)
    issued = marks.issued_today(now.date().isoformat())
    if issued:
        shown = ", ".join(f"{series}: {number}" for series, number in sorted(issued.items()))
        click.echo(f"Số thứ tự hôm nay tiếp tục sau các số đã cấp ({shown}) — numbering today "
                   "continues after the numbers already issued.")
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
    now = now_at_center(settings)
    cutoff = retention.cutoff_day(now.date(), months)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("add --yes to purge without a terminal")
        click.confirm(f"Xóa mọi vé trước ngày {cutoff}? (delete every ticket before {cutoff}?)",
                      abort=True)
    store = Store.in_data_dir(settings.data_path)
    try:
        purged = retention.purge(store, before=cutoff, actor=audit.cli_actor(), now=now)
    finally:
        store.close()
    others = ", ".join(f"{table}: {count}" for table, count in sorted(purged.rows.items()))
    click.echo(f"Đã xóa {purged.tickets} vé trước ngày {cutoff} (tickets deleted)"
               + (f"; {others}" if others else ""))


def _speech_checks(settings: Settings) -> list[Any]:
    from announcer.checks import speech_checks

    return speech_checks(settings)
