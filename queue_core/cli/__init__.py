"""The `xephang` command line: thin wrappers over the functions the web layer calls too.

`main` is loaded on first use, so `python -m queue_core.cli.eventlet` imports nothing
before eventlet has patched the standard library.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "main":
        from queue_core.cli.group import main

        return main
    raise AttributeError(name)
