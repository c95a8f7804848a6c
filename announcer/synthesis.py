"""Text to WAV, offline: pyttsx3 on espeak-ng, the espeak-ng command line as fallback, a disk cache.

pyttsx3 is not thread-safe and its ``runAndWait()`` may return before the WAV
exists, so one worker thread owns the engine, jobs reach it through a queue, and
a job is finished when the engine's ``finished-utterance`` callback has fired
*and* the file holds audio. A job that takes longer than the timeout is
abandoned together with its worker (a new one is made later) and the
``espeak-ng`` command line renders it instead. WAVs are cached under
``<data_dir>/speech-cache/`` keyed by (voice, rate, text), so a sentence is
synthesised once and plays at once afterwards. With a recorded voice pack
configured, sentences whose words all have clips are assembled from them.

>>> synth = Synthesizer(Path("var/speech-cache"))          # doctest: +SKIP
>>> synth.start()                                          # doctest: +SKIP
>>> synth.render("Xin mời công dân có số thứ tự a không hai ba đến quầy số ba.")  # doctest: +SKIP
PosixPath('var/speech-cache/3f1c….wav')
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import queue
import shutil
import subprocess
import threading
import time
import unicodedata
import uuid
import wave
from collections.abc import Callable, Iterable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from queue_core.domain.speech import SpeechTextError

from .errors import SpeechUnavailable, VoicePackError
from .health import Health

if TYPE_CHECKING:
    from queue_core.config import Settings

    from .voicepack import VoicePack

__all__ = [
    "CACHE_DIR_NAME",
    "FALLBACK_VOICE",
    "SynthesisStats",
    "Synthesizer",
    "VoiceInfo",
    "cache_key",
    "clean_text",
    "cli_voices",
    "pyttsx3_engine",
    "render_wav",
    "resolve_voice",
]

log = logging.getLogger(__name__)

CACHE_DIR_NAME = "speech-cache"
FALLBACK_VOICE = "vi"
CLI_COMMAND = "espeak-ng"
# Bump when the way WAVs are made changes, so old cache entries are not reused.
CACHE_FORMAT = "1"
MAX_TEXT_LENGTH = 400
URGENT, WARM = 0, 1
_ENGINE_ATTEMPTS = 2

_SPOKEN_PUNCTUATION = set(".,;:!?-–'\"()")
_WAV_HEADER_SIZE = 44

# espeak-ng inside pyttsx3 is one library instance per process: two engines used
# from two threads at once would crash it, whatever object owns them.
_PYTTSX3_LOCK = threading.Lock()


def clean_text(text: str) -> str:
    """Return text with only what a Vietnamese voice can say: Latin letters, digits, light punctuation."""
    if not isinstance(text, str):
        raise SpeechTextError(f"speech text must be a string, got {text!r}")
    kept = []
    for ch in unicodedata.normalize("NFC", text)[: MAX_TEXT_LENGTH * 2]:
        if ch in "0123456789" or ch in _SPOKEN_PUNCTUATION or ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
            kept.append(ch)
        else:
            kept.append(" ")
    cleaned = " ".join("".join(kept).split())[:MAX_TEXT_LENGTH]
    if not any(ch.isalnum() for ch in cleaned):
        raise SpeechTextError(f"nothing speakable in {text!r}")
    return cleaned


def cache_key(voice: str, rate: int, text: str) -> str:
    """Return the cache file stem for `text` said by `voice` at `rate` words per minute."""
    raw = "\x1f".join((CACHE_FORMAT, voice, str(rate), text))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class VoiceInfo:
    """One installed voice: its espeak-ng identifier, display name and languages."""

    id: str
    name: str = ""
    languages: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """Return the name espeak-ng and pyttsx3 both accept (``vi-vn-x-south`` for ``aav/vi-vn-x-south``)."""
        return self.id.rsplit("/", 1)[-1].lower()


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", " ")


def resolve_voice(requested: str, voices: Iterable[VoiceInfo]) -> str | None:
    """Return the short name of the installed voice matching `requested`, or None."""
    wanted = _norm(requested)
    if not wanted:
        return None
    for voice in voices:
        names = {voice.id, voice.short, voice.name, *voice.languages}
        if wanted in {_norm(n) for n in names if n}:
            return voice.short
    return None


def cli_voices(command: str = CLI_COMMAND, *, timeout: float = 5.0) -> list[VoiceInfo]:
    """Return the voices the espeak-ng command line knows (empty if it cannot run)."""
    try:
        done = subprocess.run([command, "--voices"], capture_output=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    voices = []
    for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5:
            voices.append(VoiceInfo(id=parts[4], name=parts[3], languages=(parts[1],)))
    return voices


def _engine_voices(engine: Any) -> list[VoiceInfo]:
    voices = []
    for voice in engine.getProperty("voices") or ():
        languages = tuple(str(lang) for lang in (getattr(voice, "languages", None) or ()))
        voices.append(VoiceInfo(id=str(voice.id), name=str(getattr(voice, "name", "") or ""),
                                languages=languages))
    return voices


def _wav_ready(path: Path) -> bool:
    """Return True if path is a complete WAV holding at least one frame."""
    try:
        if path.stat().st_size <= _WAV_HEADER_SIZE:
            return False
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False


def pyttsx3_engine() -> Any:
    """Return the process's pyttsx3 engine (espeak-ng driver on Linux): the default engine factory."""
    import pyttsx3

    engine = pyttsx3.init()
    driver_module = getattr(getattr(engine, "proxy", None), "_module", None)
    if driver_module is not None and driver_module.__name__.endswith(".espeak"):
        # The espeak driver prints "Audio saved to …" for every file; a satellite that runs
        # for months should not fill its journal with that.
        driver_module.print = _quiet
    return engine


