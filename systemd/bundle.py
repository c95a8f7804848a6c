#!/usr/bin/env python3
"""The offline bundle: everything a box needs to install xephang with no internet.

On any machine with internet (Debian 12 or Raspberry Pi OS, Python 3.11, pip):

    python3 systemd/bundle.py build --out xephang-bundle            # wheels for aarch64 and x86_64
    python3 systemd/bundle.py build --out xephang-bundle --debs arm64 --debs amd64 --tar

then on the box, from the folder (or the .tar.gz) on a USB stick:

    sudo xephang-bundle/systemd/install.sh --from xephang-bundle

The bundle holds the wheels of the locked dependency set (requirements.lock, every hash
checked) for each processor, the program's own wheel, the installer with its units, a
requirements.txt naming every file by its hash, and with ``--debs`` the Debian packages
the installer asks for (with their dependencies, as a local apt repository, so apt on
the box takes only what it lacks). pygame is not in it: a box uses Debian's python3-pygame,
whose SDL can draw on a bare console (KMSDRM); pip and setuptools are not either: the
program needs neither at run time.

``box-requirements LOCK`` prints the lock without those, for the installer's online path.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["box_requirements", "build", "lock_entries"]

SOURCE = Path(__file__).resolve().parents[1]
LOCK = SOURCE / "requirements.lock"
# Installed otherwise on a box (Debian's pygame) or not needed to run (pip, setuptools).
NOT_ON_THE_BOX = frozenset({"pygame", "pip", "setuptools"})
ARCHES = {"aarch64": "arm64", "x86_64": "amd64"}   # wheel platform -> Debian architecture
GLIBC_MINOR = 36                                   # bookworm's glibc 2.36
PYTHON = "3.11"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_SECURITY = "http://deb.debian.org/debian-security"
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(text: str) -> list[tuple[str, str, str]]:
    """The lock as (normalised name, version, the whole entry with its hashes and comments)."""
    entries: list[list[str]] = []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            entries.append([line])
        elif entries:
            entries[-1].append(line)
    found = []
    for entry in entries:
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)", entry[0])
        if not match:
            raise ValueError(f"not a pinned requirement: {entry[0]!r}")
        found.append((normalise(match.group(1)), match.group(2), "\n".join(entry)))
    return found


def box_requirements(text: str) -> str:
    """The lock without what a box gets elsewhere or does not need."""
    kept = [entry for name, _, entry in lock_entries(text) if name not in NOT_ON_THE_BOX]
    return "\n".join(kept) + "\n"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(command: list[str], **kwargs: object) -> None:
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def download_wheels(requirements: Path, wheels: Path, arch: str) -> None:
    """Every locked requirement as a wheel for CPython 3.11 on Linux `arch`, hashes checked."""
    platforms = [f"manylinux_2_{minor}_{arch}" for minor in range(GLIBC_MINOR, 16, -1)]
    platforms += [f"manylinux2014_{arch}"]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--require-hashes",
               "--no-deps", "--only-binary=:all:", "--python-version", PYTHON,
               "--implementation", "cp", "--abi", "cp311", "--abi", "abi3", "--abi", "none",
               "-r", str(requirements), "-d", str(wheels)]
    for platform in platforms:
        command += ["--platform", platform]
    run(command)


def project_wheel(wheels: Path) -> Path:
    """Build the program's own wheel from a copy of this checkout (which stays clean)."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "source"
        shutil.copytree(SOURCE, tree, ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", scratch,
             str(tree)])
        built = next(Path(scratch).glob("xephang-*.whl"))
        target = wheels / built.name
        shutil.copy2(built, target)
    return target


