"""Recorded voice packs: clips generated here, assembled in order, gaps fall back to synthesis."""

from __future__ import annotations

import io
import unicodedata
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from speech_fakes import SAMPLE, EngineBox, write_wav

from announcer.errors import MissingClips, VoicePackError
from announcer.synthesis import Synthesizer
from queue_core.domain.speech import call_sentence, sentence_words
from announcer.voicepack import VoicePack, clip_name, main, vocabulary

MakeSynth = Callable[..., Synthesizer]
RATE = 16000


def record_pack(folder: Path, words: list[str], *, rate: int = RATE) -> dict[str, int]:
    """Write one clip per word, each a distinct constant level and length; return frames per word."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {}
    for i, word in enumerate(sorted(set(words))):
        seconds = 0.1 + 0.01 * i
        write_wav(folder / clip_name(word), seconds, rate=rate, level=100 + i)
        frames[word] = round(seconds * rate)
    return frames


def levels_in_order(data: bytes) -> list[int]:
    """Return the run of distinct non-silent sample levels of a mono 16-bit WAV, in order."""
    with wave.open(io.BytesIO(data)) as wav:
        raw = wav.readframes(wav.getnframes())
    runs: list[int] = []
    for i in range(0, len(raw), 2):
        level = int.from_bytes(raw[i:i + 2], "little", signed=True)
        if level and (not runs or runs[-1] != level):
            runs.append(level)
        elif not level and runs and runs[-1] != 0:
            runs.append(0)
    return [level for level in runs if level]


def test_sentence_is_assembled_from_clips_in_order(tmp_path: Path) -> None:
    words = sentence_words(SAMPLE)
    frames = record_pack(tmp_path / "voice", words)
    pack = VoicePack(tmp_path / "voice", word_pause=0.05, phrase_pause=0.3, end_pause=0.2)
    data = pack.assemble(SAMPLE)
    level = {word: 100 + i for i, word in enumerate(sorted(set(words)))}
    assert levels_in_order(data) == [level[w] for w in words]
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        pauses = round(0.05 * RATE) * (len(words) - 1) + round(0.2 * RATE)
        assert wav.getnframes() == sum(frames[w] for w in words) + pauses


def test_punctuation_makes_a_longer_pause(tmp_path: Path) -> None:
    record_pack(tmp_path / "voice", ["nhắc", "lại", "xin", "mời"])
    pack = VoicePack(tmp_path / "voice", word_pause=0.05, phrase_pause=0.3, end_pause=0.0)
    plain = pack.assemble("nhắc lại xin mời")
    paused = pack.assemble("Nhắc lại: xin mời.")
    extra = (len(paused) - len(plain)) / 2 / RATE
    assert extra == pytest.approx(0.3 - 0.05, abs=0.001)


def test_missing_clip_is_named(tmp_path: Path) -> None:
    record_pack(tmp_path / "voice", ["xin", "mời"])
    pack = VoicePack(tmp_path / "voice")
    assert pack.missing("Xin mời quầy số ba") == ["quầy", "số", "ba"]
    with pytest.raises(MissingClips) as caught:
        pack.assemble("Xin mời quầy số ba")
    assert caught.value.words == ["quầy", "số", "ba"]


def test_clip_names_are_matched_whatever_the_normalisation_and_case(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    # As copied from a Mac (decomposed) and from a camera (capitals, upper-case extension).
    write_wav(folder / (unicodedata.normalize("NFD", "mời") + ".wav"), 0.1)
    write_wav(folder / "XIN.WAV", 0.1)
    pack = VoicePack(folder)
    assert pack.missing("Xin mời") == []


def test_clips_of_different_formats_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    write_wav(folder / "xin.wav", 0.1, rate=16000)
    write_wav(folder / "mời.wav", 0.1, rate=44100)
    with pytest.raises(VoicePackError, match="44100 Hz"):
        VoicePack(folder)


@pytest.mark.parametrize("setup", ["missing", "empty", "garbage"])
def test_unusable_folders_are_refused(tmp_path: Path, setup: str) -> None:
    folder = tmp_path / "voice"
    if setup != "missing":
        folder.mkdir()
    if setup == "garbage":
        (folder / "xin.wav").write_bytes(b"not a wav at all")
    with pytest.raises(VoicePackError):
        VoicePack(folder)


def test_complete_pack_is_used_instead_of_the_engine(tmp_path: Path, make_synth: MakeSynth,
                                                     engines: EngineBox) -> None:
    record_pack(tmp_path / "voice", sentence_words(SAMPLE))
    synth = make_synth(engines, voice_pack=VoicePack(tmp_path / "voice"))
    path = synth.render(SAMPLE)
    assert engines.spoken == []
    assert synth.stats.pack_renders == 1
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == RATE
    assert synth.health.status().status == "ok"


def test_missing_word_synthesises_the_whole_sentence(tmp_path: Path, make_synth: MakeSynth,
                                                     engines: EngineBox) -> None:
    words = [w for w in sentence_words(SAMPLE) if w != "quầy"]
    record_pack(tmp_path / "voice", words)
    synth = make_synth(engines, voice_pack=VoicePack(tmp_path / "voice"))
    synth.render(SAMPLE)
    assert engines.spoken == [SAMPLE]
    assert synth.stats.pack_renders == 0
    status = synth.health.status()
    assert (status.status, status.code) == ("degraded", "voice_pack_incomplete")
    assert "quầy" in status.message


@pytest.mark.parametrize(
    ("dialect", "present", "absent"),
    [("north", {"nghìn", "linh", "tư", "mốt", "lăm", "mươi", "mười", "trăm"}, {"ngàn", "lẻ"}),
     ("south", {"ngàn", "lẻ", "mốt", "lăm", "mươi", "mười", "trăm"}, {"nghìn", "linh", "tư"})],
)
def test_vocabulary_lists_every_word_a_call_can_use(dialect: str, present: set[str],
                                                    absent: set[str]) -> None:
    words = set(vocabulary(dialect=dialect, letters="ABCDEF"))
    digits = {"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}
    letters = {"a", "bê", "xê", "dê", "e", "ép"}
    template = {"xin", "mời", "công", "dân", "có", "số", "thứ", "tự", "đến", "quầy", "nhắc", "lại"}
    assert digits | letters | template | present <= words
    assert not words & absent
    for label in ("A023", "F999", "1023", "9999", "2105"):
        for counter in (1, 5, 15, 21, 99):
            sentence = call_sentence(label, counter, dialect=dialect)
            assert set(sentence_words(sentence)) <= words


def test_check_command_reports_missing_words(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    needed = vocabulary(letters="ABCDEF", max_number=9)
    record_pack(tmp_path / "voice", [w for w in needed if w != "đến"])
    assert main(["check", str(tmp_path / "voice")]) == 1
    assert "đến.wav" in capsys.readouterr().out
    write_wav(tmp_path / "voice" / "đến.wav", 0.1, rate=RATE)
    assert main(["check", str(tmp_path / "voice")]) == 0


def test_words_command_prints_file_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["words"]) == 0
    names = capsys.readouterr().out.split()
    assert "mời.wav" in names and "quầy.wav" in names and "bê.wav" in names
