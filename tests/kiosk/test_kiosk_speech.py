"""The kiosk says the number it issued: the sentence (announcer's reading rules), the WAV
route (roles, off, unavailable), the issue answer never waiting for speech, a real espeak-ng
WAV of plausible length from the announcer's cache, and the button kiosk's own speaker."""

from __future__ import annotations

import shutil
import threading
import wave
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from announcer.synthesis import cache_key, clean_text
from hardware.audio import FakeAudio, silence_wav, wav_duration
from hardware.printer import FakePrinter
from kiosk.satellite import ButtonKiosk
from kiosk.speaker import TicketSpeaker
from kiosk.web import speech as kiosk_speech
from kiosk.web.speech import attach_speech
from queue_core.client.rest import CoreClient
from queue_core.domain import speech
from queue_core.domain.clock import FakeClock
from queue_core.config import load_settings
from queue_core.web.app import create_app

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


# --- the sentence -----------------------------------------------------------------------------

@pytest.mark.parametrize("label,ahead,dialect,expected", [
    ("A023", 4, "north", "Số của quý công dân là a không hai ba. Phía trước còn bốn người."),
    ("B105", 21, "north", "Số của quý công dân là bê một không năm. Phía trước còn hai mươi mốt người."),
    ("Đ007", 14, "south", "Số của quý công dân là đê không không bảy. Phía trước còn mười bốn người."),
    ("1021", 1, "north",
     "Số của quý công dân là một nghìn không trăm hai mươi mốt. Phía trước còn một người."),
    ("2005", 1005, "south",
     "Số của quý công dân là hai ngàn không trăm lẻ năm. Phía trước còn một ngàn không trăm lẻ năm người."),
    ("C001", 0, "north", "Số của quý công dân là xê không không một. Quý công dân là người tiếp theo."),
])
def test_the_sentence_reads_the_number_like_the_announcer(label: str, ahead: int, dialect: str,
                                                           expected: str) -> None:
    said = speech.ticket_sentence(label, ahead, dialect=dialect)
    assert said == expected
    # The label's words are exactly those the hall loudspeaker will call.
    called = speech.call_sentence(label, 3, dialect=dialect)
    assert speech.label_words(label, dialect=dialect) in called
    assert speech.label_words(label, dialect=dialect) in said
    assert "bạn" not in speech.sentence_words(said)


def test_the_caption_is_the_written_form() -> None:
    assert speech.ticket_caption("A023", 4) == "Số của quý công dân là A023. Phía trước còn 4 người."
    assert speech.ticket_caption("1021", 0) == ("Số của quý công dân là 1021. "
                                                "Quý công dân là người tiếp theo.")
    with pytest.raises(speech.SpeechTextError):
        speech.ticket_sentence("A023", -1)


# --- the route, with a stand-in renderer ------------------------------------------------------

class FakeRenderer:
    """Renders a second of silence per sentence into `folder`; can be held."""

    def __init__(self, folder: Path, *, hold: threading.Event | None = None) -> None:
        self.folder = folder
        self.hold = hold
        self.started = 0
        self.texts: list[str] = []

    def start(self) -> None:
        self.started += 1
        self.folder.mkdir(parents=True, exist_ok=True)

    def request(self, text: str, *, urgent: bool = True) -> Future[Path]:
        if self.hold is not None:
            self.hold.wait(30)
        self.texts.append(text)
        path = self.folder / f"{len(self.texts)}.wav"
        path.write_bytes(silence_wav(1.0))
        done: Future[Path] = Future()
        done.set_result(path)
        return done


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Any:
    """An always-open appliance (the shared `token_for` makes its tokens)."""
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var"),
                                  "XEPHANG_CENTER_OPENS_AT": "00:00",
                                  "XEPHANG_CENTER_CLOSES_AT": "24:00",
                                  "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7"})
    app = create_app(settings, clock=clock, test_config={"TESTING": True})
    yield app
    app.extensions["xephang"].store.close()


@pytest.fixture
def open_app(app: Any) -> Any:
    return app


def issue(client: Any, headers: dict[str, str], service: str = "A") -> Any:
    return client.post("/api/v1/kiosk/tickets", json={"service": service}, headers=headers)


