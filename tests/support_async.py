"""Run a coroutine in a test, whatever loop the test session's main thread already holds.

Browser tests keep Playwright's loop running on the main thread for the whole session, so
`asyncio.run` there fails for every test after them: run it on a thread of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine on a loop of its own thread; return its result or raise its error."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    if errors:
        raise errors[0]
    return result[0] if result else None
