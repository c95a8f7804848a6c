"""The native pygame screen (SDL_VIDEODRIVER=dummy): frames, Vietnamese text, live updates,
seq gaps and lost connections, against a real core served in-process."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame
import pytest
from netcut import NetCut

from display.board import LiveBoard
from display.messages import COUNTERS_HEAD, TEXT, WEEKDAYS
from display.native import BG, GOLD, Fonts, NativeScreen, Renderer, View
from hardware.fonts import font_path

SIZES = [(1920, 1080), (1366, 768), (800, 480)]


@pytest.fixture(autouse=True)
def pygame_fonts() -> Any:
    pygame.font.init()
    yield
    pygame.font.quit()


@pytest.fixture
def screens() -> Any:
    made: list[NativeScreen] = []

    def make(url: str, **kwargs: Any) -> NativeScreen:
        kwargs.setdefault("reconnect_delay", 0.2)
        kwargs.setdefault("reconnect_delay_max", 1.0)
        screen = NativeScreen(url, **kwargs)
        screen.surface = pygame.Surface(kwargs.get("size") or (1280, 720))
        made.append(screen)
        return screen

    yield make
    for screen in made:
        screen.stop()


def until(screen: NativeScreen, what: Callable[[], Any], timeout: float = 15.0) -> None:
    """Run the screen's loop until `what()` holds (each turn waits on its inbox)."""
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        screen.pump(timeout=0.2)
        screen.housekeeping()
        screen.draw()


def busy_board(center: Any) -> dict[str, Any]:
    for code, count in (("A", 6), ("B", 3), ("C", 1), ("E", 2), ("F", 2)):
        for _ in range(count):
            center.issue(code, actor="t")
    for counter in (1, 2, 3, 4, 5):
        center.call_next(counter, actor="t")
    center.finish(1, actor="t")
    center.call_next(1, actor="t")
    center.finish(4, actor="t")
    center.set_counter_state(4, "paused", actor="t")
    return center.board()  # type: ignore[no-any-return]


def pixel_share(surface: pygame.Surface, rect: pygame.Rect, color: tuple[int, int, int]) -> float:
    """Return the share of pixels in `rect` that are exactly `color`."""
    area = surface.subsurface(rect)
    points = [(x, y) for x in range(0, rect.width, 2) for y in range(0, rect.height, 2)]
    return sum(1 for point in points if area.get_at(point)[:3] == color) / max(1, len(points))


def test_every_character_shown_has_a_glyph_in_the_bundled_font(center: Any) -> None:
    texts = [*TEXT.values(), *COUNTERS_HEAD, *WEEKDAYS]
    board = center.board()
    texts += [board["center"]["name"], board["center"]["name"].upper()]
    texts += [s["name"] for s in board["services"]] + [center.speech("A023", 3)]
    texts += ["★", "⚠", "·", "…"]
    for bold in (False, True):
        font = pygame.font.Font(str(font_path(bold)), 24)
        missing = {ch for text in texts for ch in text if not ch.isspace()
                   and font.metrics(ch)[0] is None}
        assert missing == set()


@pytest.mark.parametrize("size", SIZES)
def test_wall_frame_at_every_size(center: Any, size: tuple[int, int], shots: Path) -> None:
    board = busy_board(center)
    live = LiveBoard()
    live.load(board, now=0.0)
    call = live.call
    assert call is not None and call.caption == center.caption(call.label, call.counter)
    surface = pygame.Surface(size)
    view = View(notice="Thứ Bảy làm việc buổi sáng. Xin cảm ơn quý công dân!",
                clock=center.clock.now())
    Renderer().draw(surface, live, view, now=1.0)
    pygame.image.save(surface, str(shots / f"native-wall-{size[0]}x{size[1]}.png"))
    # A new call: the large panel turns gold for its highlight, then back.
    before = pygame.image.tobytes(surface, "RGB")
    live.apply("ticket_called", {
        "seq": board["seq"] + 1, "counter": 2, "recall": False, "waiting": {},
        "speech": center.speech("A009", 2),
        "ticket": {"id": "x", "label": "A009", "state": "called", "called_at": None}}, now=2.0)
    Renderer().draw(surface, live, view, now=5.0)
    pygame.image.save(surface, str(shots / f"native-wall-{size[0]}x{size[1]}-called.png"))
    # The margin inside the large panel, left of its centred text: its background only.
    u = min(size[0] / 100, size[1] / 56.25)
    hero = pygame.Rect(round(2.3 * u), round(12 * u), max(2, round(0.6 * u)), round(20 * u))
    assert pixel_share(surface, hero, GOLD) > 0.9
    assert pygame.image.tobytes(surface, "RGB") != before
    Renderer().draw(surface, live, view, now=20.0)
    assert pixel_share(surface, hero, GOLD) == 0


