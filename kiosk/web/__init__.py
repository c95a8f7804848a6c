"""The kiosk's web part, run inside the core: the touch pages, the ticket page, printing routes.

Imported only by the core's composition root (`queue_core.web.app`), which registers
`blueprint`, attaches the core's printer (`attach_printing`) and gives the kiosk the
announcer's voice (`attach_speech`).
"""

from kiosk.web import lookup as _lookup  # noqa: F401  (the look-up kiosk's routes)
from kiosk.web.pages import blueprint
from kiosk.web.printing import attach_printing
from kiosk.web.speech import attach_speech

__all__ = ["attach_printing", "attach_speech", "blueprint"]
