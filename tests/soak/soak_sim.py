"""A business day of a commune center, compressed in time, against the app in one process.

The simulation is a deterministic event loop on a `FakeClock`: citizens arrive per
field as Poisson processes whose rate follows the hours of the day (a morning peak,
a lull at lunch); five counters call, recall, mark no-shows, serve, transfer, take a
lunch break and close at the end of the day; some citizens leave before their turn,
some no-shows come back and are restored. Everything goes through the REST API with
the roles' bearer tokens, as the kiosk (printing on the emulated printer), the
keypads and the staff consoles would send it.

Beside it, six screens (the wall and five counter screens, each a `LiveBoard`, the
display's own state) and the announcer satellite (its real handlers, an `Announcer`
with a fake speech engine on `FakeAudio`) listen over Socket.IO test clients. One
screen loses an event now and then, another is unplugged for twenty minutes: both
must catch up by the contract's rules (a gap or a reconnect asks for the Board).

The simulation keeps its own log of every ticket (`Citizen`), from which the tests
compute what the manager's statistics must say.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import statistics
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from announcer.playback import Announcer, Call
from announcer.satellite import AnnouncerSatellite
from announcer.synthesis import Synthesizer
from display.board import LiveBoard
from hardware.audio import FakeAudio
from hardware.printer import warm_up
from queue_core.service import auth
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import load_settings

# Relative arrival rate per hour of the day (07:00 … 17:00): a morning peak, a lull at noon.
HOURLY_PROFILE = {7: 0.5, 8: 1.4, 9: 1.7, 10: 1.5, 11: 1.0, 12: 0.4, 13: 0.8, 14: 1.1,
                  15: 1.0, 16: 0.7, 17: 0.4}
# Share of arrivals and mean service minutes per field (DOMAIN.md's default fields).
FIELDS = {"A": (0.38, 6.0), "B": (0.16, 9.0), "C": (0.10, 12.0), "D": (0.07, 11.0),
          "E": (0.09, 10.0), "F": (0.20, 3.0)}
PRIORITY_SHARE = 0.08
NO_SHOW_SHARE = 0.06
NO_SHOW_RETURNS = 0.35
LEAVES_SHARE = 0.03
TRANSFER_SHARE = 0.05
RATED_SHARE = 0.6
RATING_WEIGHTS = {"very_satisfied": 0.6, "satisfied": 0.32, "unsatisfied": 0.08}
STAFF_ISSUED_SHARE = 0.05
OPENS, CLOSES = time(7, 0), time(17, 30)
SCREENS = 6
DROPPING_SCREEN = 4      # loses the events of one operation in about 97
UNPLUGGED_SCREEN = 5     # off the network from 10:00 to 10:20
FINAL_STATES = ("done", "no_show", "cancelled", "expired")


@dataclass
class Visit:
    counter: int
    called_at: datetime
    end: str | None = None
    ended_at: datetime | None = None


@dataclass
class Citizen:
    """The simulation's own record of one ticket."""

    id: str
    label: str
    series: str
    service: str
    priority: str | None
    issued_at: datetime
    shows: bool
    returns_after: int | None
    patience: int | None
    transfer_to: str | None
    rates: str | None
    state: str = "waiting"
    first_called_at: datetime | None = None
    visits: list[Visit] = field(default_factory=list)
    rating: str | None = None


@dataclass
class Desk:
    """One counter and the officer behind it."""

    number: int
    services: tuple[str, ...]
    staff: dict[str, str]
    operator: dict[str, str]
    lunch_at: datetime
    lunch_minutes: int
    current: Citizen | None = None
    state: str = "open"
    lunched: bool = False
    # Told "nobody waits": the officer looks up again when someone joins the queue.
    idle: bool = False


