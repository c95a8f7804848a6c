"""Message catalog of the announcer's health reports, Vietnamese first, English second."""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, dict[str, str]] = {
    "ok": {"vi": "Loa thông báo hoạt động bình thường.",
           "en": "The loudspeaker works normally."},
    "audio_unavailable": {"vi": "Không mở được thiết bị âm thanh ({detail}); đang thử lại.",
                          "en": "No audio device ({detail}); retrying."},
    "audio_disabled": {"vi": "Cấu hình không có loa (audio = none); các lượt gọi không được đọc.",
                       "en": "No loudspeaker configured (audio = none); calls are not spoken."},
    "audio_emulated": {"vi": "Loa đang giả lập (audio = fake): lời gọi được ghi lại, không phát ra loa.",
                       "en": "Emulated audio (audio = fake): calls are recorded, not played."},
    "voice_missing": {"vi": "Không có giọng đọc '{voice}'; đang dùng giọng '{fallback}'.",
                      "en": "Voice '{voice}' is not installed; using '{fallback}'."},
    "engine_fallback": {"vi": "Bộ đọc pyttsx3 gặp lỗi ({detail}); đang đọc bằng espeak-ng dòng lệnh.",
                        "en": "The pyttsx3 engine failed ({detail}); speaking with the espeak-ng command line."},
    "speech_failed": {"vi": "Không tạo được giọng đọc ({detail}); chỉ phát chuông và hiển thị.",
                      "en": "Speech failed ({detail}); only the chime and the screens announce calls."},
    "voice_pack_incomplete": {"vi": "Bộ giọng ghi âm thiếu {count} từ ({words}); câu có các từ đó được đọc bằng giọng máy.",
                              "en": "The recorded voice pack lacks {count} words ({words}); those sentences use the synthetic voice."},
    "voice_pack_invalid": {"vi": "Bộ giọng ghi âm không dùng được ({detail}); đang dùng giọng máy.",
                           "en": "The recorded voice pack is unusable ({detail}); using the synthetic voice."},
}


def render(code: str, lang: str = "vi", **params: Any) -> str:
    """Return the text of `code` in `lang`, filled with `params` (missing ones left as is)."""
    entry = CATALOG.get(code, CATALOG["ok"])
    text = entry.get(lang) or entry["vi"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
