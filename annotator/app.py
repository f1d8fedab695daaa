"""The composition root: builds everything the window needs, in one explicit order.

    run_window(config_path, model, replay=None, speed=1.0) -> exit status

1. logging and standard streams
2. the QApplication and the qasync event loop (asyncio runs on the Qt thread)
3. the config (a broken file stops here with one sentence)
4. the message hub, the bridge (the pipeline's sink), the window
5. ``Sessions`` (this module): per session an analyser, a journal and a pipeline
6. the controller that carries out the window's intents
7. the window is shown; then, on the loop: the model loads in the background,
   a first run without a provider key is told how to add one, unfinished
   sessions are offered back, and a file given on the command line replays.

``Sessions`` is the session backend: it owns at most one running session and
knows which module does what (``analysis``, ``session``, ``replay``,
``pipeline``, ``transcribe``, ``export``). It has no Qt in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator import paths
from annotator.analysis.analyzer import Analyzer, ProviderStatus, build_analyzer, check_provider
from annotator.config import Config, ProviderConfig, api_key, availability, load_config
from annotator.errors import AnnotatorError, AudioError, InputError, ModelError
from annotator.models import Analysis, Attempt, Chunk, Mark, Outcome
from annotator.pipeline import AnalysisQueueLimits, JournalSink, LiveInput, Pipeline, Sink

log = logging.getLogger(__name__)


class StoredSession:
    """Replaying a saved session: shows each stored analysis once all its chunks
    have appeared, and each mark with its chunk, so flags and marks arrive at
    the moment they did live. No provider is called (the ``Sink`` protocol)."""

    def __init__(self, analyses: Sequence[Analysis], marks: Sequence[Mark]) -> None:
        self.waiting = list(analyses)
        self.marks = list(marks)
        self.seen: set[int] = set()
        self.pipeline: Pipeline | None = None

    def on_chunk(self, chunk: Chunk) -> None:
        self.seen.add(chunk.id)
        if self.pipeline is None:
            return
        ready = [a for a in self.waiting if set(a.chunk_ids) <= self.seen]
        if ready:
            self.waiting = [a for a in self.waiting if a not in ready]
            self.pipeline.replay_analyses(ready)
        due = [m for m in self.marks if m.chunk_id is None or m.chunk_id in self.seen]
        if due:
            self.marks = [m for m in self.marks if m not in due]
            for mark in due:
                self.pipeline.out.on_mark(mark)

    def on_analysis(self, analysis: Analysis) -> None:
        return None

    def on_mark(self, mark: Mark) -> None:
        return None

    def on_error(self, error: AnnotatorError) -> None:
        return None

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        return None

    def on_level(self, source: str, level: float) -> None:
        return None


class OrderedLiveInput(LiveInput):
    """``pipeline.LiveInput`` whose chunks reach the pipeline in the order they
    were transcribed, and all of them before ``stop()`` returns: the worker's
    chunks wait in a queue that the loop empties, and ``stop()`` empties it
    once more after the worker has ended, so the utterance flushed at Stop is
    journaled before the journal closes (qasync may run a thread's callback
    after the coroutine that waited for that thread)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._chunks: queue.SimpleQueue[Chunk] = queue.SimpleQueue()
        super().__init__(*args, **kwargs)

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        if fn == self._pipeline.add_chunk:
            self._chunks.put(args[0])
            super()._call(self._hand_over)
        else:
            super()._call(fn, *args)

    def _hand_over(self) -> None:
        while True:
            try:
                chunk = self._chunks.get_nowait()
            except queue.Empty:
                return
            self._pipeline.add_chunk(chunk)

    async def stop(self) -> None:
        await super().stop()
        self._hand_over()


class _AudioFile:
    """A ``stream_factory`` that plays one audio file and remembers its stream (to see the end)."""

    def __init__(self, path: Path, speed: float) -> None:
        from annotator.audio.capture import FileInputStream

        self._cls = FileInputStream
        self.path = path
        self.speed = None if speed <= 0 else speed
        self.stream: Any = None

    def __call__(self, device: Any, callback: Any) -> Any:
        self.stream = self._cls(self.path, callback, speed=self.speed)
        return self.stream

    def set_speed(self, speed: float) -> None:
        self.speed = None if speed <= 0 else speed
        if self.stream is not None:
            self.stream.speed = self.speed

    async def wait_finished(self) -> None:
        while self.stream is None or not self.stream.finished.is_set():
            await asyncio.sleep(0.1)


