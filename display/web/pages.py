"""The wall screen and the counter screens: pages that follow the Board over Socket.IO.

Everything live comes from the public contract (`GET /api/v1/state`, the `board` room);
the page only gets the screen options (notice line, highlight time, how many recent
calls) from the center's `[display]` settings, each overridable by a query parameter so
one TV can differ from the others without touching the configuration:

    /display/wall?notice=Hôm nay làm việc đến 11:30&highlight=10&recent=6
    /display/counter/3
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from display.messages import page_text

blueprint = Blueprint("display", __name__, template_folder="../templates",
                      static_folder="../static", static_url_path="/static/display")

MAX_NOTICE = 300
HIGHLIGHT_RANGE = (1, 120)
RECENT_RANGE = (0, 12)


def _settings() -> Any:
    return current_app.extensions["xephang"].settings


def _bounded_int(name: str, default: int, bounds: tuple[int, int]) -> int:
    """Return query parameter `name` as an int within `bounds`, or the default."""
    raw = request.args.get(name, "").strip()
    if not raw.isdigit():
        return default
    low, high = bounds
    return max(low, min(high, int(raw)))


def screen_options(counter: int | None = None) -> dict[str, Any]:
    """Return what the page script needs besides the Board: options, its counter, its words."""
    display = _settings().display
    notice = request.args.get("notice")
    return {
        "counter": counter,
        "text": page_text(),
        "notice": (display.notice if notice is None else notice)[:MAX_NOTICE],
        "highlight_seconds": _bounded_int("highlight", display.highlight_seconds, HIGHLIGHT_RANGE),
        "recent_calls": _bounded_int("recent", display.recent_calls, RECENT_RANGE),
    }


@blueprint.get("/display/wall")
def wall() -> str:
    options = screen_options()
    return render_template("display/wall.html", center=_settings().center, options=options)


@blueprint.get("/display/counter/<int:number>")
def counter(number: int) -> str:
    settings = _settings()
    found = settings.counter(number)
    if found is None:
        abort(404)
    return render_template("display/counter.html", center=settings.center,
                           counter=found, options=screen_options(number))
