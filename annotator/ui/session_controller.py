"""Carries out what the user asks for in the window, on the asyncio loop.

The window announces intents as signals; this controller turns each into a
call on the ``SessionBackend`` (built in ``app.py``: analyser, journal,
pipeline, transcription) through ``Bridge.run``, so nothing blocks the GUI
thread and every failure lands in the message area as a sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from annotator import paths
from annotator.analysis.review_model import ReviewEstimate, ReviewProgress
from annotator.errors import AnnotatorError
from annotator.journal.store import list_sessions
from annotator.models import Mark
from annotator.sessions.events import Event, SessionClosed, SessionStarted
from annotator.sessions.retranscribe import SecondPass
from annotator.sessions.review import ReviewRun, format_estimate
from annotator.transcription.vocabulary import split_terms
from annotator.ui.bridge import Bridge
from annotator.ui.format import NO_PROVIDER_HINT
from annotator.ui.main_window import RECENT_MAX, MainWindow
from annotator.ui.messages import Level, MessageAction, MessageHub
from annotator.ui.review_verdicts import confirm_text, progress_text


class ProviderStatusLike(Protocol):
    """What the status dots need of ``analysis.analyzer.ProviderStatus``."""

    @property
    def name(self) -> str:
        """The provider's name."""

    @property
    def model(self) -> str:
        """The provider's model."""

    @property
    def unavailable(self) -> str | None:
        """Why it is not in the chain (no key, disabled), or None."""


class SessionBackend(Protocol):
    """One session at a time: live recording or a replay, feeding the bridge."""

    sessions_dir: Path | None
    """Where session journals are kept (None: the user's sessions folder)."""

    @property
    def active(self) -> bool:
        """A session is running (recording or replaying)."""

    @property
    def session_path(self) -> Path | None:
        """The journal of the current (or last) session."""

    def set_vocabulary(self, terms: Sequence[str]) -> None:
        """The words to listen for in the next session, besides the config's."""

    def start_live(self, device: str | None) -> Coroutine[Any, Any, None]:
        """Start recording from ``device`` (None = the configured inputs)."""

    def open(self, path: Path, speed: float) -> Coroutine[Any, Any, None]:
        """Show a saved session at once; replay a transcript or audio file."""

    def start_replay(self, path: Path, speed: float) -> Coroutine[Any, Any, None]:
        """Replay a session, transcript or audio file through the pipeline."""

    def pause(self) -> None:
        """Pause a replay."""

    def resume(self) -> None:
        """Resume a paused replay."""

    def set_speed(self, speed: float) -> None:
        """Replay speed; 0.0 = as fast as possible."""

    def moment(self) -> Mark | None:
        """The running session's moment now (its last line), for a mark made later; None when none runs."""

    def mark(self, kind: str, note: str, moment: Mark | None = None) -> None:
        """Mark ``moment`` (None: now) ("bookmark") or flag the last statement ("flag")."""

    def add_mark(self, path: Path, kind: str, note: str, chunk_id: int | None = None) -> Coroutine[Any, Any, Any]:
        """Mark a line of the saved session at ``path`` (not running): kept in its journal."""

    def name_speaker(self, speaker: str, name: str, path: Path | None = None) -> Coroutine[Any, Any, None]:
        """Name a speaker of the running session, or of the saved session at ``path``: kept in its journal."""

    def stop(self) -> Coroutine[Any, Any, None]:
        """Stop: flush the last utterance, finish analyses (bounded), close the journal."""

    def export(self, session: Path, output: Path, fmt: str) -> Coroutine[Any, Any, Path]:
        """Write ``session`` in ``fmt`` to ``output``."""

    def providers_state(self) -> Sequence[ProviderStatusLike]:
        """The configured providers, in chain order, with their state."""

    def retranscribe(
        self, path: Path, on_progress: Callable[[int, int], None] | None = None
    ) -> Coroutine[Any, Any, SecondPass]:
        """The second pass over the saved session's audio (``on_progress`` from a worker thread)."""

    def estimate(self, path: Path) -> Coroutine[Any, Any, ReviewEstimate]:
        """What reviewing the session at ``path`` would cost; nothing is sent."""

    def review(
        self, path: Path, on_progress: Callable[[ReviewProgress], None] | None = None
    ) -> Coroutine[Any, Any, ReviewRun]:
        """Review the session at ``path`` and add the review to its journal."""