def _quiet(*args: object, **kwargs: object) -> None:
    """Print nothing."""


class _EngineFailure(Exception):
    """The pyttsx3 engine did not produce the WAV (raised, hung or wrote nothing)."""


@dataclass
class _EngineTask:
    text: str
    path: Path
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class _EngineWorker:
    """The one thread that owns one engine; abandoned, never joined, if it hangs."""

    _ids = itertools.count(1)

    def __init__(self, factory: Callable[[], Any], voice: str, rate: int,
                 lock: threading.Lock) -> None:
        self._factory = factory
        self._requested_voice = voice
        self._rate = rate
        self._lock = lock
        self._inbox: queue.Queue[_EngineTask | None] = queue.Queue()
        self._finished = threading.Event()
        self._callback_error: BaseException | None = None
        self.ready = threading.Event()
        self.init_error: BaseException | None = None
        self.voice = voice
        self.voice_found = True
        self.dead = False
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"speech-engine-{next(self._ids)}")

    def start(self) -> None:
        self.thread.start()

    def submit(self, task: _EngineTask) -> None:
        self._inbox.put(task)

    def abandon(self) -> None:
        """Let the thread end whenever the engine lets go of it; its results are ignored."""
        self.dead = True
        self._inbox.put(None)

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        # Also when not completed: the file is checked either way.
        self._finished.set()

    def _on_error(self, name: object = None, exception: BaseException | None = None) -> None:
        self._callback_error = exception or RuntimeError("engine reported an error")
        self._finished.set()

    def _run(self) -> None:
        try:
            if not self._lock.acquire(timeout=10):
                raise _EngineFailure("another speech engine holds espeak-ng")
            try:
                engine = self._factory()
                engine.connect("finished-utterance", self._on_finished)
                engine.connect("error", self._on_error)
                found = resolve_voice(self._requested_voice, _engine_voices(engine))
                self.voice_found = found is not None
                self.voice = found or FALLBACK_VOICE
                engine.setProperty("voice", self.voice)
                engine.setProperty("rate", self._rate)
                # Loudness is the mixer's job, so one cached WAV serves every volume setting.
                engine.setProperty("volume", 1.0)
            finally:
                self._lock.release()
        except BaseException as exc:  # noqa: BLE001 - any engine failure means: use the CLI
            self.init_error = exc
            self.dead = True
            self.ready.set()
            return
        self.ready.set()
        while True:
            task = self._inbox.get()
            if task is None:
                return
            try:
                self._render(engine, task)
            except BaseException as exc:  # noqa: BLE001
                task.error = exc
                # After a failure the engine's state is unknown: this worker retires.
                self.dead = True
            finally:
                task.done.set()
            if self.dead:
                return

    def _render(self, engine: Any, task: _EngineTask) -> None:
        if not self._lock.acquire(timeout=max(0.0, task.deadline - time.monotonic())):
            raise _EngineFailure("another speech engine holds espeak-ng")
        try:
            # pyttsx3's espeak driver may cancel its own utterance when its loop ends and
            # then write a WAV without frames; saying it once more nearly always works.
            for attempt in range(1, _ENGINE_ATTEMPTS + 1):
                if self._render_once(engine, task):
                    return
                task.path.unlink(missing_ok=True)
                log.info("speech engine wrote an empty file (attempt %d)", attempt)
            raise _EngineFailure(f"the engine wrote no audio, {_ENGINE_ATTEMPTS} times")
        finally:
            self._lock.release()

    def _render_once(self, engine: Any, task: _EngineTask) -> bool:
        """Say the task once; return False if the engine finished with an unusable file."""
        self._finished.clear()
        self._callback_error = None
        engine.save_to_file(task.text, str(task.path))
        engine.runAndWait()
        pause = threading.Event()
        # runAndWait may return before the file is written: wait for the callback.
        while True:
            if not self._finished.wait(max(0.0, task.deadline - time.monotonic())):
                raise _EngineFailure("no finished-utterance callback in time")
            self._finished.clear()
            if self._callback_error is not None:
                raise _EngineFailure(f"engine error: {self._callback_error}")
            if not task.path.exists():
                continue  # a late callback of an earlier utterance
            if _wav_ready(task.path):
                return True
            # The driver writes the whole file before calling back; allow for a racing writer.
            pause.wait(0.05)
            return _wav_ready(task.path)


