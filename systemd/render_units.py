#!/usr/bin/env python3
"""Show the command line systemd will run for each xephang unit instance, without systemd.

A templated unit means what its instance name says (``xephang-display@3`` shows counter
3), so the installer's rehearsal and the tests look at the command line after systemd's
expansion: the ``%i`` specifiers, then ``Environment=`` and ``EnvironmentFile=`` (read from
the given root), then ``$VAR`` (split into words) and ``${VAR}`` (one word) in ``ExecStart=``,
as systemd.service(5) describes them. Standard library only: it runs on a bare box.

    python3 systemd/render_units.py --root / xephang-display@3.service xephang.service
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from pathlib import Path

__all__ = ["read_unit", "render", "main"]

UNIT_DIR = "etc/systemd/system"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def read_unit(path: Path) -> list[tuple[str, str, str]]:
    """The unit's settings in file order, as (section, key, value)."""
    section = ""
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        found.append((section, key.strip(), value.strip()))
    return found


def unescape(instance: str) -> str:
    """systemd-escape --unescape: \\xNN back to the byte, '-' back to '/'."""
    text = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: "\0" + m.group(1), instance)
    text = text.replace("-", "/")
    return re.sub(r"\0([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)


def specifiers(text: str, unit: str) -> str:
    """Expand the specifiers a xephang unit may use; any other is an error."""
    prefix, at, rest = unit.partition("@")
    instance = rest.rsplit(".", 1)[0] if at else ""
    values = {"i": instance, "I": unescape(instance), "n": unit, "N": unit.rsplit(".", 1)[0],
              "p": prefix, "%": "%"}

    def one(match: re.Match[str]) -> str:
        letter = match.group(1)
        if letter not in values:
            raise ValueError(f"{unit}: specifier %{letter} is not understood here")
        return values[letter]

    return re.sub(r"%(.)", one, text)


def parse_assignments(text: str) -> dict[str, str]:
    """Environment="A=1" B=2: quoted words, each KEY=value."""
    found = {}
    for word in shlex.split(text):
        key, sep, value = word.partition("=")
        if sep:
            found[key] = value
    return found


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines; '#' and ';' start comments; a value may be quoted."""
    found = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[key.strip()] = value
    return found


def expand(argv: list[str], env: dict[str, str]) -> list[str]:
    """$VAR alone as a word becomes its words; ${VAR} (or $VAR inside a word) one word."""
    out: list[str] = []
    for word in argv:
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            out.extend(env.get(whole.group(1), "").split())
            continue
        out.append(VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), ""), word))
    return out


def render(unit: str, root: Path, unit_dir: Path | None = None) -> dict[str, object]:
    """The program and arguments `unit` starts, with the environment it gets from `root`."""
    folder = unit_dir or root / UNIT_DIR
    template = re.sub(r"@[^.]*\.", "@.", unit) if "@" in unit else unit
    settings = read_unit(folder / template)
    env: dict[str, str] = {}
    missing: list[str] = []
    exec_start: list[str] = []
    for section, key, value in settings:
        if section != "Service":
            continue
        value = specifiers(value, unit)
        if key == "Environment":
            env.update(parse_assignments(value))
        elif key == "EnvironmentFile":
            optional = value.startswith("-")
            path = root / value.lstrip("-").lstrip("/")
            if path.is_file():
                env.update(read_environment_file(path))
            elif not optional:
                missing.append(value)
        elif key == "ExecStart":
            exec_start = shlex.split(value.lstrip("@-:+!"))
    return {"unit": unit, "argv": expand(exec_start, env), "environment": env,
            "missing_environment_files": missing}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/"),
                        help="the root the units and /etc/xephang are read from")
    parser.add_argument("--unit-dir", type=Path, default=None,
                        help="read the unit files here instead of ROOT/etc/systemd/system")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("units", nargs="+")
    args = parser.parse_args(argv)
    status = 0
    for unit in args.units:
        answer = render(unit, args.root, args.unit_dir)
        if args.json:
            print(json.dumps(answer, ensure_ascii=False))
        else:
            print(f"{unit}: {shlex.join(answer['argv'])}")  # type: ignore[arg-type]
        if answer["missing_environment_files"]:
            print(f"{unit}: missing {', '.join(answer['missing_environment_files'])}",  # type: ignore[arg-type]
                  file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