def many_calls(center: Any) -> None:
    """Ten calls and two recalls: the recent calls panel full, every field in a row."""
    for code, count in (("A", 8), ("B", 3), ("C", 2), ("D", 2), ("E", 2), ("F", 2)):
        for _ in range(count):
            center.issue(code, actor="t")
    for counter in (1, 2, 3, 4, 5, 1, 2, 3, 4, 5):
        if center.counter_view(counter)["current"] is not None:
            center.finish(counter, actor="t")
        center.call_next(counter, actor="t")
    center.recall(3, actor="t")
    center.recall(1, actor="t")


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_long_field_names_wrap_or_shrink_and_are_never_cut(center: Any, size: tuple[int, int],
                                                           shots: Path) -> None:
    many_calls(center)
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    surface = pygame.Surface(size)
    renderer = Renderer()
    renderer.draw(surface, live, View(clock=center.clock.now()), now=0.0)
    pygame.image.save(surface, str(shots / f"native-wall-long-names-{size[0]}x{size[1]}.png"))
    boxed = [p for p in renderer.placed if p.kind in ("counter-fields", "waiting-field")]
    names = {p.text for p in boxed}
    assert "Hộ kinh doanh – Đầu tư" in names and "Chính sách xã hội – Người có công" in names
    assert "Hộ tịch · Chính sách xã hội – Người có công" in names
    assert len(boxed) == 5 + 6
    for placed in boxed:
        # All of the name, in order, no ellipsis; every line inside its box.
        assert "".join(placed.lines).replace(" ", "") == placed.text.replace(" ", "")
        assert not any("…" in line for line in placed.lines)
        for rect in placed.rects:
            assert placed.box.contains(rect), (placed.text, rect, placed.box)


@pytest.mark.parametrize("size", SIZES)
def test_the_last_recent_call_row_is_whole(center: Any, size: tuple[int, int]) -> None:
    many_calls(center)
    live = LiveBoard(recent_limit=8)
    live.load(center.board(), now=0.0)
    assert len(live.recent()) == 8
    renderer = Renderer()
    renderer.draw(pygame.Surface(size), live, View(clock=center.clock.now()), now=0.0)
    rows = [p for p in renderer.placed if p.kind == "recent"]
    assert [p.text for p in rows] == [c["label"] for c in live.recent()]
    for placed in rows:
        assert placed.box.contains(placed.rects[0]), (placed.text, placed.rects[0], placed.box)


def test_the_large_panel_shows_the_written_caption_and_marks_an_earlier_call(
        center: Any) -> None:
    many_calls(center)
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    call = live.call
    assert call is not None and not call.earlier and call.recall
    center.finish(call.counter, actor="t")
    live.load(center.board(), now=1.0)
    assert live.call is not None and live.call.earlier and live.call.caption
    Renderer().draw(pygame.Surface((1366, 768)), live, View(clock=center.clock.now()), now=1.0)


@pytest.mark.parametrize("size", [(1366, 768), (800, 480)])
def test_counter_frame(center: Any, size: tuple[int, int], shots: Path) -> None:
    board = busy_board(center)
    live = LiveBoard()
    live.load(board, now=0.0)
    surface = pygame.Surface(size)
    renderer = Renderer()
    renderer.draw(surface, live, View(counter=3, clock=center.clock.now()), now=0.0)
    pygame.image.save(surface, str(shots / f"native-counter-{size[0]}x{size[1]}.png"))
    renderer.draw(surface, live, View(counter=4, clock=center.clock.now()), now=0.0)
    pygame.image.save(surface, str(shots / f"native-counter-paused-{size[0]}x{size[1]}.png"))