@dataclass
class SynthesisStats:
    """How sentences were obtained (tests and the benchmark read these)."""

    cache_hits: int = 0
    engine_renders: int = 0
    cli_renders: int = 0
    pack_renders: int = 0
    failures: int = 0


@dataclass
class _Job:
    key: str
    text: str
    path: Path
    kind: str  # "synth" or "pack"
    priority: int
    future: Future[Path] = field(default_factory=Future)
    started: bool = False


class Synthesizer:
    """Render sentences to cached WAV files, never blocking the caller longer than the budget.

    >>> synth = Synthesizer(tmp / "speech-cache", voice="vi", rate=140)   # doctest: +SKIP
    >>> synth.start()                                                      # doctest: +SKIP
    >>> future = synth.request("Xin mời công dân có số thứ tự a không một đến quầy số hai.")  # doctest: +SKIP
    >>> future.result(timeout=synth.budget_seconds).suffix                 # doctest: +SKIP
    '.wav'
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str],
        *,
        voice: str = FALLBACK_VOICE,
        rate: int = 140,
        timeout: float = 5.0,
        cli_timeout: float | None = None,
        engine_factory: Callable[[], Any] | None = pyttsx3_engine,
        cli_command: str | None = CLI_COMMAND,
        voice_pack: VoicePack | None = None,
        health: Health | None = None,
        clock: Callable[[], float] = time.monotonic,
        engine_retry_seconds: float = 60.0,
        max_cache_files: int = 1500,
        max_warm_backlog: int = 64,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.requested_voice = voice
        self.voice = voice
        self.rate = rate
        self.timeout = timeout
        self.cli_timeout = timeout if cli_timeout is None else cli_timeout
        self.health = health or Health()
        self.stats = SynthesisStats()
        self.voice_pack = voice_pack
        self._engine_factory = engine_factory
        # The real pyttsx3 is one per process; a factory given by a caller owns its engines.
        self._engine_lock = _PYTTSX3_LOCK if engine_factory is pyttsx3_engine else threading.Lock()
        self._cli = cli_command
        self._clock = clock
        self._engine_retry_seconds = engine_retry_seconds
        self._engine_retry_at = float("-inf")
        self._max_cache_files = max_cache_files
        self._max_warm_backlog = max_warm_backlog
        self._worker: _EngineWorker | None = None
        self._abandoned: list[_EngineWorker] = []
        self._queue: queue.PriorityQueue[tuple[int, int, _Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._pending: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._dispatcher: threading.Thread | None = None
        self._written = 0
        self._pack_missing: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> Synthesizer:
        """Return a synthesizer configured by `settings.speech`, caching under the data dir."""
        speech = settings.speech
        health = options.pop("health", None) or Health()
        pack = options.pop("voice_pack", None)
        if pack is None and speech.voice_pack:
            from .voicepack import VoicePack

            try:
                pack = VoicePack(Path(speech.voice_pack))
            except VoicePackError as exc:
                health.set("voice_pack", "degraded", "voice_pack_invalid", detail=str(exc))
        return cls(
            settings.data_path / CACHE_DIR_NAME,
            voice=speech.voice,
            rate=speech.rate,
            timeout=speech.synth_timeout_seconds,
            voice_pack=pack,
            health=health,
            **options,
        )

    def retuned(self, *, voice: str, rate: int) -> Synthesizer:
        """Return a synthesizer like this one (cache, engine, health) with another voice or rate."""
        return type(self)(self.cache_dir, voice=voice, rate=rate, timeout=self.timeout,
                          cli_timeout=self.cli_timeout, engine_factory=self._engine_factory,
                          cli_command=self._cli, voice_pack=self.voice_pack, health=self.health,
                          clock=self._clock, engine_retry_seconds=self._engine_retry_seconds,
                          max_cache_files=self._max_cache_files,
                          max_warm_backlog=self._max_warm_backlog)

    @property
    def budget_seconds(self) -> float:
        """Return the longest a render may take: engine timeout, then the CLI's."""
        return self.timeout + self.cli_timeout + 1.0

    # -- life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Create the cache folder, start the engine worker and settle which voice is used."""
        if self._dispatcher is not None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temp_files()
        found: str | None = None
        if self._engine_factory is not None:
            worker = self._new_worker()
            if worker.ready.wait(self.timeout) and worker.init_error is None:
                self._worker = worker
                found = worker.voice if worker.voice_found else None
                self._settle_voice(found, checked=True)
            else:
                self._engine_failed(worker, worker.init_error or _EngineFailure("engine start timed out"))
        if self._worker is None:
            voices = cli_voices(self._cli) if self._cli else []
            self._settle_voice(resolve_voice(self.requested_voice, voices), checked=bool(voices))
        self._dispatcher = threading.Thread(target=self._dispatch_loop, daemon=True,
                                            name="speech-dispatcher")
        self._dispatcher.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the threads; a hung engine thread is left to die with the process."""
        if self._dispatcher is None:
            return
        self._queue.put((-1, -1, None))
        self._dispatcher.join(timeout)
        self._dispatcher = None
        if self._worker is not None:
            self._worker.abandon()
            self._worker = None
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for job in pending:
            # Nobody would ever finish these: let whoever waits know at once.
            _settle(job.future, error=SpeechUnavailable("the synthesizer was closed"))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------

    def cache_path(self, text: str) -> Path:
        """Return where the synthesised WAV of `text` is (or will be) cached."""
        return self.cache_dir / f"{cache_key(self.voice, self.rate, clean_text(text))}.wav"

    def request(self, text: str, *, urgent: bool = True) -> Future[Path]:
        """Return a future WAV path for `text`; urgent requests go before warm-ups."""
        if self._dispatcher is None:
            raise RuntimeError("Synthesizer.start() was not called")
        spoken = clean_text(text)
        kind, key = "synth", cache_key(self.voice, self.rate, spoken)
        if self.voice_pack is not None:
            missing = self.voice_pack.missing(spoken)
            if missing:
                self._note_pack_missing(missing)
            else:
                kind = "pack"
                key = cache_key(f"pack:{self.voice_pack.fingerprint}", 0, spoken)
        path = self.cache_dir / f"{key}.wav"
        priority = URGENT if urgent else WARM
        with self._lock:
            job = self._pending.get(key)
            if job is not None:
                if urgent and job.priority != URGENT:
                    job.priority = URGENT
                    self._queue.put((URGENT, next(self._order), job))
                return job.future
            if _wav_ready(path):
                self.stats.cache_hits += 1
                _touch(path)
                done: Future[Path] = Future()
                done.set_result(path)
                return done
            job = _Job(key=key, text=spoken, path=path, kind=kind, priority=priority)
            if not urgent and len(self._pending) >= self._max_warm_backlog:
                job.future.cancel()
                return job.future
            self._pending[key] = job
            self._queue.put((priority, next(self._order), job))
        return job.future

    def render(self, text: str, *, timeout: float | None = None) -> Path:
        """Return the cached WAV of `text`, rendering it now if needed (blocks)."""
        return self.request(text).result(timeout=timeout or self.budget_seconds + 1.0)

    def warm(self, texts: Iterable[str]) -> int:
        """Queue renders of sentences likely to be needed soon; return how many were new."""
        queued = 0
        for text in texts:
            try:
                future = self.request(text, urgent=False)
            except SpeechTextError:
                continue
            if not future.done():
                queued += 1
        return queued

    def wait_idle(self, timeout: float) -> bool:
        """Return True once no render is pending (tests and the benchmark use it)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                futures = [job.future for job in self._pending.values()]
            if not futures:
                return True
            for future in futures:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    future.exception(timeout=remaining)
                except Exception:  # noqa: BLE001 - timeouts and cancellations alike
                    if time.monotonic() >= deadline:
                        return False

    # -- the dispatcher thread --------------------------------------------------

    def _dispatch_loop(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            if job.started or job.future.done():
                continue
            job.started = True
            if not job.future.set_running_or_notify_cancel():
                self._forget(job)
                continue
            try:
                path = self._produce(job)
            except BaseException as exc:  # noqa: BLE001 - the caller gets it through the future
                self.stats.failures += 1
                self._forget(job)
                _settle(job.future, error=exc)
            else:
                self._forget(job)
                _settle(job.future, result=path)

    def _forget(self, job: _Job) -> None:
        with self._lock:
            if self._pending.get(job.key) is job:
                del self._pending[job.key]

    def _produce(self, job: _Job) -> Path:
        if _wav_ready(job.path):
            self.stats.cache_hits += 1
            return job.path
        temp = self.cache_dir / f".tmp-{uuid.uuid4().hex}.wav"
        try:
            if job.kind == "pack":
                assert self.voice_pack is not None
                temp.write_bytes(self.voice_pack.assemble(job.text))
                self.stats.pack_renders += 1
                return self._publish(temp, job.path)
            if self._engine_usable():
                try:
                    self._render_with_engine(job.text, temp)
                except _EngineFailure as exc:
                    log.warning("speech engine failed on %r: %s; using the espeak-ng CLI",
                                job.text, exc)
                else:
                    self.stats.engine_renders += 1
                    self.health.clear("engine")
                    self.health.clear("speech")
                    return self._publish(temp, job.path)
            try:
                self._render_with_cli(job.text, temp)
            except SpeechUnavailable as exc:
                self.health.set("speech", "error", "speech_failed", detail=str(exc))
                raise
            self.stats.cli_renders += 1
            self.health.clear("speech")
            return self._publish(temp, job.path)
        finally:
            temp.unlink(missing_ok=True)

    def _publish(self, temp: Path, path: Path) -> Path:
        os.replace(temp, path)
        self._written += 1
        if self._written % 50 == 0:
            self.prune_cache()
        return path

    # -- engine -----------------------------------------------------------------

    def _new_worker(self) -> _EngineWorker:
        assert self._engine_factory is not None
        worker = _EngineWorker(self._engine_factory, self.requested_voice, self.rate,
                               self._engine_lock)
        worker.start()
        return worker

    def _engine_usable(self) -> bool:
        if self._engine_factory is None:
            return False
        # A thread still stuck inside the engine means the engine is still stuck.
        self._abandoned = [w for w in self._abandoned if w.thread.is_alive()]
        if self._abandoned:
            return False
        return self._worker is not None or self._clock() >= self._engine_retry_at

    def _render_with_engine(self, text: str, path: Path) -> None:
        deadline = time.monotonic() + self.timeout
        worker = self._worker
        if worker is None:
            worker = self._new_worker()
            if not worker.ready.wait(self.timeout) or worker.init_error is not None:
                error = worker.init_error or _EngineFailure("engine start timed out")
                self._engine_failed(worker, error)
                raise _EngineFailure(str(error))
            self._worker = worker
        task = _EngineTask(text=text, path=path, deadline=deadline)
        worker.submit(task)
        finished = task.done.wait(max(0.0, deadline - time.monotonic()) + 0.05)
        if finished and task.error is None:
            return
        error = task.error or _EngineFailure(f"no audio after {self.timeout:g} s")
        self._engine_failed(worker, error)
        raise _EngineFailure(str(error))

    def _engine_failed(self, worker: _EngineWorker, error: BaseException) -> None:
        worker.abandon()
        if worker.thread.is_alive():
            self._abandoned.append(worker)
        if self._worker is worker:
            self._worker = None
        self._engine_retry_at = self._clock() + self._engine_retry_seconds
        detail = str(error) or type(error).__name__
        self.health.set("engine", "degraded", "engine_fallback", detail=detail)

    def _settle_voice(self, found: str | None, *, checked: bool) -> None:
        if found is not None:
            self.voice = found
            self.health.clear("voice")
        elif checked:
            self.voice = FALLBACK_VOICE
            if _norm(self.requested_voice) != FALLBACK_VOICE:
                self.health.set("voice", "degraded", "voice_missing",
                                voice=self.requested_voice, fallback=FALLBACK_VOICE)

    # -- command line -----------------------------------------------------------

    def _render_with_cli(self, text: str, path: Path) -> None:
        if not self._cli or shutil.which(self._cli) is None:
            raise SpeechUnavailable(f"{self._cli or 'espeak-ng'} is not installed")
        voices = [self.voice] if self.voice == FALLBACK_VOICE else [self.voice, FALLBACK_VOICE]
        problem = ""
        for voice in voices:
            # The text goes through stdin: a sentence starting with "-" is not an option.
            command = [self._cli, "-v", voice, "-s", str(self.rate), "-w", str(path), "--stdin"]
            try:
                done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                      timeout=self.cli_timeout, check=False)
            except subprocess.TimeoutExpired:
                raise SpeechUnavailable(f"espeak-ng took more than {self.cli_timeout:g} s") from None
            except OSError as exc:
                raise SpeechUnavailable(f"espeak-ng could not run: {exc}") from None
            if done.returncode == 0 and _wav_ready(path):
                if voice != self.voice:
                    self._settle_voice(None, checked=True)
                return
            problem = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise SpeechUnavailable(f"espeak-ng failed: {problem}")

    # -- cache housekeeping -----------------------------------------------------

    def _note_pack_missing(self, words: list[str]) -> None:
        new = set(words) - self._pack_missing
        if new:
            self._pack_missing |= new
            shown = sorted(self._pack_missing)
            self.health.set("voice_pack", "degraded", "voice_pack_incomplete",
                            count=len(shown), words=", ".join(shown[:8]))

    def _remove_stale_temp_files(self) -> None:
        cutoff = time.time() - 3600
        for temp in self.cache_dir.glob(".tmp-*.wav"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
            except OSError:
                pass

    def prune_cache(self) -> int:
        """Delete the least recently used WAVs beyond the limit; return how many.

        A sentence is about 220 KB, so the default 1500 keeps the cache near 330 MB of an
        SD card while covering every label × counter a center calls in a day.
        """
        try:
            entries = [(e.stat().st_mtime, e.path) for e in os.scandir(self.cache_dir)
                       if e.name.endswith(".wav") and not e.name.startswith(".")]
        except OSError:
            return 0
        excess = len(entries) - self._max_cache_files
        if excess <= 0:
            return 0
        entries.sort()
        removed = 0
        for _, path in entries[: excess + self._max_cache_files // 10]:
            try:
                os.unlink(path)
                removed += 1
            except OSError:
                pass
        return removed


def _settle(future: Future[Path], *, result: Path | None = None,
            error: BaseException | None = None) -> None:
    """Resolve a future unless `close` resolved it already."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]
    except InvalidStateError:
        pass


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def render_wav(text: str, settings: Settings, *, synthesizer: Synthesizer | None = None) -> Path:
    """Return a WAV of `text` as the announcer would say it (the admin voice test serves it).

    Uses the running announcer's synthesizer when given; otherwise the espeak-ng
    command line with the same voice, rate and cache, so a web request never
    starts a second pyttsx3 engine.
    """
    if synthesizer is not None:
        return synthesizer.render(text)
    with Synthesizer.from_settings(settings, engine_factory=None) as synth:
        return synth.render(text)
