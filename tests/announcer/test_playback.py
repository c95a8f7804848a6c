"""Playback: chime then speech, one call at a time in seq order, stale calls dropped, never silent."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from speech_fakes import SAMPLE, EngineBox, FakeClock, kinds

from announcer.chime import CHIME_PATH
from announcer.health import DeviceStatus
from announcer.playback import Announcer, Call
from announcer.synthesis import Synthesizer
from hardware.audio import AudioOutput, FakeAudio, PlayedSound
from hardware.errors import AudioUnavailable
from queue_core.config import Settings

MakeSynth = Callable[..., Synthesizer]
MakeAnnouncer = Callable[..., Announcer]
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


def outcomes(announcer: Announcer) -> list[tuple[int | None, str]]:
    return [(call.seq, outcome) for call, outcome in announcer.history]


def status_waiter(announcer: Announcer, code: str) -> threading.Event:
    """Return an event set once the announcer's status includes `code`."""
    seen = threading.Event()

    def listen(status: DeviceStatus) -> None:
        if status.has(code):
            seen.set()

    announcer.health.add_listener(listen)
    if announcer.status.has(code):
        seen.set()
    return seen


def test_a_call_is_a_chime_then_the_sentence_twice(synth: Synthesizer, engines: EngineBox,
                                                   make_announcer: MakeAnnouncer,
                                                   fake_audio: FakeAudio) -> None:
    announcer = make_announcer(synth, volume=0.7)
    call = announcer.announce("A023", 3, seq=1)
    assert call is not None and call.text == SAMPLE
    assert announcer.wait_idle(5)
    assert kinds(fake_audio.played) == ["chime", "speech", "speech"]
    assert fake_audio.played[1].path == synth.cache_path(SAMPLE)
    assert {item.volume for item in fake_audio.played} == {0.7}
    assert outcomes(announcer) == [(1, "played")]
    assert engines.spoken == [SAMPLE]


@pytest.mark.parametrize("repeat", [1, 3])
def test_repeat_count_follows_the_setting(synth: Synthesizer, make_announcer: MakeAnnouncer,
                                          fake_audio: FakeAudio, repeat: int) -> None:
    announcer = make_announcer(synth, repeat=repeat)
    announcer.announce("B007", 2, seq=1)
    assert announcer.wait_idle(5)
    assert kinds(fake_audio.played) == ["chime"] + ["speech"] * repeat


def test_the_core_sentence_is_spoken_as_sent(synth: Synthesizer, engines: EngineBox,
                                             make_announcer: MakeAnnouncer) -> None:
    announcer = make_announcer(synth)
    announcer.announce("A023", 3, seq=1, text="Mời số A023 lên quầy ba.")
    assert announcer.wait_idle(5)
    assert engines.spoken == ["Mời số A023 lên quầy ba."]


def test_recall_uses_the_recall_template(synth: Synthesizer, engines: EngineBox,
                                         make_announcer: MakeAnnouncer) -> None:
    announcer = make_announcer(synth)
    announcer.announce("A023", 3, seq=1, recall=True)
    assert announcer.wait_idle(5)
    assert engines.spoken == ["Nhắc lại: xin mời công dân có số thứ tự a không hai ba đến quầy số ba."]


def test_burst_of_20_calls_in_order_none_lost_stale_dropped(
    synth: Synthesizer, engines: EngineBox, make_announcer: MakeAnnouncer,
    fake_audio: FakeAudio, fake_clock: FakeClock,
) -> None:
    # Every sound "takes" its length on the fake clock: chime 1.1 s + 2 × 1 s of speech.
    # The first sound waits until the whole burst has arrived, as within one second.
    arrived = threading.Event()
    elapse = fake_audio.on_play
    assert elapse is not None

    def after_burst(item: PlayedSound) -> None:
        arrived.wait(5)
        elapse(item)

    fake_audio.on_play = after_burst
    announcer = make_announcer(synth, max_age_seconds=10)
    for seq in range(1, 21):
        announcer.announce(f"A{seq:03d}", 1 + seq % 5, seq=seq)
    arrived.set()
    assert announcer.wait_idle(10)
    result = outcomes(announcer)
    assert [seq for seq, _ in result] == list(range(1, 21))
    # Calls start at 0, 3.1, 6.2, 9.3 s; the fifth would start at 12.4 s, over the 10 s limit.
    assert [outcome for _, outcome in result] == ["played"] * 4 + ["stale"] * 16
    assert kinds(fake_audio.played) == ["chime", "speech", "speech"] * 4
    spoken = [item.path for item in fake_audio.played if item.path != CHIME_PATH]
    expected = [synth.cache_path(announcer.sentence(f"A{seq:03d}", 1 + seq % 5))
                for seq in range(1, 5)]
    assert spoken[::2] == expected


