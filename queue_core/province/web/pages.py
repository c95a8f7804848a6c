"""The province dashboard's pages: the overview of every center, and one center's figures.

Anyone gets the login form; a person or viewer sees the centers they may read. The pages
hold no figures themselves: their scripts read the API with the session cookie.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..accounts import Principal
from ...domain.errors import Forbidden, NotFound
from .. import figures
from .security import anyone, current_principal

pages = Blueprint("hub_pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/hub")


def _login(principal: Principal | None) -> tuple[str, int]:
    hub = current_app.extensions["xephang_hub"]
    return (render_template("hub_login.html", title=hub.title, refused=principal is not None),
            401 if principal is None else 403)


@pages.get("/")
@anyone
def overview() -> str | tuple[str, int]:
    """Show every center the caller may read, or the login form."""
    principal = current_principal()
    if principal is None or not principal.is_reader:
        return _login(principal)
    hub = current_app.extensions["xephang_hub"]
    return render_template("hub.html", title=hub.title, user=principal.name,
                           bound=principal.center_code, today=hub.today(),
                           offline_minutes=int(figures.OFFLINE_AFTER.total_seconds() // 60))


@pages.get("/centers/<code>")
@anyone
def center(code: str) -> str | tuple[str, int]:
    """Show one center's figures with the charts of the box's manager page."""
    principal = current_principal()
    if principal is None or not principal.is_reader:
        return _login(principal)
    hub = current_app.extensions["xephang_hub"]
    try:
        found = figures.find_center(hub.db, principal, code)
    except (NotFound, Forbidden) as refused:
        return render_template("hub_refused.html", title=hub.title, user=principal.name,
                               message=refused.message("vi")), refused.status
    profile = found["profile"] or {}
    services = {s["code"]: s["name"] for s in profile.get("services") or ()}
    return render_template("hub_center.html", title=hub.title, user=principal.name,
                           center=found, today=hub.today(), service_names=services,
                           target_wait_minutes=_minutes(profile))


def _minutes(profile: dict[str, object]) -> int | float:
    """The center's target wait as the box shows it (15, not 15.0)."""
    value = float(str(profile.get("target_wait_minutes") or 15))
    return int(value) if value.is_integer() else value


__all__ = ["pages"]
