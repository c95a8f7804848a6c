"""Where a process's memory goes, by top-level package: resident-set growth per import.

Run as a program, it imports what a serving process imports (or the code given with
`--code`) in a fresh interpreter and prints one row per top-level package: the RSS the
process grew while that package's first module ran, inclusive of everything it pulled
in, and exclusive of the other top-level packages it imported (so the exclusive column
adds up to the growth measured). `python -X importtime` gives the time; this gives the
memory, which is what a 1 GB box runs out of.

    python -m bench.import_memory                         # the serving process
    python -m bench.import_memory --code "import announcer.satellite"
"""

from __future__ import annotations

import argparse
import importlib.abc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")

# What `xephang serve` runs in its serving process on embedded defaults.
SERVING_CODE = """
from queue_core.config import load_settings
settings = load_settings(None, env={"XEPHANG_DATA_DIR": DATA_DIR})
from queue_core.web.app import create_app
app = create_app(settings)
"""


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class _Measured(importlib.abc.Loader):
    def __init__(self, inner: Any, recorder: "Recorder", name: str) -> None:
        self.inner = inner
        self.recorder = recorder
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        # Resource readers and the like come from the real loader.
        return getattr(self.inner, attribute)

    def create_module(self, spec: Any) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.recorder.enter(self.name)
        try:
            self.inner.exec_module(module)
        finally:
            self.recorder.leave(self.name)


class Recorder(importlib.abc.MetaPathFinder):
    """A meta path finder that times nothing and weighs each top-level package's import."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, int]] = []      # name, rss at start, children's growth
        self.inclusive: dict[str, int] = {}
        self.exclusive: dict[str, int] = {}
        self.order: list[str] = []

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        top = name.partition(".")[0]
        if any(entry == top for entry, _, _ in self.stack):
            return None                      # counted with the module that is importing it
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _Measured(spec.loader, self, top)
        return spec

    def enter(self, name: str) -> None:
        self.stack.append((name, rss_bytes(), 0))

    def leave(self, name: str) -> None:
        top, start, children = self.stack.pop()
        grown = max(0, rss_bytes() - start)
        if top not in self.inclusive:
            self.order.append(top)
        self.inclusive[top] = self.inclusive.get(top, 0) + grown
        self.exclusive[top] = self.exclusive.get(top, 0) + max(0, grown - children)
        if self.stack:
            parent, parent_start, parent_children = self.stack[-1]
            self.stack[-1] = (parent, parent_start, parent_children + grown)


def measure(code: str, data_dir: str) -> dict[str, Any]:
    """In this process: run `code` with the recorder installed; return the figures."""
    recorder = Recorder()
    sys.meta_path.insert(0, recorder)
    before = rss_bytes()
    exec(compile(code, "<measured>", "exec"), {"DATA_DIR": data_dir})  # noqa: S102
    after = rss_bytes()
    sys.meta_path.remove(recorder)
    return {"start_mb": before / 2**20, "end_mb": after / 2**20,
            "packages": [{"name": name, "inclusive_mb": recorder.inclusive[name] / 2**20,
                          "exclusive_mb": recorder.exclusive[name] / 2**20}
                         for name in recorder.order]}


def measure_in_child(code: str = SERVING_CODE, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `measure` in a fresh interpreter (nothing imported yet) and return its figures."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="xephang-imports-") as tmp:
        # This file is loaded by its path: the tree measured (PYTHONPATH) may be another.
        program = ("import importlib.util, json, sys; "
                   "spec = importlib.util.spec_from_file_location('import_memory', sys.argv[1]); "
                   "module = importlib.util.module_from_spec(spec); "
                   "spec.loader.exec_module(module); "
                   "print(json.dumps(module.measure(sys.argv[2], sys.argv[3])))")
        done = subprocess.run([sys.executable, "-c", program, __file__, code, tmp],
                              capture_output=True, text=True, timeout=300, cwd=tmp,
                              env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def table(figures: dict[str, Any], top: int = 25) -> str:
    rows = sorted(figures["packages"], key=lambda p: p["exclusive_mb"], reverse=True)
    lines = [f"{'package':<28}{'own MB':>9}{'with imports MB':>17}",
             "-" * 54]
    for row in rows[:top]:
        lines.append(f"{row['name']:<28}{row['exclusive_mb']:>9.1f}{row['inclusive_mb']:>17.1f}")
    rest = sum(r["exclusive_mb"] for r in rows[top:])
    lines.append(f"{f'({len(rows) - top} more)' if len(rows) > top else '':<28}{rest:>9.1f}")
    lines.append(f"interpreter at start {figures['start_mb']:.1f} MB, after "
                 f"{figures['end_mb']:.1f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_memory",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--code", default=SERVING_CODE, help="Python to run and weigh")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(table(measure_in_child(args.code), args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
