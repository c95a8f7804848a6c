"""Drawing the wall or one counter's view of a `LiveBoard` with pygame (any surface, also off screen).

>>> renderer = Renderer()                                               # doctest: +SKIP
>>> renderer.draw(surface, live, View(counter=3), now=time.monotonic())  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import os
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from display.board import LiveBoard  # noqa: E402
from display.messages import COUNTERS_HEAD, TEXT, WEEKDAYS, counter_name  # noqa: E402
from hardware.fonts import font_path  # noqa: E402

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

    def fit_block(self, text: str, px: float, width: float, height: float,
                  bold: bool = False) -> tuple[pygame.font.Font, list[str]]:
        """Return the largest font up to `px` in which all of `text` wraps into the box.

        Never cuts the text: at the smallest size (6 px) the lines are returned anyway.
        """
        px = max(6.0, px)
        while True:
            font = self.get(px, bold)
            lines = wrap_all(font, text, width)
            if (len(lines) * font.get_linesize() <= height
                    and all(font.size(line)[0] <= width for line in lines)) or px <= 6:
                return font, lines
            px = max(6.0, px - max(1.0, px * 0.06))

    def fit(self, text: str, px: float, width: float, bold: bool = False) -> pygame.font.Font:
        """Return the largest font up to `px` in which `text` is at most `width` wide."""
        font = self.get(px, bold)
        shown = font.size(text)[0]
        while shown > width and px > 6:
            px = max(6, min(px - 1, px * width / max(shown, 1)))
            font = self.get(px, bold)
            shown = font.size(text)[0]
        return font


@dataclass(frozen=True)
class Placed:
    """Text drawn in a box: what it says, the lines it was broken into, where each went."""

    kind: str
    text: str
    lines: tuple[str, ...]
    rects: tuple[pygame.Rect, ...]
    box: pygame.Rect


def wrap_all(font: pygame.font.Font, text: str, width: float) -> list[str]:
    """Break `text` into lines of `width`, all of it (a word longer than a line is split)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.size(candidate)[0] <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.size(word)[0] > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and font.size(word[:cut])[0] > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


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
        # The boxed text of the last frame (field names), for checks that nothing is cut.
        self.placed: list[Placed] = []

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
        self.placed = []
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

    def _block(self, surface: pygame.Surface, kind: str, text: str, px: float, box: pygame.Rect,
               color: tuple[int, int, int], *, bold: bool = False, valign: str = "top") -> None:
        """Draw all of `text` inside `box`, wrapped, shrunk until it fits (never cut)."""
        font, lines = self.fonts.fit_block(text, px, box.width, box.height, bold)
        line_h = font.get_linesize()
        y = box.y if valign == "top" else box.centery - line_h * len(lines) / 2
        rects = []
        for line in lines:
            rects.append(self._text(surface, line, font, color, (box.x, y)))
            y += line_h
        self.placed.append(Placed(kind, text, tuple(lines), tuple(rects), box))

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
        if call is not None and call.earlier:
            # The latest call is over: the call still true before it, marked so.
            caption, label = TEXT["earlier_caption"], call.label
            where = f"{TEXT['at_counter']} {_counter_label(board, call.counter)}"
            speech = ""
        elif call is not None:
            caption = TEXT["recall_caption"] if call.recall else TEXT["call_caption"]
            label = call.label
            where = f"{TEXT['to_counter']} {_counter_label(board, call.counter)}"
            # Written for people who cannot hear the loudspeaker (it says the spoken form).
            speech = call.caption
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
        earlier = call is not None and call.earlier
        soft = DARK_ON_GOLD if fresh else (AMBER if call and call.recall and not earlier else SOFT)
        self._text(surface, caption.upper(), caption_font, soft, (rect.centerx, y), "midtop")
        y += blocks[0]
        scale = self._cue_scale(live, call.counter, now) if call is not None else 1.0
        self._scaled(surface, label, label_font, BG if fresh else (INK if earlier else GOLD),
                     (rect.centerx, y + label_h / 2), scale)
        y += blocks[1]
        if where:
            self._text(surface, where, where_font, BG if fresh else (SOFT if earlier else INK),
                       (rect.centerx, y), "midtop")
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
            dim = state == "closed"
            pad_y = 0.3 * u
            codes_h = codes_font.get_linesize()
            # The field names wrap and shrink into what is left of the row: never cut.
            names_box = pygame.Rect(round(fields_x), round(y + pad_y + codes_h),
                                    max(1, round(room)),
                                    max(1, math.floor(row_h - codes_h - 2 * pad_y)))
            names_font, lines = fonts.fit_block(field_names, 1.4 * u * scale, names_box.width,
                                                names_box.height)
            block = codes_h + names_font.get_linesize() * len(lines)
            top = max(y + pad_y, mid - block / 2)
            self._text(surface, codes, codes_font, BG if fresh else (GREY if dim else INK),
                       (fields_x, top))
            names_box.y = round(top + codes_h)
            names_box.height = max(1, math.floor(y + row_h - pad_y - names_box.y))
            # As tall as the names need at the same size: the same font comes out.
            self._block(surface, "counter-fields", field_names, 1.4 * u * scale, names_box,
                        DARK_ON_GOLD if fresh else (GREY if dim else SOFT))
        surface.set_clip(clip)
        pygame.draw.rect(surface, LINE, rect, width=max(1, round(0.4 * u)),
                         border_radius=round(1.2 * u))

    def _recent(self, surface: pygame.Surface, live: LiveBoard, rect: pygame.Rect,
                u: float) -> None:
        pad = 1.2 * u
        border = max(1, round(0.4 * u))
        row_top = self._panel(surface, rect, u, (TEXT["recent"],), ((rect.x + pad, "midleft"),))
        board = live.board or {}
        slots = max(4, live.recent_limit)
        scale = min(1.0, 8 / slots)
        # Rows end above the panel's border and its rounded corners: the last one whole.
        bottom = rect.bottom - border - 0.4 * u
        row_h = (bottom - row_top) / slots
        label_font = self.fonts.get(min(2.8 * u * scale, row_h / 1.3), True)
        where_font = self.fonts.get(min(1.7 * u * scale, row_h / 2.6))
        mark_font = self.fonts.get(min(1.3 * u * scale, row_h / 3.2), True)
        clip = surface.get_clip()
        surface.set_clip(rect)
        for index, call in enumerate(live.recent()):
            y = row_top + index * row_h
            if index % 2:
                pygame.draw.rect(surface, PANEL_2, (rect.x + border, round(y),
                                                    rect.width - 2 * border, math.ceil(row_h)))
            if index:
                pygame.draw.rect(surface, LINE, (rect.x, round(y), rect.width, max(1, 0.15 * u)))
            mid = y + row_h / 2
            recall = bool(call.get("recall"))
            drawn = self._text(surface, str(call.get("label") or ""), label_font,
                               AMBER if recall else GOLD, (rect.x + pad, mid), "midleft")
            room = rect.right - pad - drawn.right - 0.8 * u
            where = ellipsize(where_font, _counter_label(board, call.get("counter")), room)
            if recall:
                # One entry for a call made again, marked under its counter.
                block = where_font.get_linesize() + mark_font.get_linesize()
                top = mid - block / 2
                self._text(surface, where, where_font, SOFT, (rect.right - pad, top), "topright")
                self._text(surface, ellipsize(mark_font, TEXT["recall_mark"], room), mark_font,
                           AMBER, (rect.right - pad, top + where_font.get_linesize()),
                           "topright")
            else:
                self._text(surface, where, where_font, SOFT, (rect.right - pad, mid), "midright")
            inside = pygame.Rect(rect.x + border, rect.y, rect.width - 2 * border,
                                 round(bottom - rect.y))
            self.placed.append(Placed("recent", str(call.get("label") or ""),
                                      (str(call.get("label") or ""),), (drawn,), inside))
        surface.set_clip(clip)
        pygame.draw.rect(surface, LINE, rect, width=border, border_radius=round(1.2 * u))

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
            names_box = pygame.Rect(round(box.x + 0.8 * u), round(y),
                                    max(1, round(item_w - 1.6 * u)),
                                    max(1, math.floor(box.bottom - 0.3 * u - y)))
            self._block(surface, "waiting-field", str(service.get("name") or ""),
                        1.45 * u, names_box, SOFT)
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