def write_requirements(wheels: Path, pins: list[tuple[str, str]], out: Path) -> None:
    """requirements.txt naming each pinned version with the hash of every file for it."""
    by_name: dict[str, list[Path]] = {}
    for wheel in sorted(wheels.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        by_name.setdefault(f"{normalise(name)}=={version}", []).append(wheel)
    lines = ["# The files of this bundle, by hash (systemd/bundle.py). Install with",
             "# systemd/install.sh --from THIS_FOLDER, or: pip install --no-index --no-deps",
             "# --require-hashes --find-links wheels -r requirements.txt"]
    for name, version in pins:
        files = by_name.get(f"{name}=={version}") or by_name.get(
            f"{name.replace('-', '_')}=={version}")
        if not files:
            raise SystemExit(f"bundle: no wheel for {name}=={version}")
        hashes = " ".join(f"--hash=sha256:{sha256(path)}" for path in files)
        lines.append(f"{name}=={version} {hashes}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def debian_packages(screens: bool) -> list[str]:
    """What the installer asks apt for (it says so itself)."""
    command = ["bash", str(SOURCE / "systemd/install.sh"), "--print-packages"]
    if screens:
        command += ["--enable", "screen@wall", "--enable", "display@wall"]
    answer = subprocess.run(command, check=True, capture_output=True, text=True)
    return answer.stdout.split()


def download_debs(arch: str, packages: list[str], target: Path,
                  cache: Path | None = None) -> None:
    """`packages` and everything they depend on, for Debian 12 `arch`, as a local apt repo.

    apt resolves against an empty package database, so the folder holds the whole
    closure; on the box apt takes from it only what is missing.
    """
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for folder in ("lists/partial", "archives/partial", "etc/preferences.d"):
            (work / folder).mkdir(parents=True)
        (work / "status").write_text("")
        signed = f"[arch={arch} signed-by={DEBIAN_KEYRING}]"
        (work / "etc/sources.list").write_text(
            f"deb {signed} {DEBIAN_MIRROR} bookworm main\n"
            f"deb {signed} {DEBIAN_MIRROR} bookworm-updates main\n"
            f"deb {signed} {DEBIAN_SECURITY} bookworm-security main\n")
        options = [
            "-o", f"APT::Architecture={arch}", "-o", f"APT::Architectures={arch}",
            "-o", f"Dir::State={work}", "-o", f"Dir::State::status={work}/status",
            "-o", f"Dir::State::Lists={work}/lists", "-o", f"Dir::Cache={work}",
            "-o", f"Dir::Etc::SourceList={work}/etc/sources.list",
            "-o", "Dir::Etc::SourceParts=/nonexistent",
            "-o", f"Dir::Etc::Preferences={work}/etc/preferences",
            "-o", f"Dir::Etc::PreferencesParts={work}/etc/preferences.d",
            "-o", "Debug::NoLocking=1", "-o", "APT::Install-Recommends=false",
            "-o", "APT::Sandbox::User=root",
        ]
        archives = work / "archives"
        if cache is not None:  # .deb files kept between builds
            (cache / "partial").mkdir(parents=True, exist_ok=True)
            archives = cache
        options += ["-o", f"Dir::Cache::archives={archives}"]
        run(["apt-get", *options, "-qq", "update"])
        run(["apt-get", *options, "-qq", "-y", "--download-only", "install", *packages],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        # What apt installs (simulated), each as the file it downloaded.
        plan = subprocess.run(["apt-get", *options, "-y", "-s", "install", *packages],
                              check=True, capture_output=True, text=True).stdout
        for match in re.finditer(r"^Inst (\S+) \((\S+) ", plan, re.MULTILINE):
            package, version = match.group(1).split(":")[0], match.group(2).replace(":", "%3a")
            files = list(archives.glob(f"{package}_{version}_*.deb"))
            if not files:
                raise SystemExit(f"bundle: {package} {version} was not downloaded")
            shutil.copy2(files[0], target / files[0].name)
    index = subprocess.run(["apt-ftparchive", "packages", "."], cwd=target, check=True,
                           capture_output=True).stdout
    (target / "Packages").write_bytes(index)


def build(out: Path, arches: list[str], debs: list[str], screens: bool, tar: bool,
          apt_cache: Path | None = None) -> Path:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"bundle: {out} is not empty")
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    pins = [(name, version) for name, version, _ in lock_entries(LOCK.read_text())
            if name not in NOT_ON_THE_BOX]
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "box.lock"
        requirements.write_text(box_requirements(LOCK.read_text()))
        for arch in arches:
            download_wheels(requirements, wheels, arch)
    own = project_wheel(wheels)
    pins.append(("xephang", own.name.split("-")[1]))
    write_requirements(wheels, pins, out / "requirements.txt")
    # The installer, its units and the platform probe it runs before anything is installed.
    shutil.copytree(SOURCE / "systemd", out / "systemd",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (out / "hardware").mkdir()
    shutil.copy2(SOURCE / "hardware/platform.py", out / "hardware/platform.py")
    shutil.copy2(LOCK, out / "requirements.lock")
    for arch in debs:
        download_debs(arch, debian_packages(screens), out / "debs" / arch,
                      apt_cache / arch if apt_cache else None)
    sizes = {path.name: path.stat().st_size for path in out.rglob("*") if path.is_file()}
    (out / "BUNDLE.txt").write_text(
        f"xephang offline bundle, made {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n"
        f"program: {own.name}\nwheels for: {', '.join(arches)}\n"
        f"Debian packages for: {', '.join(debs) or 'none (the box must have them)'}\n"
        f"files: {len(sizes)}, {sum(sizes.values()) / 1e6:.1f} MB\n"
        "install: sudo systemd/install.sh --from THIS_FOLDER\n", encoding="utf-8")
    if not tar:
        return out
    archive = out.with_name(out.name + ".tar.gz")
    with tarfile.open(archive, "w:gz") as handle:
        handle.add(out, arcname=out.name)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The offline bundle of xephang.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="make a bundle (needs the internet)")
    make.add_argument("--out", type=Path, required=True, help="an empty or new folder")
    make.add_argument("--arch", action="append", choices=sorted(ARCHES),
                      help="wheels for this processor (default: aarch64 and x86_64)")
    make.add_argument("--debs", action="append", default=[], choices=sorted(ARCHES.values()),
                      help="also the Debian packages for this architecture (arm64, amd64)")
    make.add_argument("--screens", action="store_true",
                      help="with --debs: also what browser and native screens need (Chromium)")
    make.add_argument("--tar", action="store_true", help="also pack the folder as .tar.gz")
    make.add_argument("--apt-cache", type=Path, default=None,
                      help="keep the downloaded .deb files here between builds")
    lock = commands.add_parser("box-requirements", help="print the lock a box installs")
    lock.add_argument("lock", type=Path, nargs="?", default=LOCK)
    args = parser.parse_args(argv)
    if args.command == "box-requirements":
        sys.stdout.write(box_requirements(args.lock.read_text(encoding="utf-8")))
        return 0
    made = build(args.out.resolve(), args.arch or sorted(ARCHES), args.debs, args.screens,
                 args.tar, args.apt_cache)
    print(made)
    return 0


if __name__ == "__main__":
    sys.exit(main())