def recent_sessions(directory: Path, limit: int = RECENT_MAX) -> list[tuple[Path, str]]:
    """The newest saved sessions as ``(journal, label)``: "2026-12-01 21:43:05",
    and "(unfinished)" for one that was never closed. Blocking (reads files)."""
    out = []
    for info in list_sessions(directory)[:limit]:
        day, _sep, clock = info.id.partition("_")
        label = f"{day} {clock.replace('-', ':')}" if clock else info.id
        out.append((info.path, label if info.closed else f"{label} (unfinished)"))
    return out


class SessionController(QObject):
    """Connects a ``MainWindow``'s intents to a ``SessionBackend``. Its one signal,
    ``second_pass_progress(done, total)``, carries the second pass's progress from its
    worker thread to the GUI thread."""

    second_pass_progress = Signal(int, int)

    def __init__(
        self,
        window: MainWindow,
        bridge: Bridge,
        backend: SessionBackend,
        messages: MessageHub,
        *,
        open_settings: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.bridge = bridge
        self.backend = backend
        self.messages = messages
        self._speed = 1.0
        self._stopping = False
        self._recent_asked = 0  # the newest listing asked for; older answers are stale
        self._recording = False  # a live recording runs (its end offers the second pass)
        self._posted_at_start = 0  # messages posted before the current session
        self._moment: Mark | None = None  # Ctrl+M's moment while its note is typed
        window.record_requested.connect(self.record)
        window.stop_requested.connect(self.stop)
        window.open_requested.connect(self.open)
        window.replay_requested.connect(self.replay)
        window.pause_requested.connect(self.pause)
        window.speed_changed.connect(self.set_speed)
        window.mark_begun.connect(self.begin_mark)
        window.mark_requested.connect(self.mark)
        window.speaker_named.connect(self.name_speaker)
        window.export_requested.connect(self.export)
        window.close_requested.connect(self.stop_and_close)
        if open_settings is not None:
            window.settings_requested.connect(open_settings)
        window.review_requested.connect(self.review)
        window.retranscribe_requested.connect(self.retranscribe)
        self.second_pass_progress.connect(self._second_pass_progress)
        self.sessions_dir = backend.sessions_dir or paths.sessions_dir()
        window.sessions_dir = self.sessions_dir
        bridge.event.connect(self._on_event)
        self.refresh_recent()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, (SessionStarted, SessionClosed)):  # a new journal, or one just closed
            self.refresh_recent()
        if isinstance(event, SessionStarted):
            self._posted_at_start = len(self.messages.history)
        if isinstance(event, SessionClosed) and self._recording:
            self._recording = False
            self._offer_second_pass()

    def _offer_second_pass(self) -> None:
        """After a live session that heard something, offer the second pass over its audio, unless
        a warning or error of the session is on show (it must not be pushed out of sight)."""
        if self.window.transcript_model.rowCount() == 0:
            return
        if any(m.level is not Level.INFO for m in self.messages.history[self._posted_at_start :]):
            return
        self.messages.post(
            Level.INFO,
            "The session is saved. Before the review, a stronger model can transcribe its audio again "
            "(also Session > Transcribe again…).",
            (MessageAction("Transcribe again", self.retranscribe),),
        )

    def refresh_recent(self) -> None:
        """File > Open Recent from the sessions folder (read in a worker thread). Listings
        can finish out of order (one asked as a session starts, one as it closes): only the
        newest one asked for is shown, so a closed session is never listed "(unfinished)"."""
        self._recent_asked += 1
        asked = self._recent_asked

        def show(sessions: list[tuple[Path, str]]) -> None:
            if asked == self._recent_asked:
                self.window.set_recent(sessions)

        self.bridge.run_blocking(recent_sessions, self.sessions_dir, what="Listing recent sessions", on_result=show)

    # -- status ------------------------------------------------------------------------
    def hint_if_no_provider(self) -> None:
        """First run without any usable provider: say how to add one."""
        states = list(self.backend.providers_state())
        if not any(s.unavailable is None for s in states):
            self.messages.info(NO_PROVIDER_HINT)

    # -- intents -------------------------------------------------------------------------
    def record(self, device: str | None) -> None:
        if self.backend.active:
            return
        self.window.clear_session()
        self.backend.set_vocabulary(split_terms(self.window.vocabulary_text()))
        self._recording = True
        self.bridge.run(self.backend.start_live(device), what="Starting the recording")

    def open(self, path: str) -> None:
        """File > Open: a saved session is shown at once; a transcript or audio file is replayed."""
        self._start(path, self.backend.open(Path(path), self._speed), f"Opening {Path(path).name}")

    def replay(self, path: str) -> None:
        """File > Replay (and ``annotator replay``): replay any file, a saved session included."""
        self._start(path, self.backend.start_replay(Path(path), self._speed), f"Replaying {Path(path).name}")

    def _start(self, path: str, coro: Coroutine[Any, Any, None], what: str) -> None:
        if self.backend.active:
            coro.close()
            self.messages.info("Stop the current session before opening another file.")
            return
        self.window.clear_session()
        self.backend.set_vocabulary(split_terms(self.window.vocabulary_text()))
        self._recording = False
        self.window.setWindowTitle(f"annotator — {Path(path).name}")
        self.bridge.run(coro, what=what)

    def pause(self, paused: bool) -> None:
        if not self.backend.active:
            return
        try:
            if paused:
                self.backend.pause()
            else:
                self.backend.resume()
        except AnnotatorError as err:
            self.messages.error(str(err))

    def set_speed(self, speed: float) -> None:
        self._speed = speed
        if self.backend.active:
            self.backend.set_speed(speed)

    def begin_mark(self) -> None:
        """Ctrl+M: take the moment now; the bookmark that follows (its note typed meanwhile,
        while the talk goes on) is made there. On a saved session, the line selected now."""
        if self.backend.active:
            self._moment = self.backend.moment()
        else:
            line = self.window.selected_line()
            self._moment = None if line is None else Mark(0.0, chunk_id=line)

    def mark(self, kind: str, note: str) -> None:
        """A running session marks its last line; a saved one on screen (opened, or
        ended) the selected line, else its last, and keeps it in its journal. A bookmark
        begun with Ctrl+M is made at the moment Ctrl+M was pressed (``begin_mark``)."""
        moment, self._moment = (self._moment, None) if kind == "bookmark" else (None, self._moment)
        if self.backend.active:
            try:
                self.backend.mark(kind, note, moment)
            except AnnotatorError as err:
                self.messages.error(str(err))
            return
        path = self.window.session_path or self.backend.session_path
        if path is None:
            self.messages.info("Start a recording or open a session first; marks belong to a session.")
            return
        line = moment.chunk_id if moment is not None else self.window.selected_line()
        self.bridge.run(self.backend.add_mark(path, kind, note, line), what="Saving the mark")

    def name_speaker(self, speaker: str, name: str) -> None:
        """Name a speaker of the running session, or of the saved session on screen (kept in its journal)."""
        path = None if self.backend.active else self.window.session_path or self.backend.session_path
        self.bridge.run(self.backend.name_speaker(speaker, name, path), what="Naming the speaker")

    def stop(self) -> None:
        if not self.backend.active or self._stopping:
            return
        self._stopping = True
        self.window.set_state("Stopping: finishing the last utterance…")

        def done(_r: object = None) -> None:
            self._stopping = False
            self.refresh_recent()  # a session in which nothing was heard is not kept

        self.bridge.run(self.backend.stop(), what="Stopping the session", on_result=done, on_failure=done)

    def stop_and_close(self) -> None:
        """Quit confirmed while a session runs: stop it (flushing everything), then close."""

        def close(_r: object = None) -> None:
            self.window.may_close = True
            self.window.close()

        if not self.backend.active:
            close()
            return
        self.window.set_state("Stopping before quitting…")
        self.bridge.run(self.backend.stop(), what="Stopping the session", on_result=close, on_failure=close)

    def export(self, output: str, fmt: str) -> None:
        session = self.backend.session_path or self.window.session_path
        if session is None:
            self.messages.info("There is no session to export yet: record or replay something first.")
            return
        self.bridge.run(
            self.backend.export(session, Path(output), fmt),
            what="Exporting the session",
            on_result=lambda path: self.messages.info(f"Exported the session to {path}."),
        )

    # -- the second pass over the audio -------------------------------------------------------
    def retranscribe(self) -> None:
        """Transcribe the ended session's saved audio again with the second-pass model, in the
        background with progress; then show the session again with the new text."""
        if self.window.reviewing:
            return
        if self.backend.active:
            self.messages.info("Stop the session first: the second pass reads its audio once the session has ended.")
            return
        path = self.window.session_path or self.backend.session_path
        if path is None:
            self.messages.info("There is no session to transcribe again yet: record or open a session first.")
            return
        self.window.set_reviewing(True, "Transcribing again: loading the model…")

        def done(result: SecondPass) -> None:
            self.window.set_reviewing(False, "Ready")
            self.messages.info(result.sentence())
            self.open(str(path))  # shown again, with the new text

        self.bridge.run(
            self.backend.retranscribe(path, self.second_pass_progress.emit),
            what="Transcribing the session again",
            on_result=done,
            on_failure=lambda _err: self.window.cancel_review(),
        )

    def _second_pass_progress(self, done: int, total: int) -> None:
        if self.window.reviewing:
            self.window.set_state(f"Transcribing again: {done} of {total} lines")

    # -- the post-session review ------------------------------------------------------------
    def review(self) -> None:
        """Cost first: estimate, ask, then review in the background and show the result."""
        if self.window.reviewing:
            return
        if self.backend.active:
            self.messages.info(
                "Stop the session first: the review reads the whole transcript once the session has ended."
            )
            return
        path = self.window.session_path or self.backend.session_path  # the session on screen
        if path is None:
            self.messages.info("There is no session to review yet: record, replay or open a session first.")
            return
        self.window.set_reviewing(True, "Estimating the review's cost…")
        self.bridge.run(
            self.backend.estimate(path),
            what="Estimating the review",
            on_result=lambda estimate: self._ask_review(path, estimate),
            on_failure=lambda _err: self.window.cancel_review(),
        )

    def _ask_review(self, path: Path, estimate: ReviewEstimate) -> None:
        if not self.window.confirm("Review this session?", confirm_text(format_estimate(estimate))):
            self.window.cancel_review()
            self.messages.info("The review was not run; nothing was sent.")
            return
        self.window.set_reviewing(True, "Reviewing: sending the transcript…")

        def failed(_err: BaseException) -> None:
            self.window.set_reviewing(False, "Review failed")

        self.bridge.run(
            self.backend.review(path, self._review_progress),
            what="Reviewing the session",
            on_result=self._reviewed,
            on_failure=failed,
        )

    def _review_progress(self, progress: ReviewProgress) -> None:
        if self.window.reviewing:
            self.window.set_state(progress_text(progress))

    def _reviewed(self, run: ReviewRun) -> None:
        self.window.set_reviewing(False)
        shown = self.window.session_path
        if shown is None or Path(shown) != run.path:
            outcome = "is saved in its journal" if run.review.ok else "got no valid answer (saved in its journal)"
            self.messages.info(f"The review of {run.path.name} {outcome}; open that session to see it.")
            return
        self.window.show_review(run.review, run.flags)
