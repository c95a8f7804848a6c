"""The manager's dashboard page: live view of the hall and statistics over any period."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from queue_core.domain import businessday
from queue_core.stats import reader as history
from queue_core.web.api.stats import warm_up
from queue_core.web.security import current_principal

manager_pages = Blueprint("manager_pages", __name__, template_folder="templates",
                          static_folder="static", static_url_path="/static/manager")


@manager_pages.get("/manager")
def dashboard() -> tuple[str, int] | str:
    """Show the dashboard to a manager, a login form to anyone else."""
    xephang = current_app.extensions["xephang"]
    settings = xephang.settings
    principal = current_principal()
    if principal is None or principal.kind != "user" or not principal.may("manager"):
        # The form posts to /api/v1/auth/login by fetch, then reloads this page.
        return render_template("manager_login.html", center=settings.center,
                               refused=principal is not None), 401 if principal is None else 403
    warm_up()
    return render_template(
        "manager.html",
        center=settings.center,
        user=principal.name,
        today=businessday.day_of(xephang.center.clock.now()),
        services=settings.services,
        service_names={s.code: s.name for s in settings.services},
        counters=settings.counters,
        officers=history.officers(xephang.store),
        target_wait_minutes=settings.policy.target_wait_minutes,
        rating_levels=list(zip(settings.ratings.levels, settings.ratings.labels)),
    )
