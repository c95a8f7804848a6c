"""The native screen's loop: a `CoreLink` on the board room, a `LiveBoard`, a pygame window.

It follows the core with the same rules as the pages (subscribe on every connect,
events in `seq` order, a fresh Board on a gap, the "connection lost" overlay while
disconnected) and redraws only when something changes; `render` draws.

>>> screen = NativeScreen("http://192.168.1.10:8000", counter=3)   # doctest: +SKIP
>>> screen.run()                                                    # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import shutil
import stat
import tempfile
import threading
import time
import urllib.parse
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from display.board import Call, LiveBoard  # noqa: E402
from display.native.render import Renderer, View  # noqa: E402
from queue_core.client.link import CoreLink  # noqa: E402
from queue_core.client.rest import CoreClient, CoreUnreachable  # noqa: E402
from queue_core.domain.events import BOARD, ROOM_BOARD  # noqa: E402

log = logging.getLogger("xephang.display")

REFRESH_SECONDS = 300.0
INBOX_LIMIT = 5000
SPEECH_WAIT_SECONDS = 3.0


def ensure_runtime_dir(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Give SDL a private runtime folder when the session has none; return it, or None.

    A screen started by systemd (or from a plain console) often has no valid
    XDG_RUNTIME_DIR; SDL's Wayland probe then prints "error: XDG_RUNTIME_DIR is invalid or
    not set" at every start before falling back to X11 or KMS. A folder of our own (mode
    0700, removed at exit) keeps the probe quiet and changes nothing else.
    """
    env = os.environ if environ is None else environ
    current = env.get("XDG_RUNTIME_DIR", "")
    if current:
        try:
            info = os.stat(current)
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() \
                    and not info.st_mode & 0o077:
                return None
        except OSError:
            pass
    folder = tempfile.mkdtemp(prefix="xephang-display-")  # 0700, a fresh random name
    atexit.register(shutil.rmtree, folder, True)
    env["XDG_RUNTIME_DIR"] = folder
    return folder


