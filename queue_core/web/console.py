"""The officer's console (`/counter`) and the rating device (`/rate/<n>`).

The pages are static shells; everything live comes from the REST API and Socket.IO,
so an action never reloads a page. What they read is in `service.desk` (one counter's
queue) and `service.ratings` (the rules of a rating).

>>> # app.register_blueprint(staff_pages)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template

from queue_core.config import Settings
from queue_core.service.ratings import rating_options

staff_pages = Blueprint("staff_pages", __name__, template_folder="templates")


def _xephang() -> Any:
    return current_app.extensions["xephang"]


# --- pages ---------------------------------------------------------------------------------

@staff_pages.get("/counter")
def console() -> str:
    """Serve the staff console: a login form, then the counter's live desk."""
    settings: Settings = _xephang().settings
    return render_template(
        "staff.html", center=settings.center, timezone=settings.center.timezone,
        counters=[{"number": c.number, "name": c.display_name, "services": list(c.services)}
                  for c in settings.counters],
        services=[{"code": s.code, "name": s.name} for s in settings.services])


@staff_pages.get("/rate/<int:number>")
def rating_device(number: int) -> str:
    """Serve the rating device of one counter (a tablet beside it, or the look-up kiosk)."""
    settings: Settings = _xephang().settings
    counter = settings.counter(number)
    if counter is None:
        abort(404)
    return render_template("rate.html", center=settings.center, counter=counter,
                           options=rating_options(settings))

