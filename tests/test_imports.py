"""The arrows between packages hold: import-linter's contracts (pyproject.toml) and no stray SQL."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A statement of SQL as the core would write it, in a string.
SQL = re.compile(r"""["'][^"']*\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"""
                 r"""CREATE\s+(UNIQUE\s+)?(TABLE|INDEX)|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE)\b""",
                 re.IGNORECASE)


def test_import_contracts_are_kept() -> None:
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert linter is not None, "import-linter is missing: it is in the dev extras"
    result = subprocess.run([linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


# The storage packages: the box's (SQLite) and the province hub's own (PostgreSQL).
STORAGE = (("storage",), ("province", "storage"))


def test_no_sql_outside_storage() -> None:
    found = []
    for path in sorted((ROOT / "queue_core").rglob("*.py")):
        parts = path.relative_to(ROOT / "queue_core").parts
        if any(parts[:len(package)] == package for package in STORAGE):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL.search(line) or ".execute(" in line or "executemany(" in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], ("SQL belongs in queue_core/storage (the hub's in queue_core/province/"
                         "storage):\n" + "\n".join(found))


def test_the_sql_check_sees_sql() -> None:
    assert SQL.search('conn.execute("SELECT id FROM tickets WHERE day < ?")')
    assert SQL.search("'INSERT INTO audit_log (at) VALUES (?)'")
    assert not SQL.search('"Select the field you came for"')