class SilentEngine:
    """Enough of a pyttsx3 engine: writes a short silent WAV for every sentence."""

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callable[..., None]]] = {}
        self._job: tuple[str, str] | None = None
        self.properties: dict[str, Any] = {}

    def connect(self, topic: str, callback: Callable[..., None]) -> dict[str, Any]:
        self._callbacks.setdefault(topic, []).append(callback)
        return {"topic": topic}

    def setProperty(self, name: str, value: Any) -> None:
        self.properties[name] = value

    def getProperty(self, name: str) -> Any:
        if name == "voices":
            from types import SimpleNamespace

            return [SimpleNamespace(id="vi", name="Vietnamese", languages=["vi"])]
        return self.properties.get(name)

    def save_to_file(self, text: str, filename: str, name: str | None = None) -> None:
        self._job = (text, filename)

    def runAndWait(self) -> None:
        import wave

        assert self._job is not None
        _, filename = self._job
        self._job = None
        with wave.open(filename, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(b"\0\0" * 800)
        for callback in self._callbacks.get("finished-utterance", []):
            callback(name=None, completed=True)

    def stop(self) -> None:
        pass


def arrivals(rng: random.Random, day: date, volume: float) -> list[tuple[datetime, str]]:
    """Draw the day's arrivals: per field, a Poisson process thinned by the hourly profile."""
    per_hour = 29.0 * volume
    peak = max(HOURLY_PROFILE.values())
    opens = datetime.combine(day, OPENS, VIETNAM)
    span = (datetime.combine(day, CLOSES, VIETNAM) - opens).total_seconds()
    found = []
    for code, (share, _) in FIELDS.items():
        top = per_hour * share * peak / 3600.0
        at = 0.0
        while True:
            at += rng.expovariate(top)
            if at >= span:
                break
            moment = opens + timedelta(seconds=int(at))
            if rng.random() < HOURLY_PROFILE[moment.hour] / peak:
                found.append((moment, code))
    return sorted(found)


class Simulation:
    """One appliance (app, screens, announcer) and the days simulated on it."""

    def __init__(self, data_dir: Path, *, seed: int = 23, volume: float = 1.0,
                 printed_share: float = 1.0) -> None:
        from queue_core.web.app import create_app, socketio_of

        self.rng = random.Random(seed)
        self.volume = volume
        self.printed_share = printed_share
        first = date(2026, 11, 23)
        self.clock = FakeClock(datetime.combine(first, time(6, 55), VIETNAM))
        # The simulated days run on from Monday 23 November 2026, across Vietnam Cultural Day
        # (24 November, a public holiday): the simulated center works through the holidays.
        settings = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir),
                                      "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false"})
        self.settings = settings
        self.app = create_app(settings, clock=self.clock, test_config={"TESTING": True})
        self.xephang = self.app.extensions["xephang"]
        self.center = self.xephang.center
        self.http = self.app.test_client()
        # The kiosk presses of a compressed day come faster than any person could press.
        self.app.extensions["xephang"].kiosk_limit.throttle.limit = 1_000_000
        # So do the ratings of one device (the rating tablets and the look-up kiosk share one
        # token here): lift the devices' minute the same way.
        from queue_core.service.throttle import Throttle

        self.app.extensions["xephang_device_ratings"] = Throttle(limit=1_000_000, window=60)
        store, now = self.xephang.store, self.clock.now()

        def bearer(role: str, counter: int | None = None) -> dict[str, str]:
            secret = auth.create_token(store, f"soak-{role}-{counter or 0}", role=role,
                                       counter=counter, now=now)
            return {"Authorization": f"Bearer {secret}"}

        self.kiosk = bearer("kiosk")
        self.manager = bearer("manager")
        self.display = bearer("display")
        announcer_token = auth.create_token(store, "soak-announcer", role="announcer",
                                           counter=None, now=now)
        self.desks = {}
        for config in settings.counters:
            staff = bearer("staff", config.number)
            # Counters 2 and 4 press their keypad for the everyday keys.
            operator = bearer("keypad", config.number) if config.number in (2, 4) else staff
            self.desks[config.number] = Desk(config.number, tuple(config.services), staff,
                                             operator, lunch_at=now, lunch_minutes=40)
        self.printer = self.app.extensions["xephang_printer"].service.printer
        self.printed: list[str] = []
        self.printed_labels: list[str] = []
        self.printer.keep = 5  # the fake printer keeps images; a long soak needs only names
        self.printer.on_job = lambda job: self.printed.append(job.name)
        # The emulated printer loads its libraries with its first job, a real one when the
        # box starts: load them now, so the first simulated citizen's paper (1.5 s budget)
        # does not carry a one-time load on a busy machine. The days measure the days.
        warm_up(getattr(self.printer, "profile", None))

        self.socketio = socketio_of(self.app)
        self.screens = [Screen(self, index) for index in range(SCREENS)]
        self.audio = FakeAudio()
        self.synthesizer = Synthesizer(data_dir / "speech-cache", engine_factory=SilentEngine,
                                       cli_command=None, timeout=10.0)
        self.announcer = Announcer(synthesizer=self.synthesizer, audio=lambda: self.audio)
        self.spoken: list[tuple[Call, str]] = []
        self._spoken_lock = threading.Lock()
        self.announcer.add_listener(self._heard)
        self.satellite = AnnouncerSatellite("http://core.invalid", announcer_token,
                                            self.announcer)
        self.announcer.start()
        self.announcer_link = self.socketio.test_client(self.app, auth={"token": announcer_token})
        self.announcer_link.emit("subscribe", {"rooms": ["announcer"]}, callback=True)
        self.calls_sent: list[dict[str, Any]] = []

        self.citizens: dict[str, Citizen] = {}
        self.days: list[str] = []
        self.refused_after_closing = 0
        self.requests = 0

    # --- plumbing ----------------------------------------------------------------------------

    def close(self) -> None:
        for screen in self.screens:
            screen.disconnect()
        if self.announcer_link.is_connected():
            self.announcer_link.disconnect()
        self.announcer.stop()
        self.app.extensions["xephang_printer"].service.stop()
        self.xephang.store.close()

    def _heard(self, call: Call, outcome: str) -> None:
        with self._spoken_lock:
            self.spoken.append((call, outcome))

    def call(self, method: str, path: str, headers: dict[str, str], body: Any = None,
             expect: tuple[int, ...] = (200,)) -> Any:
        """Send one request to /api/v1, check its status, pass the pushes on; return the JSON."""
        answer = self.http.open(f"/api/v1{path}", method=method, headers=headers, json=body)
        self.requests += 1
        if answer.status_code not in expect:
            raise AssertionError(f"{method} {path}: {answer.status_code} {answer.get_data(True)}")
        self.pump()
        return answer.get_json(silent=True) if answer.status_code != 204 else None

    def pump(self) -> None:
        """Deliver what the server pushed to every screen and to the announcer."""
        for screen in self.screens:
            screen.pump()
        for message in self.announcer_link.get_received():
            name, args = message["name"], message["args"]
            data = args[0] if args else None
            if name == "ticket_called":
                self.calls_sent.append(data)
            self.satellite.handle(name, data)

    def now_s(self) -> float:
        return self.clock.now().timestamp()

    # --- one day -----------------------------------------------------------------------------

    def run_day(self, day: date) -> str:
        """Simulate one business day from 06:55 to the last closed counter; return its date."""
        self.clock.set(datetime.combine(day, time(6, 55), VIETNAM))
        for screen in self.screens:
            screen.day_turned()
        self.center.close_day()  # the day keeper's first round of the morning
        self.pump()
        opens = datetime.combine(day, OPENS, VIETNAM)
        closes = datetime.combine(day, CLOSES, VIETNAM)
        queue: list[tuple[datetime, int, str, Any]] = []
        order = itertools.count()

        def later(at: datetime, kind: str, data: Any = None) -> None:
            heapq.heappush(queue, (at, next(order), kind, data))

        for at, code in arrivals(self.rng, day, self.volume):
            later(at, "arrive", code)
        for desk in self.desks.values():
            desk.lunched = False
            desk.lunch_at = datetime.combine(day, time(11, 30), VIETNAM) + timedelta(
                minutes=self.rng.randrange(0, 75))
            desk.lunch_minutes = self.rng.randrange(30, 46)
            if desk.state != "open":
                self.set_state(desk, "open")
            later(opens + timedelta(seconds=desk.number * 20), "desk", desk.number)
        later(datetime.combine(day, time(10, 0), VIETNAM), "unplug", UNPLUGGED_SCREEN)
        later(datetime.combine(day, time(10, 20), VIETNAM), "plug", UNPLUGGED_SCREEN)
        later(closes + timedelta(minutes=1), "day_keeper")
        later(closes + timedelta(minutes=5), "late_arrival")
        self.closing = closes
        while queue:
            at, _, kind, data = heapq.heappop(queue)
            self.clock.set(at)
            getattr(self, f"on_{kind}")(data, later)
        for desk in self.desks.values():
            assert desk.current is None, f"counter {desk.number} still serves at the end"
            if desk.state != "closed":
                self.set_state(desk, "closed")
        # Transferred after the day keeper's round: the next round expires them.
        self.on_day_keeper(None, later)
        self.days.append(day.isoformat())
        return day.isoformat()

    # --- what happens ------------------------------------------------------------------------

    def on_arrive(self, code: str, later: Callable[..., None]) -> None:
        rng = self.rng
        priority = rng.choice(["elderly", "disabled", "pregnant", "merit", "child"]) \
            if rng.random() < PRIORITY_SHARE else None
        if rng.random() < STAFF_ISSUED_SHARE:
            desk = next(d for d in self.desks.values() if code in d.services)
            ticket = self.call("POST", "/tickets", desk.staff,
                               {"service": code, "priority": priority}, expect=(201,))
        elif rng.random() < self.printed_share:
            answer = self.call("POST", "/kiosk/tickets", self.kiosk,
                               {"service": code, "priority": priority}, expect=(201,))
            ticket = answer["ticket"]
            printed = answer["print"]
            assert printed["printed"] is True, f"ticket {ticket['label']} not printed: {printed}"
            self.printed_labels.append(ticket["label"])
        else:
            # A kiosk satellite with its own printer: issue, print there, report the outcome.
            answer = self.call("POST", "/kiosk/tickets", self.kiosk,
                               {"service": code, "priority": priority, "print": False},
                               expect=(201,))
            ticket = answer["ticket"]
            assert answer["print"] is None
            self.call("POST", f"/tickets/{ticket['id']}/print-result", self.kiosk,
                      {"printed": True, "status": "ok"})
        transfer_to = None
        if code != "F" and rng.random() < TRANSFER_SHARE:
            transfer_to = "F"
        citizen = Citizen(
            id=ticket["id"], label=ticket["label"], series=code, service=code,
            priority=priority, issued_at=self.clock.now(),
            shows=rng.random() >= NO_SHOW_SHARE,
            returns_after=rng.randrange(600, 2400) if rng.random() < NO_SHOW_RETURNS else None,
            patience=rng.randrange(1800, 5400) if rng.random() < LEAVES_SHARE else None,
            transfer_to=transfer_to,
            rates=rng.choices(list(RATING_WEIGHTS), list(RATING_WEIGHTS.values()))[0]
            if rng.random() < RATED_SHARE else None)
        assert ticket["state"] == "waiting" and ticket["ahead"] >= 0
        self.citizens[citizen.id] = citizen
        self.wake(citizen.service, later)
        if citizen.patience is not None:
            later(self.clock.now() + timedelta(seconds=citizen.patience), "leave", citizen.id)

    def on_desk(self, number: int, later: Callable[..., None]) -> None:
        desk = self.desks[number]
        now = self.clock.now()
        if desk.current is not None or desk.state == "closed":
            return
        if now >= self.closing:
            self.set_state(desk, "closed")
            return
        if not desk.lunched and now >= desk.lunch_at:
            desk.lunched = True
            self.set_state(desk, "paused")
            later(now + timedelta(minutes=desk.lunch_minutes), "back_from_lunch", number)
            return
        ticket = self.call("POST", f"/counters/{number}/call-next", desk.operator,
                           expect=(200, 204))
        if ticket is None:
            desk.idle = True
            return
        desk.idle = False
        citizen = self.citizens[ticket["id"]]
        assert citizen.state == "waiting" and ticket["counter"] == number
        assert citizen.service in desk.services
        citizen.state = "called"
        citizen.first_called_at = citizen.first_called_at or now
        citizen.visits.append(Visit(number, now))
        desk.current = citizen
        if citizen.shows:
            _, minutes = FIELDS[citizen.service]
            seconds = max(60, int(self.rng.gammavariate(2.0, minutes * 30.0)))
            later(now + timedelta(seconds=seconds), "served", number)
        else:
            later(now + timedelta(seconds=60), "recall", number)

    def wake(self, code: str, later: Callable[..., None]) -> None:
        """Idle officers of a field notice a new face within a minute."""
        for desk in self.desks.values():
            if desk.idle and code in desk.services and desk.state == "open":
                desk.idle = False
                later(self.clock.now() + timedelta(seconds=self.rng.randrange(5, 60)), "desk",
                      desk.number)

    def on_back_from_lunch(self, number: int, later: Callable[..., None]) -> None:
        desk = self.desks[number]
        if self.clock.now() < self.closing:
            self.set_state(desk, "open")
            later(self.clock.now(), "desk", number)

    def on_recall(self, number: int, later: Callable[..., None]) -> None:
        desk = self.desks[number]
        ticket = self.call("POST", f"/counters/{number}/recall", desk.operator)
        assert desk.current is not None and ticket["id"] == desk.current.id
        assert ticket["recalls"] == 1
        later(self.clock.now() + timedelta(seconds=60), "no_show", number)

    def on_no_show(self, number: int, later: Callable[..., None]) -> None:
        desk = self.desks[number]
        citizen = desk.current
        assert citizen is not None
        ticket = self.call("POST", f"/counters/{number}/no-show", desk.operator)
        assert ticket["state"] == "no_show"
        self.end_visit(desk, "no_show")
        if citizen.returns_after is not None:
            later(self.clock.now() + timedelta(seconds=citizen.returns_after), "returns",
                  citizen.id)
        later(self.clock.now() + timedelta(seconds=10), "desk", number)

    def on_returns(self, ticket_id: str, later: Callable[..., None]) -> None:
        citizen = self.citizens[ticket_id]
        if citizen.state != "no_show" or self.clock.now() >= self.closing:
            return
        desk = next(d for d in self.desks.values() if citizen.service in d.services)
        ticket = self.call("POST", f"/tickets/{ticket_id}/restore", desk.staff,
                           {"keep_place": True})
        assert ticket["state"] == "waiting"
        citizen.state = "waiting"
        citizen.shows = True
        citizen.returns_after = None
        self.wake(citizen.service, later)

    def on_served(self, number: int, later: Callable[..., None]) -> None:
        desk = self.desks[number]
        citizen = desk.current
        assert citizen is not None
        if citizen.transfer_to is not None and citizen.service != citizen.transfer_to:
            ticket = self.call("POST", f"/counters/{number}/transfer", desk.staff,
                               {"service": citizen.transfer_to})
            assert ticket["state"] == "waiting" and ticket["service"] == citizen.transfer_to
            self.end_visit(desk, "transfer")
            citizen.state = "waiting"
            citizen.service = citizen.transfer_to
            self.wake(citizen.service, later)
        else:
            ticket = self.call("POST", f"/counters/{number}/finish", desk.operator)
            assert ticket["state"] == "done" and ticket["id"] == citizen.id
            self.end_visit(desk, "finish")
            citizen.state = "done"
            if citizen.rates is not None:
                # Half rate on the counter's device, half on the look-up kiosk.
                if len(citizen.label) % 2:
                    self.call("POST", f"/counters/{number}/rating", self.kiosk,
                              {"ticket": citizen.id, "level": citizen.rates}, expect=(201,))
                else:
                    self.call("POST", f"/tickets/{citizen.id}/rating", self.kiosk,
                              {"level": citizen.rates}, expect=(201,))
                citizen.rating = citizen.rates
        later(self.clock.now() + timedelta(seconds=self.rng.randrange(10, 40)), "desk", number)

    def on_leave(self, ticket_id: str, later: Callable[..., None]) -> None:
        citizen = self.citizens[ticket_id]
        if citizen.state != "waiting" or self.clock.now() >= self.closing:
            return
        desk = next(d for d in self.desks.values() if citizen.service in d.services)
        ticket = self.call("POST", f"/tickets/{ticket_id}/cancel", desk.staff)
        assert ticket["state"] == "cancelled"
        citizen.state = "cancelled"

    def on_day_keeper(self, _: Any, later: Callable[..., None]) -> None:
        expired = [c for c in self.citizens.values() if c.state == "waiting"]
        closed = self.center.close_day()
        self.pump()
        assert closed == len(expired), (closed, len(expired))
        for citizen in expired:
            citizen.state = "expired"

    def on_late_arrival(self, _: Any, later: Callable[..., None]) -> None:
        answer = self.call("POST", "/kiosk/tickets", self.kiosk, {"service": "A"}, expect=(409,))
        assert answer["error"]["code"] == "center_closed"
        self.refused_after_closing += 1

    def on_unplug(self, index: int, later: Callable[..., None]) -> None:
        self.screens[index].disconnect()

    def on_plug(self, index: int, later: Callable[..., None]) -> None:
        self.screens[index].connect()

    def set_state(self, desk: Desk, state: str) -> None:
        counter = self.call("PUT", f"/counters/{desk.number}/state", desk.staff, {"state": state})
        assert counter["state"] == state
        desk.state = state

    def end_visit(self, desk: Desk, end: str) -> None:
        assert desk.current is not None
        visit = desk.current.visits[-1]
        visit.end, visit.ended_at = end, self.clock.now()
        if end == "no_show":
            desk.current.state = "no_show"
        desk.current = None

    # --- what the manager must read ----------------------------------------------------------

    def expected_stats(self, day: str) -> dict[str, Any]:
        """The figures of `day` computed from the simulation's own log."""
        citizens = [c for c in self.citizens.values() if c.issued_at.date().isoformat() == day]
        states = Counter(c.state for c in citizens)
        waits = [(c.first_called_at - c.issued_at).total_seconds() for c in citizens
                 if c.first_called_at is not None]
        service = [(c.visits[-1].ended_at - c.visits[-1].called_at).total_seconds()  # type: ignore[operator]
                   for c in citizens if c.state == "done"]
        target = self.settings.policy.target_wait_minutes * 60
        judged = met = 0
        for c in citizens:
            if c.first_called_at is not None:
                judged += 1
                met += (c.first_called_at - c.issued_at).total_seconds() <= target
            elif c.state in ("cancelled", "expired"):
                ended = self.ended_at(c)
                if (ended - c.issued_at).total_seconds() > target:
                    judged += 1
        by_counter: dict[int, Counter[str]] = {}
        for c in citizens:
            for visit in c.visits:
                by_counter.setdefault(visit.counter, Counter())[visit.end or "open"] += 1
        return {
            "issued": len(citizens),
            "served": states["done"], "no_show": states["no_show"],
            "cancelled": states["cancelled"], "expired": states["expired"],
            "wait": durations(waits), "service_time": durations(service),
            "within_target_pct": round(100 * met / judged, 1) if judged else None,
            "by_service": {code: sum(1 for c in citizens if c.series == code)
                           for code in sorted({c.series for c in citizens})},
            "by_counter": {number: {"calls": sum(ends.values()), "served": ends["finish"],
                                    "no_show": ends["no_show"], "transferred": ends["transfer"]}
                           for number, ends in sorted(by_counter.items())},
            "by_hour": dict(sorted(Counter(c.issued_at.hour for c in citizens).items())),
            "ratings": Counter(c.rating for c in citizens if c.rating is not None),
        }

    def ended_at(self, citizen: Citizen) -> datetime:
        steps = self.center.transitions(citizen.id)
        return datetime.fromisoformat(steps[-1]["at"])