def test_calls_arriving_out_of_order_play_by_seq(synth: Synthesizer,
                                                 make_announcer: MakeAnnouncer,
                                                 fake_clock: FakeClock) -> None:
    gate = threading.Event()
    started = threading.Event()

    def hold_first(item: PlayedSound) -> None:
        started.set()
        gate.wait(5)

    audio = FakeAudio(on_play=hold_first)
    announcer = make_announcer(synth, audio=lambda: audio)
    announcer.announce("A001", 1, seq=1)
    assert started.wait(5)
    for seq in (5, 3, 4, 2):
        announcer.announce(f"A{seq:03d}", 1, seq=seq)
    gate.set()
    assert announcer.wait_idle(5)
    assert [seq for seq, _ in outcomes(announcer)] == [1, 2, 3, 4, 5]


def test_repeated_call_is_announced_once(synth: Synthesizer,
                                        make_announcer: MakeAnnouncer) -> None:
    announcer = make_announcer(synth)
    assert announcer.announce("A001", 1, seq=7) is not None
    assert announcer.announce("A001", 1, seq=7) is None
    # Another call in the same operation (same seq) is a call of its own.
    assert announcer.announce("B001", 3, seq=7) is not None
    assert announcer.wait_idle(5)
    assert [(c.seq, c.label, o) for c, o in announcer.history] == [(7, "A001", "played"),
                                                                    (7, "B001", "played")]
    announcer.forget_seqs()
    assert announcer.announce("A001", 1, seq=7) is not None


def test_chime_plays_when_speech_fails(make_synth: MakeSynth, make_announcer: MakeAnnouncer,
                                       fake_audio: FakeAudio) -> None:
    engines = EngineBox("crash")
    synth = make_synth(engines, cli_command="no-such-espeak-binary")
    announcer = make_announcer(synth)
    announcer.announce("A023", 3, seq=1)
    assert announcer.wait_idle(5)
    assert kinds(fake_audio.played) == ["chime"]
    assert outcomes(announcer) == [(1, "chime_only")]
    assert (announcer.status.status, announcer.status.code) == ("error", "speech_failed")


def test_chime_plays_on_failure_even_when_switched_off(make_synth: MakeSynth,
                                                       make_announcer: MakeAnnouncer,
                                                       fake_audio: FakeAudio) -> None:
    synth = make_synth(EngineBox("crash"), cli_command="no-such-espeak-binary")
    announcer = make_announcer(synth, chime=False)
    announcer.announce("A023", 3, seq=1)
    assert announcer.wait_idle(5)
    assert kinds(fake_audio.played) == ["chime"]


def test_no_chime_when_switched_off_and_speech_works(synth: Synthesizer,
                                                     make_announcer: MakeAnnouncer,
                                                     fake_audio: FakeAudio) -> None:
    announcer = make_announcer(synth, chime=False)
    announcer.announce("A023", 3, seq=1)
    assert announcer.wait_idle(5)
    assert kinds(fake_audio.played) == ["speech", "speech"]


def test_unspeakable_characters_still_say_number_and_counter(synth: Synthesizer,
                                                             engines: EngineBox,
                                                             make_announcer: MakeAnnouncer) -> None:
    announcer = make_announcer(synth)
    announcer.announce("A023", 3, seq=1,
                       text="🔔 Xin mời 市民 công dân có số thứ tự a không hai ba đến quầy số ba ✅")
    announcer.announce("B007", 2, seq=2, text="🎉🎉 你好")
    assert announcer.wait_idle(5)
    first, second = engines.spoken
    assert "a không hai ba" in first and "quầy số ba" in first
    assert "🔔" not in first and "市民" not in first
    assert second == "Xin mời công dân có số thứ tự bê không không bảy đến quầy số hai."
    assert outcomes(announcer) == [(1, "played"), (2, "played")]


def test_unreadable_label_without_text_still_chimes(synth: Synthesizer,
                                                    make_announcer: MakeAnnouncer,
                                                    fake_audio: FakeAudio) -> None:
    announcer = make_announcer(synth)
    call = announcer.announce("??", 0, seq=1)
    assert call is not None and call.text == ""
    assert announcer.wait_idle(5)
    assert kinds(fake_audio.played) == ["chime"]
    assert outcomes(announcer) == [(1, "chime_only")]


def test_no_audio_device_reports_error_keeps_running_and_retries(
    synth: Synthesizer, make_announcer: MakeAnnouncer, fake_audio: FakeAudio
) -> None:
    plugged = threading.Event()

    def open_device() -> AudioOutput:
        if not plugged.is_set():
            raise AudioUnavailable("no sound card")
        return fake_audio

    announcer = make_announcer(synth, audio=open_device)
    assert announcer.status.status == "error"
    assert announcer.status.code == "audio_unavailable"
    assert "no sound card" in announcer.status.message
    recovered = threading.Event()
    announcer.health.add_listener(lambda s: recovered.set() if s.status == "ok" else None)
    announcer.announce("A023", 3, seq=1)
    plugged.set()
    assert announcer.wait_idle(5)
    assert outcomes(announcer) == [(1, "played")]
    assert kinds(fake_audio.played) == ["chime", "speech", "speech"]
    assert recovered.wait(5)
    assert announcer.status.status == "ok"


