"""Synthesis: real pyttsx3 and espeak-ng output, the cache, and every way the engine can fail."""

from __future__ import annotations

import os
import shutil
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from speech_fakes import SAMPLE, EngineBox, FakeClock

from announcer.errors import SpeechUnavailable
from announcer.synthesis import (
    FALLBACK_VOICE,
    Synthesizer,
    VoiceInfo,
    cache_key,
    clean_text,
    cli_voices,
    pyttsx3_engine,
    render_wav,
    resolve_voice,
)
from queue_core.domain.speech import SpeechTextError
from queue_core.config import Settings

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")
MakeSynth = Callable[..., Synthesizer]


def wav_facts(path: Path) -> tuple[bytes, int, int, int, float]:
    """Return (first 4 bytes, channels, sample width, rate, seconds) of a WAV file."""
    head = path.read_bytes()[:4]
    with wave.open(str(path), "rb") as wav:
        return (head, wav.getnchannels(), wav.getsampwidth(), wav.getframerate(),
                wav.getnframes() / wav.getframerate())


def assert_speech_wav(path: Path, low: float = 2.0, high: float = 10.0) -> None:
    head, channels, width, rate, seconds = wav_facts(path)
    assert head == b"RIFF"
    assert channels == 1
    assert width == 2
    assert 8000 <= rate <= 48000
    assert low <= seconds <= high, f"{seconds:.2f} s of speech is implausible"


# -- real engines --------------------------------------------------------------

@needs_espeak
def test_pyttsx3_renders_the_sample_sentence_as_a_plausible_wav(make_synth: MakeSynth) -> None:
    synth = make_synth(pyttsx3_engine, voice="vi", rate=140, timeout=10)
    path = synth.render(SAMPLE)
    assert_speech_wav(path)
    assert synth.stats.engine_renders == 1
    assert synth.stats.cli_renders == 0
    assert synth.health.status().status == "ok"


@needs_espeak
def test_espeak_ng_command_line_renders_the_same_kind_of_wav(make_synth: MakeSynth) -> None:
    synth = make_synth(None, voice="vi", rate=140)
    path = synth.render(SAMPLE)
    assert_speech_wav(path)
    assert synth.stats.cli_renders == 1


@needs_espeak
def test_faster_rate_gives_shorter_speech(make_synth: MakeSynth, tmp_path: Path) -> None:
    slow = make_synth(None, rate=110).render(SAMPLE)
    fast = Synthesizer(tmp_path / "other", rate=220, engine_factory=None)
    with fast:
        quick = fast.render(SAMPLE)
    assert wav_facts(quick)[4] < wav_facts(slow)[4]


@needs_espeak
def test_real_engine_with_unknown_voice_falls_back_to_vi_and_says_so(make_synth: MakeSynth) -> None:
    synth = make_synth(pyttsx3_engine, voice="xx-no-such-voice", timeout=10)
    assert synth.voice == FALLBACK_VOICE
    status = synth.health.status()
    assert status.status == "degraded"
    assert status.code == "voice_missing"
    assert "xx-no-such-voice" in status.message
    assert_speech_wav(synth.render(SAMPLE))


@needs_espeak
def test_cli_lists_the_vietnamese_voices() -> None:
    voices = cli_voices()
    assert resolve_voice("vi", voices) == "vi"
    assert resolve_voice("vi-vn-x-south", voices) == "vi-vn-x-south"


@needs_espeak
def test_render_wav_for_the_admin_voice_test(tmp_path: Path) -> None:
    settings = Settings().replace(server={"data_dir": str(tmp_path)})
    path = render_wav(SAMPLE, settings)
    assert path.parent == tmp_path / "speech-cache"
    assert_speech_wav(path)
    # The same sentence again comes straight from the cache.
    assert render_wav(SAMPLE, settings) == path


# -- voices ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("vi", "vi"),
        ("VI", "vi"),
        ("aav/vi", "vi"),
        ("Vietnamese (Southern)", "vi-vn-x-south"),
        ("vietnamese_(southern)", "vi-vn-x-south"),
        ("vi-vn-x-south", "vi-vn-x-south"),
        ("xx", None),
        ("", None),
    ],
)
def test_resolve_voice(requested: str, expected: str | None) -> None:
    voices = [VoiceInfo("aav/vi", "Vietnamese (Northern)", ("vi",)),
              VoiceInfo("aav/vi-vn-x-south", "Vietnamese (Southern)", ("vi-vn-x-south",))]
    assert resolve_voice(requested, voices) == expected


def test_unknown_voice_makes_the_engine_use_vi(make_synth: MakeSynth, engines: EngineBox) -> None:
    synth = make_synth(engines, voice="klingon")
    assert engines.engines[0].properties["voice"] == "vi"
    assert synth.voice == "vi"
    status = synth.health.status()
    assert (status.status, status.code) == ("degraded", "voice_missing")
    assert "klingon" in status.message
    synth.render(SAMPLE)
    assert engines.spoken == [SAMPLE]