def durations(values: list[float]) -> dict[str, Any]:
    """Mean, median, 90th percentile (linear between ranks) and max, rounded to 0.1 s."""
    if not values:
        return {"mean_s": None, "median_s": None, "p90_s": None, "max_s": None}
    data = sorted(values)
    position = (len(data) - 1) * 0.9
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    p90 = data[low] + (data[high] - data[low]) * (position - low)
    return {"mean_s": round(statistics.fmean(data), 1),
            "median_s": round(statistics.median(data), 1), "p90_s": round(p90, 1),
            "max_s": round(data[-1], 1)}


class Screen:
    """A wall or counter screen: a Socket.IO client feeding the display's `LiveBoard`."""

    def __init__(self, simulation: Simulation, index: int) -> None:
        self.simulation = simulation
        self.index = index
        self.live = LiveBoard(recent_limit=8)
        self.received = 0
        self.dropped = 0
        self.dropping_seq: int | None = None
        self.armed = False
        self.reconnects = 0
        self.sio: Any = None
        self.connect()

    def connect(self) -> None:
        simulation = self.simulation
        # The wall uses the display token; counter screens are anonymous LAN pages.
        auth = {"token": simulation.display["Authorization"][7:]} if self.index == 0 else None
        self.sio = simulation.socketio.test_client(simulation.app, auth=auth)
        self.reconnects += 1
        self.subscribe()

    def disconnect(self) -> None:
        if self.sio is not None and self.sio.is_connected():
            self.sio.disconnect()
        self.sio = None

    def subscribe(self) -> None:
        self.live.subscribed(now=self.simulation.now_s())
        answer = self.sio.emit("subscribe", {"rooms": ["board"]}, callback=True)
        assert answer.get("ok"), answer

    def day_turned(self) -> None:
        """Fetch the Board once when the day turns (yesterday's calls leave the screen)."""
        if self.sio is not None:
            self.live.request_resync()
            self.pump()

    def messages(self) -> Iterator[tuple[str, Any]]:
        for message in self.sio.get_received():
            args = message["args"]
            yield message["name"], args[0] if args else None

    def pump(self) -> None:
        if self.sio is None:
            return
        now = self.simulation.now_s()
        for _ in range(5):
            for name, data in self.messages():
                self.received += 1
                if name == "board":
                    self.live.load(data, now=now)
                    continue
                if self.lost(data):
                    continue
                self.live.apply(name, data, now=now)
            if not self.live.take_resync(now=now):
                return
            self.subscribe()
        raise AssertionError(f"screen {self.index} keeps asking for the Board")

    def lost(self, data: Any) -> bool:
        """Lose every event of one operation now and then (one `seq`: a burst, as a
        network hiccup loses them); a single event of several sharing a seq cannot be
        told missing, and over one TCP stream never goes missing alone."""
        if self.index != DROPPING_SCREEN or not isinstance(data, dict):
            return False
        seq = data.get("seq")
        if seq is not None and seq == self.dropping_seq:
            return True
        if self.received % 97 == 0:
            self.armed = True
        known = self.live.seq
        if self.armed and isinstance(seq, int) and known is not None and seq > known:
            self.armed = False
            self.dropping_seq = seq
            self.dropped += 1
            return True
        return False

    def view(self) -> dict[str, Any]:
        assert self.live.board is not None
        return board_view(self.live.board)


def board_view(board: dict[str, Any], calls: int = 9) -> dict[str, Any]:
    """What a screen shows of a Board: counters, waiting per field, the latest calls."""
    return {
        "seq": board["seq"],
        "counters": [(c["number"], c["state"], c["current"]) for c in board["counters"]],
        "services": [(s["code"], s["waiting"]) for s in board["services"]],
        "recent_calls": [(c["label"], c["counter"], bool(c.get("recall")), c.get("ticket"))
                         for c in board["recent_calls"][:calls]],
    }


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while day.isoweekday() == 7:
        day += timedelta(days=1)
    return day
