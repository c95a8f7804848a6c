"""Load a stand-alone script of systemd/ (run with the system's Python on a box) as a module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"


def load_script(name: str) -> ModuleType:
    """systemd/NAME.py as a module, for tests that call its functions."""
    spec = importlib.util.spec_from_file_location(name, SYSTEMD / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
