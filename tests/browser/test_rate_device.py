"""The counter's rating device and the rating widget in a real browser."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot
from playwright.sync_api import expect
from werkzeug.serving import make_server

from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.web.app import create_app

TABLET = {"width": 1280, "height": 800}


class LiveServer:
    """An appliance served by a thread of this process (like the `live_server` fixture's)."""

    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app

    @property
    def center(self) -> Any:
        return self.app.extensions["xephang"].center

    @property
    def store(self) -> Any:
        return self.app.extensions["xephang"].store

    def token(self, role: str, counter: int | None = None) -> str:
        return auth.create_token(self.store, f"{role}-{counter}", role=role, counter=counter,
                                 now=self.center.clock.now())


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Return a factory of always-open appliances with extra settings (e.g. a short idle time)."""
    made: list[tuple[Any, threading.Thread, Any]] = []

    def make(**env: str) -> LiveServer:
        settings = load_settings(env={
            "XEPHANG_DATA_DIR": str(tmp_path / f"var{len(made)}"),
            "XEPHANG_CENTER_OPENS_AT": "00:00",
            "XEPHANG_CENTER_CLOSES_AT": "24:00",
            "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
            **env,
        })
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        made.append((server, thread, app))
        return LiveServer(f"http://127.0.0.1:{server.server_port}", app)

    yield make
    for server, thread, app in made:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["xephang"].store.close()


def open_device(page: Any, server: LiveServer, counter: int = 3) -> Any:
    """Provision the device with a new kiosk token the way an installer does; wait until ready."""
    page.set_viewport_size(TABLET)
    page.goto(f"{server.url}/rate/{counter}#token={server.token('kiosk')}")
    expect(page.locator("#link-state")).to_have_text("Sẵn sàng")
    expect(page.locator("#screen-idle")).to_be_visible()
    assert "token" not in page.url, "the token leaves the address bar"
    return page


def serve_one(server: LiveServer, counter: int = 3, service: str = "B") -> dict[str, Any]:
    server.center.issue(service, actor="test")
    server.center.call_next(counter, actor="test")
    return server.center.finish(counter, actor="test")  # type: ignore[no-any-return]


def expect_done(page: Any, title: str, timeout: float = 5000) -> None:
    expect(page.locator("#screen-done")).to_be_visible(timeout=timeout)
    expect(page.locator("#done-title")).to_have_text(title)


def rating_of(server: LiveServer, ticket_id: str) -> Any:
    with server.store.read():
        return server.store.rating(ticket_id)


def test_request_choose_stored_thanks_then_idle(page: Any, live_server: Any) -> None:
    open_device(page, live_server)
    screenshot(page, "rate-idle")
    ticket = serve_one(live_server)
    ask = page.locator("#screen-ask")
    expect(ask).to_be_visible()
    expect(page.locator("#ask-label")).to_have_text(ticket["label"])
    choices = ask.locator(".xr-choice")
    expect(choices).to_have_text(["Rất hài lòng", "Hài lòng", "Không hài lòng"])
    for choice in choices.all():
        box = choice.bounding_box()
        assert box["width"] >= 300 and box["height"] >= 200, "very large choices"
    screenshot(page, "rate-ask")
    ask.locator('[data-level="satisfied"]').click()
    expect_done(page, "Cảm ơn quý công dân!")
    screenshot(page, "rate-thanks")
    stored = rating_of(live_server, ticket["id"])
    assert (stored.level, stored.comment, stored.counter) == ("satisfied", None, 3)
    expect(page.locator("#screen-idle")).to_be_visible(timeout=10000)


def test_unsatisfied_asks_for_a_reason(page: Any, live_server: Any) -> None:
    open_device(page, live_server)
    ticket = serve_one(live_server)
    page.locator('#screen-ask [data-level="unsatisfied"]').click()
    reasons = page.locator("#screen-reasons")
    expect(reasons).to_be_visible()
    expect(reasons.locator(".xr-reason")).to_have_count(6)  # five from the config, and "skip"
    screenshot(page, "rate-reasons")
    reasons.get_by_role("button", name="Thái độ phục vụ").click()
    expect_done(page, "Cảm ơn quý công dân!")
    stored = rating_of(live_server, ticket["id"])
    assert (stored.level, stored.comment) == ("unsatisfied", "Thái độ phục vụ")


def test_no_choice_in_time_goes_back_to_idle(page: Any, serve: Callable[..., LiveServer]) -> None:
    server = serve(XEPHANG_RATINGS_IDLE_SECONDS="2")
    open_device(page, server)
    ticket = serve_one(server)
    expect(page.locator("#screen-ask")).to_be_visible()
    expect(page.locator("#screen-idle")).to_be_visible(timeout=6000)
    assert rating_of(server, ticket["id"]) is None
    # The next citizen gets their own question.
    other = serve_one(server)
    expect(page.locator("#ask-label")).to_have_text(other["label"])
    page.locator('#screen-ask [data-level="very_satisfied"]').click()
    expect_done(page, "Cảm ơn quý công dân!")
    assert rating_of(server, other["id"]).level == "very_satisfied"
    assert rating_of(server, ticket["id"]) is None


def test_walking_away_from_the_reasons_still_counts_the_choice(
        page: Any, serve: Callable[..., LiveServer]) -> None:
    server = serve(XEPHANG_RATINGS_IDLE_SECONDS="2")
    open_device(page, server)
    ticket = serve_one(server)
    page.locator('#screen-ask [data-level="unsatisfied"]').click()
    expect(page.locator("#screen-reasons")).to_be_visible()
    expect_done(page, "Cảm ơn quý công dân!", timeout=6000)
    stored = rating_of(server, ticket["id"])
    assert (stored.level, stored.comment) == ("unsatisfied", None)


def test_a_second_rating_of_a_ticket_is_refused(page: Any, live_server: Any) -> None:
    open_device(page, live_server)
    ticket = serve_one(live_server)
    expect(page.locator("#screen-ask")).to_be_visible()
    live_server.center.rate(ticket["id"], "very_satisfied")  # rated on the ticket page first
    page.locator('#screen-ask [data-level="unsatisfied"]').click()
    page.locator("#screen-reasons").get_by_role("button", name="Chờ lâu").click()
    expect_done(page, f"Số {ticket['label']} đã được đánh giá")
    expect(page.locator("#done-text")).to_contain_text("chỉ được đánh giá một lần")
    screenshot(page, "rate-refused")
    assert rating_of(live_server, ticket["id"]).level == "very_satisfied"
    expect(page.locator("#screen-idle")).to_be_visible(timeout=10000)


def test_only_its_own_counter_and_the_token_is_kept(page: Any, live_server: Any) -> None:
    open_device(page, live_server)
    serve_one(live_server, counter=1, service="A")
    page.reload()  # the device restarts: no token in the address any more
    expect(page.locator("#link-state")).to_have_text("Sẵn sàng")
    expect(page.locator("#screen-idle")).to_be_visible()
    ticket = serve_one(live_server, counter=3, service="E")
    expect(page.locator("#ask-label")).to_have_text(ticket["label"])


@pytest.mark.parametrize("suffix,reason", [
    ("", "Chưa có mã thiết bị trên trình duyệt này."),
    ("#token=xph_wrong", "Mã thiết bị không đúng hoặc đã bị thu hồi."),
])
def test_a_device_without_a_valid_token_says_how_to_provision(page: Any, live_server: Any,
                                                              suffix: str, reason: str) -> None:
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}/rate/3{suffix}")
    expect(page.locator("#screen-setup")).to_be_visible()
    expect(page.locator("#setup-reason")).to_have_text(reason)
    # The tablet shows a pairing code for the admin console.
    expect(page.locator("#rate-pairing .pairing-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    if not suffix:
        screenshot(page, "rate-setup")


def test_a_display_token_cannot_rate(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/rate/3#token={live_server.token('display')}")
    expect(page.locator("#setup-reason")).to_contain_text("role kiosk")


def test_rating_widget_on_a_ticket_page(page: Any, live_server: Any) -> None:
    ticket = serve_one(live_server, counter=2, service="A")
    # The ticket page mounts it with the holder key from the ticket's QR code.
    mounted = {"id": ticket["id"], "key": live_server.center.holder_key(ticket["id"])}
    page.goto(live_server.url + "/")
    page.set_content("<main><div id='rating'></div></main>")
    page.add_script_tag(url=live_server.url + "/static/core/rating.js")
    page.evaluate("""(t) => { window.outcomes = [];
        XephangRating.mount(document.getElementById('rating'),
                            {ticketId: t.id, key: t.key, onDone: (o) => window.outcomes.push(o)}); }""",
                  mounted)
    widget = page.locator("#rating")
    expect(widget.locator(".xr-choice")).to_have_count(3)
    widget.locator('[data-level="very_satisfied"]').click()
    expect(widget).to_contain_text("Cảm ơn quý công dân đã đánh giá!")
    assert rating_of(live_server, ticket["id"]).level == "very_satisfied"
    assert page.evaluate("window.outcomes") == ["rated"]
    # Mounted again (a reload of the ticket page): the second rating is refused politely.
    page.evaluate("""(t) => XephangRating.mount(document.getElementById('rating'),
                         {ticketId: t.id, key: t.key, onDone: (o) => window.outcomes.push(o)})""",
                  mounted)
    widget.locator('[data-level="unsatisfied"]').click()
    widget.get_by_role("button", name="Bỏ qua, gửi đánh giá").click()
    expect(widget).to_contain_text("Số này đã được đánh giá")
    assert page.evaluate("window.outcomes") == ["rated", "already_rated"]
    assert rating_of(live_server, ticket["id"]).level == "very_satisfied"