def test_idle_announcer_notices_the_device_coming_back(synth: Synthesizer,
                                                       make_announcer: MakeAnnouncer,
                                                       fake_audio: FakeAudio) -> None:
    plugged = threading.Event()

    def open_device() -> AudioOutput:
        if not plugged.is_set():
            raise AudioUnavailable("no sound card")
        return fake_audio

    announcer = make_announcer(synth, audio=open_device)
    assert announcer.status.code == "audio_unavailable"
    recovered = threading.Event()
    announcer.health.add_listener(lambda s: recovered.set() if s.status == "ok" else None)
    plugged.set()
    assert recovered.wait(5)


def test_device_lost_mid_call_is_retried_and_later_calls_play(
    synth: Synthesizer, make_announcer: MakeAnnouncer, fake_audio: FakeAudio
) -> None:
    announcer = make_announcer(synth)
    failing = status_waiter(announcer, "audio_unavailable")
    fake_audio.fail(AudioUnavailable("USB speaker unplugged"))
    announcer.announce("A001", 1, seq=1)
    assert failing.wait(5)
    assert announcer.status.status == "error"
    fake_audio.recover()
    announcer.announce("A002", 2, seq=2)
    assert announcer.wait_idle(5)
    assert outcomes(announcer) == [(1, "played"), (2, "played")]
    assert announcer.status.status == "ok"


def test_call_waiting_for_a_device_too_long_is_dropped(
    synth: Synthesizer, make_announcer: MakeAnnouncer, fake_audio: FakeAudio,
    fake_clock: FakeClock,
) -> None:
    announcer = make_announcer(synth, max_age_seconds=60)
    failing = status_waiter(announcer, "audio_unavailable")
    fake_audio.fail()
    announcer.announce("A001", 1, seq=1)
    assert failing.wait(5)
    fake_clock.advance(61)
    fake_audio.recover()
    announcer.announce("A002", 2, seq=2)
    assert announcer.wait_idle(5)
    assert outcomes(announcer) == [(1, "stale"), (2, "played")]


@needs_espeak
def test_hung_engine_does_not_stop_the_calls(make_synth: MakeSynth,
                                             make_announcer: MakeAnnouncer,
                                             fake_audio: FakeAudio) -> None:
    engines = EngineBox("hang")
    try:
        synth = make_synth(engines, timeout=0.3)
        announcer = make_announcer(synth)
        for seq in (1, 2, 3):
            announcer.announce(f"A00{seq}", seq, seq=seq)
        assert announcer.wait_idle(10)
        assert outcomes(announcer) == [(1, "played"), (2, "played"), (3, "played")]
        assert kinds(fake_audio.played) == ["chime", "speech", "speech"] * 3
        assert synth.stats.cli_renders == 3
        assert announcer.status.code == "engine_fallback"
    finally:
        engines.release_all()


def test_from_settings_follows_the_speech_section(tmp_path: Path, engines: EngineBox) -> None:
    settings = Settings().replace(
        server={"data_dir": str(tmp_path)},
        speech={"repeat": 3, "volume": 0.5, "dialect": "south", "max_age_seconds": 30.0,
                "template": "Mời số {label} tới quầy {counter}."},
    )
    audio = FakeAudio()
    synth = Synthesizer.from_settings(settings, engine_factory=engines)
    with Announcer.from_settings(settings, audio=lambda: audio, synthesizer=synth) as announcer:
        assert synth.cache_dir == tmp_path / "speech-cache"
        assert announcer.max_age_seconds == 30.0
        call = announcer.announce("1024", 4, seq=1)
        assert call is not None
        assert call.text == "Mời số một ngàn không trăm hai mươi bốn tới quầy bốn."
        assert announcer.wait_idle(5)
    assert kinds(audio.played) == ["chime"] + ["speech"] * 3
    assert {item.volume for item in audio.played} == {0.5}


def test_audio_none_backend_is_reported(tmp_path: Path, engines: EngineBox) -> None:
    settings = Settings().replace(server={"data_dir": str(tmp_path)}, hardware={"audio": "none"})
    synth = Synthesizer.from_settings(settings, engine_factory=engines)
    with Announcer.from_settings(settings, synthesizer=synth) as announcer:
        assert announcer.status.code == "audio_disabled"
        announcer.announce("A001", 1, seq=1)
        assert announcer.wait_idle(5)
        assert announcer.status.code == "audio_disabled"


def test_fake_audio_backend_is_said_out_loud(tmp_path: Path, engines: EngineBox) -> None:
    settings = Settings().replace(server={"data_dir": str(tmp_path)}, hardware={"audio": "fake"})
    synth = Synthesizer.from_settings(settings, engine_factory=engines)
    with Announcer.from_settings(settings, synthesizer=synth) as announcer:
        assert (announcer.status.status, announcer.status.code) == ("degraded", "audio_emulated")
        announcer.announce("A001", 1, seq=1)
        assert announcer.wait_idle(5)
        assert announcer.history[0][1] == "played"
        assert announcer.status.code == "audio_emulated"


def test_call_is_a_plain_value() -> None:
    call = Call(seq=1, label="A001", counter=1, text="x")
    assert call == Call(seq=1, label="A001", counter=1, text="x")
