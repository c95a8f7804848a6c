"""Fixtures of the core's own tests: a core served on loopback for the satellites' links."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support_core import Core


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    """A core on a loopback port, served by a thread of this process."""
    core = Core(tmp_path / "var")
    yield core
    core.stop()
