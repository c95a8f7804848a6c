"""The wall and counter screen pages, run inside the core.

Imported only by the core's composition root (`queue_core.web.app`), which registers
`blueprint`.
"""

from display.web.pages import blueprint

__all__ = ["blueprint"]
