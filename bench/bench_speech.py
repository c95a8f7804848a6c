"""Benchmark of the announcer: from a `ticket_called` received to audio handed to the mixer.

For each scenario a fresh announcer (real synthesizer, real espeak-ng) announces
``--calls`` calls one after another, each on an idle player, the way the
satellite's ``ticket_called`` handler does (`Announcer.announce`). Times are
``time.perf_counter()`` from that call to:

* **first audio**: the chime handed to the output (``AudioOutput.play`` called);
* **speech**: the call's sentence handed to the output, less the time the output
  spent playing the chime before it (zero for the fake output): how long the
  sentence kept people waiting beyond the chime.

Scenarios: warm cache (the sentences were pre-rendered, as the satellite does
from the board), cold cache with pyttsx3, cold cache with the espeak-ng command
line (the fallback). The output is the recording fake by default, whose
``play`` returns at once, so "speech" is the time until the sentence is ready;
on a real device the chime (1.1 s) plays meanwhile. ``--audio pygame`` uses
pygame.mixer (``SDL_AUDIODRIVER=dummy`` when no sound card), where ``play``
blocks for the length of each sound.

Run on demand: ``python -m bench.bench_speech`` or ``python bench/bench_speech.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from announcer.chime import CHIME_PATH
from announcer.playback import Announcer
from announcer.synthesis import Synthesizer, pyttsx3_engine
from hardware.audio import AudioOutput, FakeAudio, Sound, open_audio

TARGETS_MS = {"warm": 100.0, "cold": 300.0}


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank q-th percentile (0–100) of values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


class StampingAudio(AudioOutput):
    """Note when each sound is handed over, then pass it on to the real output."""

    name = "stamping"

    def __init__(self, inner: AudioOutput) -> None:
        self.inner = inner
        self.stamps: list[tuple[float, bool]] = []
        self.chime_seconds = 0.0
        self._lock = threading.Lock()

    def play(self, sound: Sound, *, volume: float = 1.0) -> None:
        is_chime = not isinstance(sound, bytes) and Path(os.fspath(sound)) == CHIME_PATH
        started = time.perf_counter()
        with self._lock:
            self.stamps.append((started, is_chime))
        self.inner.play(sound, volume=volume)
        if is_chime:
            self.chime_seconds = time.perf_counter() - started

    def close(self) -> None:
        self.inner.close()


@dataclass
class Scenario:
    name: str
    cache: str  # "warm" or "cold"
    engine: str  # "pyttsx3" or "espeak-ng CLI"
    first_audio_ms: list[float] = field(default_factory=list)
    speech_ms: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "calls": len(self.speech_ms),
            "first_audio_p50_ms": percentile(self.first_audio_ms, 50),
            "first_audio_p95_ms": percentile(self.first_audio_ms, 95),
            "speech_p50_ms": percentile(self.speech_ms, 50),
            "speech_p95_ms": percentile(self.speech_ms, 95),
            "target_ms": TARGETS_MS[self.cache],
            "outcomes": self.outcomes,
        }


def run_scenario(scenario: Scenario, *, calls: int, audio_backend: str, repeat: int) -> None:
    """Announce `calls` calls on a fresh announcer and fill in the scenario's times."""
    with tempfile.TemporaryDirectory(prefix="xephang-bench-speech-") as tmp:
        factory = pyttsx3_engine if scenario.engine == "pyttsx3" else None
        synth = Synthesizer(Path(tmp) / "speech-cache", voice="vi", rate=140, timeout=5.0,
                            engine_factory=factory)
        inner = FakeAudio() if audio_backend == "fake" else open_audio(audio_backend)
        audio = StampingAudio(inner)
        announcer = Announcer(synthesizer=synth, audio=lambda: audio, repeat=repeat,
                              clock=time.perf_counter, max_age_seconds=3600)
        announcer.start()
        try:
            # Labels differ between runs of the loop so that every cold call is a new sentence.
            plan = [(f"{'ABCDEF'[i % 6]}{i:03d}", 1 + i % 5) for i in range(calls)]
            texts = [announcer.sentence(label, counter) for label, counter in plan]
            if scenario.cache == "warm":
                announcer.warm(texts)
                if not synth.wait_idle(120):
                    raise RuntimeError("warming the cache did not finish")
            else:
                # The engine is started and used once, as on a box that has been running.
                synth.render("Xin mời.")
            for seq, ((label, counter), text) in enumerate(zip(plan, texts, strict=True), 1):
                before = len(audio.stamps)
                call = announcer.announce(label, counter, text=text, seq=seq)
                assert call is not None
                if not announcer.wait_idle(120):
                    raise RuntimeError(f"call {label} did not finish")
                stamps = audio.stamps[before:]
                chime = next((t for t, is_chime in stamps if is_chime), math.nan)
                speech = next((t for t, is_chime in stamps if not is_chime), math.nan)
                scenario.first_audio_ms.append((min(chime, speech) - call.received_at) * 1000)
                waited = speech - call.received_at - audio.chime_seconds
                scenario.speech_ms.append(waited * 1000)
            for _, outcome in announcer.history:
                scenario.outcomes[outcome] = scenario.outcomes.get(outcome, 0) + 1
        finally:
            announcer.stop()


def print_table(rows: list[dict[str, Any]], audio_backend: str) -> None:
    header = (f"{'scenario':<28} {'calls':>5}  {'first audio p50/p95 ms':>22}  "
              f"{'speech p50/p95 ms':>18}  {'target':>7}")
    print(header)
    print("-" * len(header))
    for row in rows:
        first = f"{row['first_audio_p50_ms']:.1f} / {row['first_audio_p95_ms']:.1f}"
        speech = f"{row['speech_p50_ms']:.1f} / {row['speech_p95_ms']:.1f}"
        worst = max(row["speech_p95_ms"], row["first_audio_p95_ms"])
        verdict = "ok" if worst <= row["target_ms"] else "OVER"
        print(f"{row['scenario']:<28} {row['calls']:>5}  {first:>22}  {speech:>18}  "
              f"≤{row['target_ms']:.0f} {verdict}")
    print()
    print(f"audio output: {audio_backend}; first audio = the chime handed to the output; "
          "speech = the sentence handed to the output, less the chime's playing time.")
    if audio_backend == "fake":
        print("The fake output returns at once; on a loudspeaker the chime (1.1 s) plays while "
              "a cold sentence renders, so speech follows the chime without a gap.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_speech", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=None,
                        help="calls per scenario (default 60 with the fake output, 4 with pygame)")
    parser.add_argument("--audio", choices=("fake", "pygame"), default="fake",
                        help="output the sounds are handed to (default: the recording fake)")
    parser.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: apt-get install espeak-ng", file=sys.stderr)
        return 1
    if args.audio == "pygame":
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    calls = args.calls or (60 if args.audio == "fake" else 4)
    repeat = 2 if args.audio == "fake" else 1
    scenarios = [
        Scenario("warm cache (pyttsx3)", "warm", "pyttsx3"),
        Scenario("cold cache (pyttsx3)", "cold", "pyttsx3"),
        Scenario("cold cache (espeak-ng CLI)", "cold", "espeak-ng CLI"),
    ]
    rows = []
    for scenario in scenarios:
        run_scenario(scenario, calls=calls, audio_backend=args.audio, repeat=repeat)
        rows.append(scenario.row())
    print(f"xephang announcer benchmark — {platform.machine()}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs\n")
    print_table(rows, args.audio)
    if args.out:
        args.out.write_text(json.dumps({"audio": args.audio, "rows": rows}, indent=2,
                                       ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
