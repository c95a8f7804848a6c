"""The whole install rehearsal (systemd/rehearse.sh), on demand: XEPHANG_REHEARSAL=1.

It needs root, debootstrap and the internet once (a Debian mirror and PyPI, to build the
root and the offline bundle), then installs with the network cut off. About two minutes
with its cache warm, ten cold. CI runs the short form (test_systemd_units.py).

    XEPHANG_REHEARSAL=1 .venv/bin/python -m pytest tests/appliance/test_rehearsal.py -s
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REHEARSE = Path(__file__).resolve().parents[2] / "systemd" / "rehearse.sh"

pytestmark = pytest.mark.rehearsal


def test_the_whole_rehearsal_passes_offline() -> None:
    if os.environ.get("XEPHANG_REHEARSAL") != "1":
        pytest.skip("the whole rehearsal runs on demand: XEPHANG_REHEARSAL=1 (root, debootstrap)")
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        pytest.skip("the rehearsal needs root and debootstrap")
    answer = subprocess.run(["bash", str(REHEARSE)], capture_output=True, text=True,
                            timeout=1800, check=False, stdin=subprocess.DEVNULL)
    out = answer.stdout + answer.stderr
    assert answer.returncode == 0, out[-4000:]
    assert "systemd is not running here" in out, "the installer enabled units for the next boot"
    assert "health: 200" in out and "doctor: exit 0" in out
    assert "verify: ok" in out and "pip in it: 0" in out and "apt cache left: 0 MiB" in out
    assert any(line.startswith("rehearsal:") and line.endswith("passed")
               for line in out.splitlines())
