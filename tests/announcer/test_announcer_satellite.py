"""The satellite against a real Socket.IO server on 127.0.0.1: calls in, sound and health out."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_core import FakeCore
from speech_fakes import EngineBox, kinds

from announcer.playback import Announcer, Call
from announcer.satellite import AnnouncerSatellite
from announcer.synthesis import Synthesizer
from hardware.audio import FakeAudio
from hardware.errors import AudioUnavailable

MakeAnnouncer = Callable[..., Announcer]


@pytest.fixture
def core() -> Iterator[FakeCore]:
    server = FakeCore().start()
    yield server
    server.stop()


@pytest.fixture
def announcer(synth: Synthesizer, make_announcer: MakeAnnouncer) -> Announcer:
    return make_announcer(synth)


@pytest.fixture
def connect(core: FakeCore, announcer: Announcer) -> Iterator[Callable[..., AnnouncerSatellite]]:
    made: list[AnnouncerSatellite] = []

    def make(token: str | None = None, **options: Any) -> AnnouncerSatellite:
        options.setdefault("reconnect_delay", 0.05)
        options.setdefault("reconnect_delay_max", 0.2)
        satellite = AnnouncerSatellite(core.url, token or core.token, announcer, **options)
        satellite.start()
        made.append(satellite)
        return satellite

    yield make
    for satellite in made:
        satellite.stop(timeout=0.5)


def history_waiter(announcer: Announcer) -> Callable[[int], bool]:
    """Return wait(n): True once n calls have been played or dropped."""
    done = threading.Condition()

    def listen(call: Call, outcome: str) -> None:
        with done:
            done.notify_all()

    announcer.add_listener(listen)

    def wait(count: int, timeout: float = 10.0) -> bool:
        with done:
            return done.wait_for(lambda: len(announcer.history) >= count, timeout)

    return wait


def sentence(label: str, counter: int) -> str:
    return f"Xin mời số {label} đến quầy {counter}."


def test_every_call_is_spoken_in_order(core: FakeCore, connect: Callable[..., AnnouncerSatellite],
                                       announcer: Announcer, engines: EngineBox,
                                       fake_audio: FakeAudio, synth: Synthesizer) -> None:
    wait = history_waiter(announcer)
    satellite = connect()
    assert core.wait_for(lambda: core.subscriptions)
    assert core.subscriptions[0] == ["announcer"]
    assert satellite.connected.is_set()
    calls = [(seq, f"A{seq:03d}", 1 + seq % 3) for seq in range(11, 16)]
    for seq, label, counter in calls:
        core.call(seq, label, counter, speech=sentence(label, counter))
    assert wait(5)
    assert [(c.seq, c.label, c.counter, o) for c, o in announcer.history] == [
        (seq, label, counter, "played") for seq, label, counter in calls]
    assert kinds(fake_audio.played) == ["chime", "speech", "speech"] * 5
    spoken_paths = [item.path for item in fake_audio.played[1::3]]
    assert spoken_paths == [synth.cache_path(sentence(label, counter)) for _, label, counter in calls]
    assert satellite.last_seq == 15


def test_sentence_is_built_locally_when_the_core_sends_none(
    core: FakeCore, connect: Callable[..., AnnouncerSatellite], announcer: Announcer,
    engines: EngineBox,
) -> None:
    wait = history_waiter(announcer)
    connect()
    assert core.wait_for(lambda: core.subscriptions)
    core.call(1, "C105", 4)
    assert wait(1)
    assert "Xin mời công dân có số thứ tự xê một không năm đến quầy số bốn." in engines.spoken


def test_recall_is_spoken_again(core: FakeCore, connect: Callable[..., AnnouncerSatellite],
                                announcer: Announcer) -> None:
    wait = history_waiter(announcer)
    connect()
    assert core.wait_for(lambda: core.subscriptions)
    core.call(1, "A001", 1, speech=sentence("A001", 1))
    core.call(2, "A001", 1, speech="Nhắc lại: " + sentence("A001", 1), recall=True)
    assert wait(2)
    assert [(c.seq, c.recall, o) for c, o in announcer.history] == [(1, False, "played"),
                                                                      (2, True, "played")]


def test_health_is_reported_as_device_status(core: FakeCore,
                                             connect: Callable[..., AnnouncerSatellite],
                                             announcer: Announcer, fake_audio: FakeAudio) -> None:
    connect()
    assert core.wait_for(lambda: any(s["status"] == "ok" for s in core.statuses))
    assert core.statuses[0]["device"] == "announcer"
    assert core.statuses[0]["message"]
    fake_audio.fail(AudioUnavailable("speaker cable pulled"))
    core.call(1, "A001", 1, speech=sentence("A001", 1))
    assert core.wait_for(lambda: any(s["status"] == "error" for s in core.statuses))
    error = next(s for s in core.statuses if s["status"] == "error")
    assert error["code"] == "audio_unavailable"
    assert "speaker cable pulled" in error["message"]
    fake_audio.recover()
    assert core.wait_for(lambda: core.statuses[-1]["status"] == "ok")


def test_wrong_token_is_refused_and_retried_without_crashing(
    core: FakeCore, connect: Callable[..., AnnouncerSatellite]
) -> None:
    satellite = connect(token="wrong")
    assert core.wait_for(lambda: core.refused >= 3)
    assert not satellite.connected.is_set()


def test_reconnects_and_subscribes_again(core: FakeCore,
                                         connect: Callable[..., AnnouncerSatellite],
                                         announcer: Announcer) -> None:
    wait = history_waiter(announcer)
    connect()
    assert core.wait_for(lambda: len(core.subscriptions) == 1)
    core.drop_clients()
    assert core.wait_for(lambda: len(core.subscriptions) == 2)
    core.call(1, "A001", 1, speech=sentence("A001", 1))
    assert wait(1)
    assert announcer.history[0][1] == "played"


def test_board_warms_the_sentences_likely_next(core: FakeCore,
                                              connect: Callable[..., AnnouncerSatellite],
                                              announcer: Announcer, engines: EngineBox,
                                              synth: Synthesizer) -> None:
    core.board = {
        "seq": 40,
        "services": [{"code": "A", "name": "Chứng thực", "waiting": 2},
                     {"code": "B", "name": "Hộ tịch", "waiting": 0}],
        "counters": [{"number": 1, "services": ["A"], "state": "open", "current": None},
                     {"number": 2, "services": ["A", "B"], "state": "closed", "current": None}],
        "recent_calls": [{"label": "A023", "counter": 1, "at": "2026-11-23T08:00:00+07:00"}],
    }
    wait = history_waiter(announcer)
    satellite = connect()
    expected = [announcer.sentence("A024", 1), announcer.sentence("A025", 1)]
    assert satellite.wait_for_event("board")
    assert synth.wait_idle(5)
    assert all(synth.cache_path(text).exists() for text in expected)
    assert sorted(engines.spoken) == sorted(expected)
    hits = synth.stats.cache_hits
    core.call(41, "A024", 1, speech=expected[0])
    assert wait(1)
    assert synth.stats.cache_hits > hits
    assert engines.spoken.count(expected[0]) == 1


def test_issued_ticket_is_warmed_for_its_counters(core: FakeCore,
                                                  connect: Callable[..., AnnouncerSatellite],
                                                  announcer: Announcer, synth: Synthesizer) -> None:
    core.board = {"seq": 1, "services": [{"code": "B", "waiting": 0}],
                  "counters": [{"number": 3, "services": ["B"], "state": "open", "current": None}],
                  "recent_calls": []}
    satellite = connect()
    assert satellite.wait_for_event("board")
    core.emit("ticket_issued", {"seq": 2, "ticket": {"label": "B001", "service": "B",
                                                     "state": "waiting"}})
    assert satellite.wait_for_event("ticket_issued")
    assert synth.wait_idle(5)
    assert synth.cache_path(announcer.sentence("B001", 3)).exists()


def test_core_restart_with_lower_seq_is_followed(core: FakeCore,
                                                 connect: Callable[..., AnnouncerSatellite],
                                                 announcer: Announcer) -> None:
    wait = history_waiter(announcer)
    satellite = connect()
    assert core.wait_for(lambda: core.subscriptions)
    core.call(5, "A005", 1, speech=sentence("A005", 1))
    assert wait(1)
    # The core started over with a new database: seq 5 and A005 come round again.
    core.emit("board", {"seq": 1, "services": [], "counters": [], "recent_calls": []})
    core.call(5, "A005", 1, speech=sentence("A005", 1))
    assert wait(2)
    assert [(c.label, o) for c, o in announcer.history] == [("A005", "played"), ("A005", "played")]
    assert satellite.last_seq == 5


def test_same_call_through_two_rooms_is_spoken_once(core: FakeCore,
                                                    connect: Callable[..., AnnouncerSatellite],
                                                    announcer: Announcer) -> None:
    wait = history_waiter(announcer)
    connect(rooms=("announcer", "board"))
    assert core.wait_for(lambda: core.subscriptions == [["announcer", "board"]])
    payload = {"seq": 9, "ticket": {"label": "A009", "service": "A"}, "counter": 1,
               "recall": False, "speech": sentence("A009", 1)}
    core.emit("ticket_called", payload, room="announcer")
    core.emit("ticket_called", payload, room="board")
    core.call(10, "A010", 1, speech=sentence("A010", 1))
    assert wait(2)
    assert [c.seq for c, _ in announcer.history] == [9, 10]


def test_malformed_events_do_not_stop_the_satellite(core: FakeCore,
                                                    connect: Callable[..., AnnouncerSatellite],
                                                    announcer: Announcer) -> None:
    wait = history_waiter(announcer)
    connect()
    assert core.wait_for(lambda: core.subscriptions)
    core.emit("ticket_called", "not an object")
    core.emit("board", ["nor", "is", "this"])
    core.emit("ticket_called", {"seq": "x", "ticket": None, "counter": "?"})
    core.call(3, "A003", 2, speech=sentence("A003", 2))
    assert wait(2)
    # The call without label or counter still got its chime; the good one was spoken.
    assert sorted((c.label, o) for c, o in announcer.history) == [("", "chime_only"),
                                                                   ("A003", "played")]


def test_the_consoles_new_words_and_dialect_apply_to_the_next_call(
    core: FakeCore, connect: Callable[..., AnnouncerSatellite], announcer: Announcer,
    engines: EngineBox,
) -> None:
    wait = history_waiter(announcer)
    connect()
    assert core.wait_for(lambda: core.subscriptions)
    core.emit("settings_changed", {"seq": 3, "sections": ["speech"], "speech": {
        "template": "Mời số {label} tới quầy {counter}.", "dialect": "south", "repeat": 1,
        "voice": announcer.synthesizer.requested_voice, "rate": announcer.synthesizer.rate}})
    assert core.wait_for(lambda: announcer.template == "Mời số {label} tới quầy {counter}.")
    assert announcer.dialect == "south" and announcer.repeat == 1
    core.call(4, "C105", 4)
    assert wait(1)
    assert any(text.startswith("Mời số") and "tới quầy" in text for text in engines.spoken)


def test_a_new_voice_gets_a_synthesizer_of_its_own(announcer: Announcer) -> None:
    before = announcer.synthesizer
    announcer.apply_speech({"voice": "vi-south", "rate": before.rate + 20, "template": 5})
    after = announcer.synthesizer
    assert after is not before
    assert (after.requested_voice, after.rate) == ("vi-south", before.rate + 20)
    assert after.cache_dir == before.cache_dir and after.health is before.health
    # Values of the wrong kind are left alone; the same voice keeps the same synthesizer.
    assert isinstance(announcer.template, str)
    announcer.apply_speech({"voice": "vi-south", "rate": before.rate + 20})
    assert announcer.synthesizer is after


def test_nghe_thu_plays_the_sentence_it_is_given(
    core: FakeCore, connect: Callable[..., AnnouncerSatellite], announcer: Announcer,
    engines: EngineBox,
) -> None:
    wait = history_waiter(announcer)
    connect()
    assert core.wait_for(lambda: core.subscriptions)
    core.emit("speech_test", {"text": "Xin mời số A023 đến quầy số một.", "label": "A023",
                              "counter": 1})
    assert wait(1)
    call, outcome = announcer.history[0]
    assert (call.label, call.counter, call.text, outcome) == (
        "A023", 1, "Xin mời số A023 đến quầy số một.", "played")