def test_a_known_voice_is_used_as_is(make_synth: MakeSynth, engines: EngineBox) -> None:
    synth = make_synth(engines, voice="vi-vn-x-south")
    assert engines.engines[0].properties["voice"] == "vi-vn-x-south"
    assert synth.health.status().status == "ok"


# -- text --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SAMPLE, SAMPLE),
        ("Xin mời 🎉 số 你好 ba", "Xin mời số ba"),
        ("  nhiều   khoảng\ttrắng\n", "nhiều khoảng trắng"),
        ("Nhắc lại: xin mời <b>quầy</b> số hai!", "Nhắc lại: xin mời b quầy b số hai!"),
        # Decomposed diacritics (as typed on some keyboards) become composed ones.
        ("mo\u031b\u0300i", "mời"),
        ("-v en số một", "-v en số một"),
    ],
)
def test_clean_text_keeps_what_a_vietnamese_voice_can_say(text: str, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize("text", ["", "🎉🎉", "你好", "   ", "!!!"])
def test_clean_text_refuses_text_with_nothing_to_say(text: str) -> None:
    with pytest.raises(SpeechTextError):
        clean_text(text)


@pytest.mark.parametrize(
    ("a", "b"),
    [(("vi", 140, "x"), ("vi", 150, "x")),
     (("vi", 140, "x"), ("vi-vn-x-south", 140, "x")),
     (("vi", 140, "x"), ("vi", 140, "y"))],
)
def test_cache_key_depends_on_voice_rate_and_text(a: tuple[str, int, str],
                                                   b: tuple[str, int, str]) -> None:
    assert cache_key(*a) != cache_key(*b)
    assert cache_key(*a) == cache_key(*a)


# -- cache -------------------------------------------------------------------------

def test_second_render_comes_from_the_cache(make_synth: MakeSynth, engines: EngineBox) -> None:
    synth = make_synth(engines)
    first = synth.render(SAMPLE)
    second = synth.render(SAMPLE)
    assert first == second
    assert engines.spoken == [SAMPLE]
    assert synth.stats.cache_hits == 1


def test_cache_survives_a_restart(make_synth: MakeSynth, engines: EngineBox) -> None:
    path = make_synth(engines).render(SAMPLE)
    later = make_synth(engines)
    assert later.render(SAMPLE) == path
    assert engines.spoken == [SAMPLE]


def test_concurrent_requests_for_one_sentence_render_once(make_synth: MakeSynth,
                                                          engines: EngineBox) -> None:
    synth = make_synth(engines)
    futures = [synth.request(SAMPLE) for _ in range(5)]
    assert len({f.result(timeout=5) for f in futures}) == 1
    assert engines.spoken == [SAMPLE]


def test_urgent_requests_jump_ahead_of_warm_ups(make_synth: MakeSynth, engines: EngineBox) -> None:
    synth = make_synth(engines)
    engine = engines.engines[0]
    engine.gate = threading.Event()
    synth.warm([f"câu số {n}" for n in ("một", "hai", "ba", "bốn")])
    assert engine.entered.wait(5)
    urgent = synth.request("xin mời quầy số năm")
    engine.gate.set()
    urgent.result(timeout=5)
    assert synth.wait_idle(5)
    # The first warm-up was already running; the call went next.
    assert engines.spoken[:2] == ["câu số một", "xin mời quầy số năm"]
    assert len(engines.spoken) == 5


def test_cache_is_pruned_to_its_limit_keeping_recent_sentences(make_synth: MakeSynth,
                                                                engines: EngineBox) -> None:
    synth = make_synth(engines, max_cache_files=5)
    paths = [synth.render(f"câu thứ {n}") for n in range(10)]
    synth.render("câu thứ 0")  # used again: now the most recent
    removed = synth.prune_cache()
    left = set(synth.cache_dir.glob("*.wav"))
    assert removed >= 5
    assert len(left) <= 5
    assert paths[0] in left and paths[9] in left
    assert paths[1] not in left


# -- faults --------------------------------------------------------------------------

@needs_espeak
def test_hung_engine_is_abandoned_and_the_cli_renders(make_synth: MakeSynth) -> None:
    engines = EngineBox("hang")
    try:
        synth = make_synth(engines, timeout=0.3)
        started = time.monotonic()
        path = synth.render(SAMPLE)
        assert_speech_wav(path)
        assert synth.stats.cli_renders == 1
        assert time.monotonic() - started < 5  # abandoned after 0.3 s, not waited out
        status = synth.health.status()
        assert (status.status, status.code) == ("degraded", "engine_fallback")
        # While the engine thread is still stuck, the next sentence goes straight to the CLI.
        assert_speech_wav(synth.render("Xin mời công dân có số thứ tự bê không một đến quầy số hai."))
        assert len(engines.spoken) == 1
        assert synth.stats.cli_renders == 2
    finally:
        engines.release_all()


@needs_espeak
@pytest.mark.parametrize("mode", ["crash", "silent"])
def test_failing_engine_falls_back_then_recovers(make_synth: MakeSynth, fake_clock: FakeClock,
                                                  mode: str) -> None:
    engines = EngineBox(mode)
    synth = make_synth(engines, timeout=0.3, engine_retry_seconds=30)
    assert_speech_wav(synth.render(SAMPLE))
    assert synth.stats.cli_renders == 1
    assert synth.health.status().code == "engine_fallback"
    # Within the retry delay the engine is left alone.
    synth.render("một")
    assert len(engines.spoken) == 1
    # Later the engine is tried again; once it works the status is ok again.
    engines.mode = "ok"
    fake_clock.advance(31)
    synth.render("hai")
    assert engines.spoken[-1] == "hai"
    assert synth.stats.engine_renders == 1
    assert synth.health.status().status == "ok"


def test_empty_file_from_the_engine_is_said_again(make_synth: MakeSynth) -> None:
    engines = EngineBox("glitch")
    synth = make_synth(engines, timeout=5, cli_command="no-such-espeak-binary")
    started = time.monotonic()
    path = synth.render(SAMPLE)
    assert time.monotonic() - started < 2.5  # said again at once, not after the 5 s timeout
    assert wav_facts(path)[4] == pytest.approx(1.0)
    assert engines.spoken == [SAMPLE, SAMPLE]
    assert synth.stats.engine_renders == 1
    assert synth.health.status().status == "ok"


def test_callback_before_the_file_exists_is_not_taken_for_done(make_synth: MakeSynth) -> None:
    engines = EngineBox("late")
    synth = make_synth(engines, timeout=2, cli_command="no-such-espeak-binary")
    path = synth.render(SAMPLE)
    assert wav_facts(path)[4] == pytest.approx(1.0)
    assert engines.spoken == [SAMPLE]


@needs_espeak
def test_engine_that_cannot_start_leaves_the_cli(make_synth: MakeSynth) -> None:
    engines = EngineBox()
    engines.init_error = OSError("libespeak-ng.so.1: cannot open shared object file")
    synth = make_synth(engines)
    assert_speech_wav(synth.render(SAMPLE))
    assert synth.stats.cli_renders == 1
    assert "libespeak" in synth.health.status().message


def test_no_engine_and_no_cli_is_a_clear_error(make_synth: MakeSynth) -> None:
    engines = EngineBox("crash")
    synth = make_synth(engines, cli_command="no-such-espeak-binary")
    with pytest.raises(SpeechUnavailable, match="not installed"):
        synth.render(SAMPLE)
    status = synth.health.status()
    assert (status.status, status.code) == ("error", "speech_failed")
    assert synth.health.get("engine") is not None


def test_request_before_start_is_refused(tmp_path: Path) -> None:
    synth = Synthesizer(tmp_path, engine_factory=None)
    with pytest.raises(RuntimeError, match="start"):
        synth.request(SAMPLE)


def test_stale_temp_files_are_cleaned_at_start(tmp_path: Path, engines: EngineBox) -> None:
    cache = tmp_path / "speech-cache"
    cache.mkdir()
    old = cache / ".tmp-abandoned.wav"
    old.write_bytes(b"RIFF")
    fresh = cache / ".tmp-in-progress.wav"
    fresh.write_bytes(b"RIFF")
    hour_ago = time.time() - 7200
    os.utime(old, (hour_ago, hour_ago))
    with Synthesizer(cache, engine_factory=engines):
        pass
    assert not old.exists()
    assert fresh.exists()



def test_closing_fails_what_is_still_pending(make_synth: MakeSynth) -> None:
    engines = EngineBox("hang")
    try:
        synth = make_synth(engines, timeout=5)
        first = synth.request(SAMPLE)
        assert engines.engines[0].entered.wait(5) or engines.spoken
        waiting = synth.request("câu thứ hai")
        synth.close(timeout=0.1)
        with pytest.raises(SpeechUnavailable, match="closed"):
            waiting.result(timeout=1)
        assert first.done()
    finally:
        engines.release_all()


@needs_espeak
def test_real_engine_does_not_chatter_on_stdout(make_synth: MakeSynth,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    synth = make_synth(pyttsx3_engine, timeout=10)
    synth.render("Xin chào.")
    assert synth.stats.engine_renders == 1
    assert "Audio saved" not in capfd.readouterr().out
