"""The native screen: the wall or one counter's view drawn with pygame, for boards without a browser.

`Renderer` draws a `LiveBoard` onto any pygame surface (tests draw off screen);
`NativeScreen` keeps a Socket.IO connection to the core with the same rules as the
pages (subscribe on every connect, events in `seq` order, a fresh Board on a gap,
the "connection lost" overlay while disconnected) and redraws when something changes.

>>> screen = NativeScreen("http://192.168.1.10:8000", counter=3)   # doctest: +SKIP
>>> screen.run()                                                    # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import threading
import time
import urllib.parse
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import socketio  # noqa: E402

from hardware.fonts import font_path  # noqa: E402

from .board import Call, LiveBoard  # noqa: E402
from .messages import COUNTERS_HEAD, TEXT, WEEKDAYS, counter_name  # noqa: E402

log = logging.getLogger("xephang.display")

BG = (6, 24, 51)
PANEL = (13, 42, 84)
PANEL_2 = (18, 51, 99)
LINE = (42, 79, 134)
INK = (255, 255, 255)
SOFT = (200, 213, 234)
GOLD = (255, 210, 63)
RED = (179, 18, 31)
AMBER = (255, 176, 32)
GREY = (142, 157, 181)
DARK_ON_GOLD = (43, 29, 0)
CLOSED_HEAD = (74, 85, 104)

CUE_SECONDS = 2.4
REFRESH_SECONDS = 300.0
INBOX_LIMIT = 5000
SPEECH_WAIT_SECONDS = 3.0


class Fonts:
    """Bundled DejaVu Sans at any pixel size, cached (a bounded number of sizes)."""

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self._cache: OrderedDict[tuple[int, bool], pygame.font.Font] = OrderedDict()

    def get(self, px: float, bold: bool = False) -> pygame.font.Font:
        key = (max(6, int(px)), bold)
        font = self._cache.get(key)
        if font is None:
            if not pygame.font.get_init():
                pygame.font.init()
            font = pygame.font.Font(str(font_path(bold)), key[0])
            self._cache[key] = font
            while len(self._cache) > self.limit:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return font

    def fit(self, text: str, px: float, width: float, bold: bool = False) -> pygame.font.Font:
        """Return the largest font up to `px` in which `text` is at most `width` wide."""
        font = self.get(px, bold)
        shown = font.size(text)[0]
        while shown > width and px > 6:
            px = max(6, min(px - 1, px * width / max(shown, 1)))
            font = self.get(px, bold)
            shown = font.size(text)[0]
        return font


def wrap(font: pygame.font.Font, text: str, width: float, max_lines: int) -> list[str]:
    """Break `text` into at most `max_lines` lines of `width`; the last one ends in … if cut."""
    lines: list[str] = []
    line = ""
    words = text.split()
    for index, word in enumerate(words):
        candidate = f"{line} {word}".strip()
        if font.size(candidate)[0] <= width or not line:
            line = candidate
            continue
        lines.append(line)
        line = word
        if len(lines) == max_lines:
            rest = " ".join(words[index:])
            lines[-1] = ellipsize(font, f"{lines[-1]} {rest}", width)
            return lines
    if line:
        lines.append(line)
    return lines


def ellipsize(font: pygame.font.Font, text: str, width: float) -> str:
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "…")[0] > width:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass
class View:
    """What a frame needs besides the Board."""

    counter: int | None = None
    notice: str = ""
    connected: bool = True
    clock: datetime | None = None


class Renderer:
    """Draw the wall or a counter view of a `LiveBoard` onto a pygame surface."""

    def __init__(self, fonts: Fonts | None = None) -> None:
        self.fonts = fonts or Fonts()

    def animating(self, live: LiveBoard, view: View, now: float, size: tuple[int, int]) -> str:
        """Say what moves on its own: "cue" (a new call pulsing), "notice" (a long notice
        scrolling; only its band needs redrawing) or "" (nothing: draw on changes only)."""
        counter = view.counter if view.counter is not None else (live.call.counter if live.call
                                                                 else None)
        started = live.highlighted_at(counter) if counter is not None else None
        if started is not None and 0 <= now - started < CUE_SECONDS:
            return "cue"
        if self.notice_scrolls(view, size) and live.board is not None and view.connected:
            return "notice"
        return ""

    def notice_scrolls(self, view: View, size: tuple[int, int]) -> bool:
        if view.counter is not None or not view.notice:
            return False
        unit = _unit(size)
        return bool(self.fonts.get(2.2 * unit, True).size(view.notice)[0] > size[0] - 4 * unit)

    def notice_rect(self, view: View, size: tuple[int, int]) -> pygame.Rect:
        height = round(3.4 * _unit(size)) if view.notice else 0
        return pygame.Rect(0, size[1] - height, size[0], height)

    def draw_notice(self, surface: pygame.Surface, view: View, now: float) -> pygame.Rect:
        """Redraw only the notice band (a scrolling notice between other changes)."""
        rect = self.notice_rect(view, surface.get_size())
        self._notice(surface, view.notice, rect, _unit(surface.get_size()), now)
        return rect

    def draw(self, surface: pygame.Surface, live: LiveBoard, view: View, now: float) -> None:
        surface.fill(BG)
        if live.board is not None:
            if view.counter is None:
                self._wall(surface, live, view, now)
            else:
                self._counter(surface, live, view, now)
        if not view.connected or live.board is None:
            self._overlay(surface, TEXT["disconnected"] if live.board is not None
                          else TEXT["connecting"])

    # --- pieces ------------------------------------------------------------------------------

    def _text(self, surface: pygame.Surface, text: str, font: pygame.font.Font,
              color: tuple[int, int, int], pos: tuple[float, float], anchor: str = "topleft",
              ) -> pygame.Rect:
        image = font.render(text, True, color)
        rect = image.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        surface.blit(image, rect)
        return rect

    def _scaled(self, surface: pygame.Surface, text: str, font: pygame.font.Font,
                color: tuple[int, int, int], center: tuple[float, float], scale: float) -> None:
        image = font.render(text, True, color)
        if abs(scale - 1) > 0.005:
            w, h = image.get_size()
            image = pygame.transform.smoothscale(image, (max(1, int(w * scale)),
                                                         max(1, int(h * scale))))
        surface.blit(image, image.get_rect(center=(round(center[0]), round(center[1]))))

    def _cue_scale(self, live: LiveBoard, counter: int, now: float) -> float:
        started = live.highlighted_at(counter)
        if started is None or not 0 <= now - started < CUE_SECONDS:
            return 1.0
        return 1 + 0.08 * math.sin(math.pi * (((now - started) / 0.6) % 1))

    def _clock(self, view: View) -> tuple[str, str]:
        if view.clock is None:
            return "--:--", ""
        moment = view.clock
        return (moment.strftime("%H:%M"),
                f"{WEEKDAYS[moment.weekday()]}, {moment.strftime('%d/%m/%Y')}")

    # --- the wall ----------------------------------------------------------------------------

    def _wall(self, surface: pygame.Surface, live: LiveBoard, view: View, now: float) -> None:
        width, height = surface.get_size()
        u = _unit((width, height))
        board = live.board or {}
        fonts = self.fonts

        head_h = 7.8 * u
        pygame.draw.rect(surface, RED, (0, 0, width, head_h))
        pygame.draw.rect(surface, GOLD, (0, head_h, width, 0.4 * u))
        clock, date = self._clock(view)
        if board.get("open") is False:
            date = f"{date} · {TEXT['center_closed']}" if date else TEXT["center_closed"]
        clock_font, date_font = fonts.get(4.2 * u, True), fonts.get(1.7 * u)
        right = width - 2 * u
        self._text(surface, clock, clock_font, INK, (right, 0.9 * u), "topright")
        self._text(surface, date, date_font, (255, 233, 168), (right, 5.2 * u), "topright")
        when_w = max(clock_font.size(clock)[0], date_font.size(date)[0])
        star = fonts.get(4 * u, True)
        self._text(surface, "★", star, GOLD, (2 * u, head_h / 2), "midleft")
        name_x = 2 * u + star.size("★")[0] + 1.6 * u
        name_w = right - when_w - 2 * u - name_x
        name = str((board.get("center") or {}).get("name") or "").upper()
        px = 2.6 * u
        lines = wrap(fonts.get(px, True), name, name_w, 3)
        while len(lines) > 2 and px > 10:
            px -= 1
            lines = wrap(fonts.get(px, True), name, name_w, 3)
        name_font = fonts.get(px, True)
        line_h = name_font.get_linesize()
        y = head_h / 2 - line_h * len(lines[:2]) / 2
        for line in lines[:2]:
            self._text(surface, line, name_font, INK, (name_x, y))
            y += line_h

        notice_h = self.notice_rect(view, (width, height)).height
        waiting_h = 8.2 * u
        waiting_top = height - notice_h - 1 * u - waiting_h
        top = head_h + 0.4 * u + 1.2 * u
        bottom = waiting_top - 1 * u
        gap = 1.2 * u
        inner = width - 3.2 * u - 2 * gap
        hero = pygame.Rect(round(1.6 * u), round(top), round(inner * 0.40), round(bottom - top))
        panel = pygame.Rect(round(hero.right + gap), hero.top, round(inner * 0.41), hero.height)
        recent = pygame.Rect(round(panel.right + gap), hero.top,
                             round(width - 1.6 * u) - round(panel.right + gap), hero.height)
        self._hero(surface, live, hero, u, now)
        self._counters(surface, live, panel, u, now)
        self._recent(surface, live, recent, u)
        self._waiting(surface, live, pygame.Rect(round(1.6 * u), round(waiting_top),
                                                 round(width - 3.2 * u), round(waiting_h)), u)
        if view.notice:
            self._notice(surface, view.notice, self.notice_rect(view, (width, height)), u, now)

    def _hero(self, surface: pygame.Surface, live: LiveBoard, rect: pygame.Rect, u: float,
              now: float) -> None:
        fonts = self.fonts
        call = live.call
        fresh = live.is_fresh(None, now=now)
        pygame.draw.rect(surface, GOLD if fresh else PANEL, rect, border_radius=round(1.2 * u))
        pygame.draw.rect(surface, INK if fresh else LINE, rect, width=max(1, round(0.4 * u)),
                         border_radius=round(1.2 * u))
        board = live.board or {}
        if call is not None:
            caption = TEXT["recall_caption"] if call.recall else TEXT["call_caption"]
            label = call.label
            where = f"{TEXT['to_counter']} {_counter_label(board, call.counter)}"
            speech = call.speech
        else:
            caption, label, where, speech = TEXT["call_caption"], TEXT["idle"], "", TEXT["no_calls"]
        inner_w = rect.width - 2.8 * u
        caption_font = fonts.get(2.6 * u, True)
        label_font = fonts.fit(label, 13 * u, inner_w, bold=True)
        where_font = fonts.fit(where, 5 * u, inner_w, bold=True)
        speech_font = fonts.get(2.1 * u)
        speech_lines = wrap(speech_font, speech, inner_w, 3) if speech else []
        label_h = label_font.get_ascent() + 0.3 * u
        blocks = [caption_font.get_linesize(), label_h,
                  where_font.get_linesize() if where else 0,
                  (1 * u + len(speech_lines) * speech_font.get_linesize()) if speech_lines else 0]
        y = rect.centery - sum(blocks) / 2
        soft = DARK_ON_GOLD if fresh else (AMBER if call and call.recall else SOFT)
        self._text(surface, caption.upper(), caption_font, soft, (rect.centerx, y), "midtop")
        y += blocks[0]
        scale = self._cue_scale(live, call.counter, now) if call is not None else 1.0
        self._scaled(surface, label, label_font, BG if fresh else GOLD,
                     (rect.centerx, y + label_h / 2), scale)
        y += blocks[1]
        if where:
            self._text(surface, where, where_font, BG if fresh else INK, (rect.centerx, y), "midtop")
            y += blocks[2]
        y += 1 * u
        for line in speech_lines:
            self._text(surface, line, speech_font, DARK_ON_GOLD if fresh else SOFT,
                       (rect.centerx, y), "midtop")
            y += speech_font.get_linesize()

    def _panel(self, surface: pygame.Surface, rect: pygame.Rect, u: float, titles: Any,
               anchors: Any) -> int:
        """Draw a panel with a title row; return the y where its rows start."""
        pygame.draw.rect(surface, PANEL, rect, border_radius=round(1.2 * u))
        font = self.fonts.get(1.6 * u, True)
        head_h = font.get_linesize() + 1.2 * u
        for text, (x, anchor) in zip(titles, anchors):
            self._text(surface, text.upper(), font, SOFT, (x, rect.y + head_h / 2), anchor)
        pygame.draw.rect(surface, LINE, (rect.x, rect.y + head_h, rect.width, 0.3 * u))
        return round(rect.y + head_h + 0.3 * u)

    def _counters(self, surface: pygame.Surface, live: LiveBoard, rect: pygame.Rect, u: float,
                  now: float) -> None:
        fonts = self.fonts
        board = live.board or {}
        counters = list(board.get("counters") or [])
        names = {s.get("code"): s.get("name") or "" for s in board.get("services") or []}
        pad = 1.2 * u
        num_x = rect.x + pad
        fields_x = num_x + 6.4 * u + 1 * u
        serve_right = rect.right - pad
        row_top = self._panel(surface, rect, u, COUNTERS_HEAD,
                              ((num_x, "midleft"), (fields_x, "midleft"),
                               (serve_right, "midright")))
        rows = max(5, len(counters))
        scale = min(1.0, 5 / rows)
        row_h = (rect.bottom - row_top) / rows
        clip = surface.get_clip()
        surface.set_clip(rect)
        for index, counter in enumerate(counters):
            y = row_top + index * row_h
            number = int(counter.get("number") or 0)
            state = counter.get("state")
            current = counter.get("current") or None
            fresh = state == "open" and live.is_fresh(number, now=now)
            row = pygame.Rect(rect.x, round(y), rect.width, math.ceil(row_h))
            if fresh:
                pygame.draw.rect(surface, GOLD, row)
            elif index % 2:
                pygame.draw.rect(surface, PANEL_2, row)
            if index:
                pygame.draw.rect(surface, LINE, (rect.x, round(y), rect.width, max(1, 0.2 * u)))
            mid = y + row_h / 2
            if state == "closed":
                shown, color, px = TEXT["closed"], GREY, 2.8
            elif state == "paused":
                shown, color, px = TEXT["paused"], AMBER, 2.8
            elif current:
                shown, color, px = str(current.get("label") or ""), BG if fresh else GOLD, 4.4
            else:
                shown, color, px = TEXT["idle"], GREY, 4.4
            serve_font = fonts.fit(shown, min(px * u * scale, row_h / 1.2), 16 * u, bold=True)
            serve_rect = self._text(surface, shown, serve_font, color, (serve_right, mid),
                                    "midright")
            badge_h = min(row_h - 0.8 * u, 4.4 * u * scale * 1.17)
            num_font = fonts.get(badge_h / 1.2, True)
            badge = pygame.Rect(0, 0, round(5.4 * u), round(badge_h))
            badge.midleft = (round(num_x), round(mid))
            pygame.draw.rect(surface, BG if fresh else (GREY if state == "closed" else INK), badge,
                             border_radius=round(0.8 * u))
            self._text(surface, str(number), num_font, GOLD if fresh else BG, badge.center,
                       "center")
            codes = " · ".join(counter.get("services") or [])
            field_names = " · ".join(names.get(code) or code
                                     for code in counter.get("services") or [])
            room = serve_rect.left - 1 * u - fields_x
            codes_font = fonts.get(min(2.6 * u * scale, row_h * 0.45), True)
            names_font = fonts.get(min(1.4 * u * scale, row_h * 0.25))
            block = codes_font.get_linesize() + names_font.get_linesize()
            dim = state == "closed"
            self._text(surface, codes, codes_font, BG if fresh else (GREY if dim else INK),
                       (fields_x, mid - block / 2))
            self._text(surface, ellipsize(names_font, field_names, room), names_font,
                       DARK_ON_GOLD if fresh else (GREY if dim else SOFT),
                       (fields_x, mid - block / 2 + codes_font.get_linesize()))
        surface.set_clip(clip)
        pygame.draw.rect(surface, LINE, rect, width=max(1, round(0.4 * u)),
                         border_radius=round(1.2 * u))

    def _recent(self, surface: pygame.Surface, live: LiveBoard, rect: pygame.Rect,
                u: float) -> None:
        pad = 1.2 * u
        row_top = self._panel(surface, rect, u, (TEXT["recent"],), ((rect.x + pad, "midleft"),))
        board = live.board or {}
        slots = max(4, live.recent_limit)
        scale = min(1.0, 8 / slots)
        row_h = (rect.bottom - row_top) / slots
        label_font = self.fonts.get(min(2.8 * u * scale, row_h / 1.25), True)
        where_font = self.fonts.get(min(1.7 * u * scale, row_h / 2))
        clip = surface.get_clip()
        surface.set_clip(rect)
        for index, call in enumerate(live.recent()):
            y = row_top + index * row_h
            if index % 2:
                pygame.draw.rect(surface, PANEL_2, (rect.x, round(y), rect.width, math.ceil(row_h)))
            if index:
                pygame.draw.rect(surface, LINE, (rect.x, round(y), rect.width, max(1, 0.15 * u)))
            mid = y + row_h / 2
            label = self._text(surface, str(call.get("label") or ""), label_font,
                               AMBER if call.get("recall") else GOLD, (rect.x + pad, mid),
                               "midleft")
            where = ellipsize(where_font, _counter_label(board, call.get("counter")),
                              rect.right - pad - label.right - 0.8 * u)
            self._text(surface, where, where_font, SOFT, (rect.right - pad, mid), "midright")
        surface.set_clip(clip)
        pygame.draw.rect(surface, LINE, rect, width=max(1, round(0.4 * u)),
                         border_radius=round(1.2 * u))

    def _waiting(self, surface: pygame.Surface, live: LiveBoard, rect: pygame.Rect,
                 u: float) -> None:
        title = self.fonts.get(1.9 * u, True)
        lines = wrap(title, TEXT["waiting"].upper(), 10 * u, 2)
        y = rect.centery - title.get_linesize() * len(lines) / 2
        for line in lines:
            self._text(surface, line, title, SOFT, (rect.x, y))
            y += title.get_linesize()
        x = rect.x + 11 * u
        services = live.services()
        if not services:
            return
        gap = 0.8 * u
        item_w = (rect.right - x - gap * (len(services) - 1)) / len(services)
        code_font, count_font = self.fonts.get(2.6 * u, True), self.fonts.get(3.4 * u, True)
        name_font = self.fonts.get(1.45 * u)
        for service in services:
            box = pygame.Rect(round(x), rect.y, round(item_w), rect.height)
            pygame.draw.rect(surface, PANEL, box, border_radius=round(0.8 * u))
            pygame.draw.rect(surface, LINE, box, width=max(1, round(0.2 * u)),
                             border_radius=round(0.8 * u))
            waiting = service.get("waiting") or 0
            top = box.y + 0.3 * u
            baseline = top + count_font.get_ascent()
            self._text(surface, str(service.get("code") or ""), code_font, GOLD,
                       (box.x + 0.8 * u, baseline - code_font.get_ascent()))
            self._text(surface, str(waiting), count_font, INK if waiting else GREY,
                       (box.right - 0.8 * u, top), "topright")
            y = top + count_font.get_linesize()
            for line in wrap(name_font, str(service.get("name") or ""), item_w - 1.6 * u, 2):
                self._text(surface, line, name_font, SOFT, (box.x + 0.8 * u, y))
                y += name_font.get_linesize()
            x += item_w + gap

    def _notice(self, surface: pygame.Surface, notice: str, rect: pygame.Rect, u: float,
                now: float) -> None:
        pygame.draw.rect(surface, RED, rect)
        pygame.draw.rect(surface, GOLD, (rect.x, rect.y, rect.width, max(1, 0.3 * u)))
        font = self.fonts.get(2.2 * u, True)
        image = font.render(notice, True, INK)
        room = rect.width - 4 * u
        clip = surface.get_clip()
        surface.set_clip(rect)
        y = rect.centery - image.get_height() / 2 + 0.15 * u
        if image.get_width() <= room:
            surface.blit(image, (2 * u, y))
        else:
            # Longer than the screen: scroll slowly, right to left, forever.
            span = image.get_width() + rect.width
            offset = (now * 9 * u) % span
            surface.blit(image, (rect.width - offset, y))
        surface.set_clip(clip)

    # --- a counter ---------------------------------------------------------------------------

    def _counter(self, surface: pygame.Surface, live: LiveBoard, view: View, now: float) -> None:
        width, height = surface.get_size()
        u = _unit((width, height))
        fonts = self.fonts
        assert view.counter is not None
        counter = live.counter(view.counter) or {"number": view.counter, "state": "open",
                                                 "services": [], "current": None}
        state = counter.get("state")
        current = counter.get("current") or None
        name = str(counter.get("name") or counter_name(view.counter))
        clock, _ = self._clock(view)
        clock_font = fonts.get(4.4 * u, True)
        name_font = fonts.fit(name.upper(), 9 * u, width - 7 * u - clock_font.size(clock)[0],
                              bold=True)
        head_h = name_font.get_linesize() + 1.2 * u
        pygame.draw.rect(surface, CLOSED_HEAD if state == "closed" else RED, (0, 0, width, head_h))
        pygame.draw.rect(surface, GOLD, (0, head_h, width, 0.5 * u))
        self._text(surface, name.upper(), name_font, INK, (2.4 * u, head_h / 2), "midleft")
        self._text(surface, clock, clock_font, INK, (width - 2.4 * u, head_h / 2), "midright")

        services = {s.get("code"): s for s in live.services()}
        codes = list(counter.get("services") or [])
        field_font = fonts.get(2.8 * u)
        code_font = fonts.get(2.8 * u, True)
        count_font = fonts.get(4 * u, True)
        foot_h = count_font.get_linesize() + 1.4 * u
        main = pygame.Rect(round(2 * u), round(head_h + 0.5 * u + 1.4 * u), round(width - 4 * u),
                           round(height - foot_h - head_h - 0.5 * u - 2.8 * u))
        fresh = state == "open" and live.is_fresh(view.counter, now=now)
        pygame.draw.rect(surface, GOLD if fresh else PANEL, main, border_radius=round(1.6 * u))
        pygame.draw.rect(surface, INK if fresh else LINE, main, width=max(1, round(0.5 * u)),
                         border_radius=round(1.6 * u))
        if state == "closed":
            label, color, hint = TEXT["closed"], GREY, ""
        elif state == "paused":
            label, color, hint = TEXT["paused"], AMBER, ""
        elif current:
            label, color, hint = str(current.get("label") or ""), BG if fresh else GOLD, ""
        else:
            label, color, hint = TEXT["idle"], GREY, TEXT["idle_hint"]
        caption_font = fonts.get(3.4 * u, True)
        label_font = fonts.fit(label, 23 * u, main.width - 4 * u, bold=True)
        hint_font = fonts.get(2.6 * u)
        label_h = label_font.get_ascent() + 0.5 * u
        total = caption_font.get_linesize() + label_h + hint_font.get_linesize()
        y = main.centery - total / 2
        if state == "open" and current:
            self._text(surface, TEXT["serving"].upper(), caption_font,
                       DARK_ON_GOLD if fresh else SOFT, (main.centerx, y), "midtop")
        y += caption_font.get_linesize()
        self._scaled(surface, label, label_font, color, (main.centerx, y + label_h / 2),
                     self._cue_scale(live, view.counter, now) if fresh else 1.0)
        y += label_h
        if hint:
            self._text(surface, hint, hint_font, SOFT, (main.centerx, y), "midtop")

        x = 2.4 * u
        foot_mid = height - foot_h / 2 - 0.4 * u
        waiting = 0
        for code in codes:
            service = services.get(code) or {}
            waiting += int(service.get("waiting") or 0)
            rect = self._text(surface, str(code), code_font, GOLD, (x, foot_mid), "midleft")
            rect = self._text(surface, str(service.get("name") or ""), field_font, INK,
                              (rect.right + 0.6 * u, foot_mid), "midleft")
            x = rect.right + 1.6 * u
        right = width - 2.4 * u
        rect = self._text(surface, TEXT["waiting_here"], field_font, SOFT, (right, foot_mid),
                          "midright")
        self._text(surface, str(waiting), count_font, INK, (rect.left - 0.6 * u, foot_mid),
                   "midright")

    # --- connection lost ---------------------------------------------------------------------

    def _overlay(self, surface: pygame.Surface, message: str) -> None:
        width, height = surface.get_size()
        u = _unit((width, height))
        shade = pygame.Surface((width, height), pygame.SRCALPHA)
        shade.fill((3, 10, 24, 210))
        surface.blit(shade, (0, 0))
        icon_font, text_font = self.fonts.get(6 * u, True), self.fonts.get(3.6 * u, True)
        icon_w = icon_font.size("⚠")[0]
        lines = wrap(text_font, message, min(96 * u, width - 4 * u) - icon_w - 8.8 * u, 2)
        text_w = max(text_font.size(line)[0] for line in lines)
        box = pygame.Rect(0, 0, round(icon_w + 2 * u + text_w + 6.8 * u),
                          round(max(icon_font.get_linesize(),
                                    text_font.get_linesize() * len(lines)) + 4.8 * u))
        box.center = (width // 2, height // 2)
        pygame.draw.rect(surface, (43, 10, 14), box, border_radius=round(1.4 * u))
        pygame.draw.rect(surface, RED, box, width=max(1, round(0.5 * u)),
                         border_radius=round(1.4 * u))
        self._text(surface, "⚠", icon_font, GOLD, (box.x + 3.4 * u, box.centery), "midleft")
        y = box.centery - text_font.get_linesize() * len(lines) / 2
        for line in lines:
            self._text(surface, line, text_font, INK, (box.x + 3.4 * u + icon_w + 2 * u, y))
            y += text_font.get_linesize()


def _unit(size: tuple[int, int]) -> float:
    """A hundredth of the largest 16:9 box that fits (the pages' rem)."""
    return min(size[0] / 100, size[1] / 56.25)


def _counter_label(board: dict[str, Any], number: Any) -> str:
    for counter in board.get("counters") or []:
        if counter.get("number") == number and counter.get("name"):
            return str(counter["name"])
    return counter_name(int(number or 0))


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
        self._delay = reconnect_delay
        self._delay_max = reconnect_delay_max
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: socketio.Client | None = None
        self._client_lock = threading.Lock()
        self._drawn: tuple[Any, ...] | None = None
        self._clock_base: tuple[datetime, float] | None = None
        self._speech_asked: tuple[Any, ...] | None = None
        self._refreshed = time.monotonic()
        self._day = ""
        self._dropped = False

    # --- the connection (its own thread) -----------------------------------------------------

    def start(self) -> None:
        """Connect in the background, again and again until `stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._connection_loop, daemon=True,
                                            name="display-socketio")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._client_lock:
            client = self._client
        if client is not None:
            try:
                client.disconnect()
            except Exception as exc:  # noqa: BLE001 - already gone is fine
                log.debug("disconnect on stop: %s", exc)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _new_client(self) -> socketio.Client:
        client = socketio.Client(reconnection=True, reconnection_delay=self._delay,
                                 reconnection_delay_max=self._delay_max, handle_sigint=False)
        client.on("connect", lambda: self._on_connect(client))
        client.on("disconnect", lambda *reason: self._post("disconnect", None))
        client.on("*", lambda event, data=None: self._post(event, data))
        return client

    def _connection_loop(self) -> None:
        delay = self._delay
        while not self._stop.is_set():
            client = self._new_client()
            with self._client_lock:
                self._client = client
            auth = {"token": self.token} if self.token else None
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            try:
                client.connect(self.core_url, auth=auth, headers=headers, wait_timeout=5)
            except socketio.exceptions.ConnectionError as exc:
                log.warning("cannot reach the core at %s (%s); again in %.0f s",
                            self.core_url, exc, delay)
                self._post("disconnect", None)
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, self._delay_max)
                continue
            delay = self._delay
            # Returns once the connection is over for good (the server closed it on
            # purpose, or `stop`); lost connections are retried inside it.
            client.wait()
            self._post("disconnect", None)
            if not self._stop.is_set():
                self._stop.wait(delay)

    def _on_connect(self, client: socketio.Client) -> None:
        # Queued before the answer to `subscribe`, so the board knows a snapshot is coming.
        self._post("connect", None)
        client.emit("subscribe", {"rooms": ["board"]})

    def _post(self, name: str, data: Any) -> None:
        if self.inbox.qsize() >= INBOX_LIMIT:
            # The drawing side is stuck: forget the backlog, a fresh Board replaces it.
            self._dropped = True
            return
        self.inbox.put((name, data))

    def _resubscribe(self) -> bool:
        with self._client_lock:
            client = self._client
        if client is None or not client.connected:
            return False
        try:
            client.emit("subscribe", {"rooms": ["board"]})
        except Exception:  # noqa: BLE001 - the reconnect will subscribe anyway
            return False
        return True

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
            call, text = data
            self.live.set_speech(call, text)
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
        if call is None or call.speech or not call.label or not call.counter:
            return
        if self._speech_asked == call.key:
            return
        self._speech_asked = call.key
        threading.Thread(target=self._fetch_speech, args=(call,), daemon=True).start()

    def _fetch_speech(self, call: Call) -> None:
        query = {"label": call.label, "counter": str(call.counter)}
        if call.recall:
            query["recall"] = "1"
        url = f"{self.core_url}/api/v1/speech?{urllib.parse.urlencode(query)}"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our own core
                text = json.loads(answer.read().decode("utf-8")).get("text")
        except (OSError, ValueError) as exc:
            log.info("no sentence for %s: %s", call.label, exc)
            self._speech_asked = None
            return
        if isinstance(text, str):
            self._post("speech", (call, text))

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
        return call is None or bool(call.speech) or waited > SPEECH_WAIT_SECONDS

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