class NativeScreen:
    """One screen following the core: a Socket.IO client, a `LiveBoard`, a pygame window.

    The Socket.IO thread only queues what arrives; the main thread applies it in order
    and draws, so the board needs no lock.
    """

    def __init__(self, core_url: str, *, counter: int | None = None, token: str | None = None,
                 notice: str = "", highlight_seconds: float = 8.0, recent_calls: int = 8,
                 size: tuple[int, int] | None = None, fps: int = 20,
                 reconnect_delay: float = 1.0, reconnect_delay_max: float = 10.0) -> None:
        self.core_url = core_url.rstrip("/")
        self.view = View(counter=counter, notice=notice, connected=False)
        self.token = token
        self.size = size
        self.fps = fps
        self.live = LiveBoard(recent_limit=recent_calls, highlight_seconds=highlight_seconds)
        self.renderer = Renderer()
        self.surface: pygame.Surface | None = None
        self.frames = 0
        self.connects = 0
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self.core = CoreClient(self.core_url, token)
        self.link = CoreLink(self.core_url, rooms=[ROOM_BOARD], token=token,
                             on_board=lambda board: self._post(BOARD, board),
                             on_event=self._post, on_link=self._on_link,
                             reconnect_delay=reconnect_delay,
                             reconnect_delay_max=reconnect_delay_max, name="display-link")
        self._drawn: tuple[Any, ...] | None = None
        self._clock_base: tuple[datetime, float] | None = None
        self._speech_asked: tuple[Any, ...] | None = None
        self._refreshed = time.monotonic()
        self._day = ""
        self._dropped = False

    # --- the link (its own thread) -------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background, again and again until `stop`."""
        self.link.start()

    def stop(self) -> None:
        self._stop.set()
        self.link.stop(timeout=5)

    def _on_link(self, up: bool) -> None:
        # Queued before the answer to `subscribe`, so the board knows a snapshot is coming.
        self._post("connect" if up else "disconnect", None)

    def _post(self, name: str, data: Any) -> None:
        if self.inbox.qsize() >= INBOX_LIMIT:
            # The drawing side is stuck: forget the backlog, a fresh Board replaces it.
            self._dropped = True
            return
        self.inbox.put((name, data))

    def _resubscribe(self) -> bool:
        return self.link.resync()

    # --- applying what arrived (the main thread) ---------------------------------------------

    def handle(self, name: str, data: Any, now: float | None = None) -> None:
        """Apply one message from the connection thread."""
        now = time.monotonic() if now is None else now
        if name == "connect":
            self.connects += 1
            self.view.connected = True
            self.live.subscribed(now=now)
        elif name == "disconnect":
            self.view.connected = False
        elif name == "board":
            if isinstance(data, dict) and self.live.load(data, now=now, reset=True):
                self._clock_base = (_parse_time(data.get("now")), now)
                self._refreshed = now
        elif name == "speech":
            call, text, caption = data
            self.live.set_speech(call, text, caption)
        else:
            self.live.apply(name, data, now=now)

    def pump(self, timeout: float = 0.0) -> int:
        """Apply every queued message, waiting up to `timeout` for the first; return how many."""
        count = 0
        try:
            name, data = self.inbox.get(timeout=timeout) if timeout > 0 \
                else self.inbox.get_nowait()
        except queue.Empty:
            return 0
        while True:
            self.handle(name, data)
            count += 1
            try:
                name, data = self.inbox.get_nowait()
            except queue.Empty:
                break
        return count

    def housekeeping(self, now: float | None = None) -> None:
        """Ask for a fresh Board when one is due, and for the sentence of a snapshot's call."""
        now = time.monotonic() if now is None else now
        if self._dropped:
            self._dropped = False
            self.live.request_resync()
        if self.live.board is not None and self.view.connected:
            clock = self.clock(now)
            today = clock.date().isoformat() if clock is not None else ""
            known = max(str(self.live.board.get("date") or ""), self._day)
            if today > known or now - self._refreshed >= REFRESH_SECONDS:
                # The day turned (recent calls start over) or it is time for a check.
                self._day = max(today, known)
                self._refreshed = now
                self.live.request_resync()
        if self.live.take_resync(now=now) and not self._resubscribe():
            self.live.resync_failed()
        self._ask_speech()

    def _ask_speech(self) -> None:
        call = self.live.call
        if call is None or (call.speech and call.caption) or not call.label or not call.counter:
            return
        if self._speech_asked == call.key:
            return
        self._speech_asked = call.key
        threading.Thread(target=self._fetch_speech, args=(call,), daemon=True).start()

    def _fetch_speech(self, call: Call) -> None:
        query = {"label": call.label, "counter": str(call.counter)}
        if call.recall:
            query["recall"] = "1"
        try:
            reply = self.core.get(f"/api/v1/speech?{urllib.parse.urlencode(query)}")
        except CoreUnreachable as exc:
            log.info("no sentence for %s: %s", call.label, exc)
            self._speech_asked = None
            return
        data = reply.data if isinstance(reply.data, dict) else {}
        text, caption = data.get("text"), data.get("caption")
        if isinstance(text, str):
            self._post("speech", (call, text, caption if isinstance(caption, str) else ""))

    def clock(self, now: float | None = None) -> datetime | None:
        """Return the core's time now (from the last Board), or None before the first."""
        if self._clock_base is None or self._clock_base[0] is None:
            return None
        now = time.monotonic() if now is None else now
        moment, at = self._clock_base
        return moment + timedelta(seconds=now - at)

    # --- drawing -----------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface | None = None,
             now: float | None = None) -> list[pygame.Rect]:
        """Draw what changed; return the areas drawn ([] when the frame is unchanged)."""
        surface = surface or self.surface
        if surface is None:
            return []
        now = time.monotonic() if now is None else now
        self.view.clock = self.clock(now)
        moving = self.renderer.animating(self.live, self.view, now, surface.get_size())
        shown_minute = self.view.clock.strftime("%Y-%m-%d %H:%M") if self.view.clock else ""
        fresh = tuple(self.live.is_fresh(n, now=now) for n in self._counter_numbers())
        key = (self.live.version, self.view.connected, shown_minute, fresh, surface.get_size())
        if key == self._drawn and moving != "cue":
            if moving == "notice":
                # A Pi Zero cannot redraw a whole 1080p frame 20 times a second; the band it can.
                return [self.renderer.draw_notice(surface, self.view, now)]
            return []
        self.renderer.draw(surface, self.live, self.view, now)
        self._drawn = key
        self.frames += 1
        return [surface.get_rect()]

    def _counter_numbers(self) -> list[int]:
        return [int(c.get("number") or 0) for c in (self.live.board or {}).get("counters", [])]

    def step(self, timeout: float | None = None) -> bool:
        """Run one turn of the loop: wait for news (or the next frame), apply, draw."""
        if timeout is None:
            timeout = 1 / self.fps if self._animating() else 0.5
        self.pump(timeout)
        self.housekeeping()
        areas = self.draw()
        if areas and self.surface is not None and self.surface is pygame.display.get_surface():
            pygame.display.update(areas)
        return bool(areas)

    def _animating(self) -> bool:
        if self.surface is None:
            return False
        return bool(self.renderer.animating(self.live, self.view, time.monotonic(),
                                            self.surface.get_size()))

    def open_window(self) -> pygame.Surface:
        """Open the full screen (or a window of `size`) and hide the mouse pointer."""
        ensure_runtime_dir()
        pygame.display.init()
        pygame.font.init()
        if self.size is None:
            self.surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            self.surface = pygame.display.set_mode(self.size, pygame.RESIZABLE)
        pygame.display.set_caption("xephang")
        pygame.mouse.set_visible(False)
        return self.surface

    def run(self, *, screenshot: Path | None = None, timeout: float | None = None) -> int:
        """Show the screen until closed (Esc, q, or the window's close button).

        With `screenshot`, save the first frame that shows the Board there and return.
        """
        self.open_window()
        self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self._stop.is_set():
                for event in pygame.event.get():
                    if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key in (
                            pygame.K_ESCAPE, pygame.K_q)):
                        return 0
                    if event.type == pygame.VIDEORESIZE and self.size is not None:
                        self.surface = pygame.display.set_mode(event.size, pygame.RESIZABLE)
                        self._drawn = None
                self.step()
                if screenshot is not None and self._complete():
                    self.save(screenshot)
                    return 0
                if deadline is not None and time.monotonic() > deadline:
                    return 1
            return 0
        finally:
            self.stop()
            pygame.display.quit()

    def _complete(self) -> bool:
        """Tell whether the frame shows the whole Board (its call's sentence too, if it comes)."""
        if self.live.board is None or not self.view.connected:
            return False
        call = self.live.call
        waited = time.monotonic() - self._refreshed
        return call is None or bool(call.caption) or waited > SPEECH_WAIT_SECONDS

    def save(self, path: Path) -> Path:
        """Draw the current frame and save it as PNG."""
        assert self.surface is not None
        self._drawn = None
        self.draw()
        pygame.image.save(self.surface, str(path))
        return path


def _parse_time(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
