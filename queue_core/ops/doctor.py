"""`xephang doctor`: what works and what does not on this box, in plain words, with a fix.

Each finding is one sentence in Vietnamese (then English) and, when something is
wrong, what to do about it. A finding is "ok", "warning" (works, but look at it) or
"error" (something the box needs is broken); any error makes the exit status 1.

Every probe of the outside world (disk, printer, speech, GPIO, the network, the clock)
is a field of `Probes`, so tests swap each for a fake that fails the way a real part
does.

>>> finding("disk", "error", "disk_full", free="50 MB", path="/var/lib/xephang").fix != ""
True
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from queue_core.config import Settings
from queue_core.domain.clock import SystemClock
from queue_core.ops import backup, clockguard
from queue_core.storage import DATABASE_FILE, Store, copies

OK, WARNING, ERROR = "ok", "warning", "error"

# Free space on the data dir's file system.
DISK_ERROR_BYTES = 200 * 1024 * 1024
DISK_WARNING_BYTES = 1024 * 1024 * 1024
BACKUP_OLD_DAYS = 2
HTTP_TIMEOUT = 3.0

# code: (Vietnamese, English, fix in Vietnamese, fix in English)
SAY: dict[str, tuple[str, str, str, str]] = {
    "db_ok": (
        "Cơ sở dữ liệu nguyên vẹn: {tickets} vé, {size}.",
        "The database is intact: {tickets} tickets, {size}.",
        "",
        "",
    ),
    "db_missing": (
        "Chưa có cơ sở dữ liệu trong {path}; nó được tạo khi máy chủ chạy lần đầu.",
        "There is no database in {path} yet; the server creates it on first start.",
        "Khởi động máy chủ: sudo systemctl start xephang",
        "Start the server: sudo systemctl start xephang",
    ),
    "db_damaged": (
        "Cơ sở dữ liệu bị hỏng: {detail}.",
        "The database is damaged: {detail}.",
        ("Dừng máy chủ rồi khôi phục bản sao lưu mới nhất: sudo systemctl stop xephang; "
         "xephang restore {newest}"),
        ("Stop the server and restore the newest backup: sudo systemctl stop xephang; "
         "xephang restore {newest}"),
    ),
    "disk_ok": (
        "Thẻ nhớ còn trống {free} ({percent}%).",
        "{free} free on the disk ({percent}%).",
        "",
        "",
    ),
    "disk_low": (
        "Thẻ nhớ sắp đầy: chỉ còn {free} trống ở {path}.",
        "The disk is getting full: only {free} free at {path}.",
        ("Xóa tệp không cần thiết, bớt bản sao lưu (backup.keep_count) hoặc bật xóa vé cũ "
         "(backup.retention_months); nên dùng thẻ nhớ lớn hơn."),
        ("Delete unneeded files, keep fewer backups (backup.keep_count) or turn on "
         "retention (backup.retention_months); consider a larger card."),
    ),
    "disk_full": (
        "Thẻ nhớ gần hết chỗ: chỉ còn {free} ở {path}; vé mới có thể không lưu được.",
        "The disk is almost full: {free} left at {path}; new tickets may not be saved.",
        ("Giải phóng chỗ ngay: xóa bản sao lưu cũ trong thư mục backups, chạy xephang "
         "purge, hoặc thay thẻ nhớ lớn hơn."),
        ("Free space now: delete old backups in the backups folder, run xephang purge, or "
         "move to a larger card."),
    ),
    "backup_ok": (
        "Bản sao lưu mới nhất lúc {when}; đang giữ {count} bản.",
        "The newest backup is from {when}; {count} kept.",
        "",
        "",
    ),
    "backup_none": (
        "Chưa có bản sao lưu nào trong {path}.",
        "There is no backup in {path} yet.",
        "Chạy: xephang backup (máy chủ cũng tự sao lưu mỗi đêm).",
        "Run: xephang backup (the server also makes one every night).",
    ),
    "backup_old": (
        "Bản sao lưu mới nhất đã cũ: {when}.",
        "The newest backup is old: {when}.",
        "Kiểm tra máy chủ có chạy không (journalctl -u xephang), rồi chạy: xephang backup",
        "Check the server runs (journalctl -u xephang), then run: xephang backup",
    ),
    "clock_ok": (
        "Đồng hồ hợp lý: {now}.",
        "The clock looks right: {now}.",
        "",
        "",
    ),
    "clock_behind": (
        ("Đồng hồ đang chậm: máy báo {now} nhưng dữ liệu đã ghi đến {last}; máy chủ sẽ "
         "không mở ngày làm việc."),
        ("The clock is behind: it says {now} but data was recorded up to {last}; the "
         "server will not open the business day."),
        ("Chỉnh giờ: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'; nếu giờ đang hiện là"
         " đúng: xephang serve --accept-clock"),
        ("Set the time: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'; if the time shown"
         " is right: xephang serve --accept-clock"),
    ),
    "clock_implausible": (
        "Đồng hồ sai rõ ràng: {now}.",
        "The clock is plainly wrong: {now}.",
        ("Chỉnh giờ: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'; nên lắp pin đồng hồ "
         "(RTC) hoặc nối mạng để máy tự lấy giờ."),
        ("Set the time: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'; fit an RTC "
         "battery or give the box network time."),
    ),
    "clock_unsynced": (
        "Giờ chưa được đồng bộ qua mạng (máy báo {now}); hãy xem giờ có đúng không.",
        "The time is not network-synchronised (it says {now}); check it is right.",
        ("Nếu sai: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'. Nối mạng có Internet "
         "hoặc lắp pin đồng hồ (RTC) để giờ luôn đúng."),
        ("If wrong: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'. Network time or an "
         "RTC battery keeps it right."),
    ),
    "secret_ok": (
        "Khóa phiên được giữ kín (quyền 600).",
        "The session key is private (mode 600).",
        "",
        "",
    ),
    "secret_open": (
        "Khóa phiên {path} để người khác đọc được (quyền {mode}).",
        "The session key {path} is readable by others (mode {mode}).",
        "Chạy: sudo chmod 600 {path}",
        "Run: sudo chmod 600 {path}",
    ),
    "admin_ok": (
        "Có {count} tài khoản quản trị.",
        "{count} admin account(s) exist.",
        "",
        "",
    ),
    "admin_none": (
        "Chưa có tài khoản quản trị nào.",
        "There is no admin account yet.",
        "Tạo một tài khoản: xephang user add TEN --role admin",
        "Create one: xephang user add NAME --role admin",
    ),
    "printer_fake": (
        "Máy in đang GIẢ LẬP: vé được lưu thành ảnh, không in ra giấy.",
        "The printer is EMULATED: tickets are saved as pictures, not printed.",
        ("Khai báo máy in thật trong [hardware] printer = \"usb\" | \"network\" | \"serial\" | "
         "\"file\"."),
        ("Configure the real printer: [hardware] printer = \"usb\" | \"network\" | \"serial\" | "
         "\"file\"."),
    ),
    "printer_none": (
        "Máy này không dùng máy in (printer = none).",
        "This box has no printer (printer = none).",
        "",
        "",
    ),
    "printer_ok": (
        "Máy in {backend} sẵn sàng ({state}).",
        "The {backend} printer is ready ({state}).",
        "",
        "",
    ),
    "printer_paper_low": (
        "Máy in sắp hết giấy.",
        "The printer is running out of paper.",
        "Chuẩn bị cuộn giấy mới.",
        "Have a new paper roll ready.",
    ),
    "printer_problem": (
        "Máy in báo lỗi: {state} {detail}.",
        "The printer reports: {state} {detail}.",
        "Kiểm tra giấy, nắp máy in và đèn báo; tắt rồi bật lại máy in.",
        "Check the paper, the cover and the lights; switch the printer off and on.",
    ),
    "printer_unreachable": (
        "Không kết nối được máy in {backend}: {detail}.",
        "Cannot reach the {backend} printer: {detail}.",
        ("Kiểm tra nguồn và dây cáp (USB: lsusb; mạng: ping địa chỉ máy in), rồi thử: "
         "xephang kiosk --test-print"),
        ("Check power and cable (USB: lsusb; network: ping the printer), then try: xephang"
         " kiosk --test-print"),
    ),
    "printer_config": (
        "Cấu hình máy in chưa đủ: {detail}.",
        "The printer setup is incomplete: {detail}.",
        "Sửa mục [hardware] trong tệp cấu hình.",
        "Fix [hardware] in the config file.",
    ),
    "audio_none": (
        "Máy này không dùng loa (audio = none).",
        "This box has no loudspeaker (audio = none).",
        "",
        "",
    ),
    "gpio_ok": (
        "Chân GPIO dùng được ({factory}).",
        "GPIO pins are available ({factory}).",
        "",
        "",
    ),
    "gpio_mock": (
        "GPIO đang GIẢ LẬP ({factory}): không đọc nút thật.",
        "GPIO is EMULATED ({factory}): no real buttons are read.",
        "Bỏ GPIOZERO_PIN_FACTORY=mock để dùng chân thật.",
        "Unset GPIOZERO_PIN_FACTORY=mock to use the real pins.",
    ),
    "gpio_missing": (
        "Không dùng được GPIO: {detail}.",
        "GPIO is not available: {detail}.",
        ("Trên Raspberry Pi: sudo apt install python3-lgpio và thêm người dùng vào nhóm "
         "gpio (sudo usermod -aG gpio xephang)."),
        ("On a Raspberry Pi: sudo apt install python3-lgpio and add the user to the gpio "
         "group (sudo usermod -aG gpio xephang)."),
    ),
    "core_ok": (
        "Máy chủ xếp hàng {url} trả lời: {status}.",
        "The queue core at {url} answers: {status}.",
        "",
        "",
    ),
    "core_degraded": (
        "Máy chủ {url} chạy nhưng có thiết bị lỗi: {detail}.",
        "The core at {url} runs, but a device is failing: {detail}.",
        "Xem trang quản lý hoặc chạy xephang doctor trên máy chủ.",
        "See the manager page, or run xephang doctor on the core box.",
    ),
    "core_down": (
        "Không kết nối được máy chủ xếp hàng {url}: {detail}.",
        "Cannot reach the queue core at {url}: {detail}.",
        "Trên máy chủ: sudo systemctl status xephang; kiểm tra dây mạng và địa chỉ IP.",
        "On the core box: sudo systemctl status xephang; check the network cable and address.",
    ),
    "core_stopped": (
        "Máy chủ xếp hàng chưa chạy trên máy này ({url}).",
        "The queue core is not running on this box ({url}).",
        "Khởi động: sudo systemctl start xephang; xem lỗi: journalctl -u xephang",
        "Start it: sudo systemctl start xephang; see why: journalctl -u xephang",
    ),
}

NAMES = {
    "database": "Cơ sở dữ liệu (database)",
    "disk": "Dung lượng (disk)",
    "backup": "Sao lưu (backup)",
    "clock": "Đồng hồ (clock)",
    "secret_key": "Khóa phiên (session key)",
    "admin": "Quản trị (admin)",
    "printer": "Máy in (printer)",
    "audio": "Loa (audio)",
    "gpio": "GPIO",
    "core": "Máy chủ (core)",
}


@dataclass(frozen=True)
class Finding:
    """One verdict: a sentence, and what to do when it is not ok."""

    name: str
    status: str
    message: str
    fix: str = ""
    code: str = ""


def finding(name: str, status: str, code: str, /, **params: Any) -> Finding:
    """Build a finding from the catalog sentence `code`."""
    vi, en, fix_vi, fix_en = SAY[code]
    message = _fill(vi, params) + " (" + _fill(en, params) + ")"
    fix = (_fill(fix_vi, params) + " (" + _fill(fix_en, params) + ")") if fix_vi else ""
    return Finding(name, status, message, fix, code)


def _fill(text: str, params: dict[str, Any]) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


# --- the outside world ---------------------------------------------------------------------------

def _fetch(url: str, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status), bytes(answer.read(65536))
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(65536) if exc.fp else b""


def _gpio() -> str:
    from gpiozero import Device

    Device.ensure_pin_factory()
    return type(Device.pin_factory).__name__


def _gpio_platform() -> Any:
    from hardware.platform import detect, gpio_advice

    return gpio_advice(detect())


def _ntp_synchronized() -> bool | None:
    if shutil.which("timedatectl") is None:
        return None
    try:
        answer = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                                capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    value = answer.stdout.strip()
    return {"yes": True, "no": False}.get(value)


def _no_speech_checks(settings: Settings) -> list[Any]:
    # The speech checks belong to the announcer; the command line hands them in.
    return []


def _open_printer(settings: Settings) -> Any:
    from hardware.printer import open_printer

    return open_printer(settings.hardware, settings.data_path)


@dataclass
class Probes:
    """How the doctor looks at the world; tests replace any of these."""

    now: Callable[[], datetime] = field(default_factory=lambda: SystemClock().now)
    disk_usage: Callable[[str], Any] = shutil.disk_usage
    open_printer: Callable[[Settings], Any] = _open_printer
    speech_checks: Callable[[Settings], list[Any]] = _no_speech_checks
    fetch: Callable[[str, float], tuple[int, bytes]] = _fetch
    gpio: Callable[[], str] = _gpio
    ntp_synchronized: Callable[[], bool | None] = _ntp_synchronized
    gpio_platform: Callable[[], Any] = _gpio_platform


# --- the checks ------------------------------------------------------------------------------------

def examine(settings: Settings, *, core_url: str | None = None, gpio: bool | None = None,
            probes: Probes | None = None) -> list[Finding]:
    """Run every check that applies to this box; return the findings in a fixed order.

    `core_url` names the core a satellite box works for (the box then needs no
    database); `gpio` forces the GPIO check on (or off) whatever the config says.
    """
    probes = probes or Probes()
    findings: list[Finding] = []
    database = settings.data_path / DATABASE_FILE
    local_data = database.exists() or core_url is None
    if local_data:
        findings.append(check_database(database))
    findings.append(check_disk(settings, probes))
    if database.exists():
        findings.append(check_backups(settings, probes))
    findings.extend(check_clock(settings, probes, database if database.exists() else None))
    if database.exists():
        findings.extend(check_accounts(settings, database))
    findings.append(check_printer(settings, probes))
    findings.extend(check_speech(settings, probes))
    if gpio or (gpio is None and settings.hardware.gpio not in ("", "none")):
        findings.append(check_gpio(probes))
    findings.append(check_core(settings, probes, core_url))
    return findings


def check_database(database: Path) -> Finding:
    """Is the database there, whole, and ours?"""
    if not database.exists():
        return finding("database", WARNING, "db_missing", path=database.parent)
    newest = backup.newest(database.parent / "backups")
    hint = str(newest[1]) if newest else "<tệp sao lưu / backup file>"
    try:
        rows, tickets = copies.health(database)
    except copies.Error as exc:
        return finding("database", ERROR, "db_damaged", detail=str(exc), newest=hint)
    if rows != ["ok"]:
        return finding("database", ERROR, "db_damaged", detail="; ".join(rows[:3]), newest=hint)
    return finding("database", OK, "db_ok", tickets=tickets, size=_size(database.stat().st_size))


def check_disk(settings: Settings, probes: Probes) -> Finding:
    """Is there room left for the database and its backups?"""
    path = settings.data_path
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = probes.disk_usage(str(path))
    percent = round(usage.free * 100 / usage.total) if usage.total else 0
    params = {"free": _size(usage.free), "percent": percent, "path": path}
    if usage.free < DISK_ERROR_BYTES:
        return finding("disk", ERROR, "disk_full", **params)
    if usage.free < DISK_WARNING_BYTES or percent < 5:
        return finding("disk", WARNING, "disk_low", **params)
    return finding("disk", OK, "disk_ok", **params)


def check_backups(settings: Settings, probes: Probes) -> Finding:
    """Is there a recent copy of the database?"""
    folder = backup.backup_dir(settings)
    kept = backup.backups(folder)
    if not kept:
        return finding("backup", WARNING, "backup_none", path=folder)
    taken, _ = kept[0]
    when = taken.strftime("%Y-%m-%d %H:%M")
    now = probes.now().replace(tzinfo=None)
    if (now - taken).days >= BACKUP_OLD_DAYS:
        return finding("backup", WARNING, "backup_old", when=when)
    return finding("backup", OK, "backup_ok", when=when, count=len(kept))


def check_clock(settings: Settings, probes: Probes, database: Path | None) -> list[Finding]:
    """Is the date plausible, not behind the data, and kept by network time?"""
    now = probes.now()
    shown = now.strftime("%Y-%m-%d %H:%M")
    if database is not None:
        store = Store.read_only(database)
        try:
            verdict = clockguard.check(store, now)
        except copies.Error:
            verdict = clockguard.ClockVerdict(clockguard.OK, now)
        finally:
            store.close()
    elif now.replace(tzinfo=None) < clockguard.EARLIEST_PLAUSIBLE:
        verdict = clockguard.ClockVerdict(clockguard.IMPLAUSIBLE, now)
    else:
        verdict = clockguard.ClockVerdict(clockguard.OK, now)
    if not verdict.ok:
        return [finding("clock", ERROR, verdict.code, **verdict.params())]
    if probes.ntp_synchronized() is False:
        return [finding("clock", WARNING, "clock_unsynced", now=shown)]
    return [finding("clock", OK, "clock_ok", now=shown)]


def check_accounts(settings: Settings, database: Path) -> list[Finding]:
    """Is the session key private, and can someone administer the box?"""
    found = []
    key = settings.data_path / "secret_key"
    if key.exists():
        mode = key.stat().st_mode & 0o777
        if mode & 0o077:
            found.append(finding("secret_key", WARNING, "secret_open", path=key, mode=f"{mode:o}"))
        else:
            found.append(finding("secret_key", OK, "secret_ok"))
    try:
        store = Store.read_only(database)
        try:
            admins = store.count_admins()
        finally:
            store.close()
    except copies.Error:
        return found
    found.append(finding("admin", OK, "admin_ok", count=admins) if admins
                 else finding("admin", WARNING, "admin_none"))
    return found


def check_printer(settings: Settings, probes: Probes) -> Finding:
    """Is the configured printer there, with paper?"""
    backend = settings.hardware.printer
    if backend == "fake":
        return finding("printer", WARNING, "printer_fake")
    if backend == "none":
        return finding("printer", OK, "printer_none")
    try:
        printer = probes.open_printer(settings)
    except ValueError as exc:
        return finding("printer", ERROR, "printer_config", detail=exc)
    try:
        status = printer.status(timeout=settings.hardware.printer_timeout_seconds)
    except OSError as exc:
        return finding("printer", ERROR, "printer_unreachable", backend=backend, detail=exc)
    finally:
        close = getattr(printer, "close", None)
        if close is not None:
            close()
    state = getattr(status, "state", "unknown")
    if state == "paper_low":
        return finding("printer", WARNING, "printer_paper_low")
    if state in ("paper_out", "cover_open", "offline"):
        return finding("printer", ERROR, "printer_problem", state=state,
                       detail=getattr(status, "detail", ""))
    return finding("printer", OK, "printer_ok", backend=backend, state=state)


def check_speech(settings: Settings, probes: Probes) -> list[Finding]:
    """Can this box speak Vietnamese through its loudspeaker?"""
    audio = settings.hardware.audio
    if audio == "none":
        return [finding("audio", OK, "audio_none")]
    # With an emulated loudspeaker nothing is heard anyway: speech trouble is not fatal.
    needed = audio != "fake"
    found = []
    for check in probes.speech_checks(settings):
        status = check.status if check.status in (OK, WARNING, ERROR) else WARNING
        if status == ERROR and not needed:
            status = WARNING
        found.append(Finding(f"speech:{check.name}" if check.name != "audio" else "audio",
                             status, check.message, "", f"speech_{check.name}"))
    return found


def check_gpio(probes: Probes) -> Finding:
    """Can the buttons and lights be driven?"""
    try:
        factory = probes.gpio()
    except Exception as exc:  # noqa: BLE001 - gpiozero raises several kinds; all mean "no GPIO"
        # The fix depends on the platform: lgpio exists only on Raspberry Pi OS.
        advice = probes.gpio_platform()
        found = finding("gpio", ERROR, "gpio_missing", detail=exc)
        return replace(found, message=f"{found.message} {advice.summary_vi} ({advice.summary_en})",
                       fix=f"{advice.fix_vi} ({advice.fix_en})")
    if "mock" in factory.lower():
        return finding("gpio", WARNING, "gpio_mock", factory=factory)
    return finding("gpio", OK, "gpio_ok", factory=factory)


def check_core(settings: Settings, probes: Probes, core_url: str | None) -> Finding:
    """Does the queue core answer (this box's own, or the one `core_url` names)?"""
    remote = core_url is not None
    if core_url is None:
        host = settings.server.host
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        core_url = f"http://{host}:{settings.server.port}"
    url = core_url.rstrip("/")
    try:
        status, body = probes.fetch(f"{url}/api/v1/health", HTTP_TIMEOUT)
    except (OSError, ValueError) as exc:
        detail = getattr(exc, "reason", exc)
        if remote:
            return finding("core", ERROR, "core_down", url=url, detail=detail)
        return finding("core", WARNING, "core_stopped", url=url)
    if status != 200:
        return finding("core", ERROR, "core_down", url=url, detail=f"HTTP {status}")
    try:
        health = json.loads(body)
    except ValueError:
        return finding("core", ERROR, "core_down", url=url, detail="not a xephang core")
    if not isinstance(health, dict):
        return finding("core", ERROR, "core_down", url=url, detail="not a xephang core")
    if health.get("status") == "degraded":
        failing = [f"{k}={v}" for k, v in health.items()
                   if k in ("database", "printer", "audio") and v not in ("ok", "online", "fake")]
        return finding("core", WARNING, "core_degraded", url=url, detail=", ".join(failing) or "?")
    return finding("core", OK, "core_ok", url=url, status=health.get("status", "?"))


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit in ("B", "KB") else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


# --- the report ----------------------------------------------------------------------------------

LABELS = {OK: "[ OK ]", WARNING: "[CHÚ Ý]", ERROR: "[ LỖI ]"}


def exit_status(findings: Sequence[Finding]) -> int:
    """Return 1 when something the box needs is broken, else 0."""
    return 1 if any(f.status == ERROR for f in findings) else 0


def report(findings: Sequence[Finding]) -> str:
    """Return the findings as text for a technician."""
    lines = []
    for item in findings:
        base = item.name.partition(":")[0]
        title = NAMES.get(base, base)
        if ":" in item.name:
            title = f"{NAMES.get('audio')} / {item.name.partition(':')[2]}"
        lines.append(f"{LABELS.get(item.status, item.status)} {title}: {item.message}")
        if item.fix:
            lines.append(f"         → Cách sửa (fix): {item.fix}")
    errors = sum(f.status == ERROR for f in findings)
    warnings = sum(f.status == WARNING for f in findings)
    if errors:
        lines.append(f"Kết quả: {errors} lỗi cần sửa, {warnings} chú ý "
                     f"({errors} error(s) to fix, {warnings} warning(s)).")
    else:
        lines.append(f"Kết quả: máy hoạt động được, {warnings} chú ý "
                     f"(the box works; {warnings} warning(s)).")
    return "\n".join(lines)


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps({"status": "error" if exit_status(findings) else "ok",
                       "findings": [asdict(f) for f in findings]}, ensure_ascii=False, indent=2)


__all__ = ["Finding", "Probes", "examine", "exit_status", "finding", "report"]
