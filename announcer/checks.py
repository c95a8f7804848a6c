"""Speech and loudspeaker checks for ``xephang doctor``, in plain words.

>>> for check in speech_checks(load_settings()):                # doctest: +SKIP
...     print(check.status, check.name, check.message)
ok espeak-ng espeak-ng is installed.
ok voice Giọng 'vi' có sẵn.
…
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.audio import open_audio
from hardware.errors import AudioUnavailable
from queue_core.domain.speech import SpeechTextError, call_sentence

from .errors import AnnouncerError, VoicePackError
from .synthesis import CLI_COMMAND, FALLBACK_VOICE, Synthesizer, cli_voices, resolve_voice

if TYPE_CHECKING:
    from queue_core.config import Settings

__all__ = ["Check", "speech_checks"]


@dataclass(frozen=True)
class Check:
    """One verdict: status "ok", "warning" or "error", and what to do about it."""

    name: str
    status: str
    message: str


def speech_checks(settings: Settings, *, try_audio: bool = True) -> list[Check]:
    """Return the verdicts on speech synthesis, voice, voice pack and audio output."""
    checks = [_espeak(), _voice(settings), _pyttsx3()]
    checks.append(_render(settings))
    if settings.speech.voice_pack:
        checks.append(_voice_pack(settings))
    if try_audio:
        checks.append(_audio(settings))
    return checks


def _espeak() -> Check:
    if shutil.which(CLI_COMMAND) is None:
        return Check("espeak-ng", "error",
                     "Chưa cài espeak-ng: không đọc được số. Cài bằng: sudo apt install espeak-ng "
                     "(espeak-ng is missing; calls would be chime only).")
    return Check("espeak-ng", "ok", "espeak-ng đã cài (is installed).")


def _voice(settings: Settings) -> Check:
    voices = cli_voices()
    wanted = settings.speech.voice
    if resolve_voice(wanted, voices) is not None:
        return Check("voice", "ok", f"Có giọng '{wanted}' (voice installed).")
    if resolve_voice(FALLBACK_VOICE, voices) is not None:
        return Check("voice", "warning",
                     f"Không có giọng '{wanted}'; sẽ dùng giọng '{FALLBACK_VOICE}' "
                     f"(voice missing, {FALLBACK_VOICE} is used). Xem: espeak-ng --voices=vi")
    return Check("voice", "error",
                 "Không có giọng tiếng Việt nào (no Vietnamese voice): cài espeak-ng-data.")


def _pyttsx3() -> Check:
    if importlib.util.find_spec("pyttsx3") is None:
        return Check("pyttsx3", "warning",
                     "Chưa cài pyttsx3; dùng espeak-ng dòng lệnh (pyttsx3 missing; the command "
                     "line is used). pip install 'xephang[speech]'")
    return Check("pyttsx3", "ok", "pyttsx3 đã cài (is installed).")


def _render(settings: Settings) -> Check:
    speech = settings.speech
    try:
        sentence = call_sentence("A023", 3, template=speech.template, dialect=speech.dialect)
    except SpeechTextError as exc:
        return Check("speech", "error", f"Mẫu câu gọi không đọc được (bad template): {exc}")
    with tempfile.TemporaryDirectory(prefix="xephang-doctor-") as tmp:
        synth = Synthesizer(Path(tmp), voice=speech.voice, rate=speech.rate,
                            timeout=speech.synth_timeout_seconds, engine_factory=None)
        try:
            with synth:
                path = synth.render(sentence)
                with wave.open(str(path)) as wav:
                    seconds = wav.getnframes() / wav.getframerate()
        except (AnnouncerError, OSError, wave.Error) as exc:
            return Check("speech", "error", f"Không tạo được giọng đọc (speech failed): {exc}")
    return Check("speech", "ok", f"Đọc thử “{sentence}”: {seconds:.1f} giây (s).")


def _voice_pack(settings: Settings) -> Check:
    from .voicepack import VoicePack, clip_name, vocabulary

    speech = settings.speech
    try:
        pack = VoicePack(Path(speech.voice_pack))
    except VoicePackError as exc:
        return Check("voice pack", "error", f"Bộ giọng ghi âm không dùng được (unusable): {exc}")
    numeric = settings.center.label_style == "numeric"
    needed = vocabulary(
        dialect=speech.dialect,
        templates=(speech.template, speech.recall_template),
        letters="" if numeric else "".join(s.code for s in settings.services),
        max_number=max([9999 if numeric else 9] + [c.number for c in settings.counters]),
    )
    missing = pack.check(needed)
    if missing:
        shown = ", ".join(clip_name(w) for w in missing[:10])
        return Check("voice pack", "warning",
                     f"Thiếu {len(missing)} tệp ghi âm (missing clips): {shown}")
    return Check("voice pack", "ok", f"Bộ giọng ghi âm đủ {len(pack.words)} từ (complete).")


def _audio(settings: Settings) -> Check:
    backend = settings.hardware.audio
    if backend == "none":
        return Check("audio", "warning", "Cấu hình không có loa (audio = none).")
    if backend == "fake":
        return Check("audio", "warning",
                     "Loa đang giả lập (audio = fake): đặt [hardware] audio = \"pygame\" để phát ra loa.")
    try:
        open_audio(backend).close()
    except AudioUnavailable as exc:
        return Check("audio", "error",
                     f"Không mở được loa (no audio device): {exc}. Kiểm tra dây loa, "
                     "'aplay -l', và âm lượng trong 'alsamixer'.")
    return Check("audio", "ok", "Mở được thiết bị âm thanh (audio device opens). "
                                "Nghe thử: xephang announcer --test")
