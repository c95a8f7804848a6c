"""Pages served by the core; each screen's own page lives with its package."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/core")


@pages.get("/")
def index() -> str:
    xephang = current_app.extensions["xephang"]
    return render_template("index.html", center=xephang.settings.center,
                           counters=xephang.settings.counters, services=xephang.center.services(),
                           devices=xephang.hub.device_report())
