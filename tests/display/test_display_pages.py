"""The screen pages as served: routes, options, local assets only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from queue_core.web.app import create_app

STATIC = Path(__file__).resolve().parents[2] / "display" / "static"


def options_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="display-options">(.*?)</script>', html,
                      re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_wall_page_loads_only_local_assets(client: Any) -> None:
    answer = client.get("/display/wall")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Trung tâm Phục vụ Hành chính công xã" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/static/core/vendor/socket.io.min.js", "/static/core/pairing.js",
                       "/static/display/board.js",
                       "/static/display/wall.js"]
    assert re.findall(r'href="([^"]+\.css)"', html) == ["/static/core/base.css",
                                                       "/static/display/display.css"]
    for src in scripts + ["/static/display/display.css", "/static/display/counter.js"]:
        assert client.get(src).status_code == 200
    assert options_of(html)["text"]["disconnected"] == "Mất kết nối — đang kết nối lại…"


@pytest.mark.parametrize("name", ["board.js", "wall.js", "counter.js", "display.css"])
def test_assets_reach_nothing_outside_the_box(name: str) -> None:
    text = (STATIC / name).read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert "location.reload" not in text


def test_counter_page_knows_its_counter(client: Any) -> None:
    html = client.get("/display/counter/3").get_data(as_text=True)
    assert "<title>Quầy 3 · xephang</title>" in html
    assert options_of(html)["counter"] == 3
    assert "/static/display/counter.js" in html
    assert client.get("/display/counter/6").status_code == 404
    assert client.get("/display/counter/x").status_code == 404


def test_notice_and_timings_come_from_settings(settings: Any, clock: Any) -> None:
    app = create_app(settings.replace(display={"notice": "Chiều thứ Sáu nghỉ họp.",
                                               "highlight_seconds": 12, "recent_calls": 6}),
                     clock=clock, test_config={"TESTING": True})
    try:
        options = options_of(app.test_client().get("/display/wall").get_data(as_text=True))
    finally:
        app.extensions["xephang"].store.close()
    assert {k: options[k] for k in ("notice", "highlight_seconds", "recent_calls")} == {
        "notice": "Chiều thứ Sáu nghỉ họp.", "highlight_seconds": 12, "recent_calls": 6}


@pytest.mark.parametrize("query,expected", [
    ("?notice=Hôm nay nghỉ&highlight=5&recent=4", ("Hôm nay nghỉ", 5, 4)),
    ("?highlight=0&recent=99", ("", 1, 12)),
    ("?highlight=abc&recent=-3", ("", 8, 8)),
    ("?notice=" + "x" * 500, ("x" * 300, 8, 8)),
])
def test_query_parameters_override_within_bounds(client: Any, query: str,
                                                 expected: tuple[str, int, int]) -> None:
    options = options_of(client.get("/display/wall" + query).get_data(as_text=True))
    assert (options["notice"], options["highlight_seconds"], options["recent_calls"]) == expected


def test_notice_is_escaped(client: Any) -> None:
    html = client.get("/display/wall?notice=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html
