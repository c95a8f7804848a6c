"""The native screen (pygame, no browser): `render` draws a Board, `screen` keeps it live."""

from display.native.render import BG, GOLD, Fonts, Placed, Renderer, View, ellipsize, wrap, wrap_all
from display.native.screen import NativeScreen, ensure_runtime_dir

__all__ = ["BG", "GOLD", "Fonts", "NativeScreen", "Placed", "Renderer", "View", "ellipsize",
           "ensure_runtime_dir", "wrap", "wrap_all"]
