"""The core's static files and fonts; the home page is `admin.py`'s, each screen's own page
lives with its package."""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

from hardware.fonts import FONT_DIR

pages = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/static/core")


@pages.get("/static/fonts/<path:name>")
def font(name: str) -> Response:
    """Serve the bundled fonts to every page (no font CDN: the center may be offline)."""
    response = send_from_directory(FONT_DIR, name, max_age=86400)
    return response


@pages.get("/favicon.ico")
def favicon() -> Response:
    """The browser tab's icon (a ticket), public: pages name it, and browsers ask for this
    path by themselves when a page names none."""
    return send_from_directory(pages.static_folder or "", "favicon.svg", max_age=86400,
                               mimetype="image/svg+xml")