class Sessions:
    """Runs one session at a time for the window (implements ``ui.session_controller.SessionBackend``).

    ``sink`` receives everything (the window's bridge). ``analyzer_factory``
    builds the chain for each session from the current config (so a change in
    Settings applies to the next session). ``limits`` are the pipeline's
    batching limits.
    """

    def __init__(
        self,
        config: Config,
        sink: Sink,
        *,
        analyzer_factory: AnalyzerFactory = build_analyzer,
        limits: AnalysisQueueLimits = AnalysisQueueLimits(),
        sessions_dir: Path | None = None,
        model: str | None = None,
    ) -> None:
        self.config = config
        self.sink = sink
        self.analyzer_factory = analyzer_factory
        self.limits = limits
        self.sessions_dir = sessions_dir
        self.model_name = model if model is not None else config.transcription.model
        self.whisper: Any = None  # the loaded WhisperModel
        self._model_task: asyncio.Task[Any] | None = None
        self._analyzer: Analyzer | None = None
        self._pipeline: Pipeline | None = None
        self._journal: Any = None
        self._runner: asyncio.Task[None] | None = None
        self._session_path: Path | None = None
        self._stopping: asyncio.Task[None] | None = None
        self._states: tuple[ProviderStatus, ...] = ()
        self._live: OrderedLiveInput | None = None
        self._audio: _AudioFile | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting = False  # between Record/Open and the session running: a second press does nothing

    # -- state -----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """A session is running or still closing (its journal not yet closed)."""
        return self._starting or self._pipeline is not None or self._stopping is not None

    @property
    def session_path(self) -> Path | None:
        return self._session_path

    def providers_state(self) -> Sequence[ProviderStatus]:
        """The chain as the status dots show it (the running analyser's, else the last known)."""
        if self._analyzer is not None:
            self._states = self._analyzer.providers_state()
        return self._states

    async def check_keys(self) -> Sequence[ProviderStatus]:
        """Which configured providers have what they need (the keyring may be slow: in a thread)."""
        self._states = await asyncio.to_thread(initial_states, self.config)
        return self._states

    def set_config(self, config: Config) -> None:
        """New settings apply from the next session on."""
        self.config = config

    # -- the transcription model ------------------------------------------------------------
    async def load_model(self) -> Any:
        """Load the whisper model in a thread (once); events tell the window."""
        if self.whisper is not None:
            return self.whisper
        if self._model_task is None:
            self._model_task = asyncio.get_running_loop().create_task(self._load_model())
        return await asyncio.shield(self._model_task)

    async def _load_model(self) -> Any:
        from annotator.transcribe import load_model

        self.sink.on_event("model_loading", {"model": self.model_name or "tiny.en (bundled)"})
        t = self.config.transcription
        try:
            self.whisper = await asyncio.to_thread(load_model, self.model_name, t.device, t.compute_type)
        except AnnotatorError:
            self._model_task = None
            raise
        except Exception as err:  # noqa: BLE001 - translated once, here
            self._model_task = None
            raise ModelError(f"The transcription model {self.model_name or 'tiny.en'} could not be loaded ({err}).") from err
        self.sink.on_event("model_ready", {"model": self.model_name or "tiny.en (bundled)"})
        return self.whisper

    # -- sessions -------------------------------------------------------------------------
    async def _open(
        self,
        header: dict[str, Any],
        *,
        journal: bool = True,
        analyze: bool = True,
        extra: Sequence[Sink] = (),
        inputs: Sequence[tuple[str | None, str]] = (),
        stream_factory: Any = None,
    ) -> Pipeline:
        """Build one session's journal, analyser and pipeline. The slow parts
        (creating the file and syncing it, TLS set-up of the HTTP client, the
        sentiment lexicon) run in a thread so the window never waits on them."""
        pipeline = Pipeline(None, [], limits=self.limits)
        sinks = pipeline.out.sinks  # filled below, journal first
        if inputs:  # the inputs open before the journal exists: a dead microphone leaves no empty session
            whisper = await self.load_model()
            # built in a thread: each segmenter loads its voice-activity model (a few hundred ms)
            live = await asyncio.to_thread(
                OrderedLiveInput, pipeline, whisper, inputs, asyncio.get_running_loop(),
                transcription=self.config.transcription, audio=self.config.audio, stream_factory=stream_factory,
            )
            try:
                await asyncio.to_thread(live.open)
            except BaseException:
                await live.stop()
                raise
            self._live = live
        try:
            return await self._open_rest(pipeline, sinks, header, journal=journal, analyze=analyze, extra=extra)
        except BaseException:
            await self._stop()
            raise

    async def _open_rest(
        self, pipeline: Pipeline, sinks: list[Sink], header: dict[str, Any], *, journal: bool, analyze: bool, extra: Sequence[Sink]
    ) -> Pipeline:
        from annotator.session import Journal

        if journal:
            chain = [{"name": p.name, "model": p.model} for p in self.config.providers if p.enabled]
            self._journal = await asyncio.to_thread(
                Journal.create, self.sessions_dir, header={**header, "chain": chain}, on_error=self._journal_failed
            )
            self._session_path = self._journal.path
            sinks.append(JournalSink(self._journal))
        sinks.append(self.sink)
        sinks.extend(extra)
        self._analyzer = await asyncio.to_thread(self.analyzer_factory, self.config) if analyze else None
        pipeline.analyzer = self._analyzer
        self._pipeline = pipeline
        pipeline.start()
        if self._session_path is not None:
            self.sink.on_event("session", {"path": str(self._session_path)})
        if self._live is not None:
            record_to = self._journal.audio_path if self._journal is not None and self.config.audio.save_audio else None
            await asyncio.to_thread(self._live.start, record_to)
        return pipeline

    def _journal_failed(self, err: AnnotatorError) -> None:
        """From the journal's writer thread: hand the sentence to the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.sink.on_error, err)

    def _inputs(self, device: str | None) -> list[tuple[str | None, str]]:
        if device:
            return [(device, "You")]
        configured = list(self.config.audio.devices)[:2]
        if not configured:
            return [(None, "You")]
        return [(d, "You" if i == 0 else "Them") for i, d in enumerate(configured)]

    async def start_live(self, device: str | None) -> None:
        if self.active:
            return
        self._loop = asyncio.get_running_loop()
        self._starting = True
        try:
            inputs = self._inputs(device)
            devices = [{"device": d or "default", "source": src} for d, src in inputs]
            await self._open({"mode": "live", "model": self.model_name or "tiny.en", "devices": devices}, inputs=inputs)
        finally:
            self._starting = False
        self.sink.on_event("recording", {"devices": devices})

    async def start_replay(self, path: Path, speed: float) -> None:
        if self.active:
            return
        self._loop = asyncio.get_running_loop()
        self._starting = True
        try:
            await self._start_replay(path, speed)
        finally:
            self._starting = False

    async def _start_replay(self, path: Path, speed: float) -> None:
        from annotator.replay import kind_of, read_chunks, read_session

        kind = kind_of(path)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if kind == "session":
            record = await asyncio.to_thread(read_session, path)
            stored = StoredSession(record.analyses, record.marks)
            pipeline = await self._open({}, journal=False, analyze=False, extra=[stored])
            stored.pipeline = pipeline
            self._session_path = path
            self.sink.on_event("session", {"path": str(path)})
            for w in getattr(record, "warnings", ()):
                self.sink.on_error(InputError(str(w)))
            chunks: Sequence[Chunk] = record.chunks
        elif kind == "transcript":
            chunks = await asyncio.to_thread(read_chunks, path)
            if not chunks:
                raise InputError(f"{path}: has no lines to replay")
            pipeline = await self._open({"mode": "replay", "source": str(path)})
        else:
            if self.whisper is None:
                await self.load_model()
            audio = _AudioFile(path, speed)
            await self._open(
                {"mode": "replay", "source": str(path), "model": self.model_name or "tiny.en"},
                inputs=[(str(path), "")],
                stream_factory=audio,
            )
            self._audio = audio
            self.sink.on_event("replay_started", {"path": str(path)})
            self._runner = asyncio.get_running_loop().create_task(self._replay_audio(audio))
            return
        self.sink.on_event("replay_started", {"path": str(path), "total": len(chunks)})
        self._runner = asyncio.get_running_loop().create_task(self._replay(pipeline, chunks, speed))

    async def _replay(self, pipeline: Pipeline, chunks: Sequence[Chunk], speed: float) -> None:
        try:
            await pipeline.replay_chunks(chunks, speed)
        except asyncio.CancelledError:
            return
        self._runner = None
        await self.stop()

    async def _replay_audio(self, audio: _AudioFile) -> None:
        try:
            await audio.wait_finished()
        except asyncio.CancelledError:
            return
        self._runner = None
        await self.stop()

    def pause(self) -> None:
        if self._audio is not None:
            raise InputError("An audio file replays like a microphone and cannot be paused; press Stop to end it.")
        if self._pipeline is not None:
            self._pipeline.pause()

    def resume(self) -> None:
        if self._pipeline is not None:
            self._pipeline.resume()

    def set_speed(self, speed: float) -> None:
        if self._audio is not None:
            self._audio.set_speed(speed)
        if self._pipeline is not None:
            self._pipeline.set_speed(speed)

    def mark(self, kind: str, note: str) -> None:
        if self._pipeline is not None:
            self._pipeline.add_mark(kind, note)

    async def stop(self) -> None:
        """Stop the session: flush, finish analyses (bounded), close the journal. Safe to call twice."""
        if self._stopping is not None:
            await asyncio.shield(self._stopping)
            return
        if self._pipeline is None:
            return
        self._stopping = asyncio.get_running_loop().create_task(self._stop())
        self._stopping.add_done_callback(self._stopped)
        await asyncio.shield(self._stopping)

    def _stopped(self, task: asyncio.Task[None]) -> None:
        self._stopping = None
        if not task.cancelled() and task.exception() is None and self._session_path is not None:
            self.sink.on_event("session_closed", {"path": str(self._session_path)})

    async def _stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None and runner is not asyncio.current_task():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        live, self._live = self._live, None
        self._audio = None
        if live is not None:
            await live.stop()
        await self._close()

    async def _close(self) -> None:
        pipeline, self._pipeline = self._pipeline, None
        try:
            if pipeline is not None:
                await pipeline.stop()
        finally:
            journal, self._journal = self._journal, None
            if journal is not None:
                await journal.aclose()
            analyzer, self._analyzer = self._analyzer, None
            if analyzer is not None:
                self._states = analyzer.providers_state()
                await analyzer.aclose()

    async def export(self, session: Path, output: Path, fmt: str) -> Path:
        from annotator.export import export
        from annotator.replay import read_session

        if fmt not in ("md", "json", "srt", "vtt"):
            raise InputError(f"{output}: unknown export format {fmt!r}; pick Markdown, JSON, SRT or VTT")
        record = await asyncio.to_thread(read_session, session)
        text = export(record, fmt)
        try:
            await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        except OSError as err:
            raise InputError(f"{output}: cannot write the export ({err.strerror or err})") from err
        return output

    async def shutdown(self) -> None:
        """Quitting: stop any session and drop the model load if still running."""
        await self.stop()
        if self._model_task is not None and not self._model_task.done():
            self._model_task.cancel()


def initial_states(config: Config) -> tuple[ProviderStatus, ...]:
    """Each configured provider and why it would be left out of the chain (no key, disabled)."""
    return tuple(ProviderStatus(p.name, p.kind, p.model, unavailable=availability(p, api_key(p))) for p in config.providers)


async def check_with_key(provider: ProviderConfig, key: str | None) -> Attempt:
    """The settings dialog's Test: the key typed there, else the stored one (looked up in a
    thread: an OS keyring can take a while to answer), then ``check_provider``."""
    if key is None:
        key = await asyncio.to_thread(api_key, provider)
    if key is None and not provider.on_loopback:
        reason = availability(replace(provider, enabled=True), None) or "no key"
        return Attempt(provider.name, provider.model, Outcome.MISCONFIGURED, detail=reason)
    return await check_provider(provider, key=key or "")


def default_keyring() -> Any:
    """The OS keyring module, or None where no backend is usable."""
    try:
        import keyring
        from keyring.backends import fail

        return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring
    except Exception:  # noqa: BLE001 - no keyring means "enter keys via environment"
        return None


def run_window(config_path: str | None, model: str | None, replay: str | None = None, speed: float = 1.0) -> int:
    """Open the window (live, or replaying ``replay``) and run until it closes."""
    from annotator.logs import ensure_std_streams, setup_logging

    ensure_std_streams()
    setup_logging()
    config = load_config(Path(config_path) if config_path else None)
    check_display(os.environ, sys.platform)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
    from annotator.ui.main_window import MainWindow, ask_user
    from annotator.ui.messages import MessageHub
    from annotator.ui.session_controller import SessionController
    from annotator.ui.settings_dialog import SettingsDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("annotator")
    app.setDesktopFileName("annotator")  # matches resources/annotator.desktop (icon, WM class)
    app.setQuitOnLastWindowClosed(False)
    style = paths.resource("style.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    icon = paths.resource("icons/annotator.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    loop = new_event_loop(app)

    messages = MessageHub()
    bridge = Bridge(messages)
    window = MainWindow(messages)
    window.attach(bridge)
    sessions = Sessions(config, bridge, model=model)
    keyring_backend = default_keyring()

    def open_settings() -> None:
        devices = [(window.device_combo.itemData(i), window.device_combo.itemText(i)) for i in range(1, window.device_combo.count())]
        dialog = SettingsDialog(
            sessions.config,
            keyring_backend=keyring_backend,
            bridge=bridge,
            checker=check_with_key,
            devices=devices,
            parent=window,
        )
        def saved(cfg: Config) -> None:
            sessions.set_config(cfg)
            window.set_devices(devices, cfg.audio.devices)
            bridge.run(sessions.check_keys(), what="Checking the provider keys", on_result=lambda _s: controller.refresh_providers())
            messages.info(f"Settings saved to {cfg.path}; they apply from the next session.")

        dialog.saved.connect(saved)
        dialog.open()

    controller = SessionController(window, bridge, sessions, messages, open_settings=open_settings)
    if window.speed_combo.findData(speed) < 0:
        window.speed_combo.addItem(f"{speed:g}×", speed)
    window.speed_combo.setCurrentIndex(window.speed_combo.findData(speed))
    closed = loop.create_future()
    window.closed.connect(lambda: closed.done() or closed.set_result(None))
    bridge.event.connect(lambda kind, data: _tell_terminal(kind, data))
    previous_hook = sys.excepthook
    sys.excepthook = lambda kind, err, tb: bridge.report(err, "Something in the window")  # the outermost catch-all
    for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C or a kill: stop the session cleanly, then quit
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, controller.stop_and_close)

    async def main() -> None:
        window.status.set_state("Loading transcription model…")
        window.show()
        await asyncio.sleep(0)  # let the window paint before anything heavy starts
        bridge.run(sessions.load_model(), what="Loading the transcription model")
        await sessions.check_keys()
        controller.refresh_providers()
        controller.hint_if_no_provider()
        devices = await asyncio.to_thread(list_devices)
        window.set_devices(devices, config.audio.devices)
        if replay:
            controller.open(replay)
        else:
            offer_unfinished(ask_user(window), controller, messages)
        await closed
        await sessions.shutdown()
        bridge.cancel_all()

    try:
        loop.run_until_complete(main())
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        sys.excepthook = previous_hook
        close_event_loop(loop)
    return 0


def _tell_terminal(kind: str, data: dict[str, Any]) -> None:
    """A window started from a shell says there where each session was saved."""
    if kind == "session_closed" and sys.stderr is not None:
        print(f"annotator: session saved: {data.get('path')}", file=sys.stderr, flush=True)


def check_display(env: Mapping[str, str], platform: str) -> None:
    """On Linux without X11 or Wayland Qt would abort with its own message: say it in one sentence."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        raise AnnotatorError(
            "No display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). Run annotator "
            "from a desktop session, or use `annotator listen` to record without a window."
        )