def test_the_answer_carries_the_sentence_and_the_wav_is_served_to_kiosks_only(
        open_app: Any, tmp_path: Path, token_for: Callable[..., dict[str, str]]) -> None:
    renderer = FakeRenderer(tmp_path / "wavs")
    attach_speech(open_app, lambda: renderer)
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    issue(client, kiosk)
    issue(client, kiosk)
    answer = issue(client, kiosk).get_json()
    ticket = answer["ticket"]
    assert answer["speech"] == {
        "text": "Số của quý công dân là a không không ba. Phía trước còn hai người.",
        "caption": "Số của quý công dân là A003. Phía trước còn 2 người.",
        "url": f"/api/v1/kiosk/tickets/{ticket['id']}/speech.wav", "volume": 0.6}
    assert renderer.started == 0          # nothing is rendered on the issue path
    url = answer["speech"]["url"]
    for headers, status in (({}, 401), (token_for("display"), 403),
                            (token_for("staff", counter=1), 403),
                            (token_for("keypad", counter=2), 403),
                            (token_for("announcer"), 403), (kiosk, 200),
                            # Managers hold every device role (ROLE_GRANTS), the kiosk's too.
                            (token_for("manager"), 200)):
        response = client.get(url, headers=headers)
        assert response.status_code == status, headers
    wav = client.get(url, headers=kiosk)
    assert wav.mimetype == "audio/wav" and wav_duration(wav.data) == pytest.approx(1.0)
    # The sentence said is the one of the moment of issue, even after someone was called.
    open_app.extensions["xephang"].center.call_next(1, actor="user:lan")
    client.get(url, headers=kiosk)
    assert set(renderer.texts) == {answer["speech"]["text"]}
    missing = client.get("/api/v1/kiosk/tickets/2026-11-23-A999/speech.wav", headers=kiosk)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_ticket"


