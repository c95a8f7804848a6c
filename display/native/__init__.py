"""The native screen (pygame, no browser): `render` draws a Board, `screen` keeps it live."""

from display.native.render import BG, GOLD, Fonts, Renderer, View, ellipsize, wrap
from display.native.screen import NativeScreen

__all__ = ["BG", "GOLD", "Fonts", "NativeScreen", "Renderer", "View", "ellipsize", "wrap"]