def test_overlay_says_the_connection_is_lost(center: Any, shots: Path) -> None:
    live = LiveBoard()
    live.load(center.board(), now=0.0)
    surface = pygame.Surface((1280, 720))
    Renderer().draw(surface, live, View(connected=False), now=0.0)
    pygame.image.save(surface, str(shots / "native-wall-disconnected.png"))
    middle = pygame.Rect(500, 330, 280, 60)
    assert pixel_share(surface, middle, BG) == 0  # shaded over


def test_fonts_cache_is_bounded() -> None:
    fonts = Fonts(limit=8)
    for px in range(10, 60):
        fonts.get(px, bold=px % 2 == 0)
    assert len(fonts._cache) == 8
    fitted = fonts.fit("Chính sách xã hội – Người có công", 80, 300)
    assert fitted.size("Chính sách xã hội – Người có công")[0] <= 300


def test_only_what_changed_is_drawn(center: Any) -> None:
    screen = NativeScreen("http://127.0.0.1:9", notice="Thông báo dài: " + "xin cảm ơn " * 30)
    screen.surface = pygame.Surface((1280, 720))
    screen.handle("connect", None, now=0.0)
    screen.handle("board", center.board(), now=0.0)
    assert screen.draw(now=0.0) == [pygame.Rect(0, 0, 1280, 720)]
    assert screen.frames == 1
    band = screen.draw(now=0.5)  # nothing new: only the scrolling notice moves
    assert len(band) == 1 and band[0].bottom == 720 and band[0].height < 720 / 10
    assert screen.frames == 1
    center.issue("A", actor="t")
    screen.handle("board", center.board(), now=1.0)
    assert screen.draw(now=1.0) == [pygame.Rect(0, 0, 1280, 720)]
    screen.view.notice = ""
    screen._drawn = None
    screen.draw(now=2.0)
    assert screen.draw(now=2.5) == []  # still: nothing to draw at all


def test_screen_follows_a_live_core(core: Any, screens: Any, shots: Path) -> None:
    center = core.center
    screen = screens(core.url, size=(1280, 720))
    screen.start()
    until(screen, lambda: screen.live.board is not None and screen.view.connected)
    frames = screen.frames
    center.issue("B", actor="t")
    center.call_next(3, actor="t")
    until(screen, lambda: screen.live.call is not None and screen.live.call.label == "B001")
    assert screen.live.call.speech == center.speech("B001", 3)
    assert screen.live.counter(3)["current"]["label"] == "B001"  # type: ignore[index]
    assert screen.frames > frames
    assert screen.live.resyncs == 0 and screen.connects == 1
    assert screen.surface is not None
    pygame.image.save(screen.surface, str(shots / "native-live-called.png"))


def test_a_lost_event_is_repaired_by_subscribing_again(core: Any, screens: Any) -> None:
    center = core.center
    screen = screens(core.url, counter=1)
    screen.start()
    until(screen, lambda: screen.live.board is not None)
    lost = screen.live.seq + 2  # type: ignore[operator]
    handle = screen.handle
    screen.handle = lambda name, data, now=None: None if (  # type: ignore[method-assign]
        isinstance(data, dict) and data.get("seq") == lost) else handle(name, data, now)
    center.issue("A", actor="t")
    center.call_next(1, actor="t")   # lost
    center.issue("A", actor="t")     # the gap shows here
    until(screen, lambda: screen.live.seq == lost + 1 and not screen.live.wants_resync
          and screen.live.resyncs == 1)
    assert screen.live.counter(1)["current"]["label"] == "A001"  # type: ignore[index]
    assert screen.live.services()[0]["waiting"] == 1


