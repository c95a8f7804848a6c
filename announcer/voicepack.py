"""Recorded voice packs: sentences assembled from one WAV clip per word.

A center may record its own voice instead of the synthetic one (see
``VOICE_PACK.md``). A pack is a folder of clips named by the word they say, in
lowercase with its diacritics (``xin.wav``, ``mời.wav``, ``một.wav``); all clips
share one format. A sentence is spoken from the pack only when every word has a
clip; otherwise the whole sentence is synthesised, never half and half.

>>> pack = VoicePack(Path("/srv/xephang/voice"))          # doctest: +SKIP
>>> pack.missing("Xin mời công dân có số thứ tự a không một đến quầy số hai.")  # doctest: +SKIP
[]
>>> wav_bytes = pack.assemble("Xin mời …")                # doctest: +SKIP

Check a folder against everything the center's configuration can say with
``python -m announcer.voicepack check FOLDER [--config F]``; list the words to
record with ``python -m announcer.voicepack words [--config F]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sys
import threading
import unicodedata
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path

from queue_core.domain.speech import (
    DEFAULT_RECALL_TEMPLATE,
    DEFAULT_TEMPLATE,
    letter_name,
    number_words,
    sentence_words,
)

from .errors import MissingClips, VoicePackError

__all__ = ["VoicePack", "clip_name", "vocabulary"]

# Breaks inside a sentence where a speaker pauses longer than between words.
_PHRASE_BREAK = re.compile(r"[.,;:!?…]+")


def clip_name(word: str) -> str:
    """Return the file name of the clip for `word`: lowercase, NFC, ``.wav``."""
    return unicodedata.normalize("NFC", word).lower() + ".wav"


class VoicePack:
    """A folder of word clips of one format, assembled into sentences on demand."""

    def __init__(
        self,
        folder: Path,
        *,
        word_pause: float = 0.06,
        phrase_pause: float = 0.3,
        end_pause: float = 0.25,
    ) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise VoicePackError(f"voice pack folder {self.folder} does not exist")
        self.word_pause = word_pause
        self.phrase_pause = phrase_pause
        self.end_pause = end_pause
        self._clips: dict[str, Path] = {}
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and path.suffix.lower() == ".wav":
                # Names copied from a Mac may be NFD; a USB stick may keep capitals.
                word = unicodedata.normalize("NFC", path.stem).lower()
                self._clips.setdefault(word, path)
        if not self._clips:
            raise VoicePackError(f"voice pack folder {self.folder} holds no .wav clips")
        self.params = self._check_formats()
        digest = hashlib.sha256()
        for word, path in sorted(self._clips.items()):
            stat = path.stat()
            digest.update(f"{word}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        self.fingerprint = digest.hexdigest()[:16]
        self._frames: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def words(self) -> frozenset[str]:
        """Return every word the pack has a clip for."""
        return frozenset(self._clips)

    def _check_formats(self) -> tuple[int, int, int]:
        first: tuple[int, int, int] | None = None
        first_name = ""
        for path in self._clips.values():
            try:
                with wave.open(str(path), "rb") as wav:
                    params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                    if wav.getnframes() == 0:
                        raise VoicePackError(f"clip {path.name} is empty")
            except (wave.Error, EOFError, OSError) as exc:
                raise VoicePackError(f"clip {path.name} is not a PCM WAV file: {exc}") from None
            if first is None:
                first, first_name = params, path.name
            elif params != first:
                raise VoicePackError(
                    f"clip {path.name} is {_describe(params)} but {first_name} is "
                    f"{_describe(first)}; record or convert all clips to one format"
                )
        assert first is not None
        return first

    def missing(self, sentence: str) -> list[str]:
        """Return the words of `sentence` that have no clip, in order, each once."""
        seen: list[str] = []
        for word in sentence_words(sentence):
            if word not in self._clips and word not in seen:
                seen.append(word)
        return seen

    def _clip_frames(self, word: str) -> bytes:
        with self._lock:
            frames = self._frames.get(word)
            if frames is None:
                with wave.open(str(self._clips[word]), "rb") as wav:
                    frames = wav.readframes(wav.getnframes())
                self._frames[word] = frames
            return frames

    def _silence(self, seconds: float) -> bytes:
        channels, width, rate = self.params
        # 8-bit PCM is unsigned: its silence is 0x80, not 0.
        fill = b"\x80" if width == 1 else b"\0"
        return fill * (round(seconds * rate) * channels * width)

    def assemble(self, sentence: str) -> bytes:
        """Return the WAV bytes of `sentence` from the clips; raise MissingClips if any word lacks one."""
        missing = self.missing(sentence)
        if missing:
            raise MissingClips(missing)
        phrases = [sentence_words(part) for part in _PHRASE_BREAK.split(sentence)]
        phrases = [words for words in phrases if words]
        if not phrases:
            raise MissingClips([])
        pieces: list[bytes] = []
        for p, words in enumerate(phrases):
            if p:
                pieces.append(self._silence(self.phrase_pause))
            for w, word in enumerate(words):
                if w:
                    pieces.append(self._silence(self.word_pause))
                pieces.append(self._clip_frames(word))
        pieces.append(self._silence(self.end_pause))
        channels, width, rate = self.params
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(channels)
            wav.setsampwidth(width)
            wav.setframerate(rate)
            wav.writeframes(b"".join(pieces))
        return buffer.getvalue()

    def check(self, words: Iterable[str]) -> list[str]:
        """Return which of `words` have no clip, sorted."""
        return sorted(set(words) - set(self._clips))


def _describe(params: tuple[int, int, int]) -> str:
    channels, width, rate = params
    return f"{'mono' if channels == 1 else f'{channels} channels'}, {8 * width}-bit, {rate} Hz"


def _template_words(template: str) -> list[str]:
    return sentence_words(template.replace("{label}", " ").replace("{counter}", " "))


def vocabulary(
    *,
    dialect: str = "north",
    templates: Sequence[str] = (DEFAULT_TEMPLATE, DEFAULT_RECALL_TEMPLATE),
    letters: Iterable[str] = "ABCDEF",
    max_number: int = 9999,
) -> list[str]:
    """Return every word a call can contain: template words, letter names, number words."""
    words: set[str] = set()
    for template in templates:
        words.update(_template_words(template))
    for letter in letters:
        words.update(sentence_words(letter_name(letter)))
    for n in range(max_number + 1):
        words.update(number_words(n, dialect=dialect).split())
    return sorted(words)


def _settings_vocabulary(config: str | None) -> list[str]:
    from queue_core.config import load_settings

    settings = load_settings(config or None)
    speech = settings.speech
    numeric = settings.center.label_style == "numeric"
    highest = max([9999 if numeric else 9] + [c.number for c in settings.counters])
    return vocabulary(
        dialect=speech.dialect,
        templates=(speech.template, speech.recall_template),
        letters="" if numeric else "".join(s.code for s in settings.services),
        max_number=highest,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """List the words a center must record, or check a recorded folder."""
    parser = argparse.ArgumentParser(prog="python -m announcer.voicepack",
                                     description="Recorded voice packs for the announcer.")
    parser.add_argument("--config", help="center configuration (TOML); default: built-in")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("words", help="print every word to record, one per line, as its file name")
    check = sub.add_parser("check", help="check a folder of clips: format and missing words")
    check.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    needed = _settings_vocabulary(args.config)
    if args.command == "words":
        for word in needed:
            print(clip_name(word))
        return 0
    try:
        pack = VoicePack(args.folder)
    except VoicePackError as exc:
        print(f"KHÔNG DÙNG ĐƯỢC / unusable: {exc}")
        return 1
    missing = pack.check(needed)
    print(f"{len(pack.words)} clips, {_describe(pack.params)}")
    if missing:
        print(f"THIẾU {len(missing)} từ / {len(missing)} words missing:")
        for word in missing:
            print(f"  {clip_name(word)}")
        return 1
    print("ĐỦ / complete: every call can be spoken from the recordings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
