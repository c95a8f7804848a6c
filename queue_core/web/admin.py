"""The pages that set a center up and run it: the launcher (`/`), first run, the admin console.

`/` is the home page and launcher: the center, whether it is open, a big link with a QR
code to every screen, and the devices' health in plain words. `/setup` takes the setup
code and makes the first admin while none exists. `/admin` is the admin console (its
script logs in and talks to the REST API); without an admin yet it leads to `/setup`.
`/admin/webhooks` shows what leaves the box: a static shell over `GET /api/v1/webhooks` and
`/webhooks/deliveries`; "Gửi lại" posts `/webhooks/deliveries/{id}/retry` with the session's
CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from queue_core.config import Settings
from queue_core.domain import vocabulary
from queue_core.domain.errors import InvalidInput
from queue_core.service import auth, pairing, setup, workdays
from queue_core.web.addresses import box_url
from queue_core.web.qr import qr_svg
from queue_core.web.security import current_principal

# Its scripts and styles are the core's (`pages.static`, /static/core).
admin_pages = Blueprint("admin_pages", __name__, template_folder="templates")

# What the devices' health says, in plain words: (device, status) → (sentence, is it an alarm).
HEALTH_WORDS: dict[tuple[str, str], tuple[str, bool]] = {
    ("printer", "emulated"): ("Máy in: giả lập — vé được lưu thành ảnh, không in ra giấy", False),
    ("printer", "none"): ("Máy in: không dùng", False),
    ("printer", "ok"): ("Máy in: hoạt động bình thường", False),
    ("printer", "unknown"): ("Máy in: chưa in vé nào để kiểm tra", False),
    ("audio", "emulated"): ("Loa: giả lập — không phát ra tiếng", False),
    ("audio", "none"): ("Loa: không dùng", False),
    ("audio", "ok"): ("Loa: hoạt động bình thường", False),
    ("audio", "unknown"): ("Loa: chưa kết nối", False),
}
DEVICE_NAMES = {"printer": "Máy in", "audio": "Loa"}
# Reasons a device gives for running emulated (the announcer's fake loudspeaker).
EMULATED_CODES = ("audio_emulated",)


def _xephang() -> Any:
    return current_app.extensions["xephang"]


def health_words(devices: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Return each device's health as a sentence, and whether it needs someone's attention."""
    said = []
    for device, report in devices.items():
        status = str(report.get("status", "unknown"))
        if report.get("code") in EMULATED_CODES:
            # Said "degraded" by the device so nobody mistakes a demo for the real thing;
            # here it is information, not an alarm.
            status = "emulated"
        words, alarm = HEALTH_WORDS.get((device, status), (None, True))
        if words is None:
            name = DEVICE_NAMES.get(device, device)
            words = f"{name}: {report.get('message') or status}"
        elif report.get("message") and status not in ("emulated", "none"):
            words = f"{words} ({report['message']})"
        said.append({"device": device, "status": status, "words": words, "alarm": alarm})
    return said


def screens(settings: Settings, base: str) -> list[dict[str, str]]:
    """Return every screen of the center with its full address on this box."""
    found = [{"name": "Kiosk lấy số", "hint": "Màn hình cảm ứng cho công dân lấy số",
              "path": "/kiosk"},
             {"name": "Kiosk tra cứu thủ tục", "hint": "Tra cứu thủ tục, mẫu đơn, hồ sơ",
              "path": "/lookup"},
             {"name": "Màn hình chung", "hint": "TV trong sảnh chờ", "path": "/display/wall"}]
    found += [{"name": f"Màn hình {c.display_name}", "hint": "Màn hình phía trên quầy",
               "path": f"/display/counter/{c.number}"} for c in settings.counters]
    found.append({"name": "Bàn làm việc cán bộ", "hint": "Gọi số, chuyển, kết thúc",
                  "path": "/counter"})
    found += [{"name": f"Đánh giá hài lòng — {c.display_name}",
               "hint": "Máy tính bảng tại quầy", "path": f"/rate/{c.number}"}
              for c in settings.counters]
    found += [{"name": "Lãnh đạo trung tâm", "hint": "Theo dõi, thống kê, báo cáo",
               "path": "/manager"},
              {"name": "Quản trị", "hint": "Cài đặt trung tâm, cán bộ, thiết bị",
               "path": "/admin"}]
    for screen in found:
        screen["url"] = base + screen["path"]
    return found