def list_devices() -> list[tuple[str, str]]:
    """Input devices as (name to open, label) pairs; [] when none can be listed."""
    try:
        from annotator.audio.capture import list_input_devices

        return [(d.name, d.name + (" (system audio)" if d.is_monitor else "")) for d in list_input_devices()]
    except Exception as err:  # noqa: BLE001 - the picker then offers only the default input
        log.warning("cannot list input devices: %s", err)
        return []


def offer_unfinished(confirm: Callable[[str, str], bool], controller: Any, messages: Any) -> None:
    """Sessions that did not close cleanly are repaired and the newest is offered back."""
    from annotator.session import find_unfinished, repair

    try:
        found = find_unfinished()
    except Exception as err:  # noqa: BLE001 - never block start-up on this
        log.warning("cannot look for unfinished sessions: %s", err)
        return
    if not found:
        return
    names = ", ".join(p.name for p in found[:3]) + (" …" if len(found) > 3 else "")
    if not confirm(
        "Unfinished sessions",
        f"{len(found)} session(s) did not close cleanly ({names}); annotator was closed or crashed while recording. "
        "Close them properly and open the newest to review?",
    ):
        messages.info(f"{len(found)} unfinished session(s) left as they are in {paths.sessions_dir()}.")
        return
    for path in found:
        try:
            repair(path)
        except AnnotatorError as err:
            messages.error(str(err))
    controller.open(str(found[0]))