def test_a_cache_in_a_relative_data_dir_is_served(
        open_app: Any, tmp_path: Path, token_for: Callable[..., dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # `scripts/run` keeps its data in ./var: the renderer's paths are relative to the cwd.
    monkeypatch.chdir(tmp_path)
    attach_speech(open_app, lambda: FakeRenderer(Path("var") / "speech-cache"))
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    said = issue(client, kiosk).get_json()["speech"]
    wav = client.get(said["url"], headers=kiosk)
    assert wav.status_code == 200 and wav_duration(wav.data) == pytest.approx(1.0)


def test_a_retry_of_the_same_press_is_not_said_again(
        open_app: Any, tmp_path: Path, token_for: Callable[..., dict[str, str]]) -> None:
    attach_speech(open_app, lambda: FakeRenderer(tmp_path / "wavs"))
    client = open_app.test_client()
    headers = {**token_for("kiosk"), "Idempotency-Key": "press-0001"}
    first = client.post("/api/v1/kiosk/tickets", json={"service": "B"}, headers=headers)
    again = client.post("/api/v1/kiosk/tickets", json={"service": "B"}, headers=headers)
    assert first.status_code == 201 and first.get_json()["speech"] is not None
    assert again.status_code == 200 and again.get_json()["speech"] is None


def test_a_silent_kiosk_says_nothing(tmp_path: Path, token_for: Callable[..., dict[str, str]],
                                     open_app: Any) -> None:
    settings = open_app.extensions["xephang"].settings.replace(kiosk={"speak": False})
    attach_speech(open_app, lambda: FakeRenderer(tmp_path / "wavs"))
    open_app.extensions["xephang"].live.swap(settings)  # as the admin console would
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    answer = issue(client, kiosk).get_json()
    assert answer["speech"] is None
    off = client.get(f"/api/v1/kiosk/tickets/{answer['ticket']['id']}/speech.wav", headers=kiosk)
    assert off.status_code == 404 and off.get_json()["error"]["code"] == "speech_off"


def test_a_voice_changed_in_the_console_speaks_the_next_sentence(
        tmp_path: Path, token_for: Callable[..., dict[str, str]], open_app: Any) -> None:
    made: list[FakeRenderer] = []

    def factory() -> FakeRenderer:
        made.append(FakeRenderer(tmp_path / f"wavs{len(made)}"))
        return made[-1]

    attach_speech(open_app, factory)
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    first = issue(client, kiosk).get_json()["speech"]
    assert client.get(first["url"], headers=kiosk).status_code == 200
    xephang = open_app.extensions["xephang"]
    xephang.live.swap(xephang.settings.replace(speech={"rate": 120}))
    # The volume too is read live; the next sentence gets a renderer made with the new voice.
    xephang.live.swap(xephang.settings.replace(kiosk={"speak_volume": 0.9}))
    second = issue(client, kiosk).get_json()["speech"]
    assert second["volume"] == 0.9
    assert client.get(second["url"], headers=kiosk).status_code == 200
    assert len(made) == 2 and made[1].texts == [second["text"]]


def test_the_issue_answer_never_waits_for_speech(
        open_app: Any, tmp_path: Path, token_for: Callable[..., dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A renderer stuck for as long as the test wants: the speech of ticket 1 is being asked
    # for (and hangs) while ticket 2 is issued and printed.
    hold = threading.Event()
    renderer = FakeRenderer(tmp_path / "wavs", hold=hold)
    attach_speech(open_app, lambda: renderer)
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    first = issue(client, kiosk).get_json()
    monkeypatch.setattr(kiosk_speech, "WAIT_SECONDS", 30.0)
    asked: dict[str, Any] = {}
    asking = threading.Thread(target=lambda: asked.update(
        response=open_app.test_client().get(first["speech"]["url"], headers=kiosk)))
    asking.start()
    try:
        second = issue(client, kiosk)
        # Answered and printed while the render is still held: nothing on the issue path
        # waits for it.
        assert not hold.is_set() and asking.is_alive()
        assert second.status_code == 201
        assert second.get_json()["print"]["state"] == "printed"
        assert second.get_json()["speech"]["text"].endswith("Phía trước còn một người.")
    finally:
        hold.set()
        asking.join(30)
    assert asked["response"].status_code == 200


def test_speech_that_does_not_come_in_time_is_a_503_not_a_hang(
        open_app: Any, tmp_path: Path, token_for: Callable[..., dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Never(FakeRenderer):
        def request(self, text: str, *, urgent: bool = True) -> Future[Path]:
            return Future()           # never finished

    attach_speech(open_app, lambda: Never(tmp_path))
    monkeypatch.setattr(kiosk_speech, "WAIT_SECONDS", 0.2)
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    answer = issue(client, kiosk).get_json()
    late = client.get(answer["speech"]["url"], headers=kiosk)
    assert late.status_code == 503 and late.get_json()["error"]["code"] == "speech_unavailable"


# --- the real engine --------------------------------------------------------------------------

@needs_espeak
def test_espeak_ng_says_the_sentence_into_the_announcers_cache(
        open_app: Any, token_for: Callable[..., dict[str, str]]) -> None:
    client = open_app.test_client()
    kiosk = token_for("kiosk")
    for _ in range(5):
        answer = issue(client, kiosk).get_json()
    text = answer["speech"]["text"]
    assert text == "Số của quý công dân là a không không năm. Phía trước còn bốn người."
    response = client.get(answer["speech"]["url"], headers=kiosk)
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    import io
    with wave.open(io.BytesIO(response.data), "rb") as wav:
        frames, rate = wav.getnframes(), wav.getframerate()
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
    seconds = frames / rate
    # 20 syllables at the announcer's 140 words a minute: about 7 s; plausible is 3–15 s.
    assert 3.0 < seconds < 15.0, seconds
    audible = max(abs(int.from_bytes(response.data[i:i + 2], "little", signed=True))
                  for i in range(44, len(response.data) - 1, 2))
    assert audible > 1000
    settings = open_app.extensions["xephang"].settings
    cached = (settings.data_path / "speech-cache"
              / f"{cache_key(settings.speech.voice, settings.speech.rate, clean_text(text))}.wav")
    assert cached.read_bytes() == response.data


# --- the button kiosk -------------------------------------------------------------------------

def test_the_button_kiosk_says_the_number_on_its_own_speaker_after_printing(
        live_core: Any, tmp_path: Path) -> None:
    attach_speech(live_core.app, lambda: FakeRenderer(tmp_path / "wavs"))
    core = CoreClient(live_core.url, live_core.token("kiosk"))
    audio = FakeAudio()
    speaker = TicketSpeaker(core, audio)
    printer = FakePrinter()
    kiosk = ButtonKiosk(core, printer, speaker=speaker)
    try:
        kiosk.refresh()
        first = kiosk.press("A")
        assert first.state == "issued" and len(printer.jobs) == 1
        assert speaker.wait(1, timeout=15)
        assert [(round(p.duration, 2), p.volume) for p in audio.played] == [(1.0, 0.6)]
        # The hall's announcer never heard of it: this sound is the kiosk box's alone.
        assert live_core.app.extensions["xephang"].hub is not None
    finally:
        kiosk.stop()


def test_the_button_kiosk_stays_silent_when_the_core_cannot_say_it(live_core: Any) -> None:
    live_core.app.extensions[kiosk_speech.EXTENSION] = None
    core = CoreClient(live_core.url, live_core.token("kiosk"))
    audio = FakeAudio()
    speaker = TicketSpeaker(core, audio)
    result = ButtonKiosk(core, FakePrinter(), speaker=speaker).press("B")
    assert result.state == "issued"
    assert speaker.say({"url": f"/api/v1/kiosk/tickets/{result.ticket['id']}/speech.wav"})
    assert speaker.wait(1, timeout=15)
    assert audio.played == [] and speaker.failures == 1