@admin_pages.get("/")
def index() -> str:
    xephang = _xephang()
    settings: Settings = xephang.settings
    now = xephang.center.clock.now()
    is_open = workdays.is_open(settings, now)
    opens = None if is_open else workdays.next_opening(settings, now)
    base = box_url(request, settings)
    return render_template(
        "index.html", center=settings.center, demo=settings.center.demo,
        is_open=is_open, holiday=None if is_open else workdays.closed_today(settings, now),
        opens_next=vocabulary.opening_words(opens) if opens else None,
        services=xephang.center.services(), screens=screens(settings, base), base=base,
        health=health_words(xephang.hub.device_report()),
        setup_pending=setup.is_pending(xephang.store),
        local_address="127.0.0.1" in base or "localhost" in base)


@admin_pages.get("/qr.svg")
def qr() -> Response:
    """Draw the QR code of a page of this box (`?path=/display/wall`), for a TV or a phone."""
    path = request.args.get("path", "/")
    if not path.startswith("/") or path.startswith("//") or len(path) > 200:
        raise InvalidInput(field="path", reason="a page of this box, such as /display/wall")
    return qr_svg(box_url(request, _xephang().settings) + path)


@admin_pages.get("/setup")
def setup_page() -> str | BaseResponse:
    xephang = _xephang()
    if not setup.is_pending(xephang.store):
        return redirect("/admin")
    settings: Settings = xephang.settings
    return render_template("setup.html", center=settings.center, weekdays=_weekdays(),
                           fixed=settings.fixed_by_env)


@admin_pages.get("/admin")
def console_page() -> str | BaseResponse:
    xephang = _xephang()
    if setup.is_pending(xephang.store):
        return redirect("/setup")
    settings: Settings = xephang.settings
    options = {
        "weekdays": _weekdays(),
        "devices": [{"code": code, "name": DEVICE_KINDS[code], "role": role}
                    for code, role in pairing.DEFAULT_ROLES.items()],
        "token_roles": {role: ROLE_NAMES.get(role, role) for role in auth.TOKEN_ROLES},
        "user_roles": {role: ROLE_NAMES[role] for role in auth.USER_ROLES},
        "base": box_url(request, settings),
        "demo_words": vocabulary.DEMO_MODE,
    }
    return render_template("admin.html", center=settings.center, options=options)


@admin_pages.get("/admin/webhooks")
def webhooks() -> tuple[str, int] | str:
    """Show the outbox's deliveries to an admin, a login form to anyone else."""
    settings = _xephang().settings
    principal = current_principal()
    if principal is None or principal.kind != "user" or not principal.may("admin"):
        return render_template("manager_login.html", center=settings.center,
                               subtitle="Trang quản trị: kết nối và gửi sự kiện",
                               refused_text="Tài khoản đang đăng nhập không có quyền quản trị. "
                                            "Hãy đăng xuất rồi đăng nhập bằng tài khoản quản trị.",
                               refused=principal is not None), 401 if principal is None else 403
    return render_template("admin_webhooks.html", center=settings.center, user=principal.name)


DEVICE_KINDS = {"kiosk": "Kiosk lấy số", "display": "Màn hình (chung hoặc tại quầy)",
                "rating": "Máy đánh giá hài lòng", "announcer": "Loa thông báo",
                "keypad": "Bàn phím gọi số", "lookup": "Kiosk tra cứu"}
ROLE_NAMES = {"kiosk": "Kiosk (lấy số, đánh giá)", "display": "Màn hình", "announcer": "Loa",
              "keypad": "Bàn phím tại quầy", "staff": "Cán bộ", "manager": "Lãnh đạo",
              "admin": "Quản trị"}


def _weekdays() -> list[dict[str, Any]]:
    return [{"number": i + 1, "name": name} for i, name in enumerate(vocabulary.WEEKDAY_NAMES)]


__all__ = ["admin_pages", "health_words", "screens"]
