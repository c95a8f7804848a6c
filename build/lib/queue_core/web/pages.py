"""Pages served by the core; each screen's own page lives with its package."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, send_from_directory

from hardware.fonts import FONT_DIR

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/core")


@pages.get("/")
def index() -> str:
    xephang = current_app.extensions["xephang"]
    return render_template("index.html", center=xephang.settings.center,
                           counters=xephang.settings.counters, services=xephang.center.services(),
                           devices=xephang.hub.device_report())


@pages.get("/static/fonts/<path:name>")
def font(name: str) -> Response:
    """Serve the bundled fonts to every page (no font CDN: the center may be offline)."""
    response = send_from_directory(FONT_DIR, name, max_age=86400)
    return response
