"""The admin's page of what leaves the box (`/admin/webhooks`): receivers, deliveries, send again.

A static shell over `GET /api/v1/webhooks` and `/webhooks/deliveries`; "Gửi lại" posts
`/webhooks/deliveries/{id}/retry` with the session's CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from queue_core.web.security import current_principal

admin_pages = Blueprint("admin_pages", __name__, template_folder="templates")


@admin_pages.get("/admin/webhooks")
def webhooks() -> tuple[str, int] | str:
    """Show the outbox's deliveries to an admin, a login form to anyone else."""
    settings = current_app.extensions["xephang"].settings
    principal = current_principal()
    if principal is None or principal.kind != "user" or not principal.may("admin"):
        return render_template("manager_login.html", center=settings.center,
                               subtitle="Trang quản trị: kết nối và gửi sự kiện",
                               refused_text="Tài khoản đang đăng nhập không có quyền quản trị. "
                                            "Hãy đăng xuất rồi đăng nhập bằng tài khoản quản trị.",
                               refused=principal is not None), 401 if principal is None else 403
    return render_template("admin_webhooks.html", center=settings.center, user=principal.name)