def test_snapshot_call_gets_its_sentence_from_the_core(core: Any, screens: Any) -> None:
    center = core.center
    center.issue("E", actor="t")
    center.call_next(3, actor="t")
    screen = screens(core.url)
    screen.start()
    until(screen, lambda: screen.live.call is not None and screen.live.call.speech)
    assert screen.live.call.speech == center.speech("E001", 3)  # type: ignore[union-attr]


def test_network_cut_shows_the_overlay_then_the_true_state(core: Any, screens: Any) -> None:
    center = core.center
    with NetCut(core.port) as cut:
        screen = screens(cut.url, size=(960, 540))
        screen.start()
        until(screen, lambda: screen.live.board is not None and screen.view.connected)
        cut.down()
        until(screen, lambda: not screen.view.connected)
        center.issue("C", actor="t")
        center.call_next(4, actor="t")
        cut.up()
        until(screen, lambda: screen.view.connected and screen.live.call is not None)
        assert screen.live.call.label == "C001"  # type: ignore[union-attr]
        assert screen.live.counter(4)["current"]["label"] == "C001"  # type: ignore[index]
        assert screen.connects == 2
        center.finish(4, actor="t")
        until(screen, lambda: screen.live.counter(4)["current"] is None)  # type: ignore[index]


def test_core_not_there_yet_then_started(tmp_path: Path, screens: Any) -> None:
    with NetCut(1) as cut:  # a relay to nothing: every connection is refused
        cut.down()
        screen = screens(cut.url)
        screen.start()
        until(screen, lambda: screen.inbox.qsize() > 0 or not screen.view.connected)
        screen.draw()
        assert screen.live.board is None and screen.frames == 1  # "Đang kết nối…"


@pytest.mark.slow
def test_survives_the_core_killed_and_restarted(tmp_path: Path, screens: Any) -> None:
    from support_live import LiveServer

    with LiveServer(tmp_path / "var") as server:
        server.start()
        kiosk, keypad = server.tokens([("kiosk", None), ("keypad", 4)])
        screen = screens(server.url, counter=4)
        screen.start()
        until(screen, lambda: screen.live.board is not None and screen.view.connected)
        assert server.post("/tickets", kiosk, {"service": "D"}).status_code == 201
        server.kill()
        until(screen, lambda: not screen.view.connected)
        screen.draw()
        server.start()
        assert server.post("/counters/4/call-next", keypad).status_code == 200
        until(screen, lambda: screen.view.connected and screen.live.counter(4)["current"]
              is not None, timeout=30)
        assert screen.live.counter(4)["current"]["label"] == "D001"  # type: ignore[index]
        assert screen.connects >= 2


PROBE = """
import os, sys
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
if sys.argv[1] == "fixed":
    from display.native.screen import ensure_runtime_dir
    ensure_runtime_dir()
import pygame
try:
    pygame.display.init()
except pygame.error:
    pass
"""


def test_no_xdg_runtime_dir_error_at_start(tmp_path: Path) -> None:
    """SDL's Wayland probe complains when the session has no runtime folder: give it one."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["SDL_VIDEODRIVER"] = "wayland"  # what a desktop start tries first

    def start(mode: str) -> str:
        return subprocess.run([sys.executable, "-c", PROBE, mode], env=env, capture_output=True,
                              text=True, timeout=60, cwd=tmp_path).stderr

    if "XDG_RUNTIME_DIR" not in start("bare"):
        pytest.skip("this SDL build does not probe Wayland")
    assert "XDG_RUNTIME_DIR" not in start("fixed")


def test_the_runtime_dir_is_private_and_a_good_one_is_kept(tmp_path: Path) -> None:
    import os
    import stat

    from display.native import ensure_runtime_dir

    env: dict[str, str] = {}
    made = ensure_runtime_dir(env)
    assert made is not None and env["XDG_RUNTIME_DIR"] == made
    info = os.stat(made)
    assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.getuid()
    assert ensure_runtime_dir(env) is None  # already a good one
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    env = {"XDG_RUNTIME_DIR": str(shared)}  # readable by others: not a runtime folder
    assert ensure_runtime_dir(env) not in (None, str(shared))
