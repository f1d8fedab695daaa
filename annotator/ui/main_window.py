"""The main window: toolbar, transcript beside flags, sentiment timeline, messages, status bar.

The window renders what the bridge delivers and announces what the user asks
for as signals; it starts nothing itself (``SessionController`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QAction, QCloseEvent, QStatusTipEvent
from PySide6.QtWidgets import QLineEdit, QMainWindow, QMenu, QWidget

from annotator.analysis.review_model import LiveFlag, Review
from annotator.models import Analysis, Chunk, Mark
from annotator.sessions.events import (
    AnalysisHeld,
    AnalysisReleased,
    Backlog,
    Event,
    Opened,
    PartialText,
    Providers,
    Recording,
    ReplayStarted,
    ReviewShown,
    SessionStarted,
    SpeakerNamed,
    Stopped,
    TranscriptionBacklog,
    Unanalysed,
)
from annotator.text.quotes import QuoteIndex
from annotator.ui.bridge import Bridge
from annotator.ui.dialogs import Confirm, ask_user, pick_export, pick_file
from annotator.ui.flag import Flag, flag_from_mark
from annotator.ui.flags_view import FlagsView
from annotator.ui.format import LISTENING, NOTHING_TO_EXPORT, REPLAYING, backlog_warning, held_note, unanalysed_warning
from annotator.ui.level_meter import LevelMeter
from annotator.ui.messages import MessageArea, MessageHub
from annotator.ui.note_field import NoteField, ask_note
from annotator.ui.pickers import DevicePicker, SpeedPicker
from annotator.ui.review_panel import ReviewPanel
from annotator.ui.review_verdicts import card_reviews, failed_message, missed_flags, panel_text
from annotator.ui.run_state import RunState, after_event
from annotator.ui.session_news import SessionNews
from annotator.ui.speaker_names import SpeakerNamer
from annotator.ui.status_bar import StatusBar
from annotator.ui.timeline import Point, SentimentTimeline
from annotator.ui.transcript_view import TranscriptModel, TranscriptView
from annotator.ui.window_layout import (
    ACTIONS,
    build_menu,
    build_panes,
    build_toolbar,
    fill_recent,
    input_column,
    make_action,
)

RECENT_MAX = 8
"""Sessions listed under File > Open Recent."""


class MainWindow(QMainWindow):
    """The annotator window.

    Signals (the user's intents, handled by ``SessionController``):
        record_requested(str | None): start recording from this device (None = the configured default).
        stop_requested(): stop recording or replay.
        open_requested(str): show this saved session at once; replay a transcript or audio file.
        replay_requested(str): replay this session, transcript or audio file in (accelerated) real time.
        pause_requested(bool): True to pause a replay, False to resume.
        speed_changed(float): replay speed (0.0 = as fast as possible).
        mark_begun(): Ctrl+M was pressed: the moment to mark is now (its note follows).
        mark_requested(str, str): kind ("bookmark" | "flag") and note.
        speaker_named(str, str): the user named speaker id (``S1``) this ("" takes the name back).
        export_requested(str, str): output path and format ("md" | "json" | "srt" | "vtt").
        settings_requested(): open the settings dialog.
        review_requested(): review the open (ended) session with the post-session chain.
        retranscribe_requested(): transcribe the open (ended) session's saved audio again.
        close_requested(): the user wants to quit while a session runs, and said yes.
        closed(): the window closed (the app then shuts down).
    """

    record_requested = Signal(object)
    stop_requested = Signal()
    open_requested = Signal(str)
    replay_requested = Signal(str)
    pause_requested = Signal(bool)
    speed_changed = Signal(float)
    mark_begun = Signal()
    mark_requested = Signal(str, str)
    speaker_named = Signal(str, str)
    export_requested = Signal(str, str)
    settings_requested = Signal()
    review_requested = Signal()
    retranscribe_requested = Signal()
    close_requested = Signal()
    closed = Signal()

    def __init__(self, messages: MessageHub, *, confirm: Confirm | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("annotator")
        self.resize(1280, 800)
        self.messages = messages
        self.confirm: Confirm = confirm or ask_user(self)
        self.active = False  # a recording or replay is running
        self.replaying = False
        self.paused = False
        self.may_close = False  # set once the session has been stopped for quitting
        self.reviewing = False  # a post-session review is running
        self.news = SessionNews()  # which flags and warnings this session has shown
        self._before_review = ""  # the state to restore when a review is declined or fails to start
        self._quotes = QuoteIndex()  # the transcript's lines by word: a flag's earlier statement without a scan
        self.session_path: Path | None = None
        self.sessions_dir: Path | None = None  # where File > Open starts (set by the app)

        self.transcript_model = TranscriptModel(self)
        self.transcript = TranscriptView(self.transcript_model, self)
        self.flags = FlagsView(self)
        self.review_panel = ReviewPanel(self)
        self.timeline = SentimentTimeline(self)
        self.message_area = MessageArea(messages, self)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.level_meter = LevelMeter(self)
        self.device_combo = DevicePicker(self)
        self.speed_combo = SpeedPicker(self)
        self.vocabulary_edit = QLineEdit(self)
        self.vocabulary_edit.setObjectName("vocabularyField")
        self.vocabulary_edit.setPlaceholderText("Vocabulary: names, terms…")
        self.vocabulary_edit.setToolTip(
            "Words to listen for in this session, separated by commas (the candidate's name, companies, "
            "technologies), besides the config's and --vocabulary's; kept in the session's journal"
        )
        self.speed_combo.currentIndexChanged.connect(lambda _i: self.speed_changed.emit(self.speed_combo.speed()))

        self._build_actions()
        self.toolbar = build_toolbar(
            self,
            (
                self.act_record,
                self.act_stop,
                input_column(self, self.device_combo, self.vocabulary_edit, self.level_meter),
                None,
                self.act_open,
                self.act_pause,
                self.speed_combo,
                None,
                self.act_mark,
                self.act_flag,
                self.act_next_flag,
                None,
                self.act_review,
                self.act_export,
                self.act_settings,
            ),
        )
        self.toolbar.widgetForAction(self.act_record).setObjectName("recordButton")
        self.toolbar.widgetForAction(self.act_stop).setObjectName("stopButton")
        self.recent_menu = QMenu("Open &Recent", self)
        fill_recent(self.recent_menu, (), self.open_requested.emit)
        build_menu(
            self,
            "&File",
            (
                self.act_open,
                self.recent_menu,
                self.act_replay,
                self.act_export,
                None,
                self.act_settings,
                None,
                self.act_quit,
            ),
        )
        self.session_menu = build_menu(
            self,
            "&Session",
            (
                self.act_record,
                self.act_stop,
                self.act_pause,
                None,
                self.act_mark,
                self.act_flag,
                self.act_next_flag,
                None,
                self.act_review,
                self.act_retranscribe,
                None,
                self.act_follow,
            ),
        )
        panes = build_panes(
            self,
            transcript=self.transcript,
            flags=self.flags,
            review=self.review_panel,
            timeline=self.timeline,
            messages=self.message_area,
        )
        self.review_section, self.right_split = panes.review_section, panes.right_split

        self.flags.flag_clicked.connect(self.show_flag)
        self.speaker_namer = SpeakerNamer(self)
        self.transcript.speaker_clicked.connect(self.speaker_namer.ask)
        self.speaker_namer.named.connect(self.speaker_named)
        self.timeline.chunk_clicked.connect(lambda cid: self.transcript.select_chunks([cid]))
        self._sync_actions()

    # -- construction ------------------------------------------------------------
    def _build_actions(self) -> None:
        def action(name: str, slot: Callable[[], object]) -> QAction:
            return make_action(self, ACTIONS[name], slot)

        self.act_record = action("record", lambda: self.record_requested.emit(self.device_combo.currentData()))
        self.act_stop = action("stop", self.stop_requested.emit)
        self.act_open = action("open", lambda: self._pick("Open", self.open_requested.emit))
        self.act_replay = action("replay", lambda: self._pick("Replay", self.replay_requested.emit))
        self.act_pause = action("pause", lambda: self.pause_requested.emit(not self.paused))
        self.act_mark = action("mark", self.ask_mark_note)
        self.act_flag = action("flag", lambda: self.mark_requested.emit("flag", ""))
        self.act_next_flag = action("next_flag", self._on_next_flag)
        self.act_export = action("export", self._on_export)
        self.act_review = action("review", self.review_requested.emit)
        self.act_retranscribe = action("retranscribe", self.retranscribe_requested.emit)
        self.act_settings = action("settings", self.settings_requested.emit)
        self.act_quit = action("quit", self.close)
        self.act_follow = action("follow", self.transcript.scroll_to_newest)

    # -- the user's intents ------------------------------------------------------------
    def ask_mark_note(self) -> NoteField:
        """Ctrl+M: the moment is taken now (``mark_begun``), then a note field opens; Enter marks
        that moment with the note, Esc bare (``mark_requested("bookmark", note)``)."""
        self.mark_begun.emit()
        return ask_note(self, self.transcript, lambda note: self.mark_requested.emit("bookmark", note))

    def _on_next_flag(self) -> None:
        if not self.flags.select_next():
            self.messages.info("There are no flags yet to jump to.")

    def open_start_dir(self) -> str:
        """Where File > Open starts: the sessions folder (else Qt's default)."""
        return str(self.sessions_dir) if self.sessions_dir is not None else ""

    def _pick(self, verb: str, then: Callable[[str], None]) -> None:
        path = pick_file(self, f"{verb} a session, transcript or audio file", self.open_start_dir())
        if path:
            then(path)

    def set_recent(self, sessions: Sequence[tuple[Path, str]]) -> None:
        """File > Open Recent: these ``(journal, label)`` pairs, newest first."""
        fill_recent(self.recent_menu, sessions[:RECENT_MAX], lambda path: self.open_requested.emit(str(path)))
        self._sync_actions()

    def _on_export(self) -> None:
        if self.session_path is None:  # said before any dialog opens
            self.messages.info(NOTHING_TO_EXPORT)
            return
        chosen = pick_export(self, self.session_path.with_suffix(".md"))
        if chosen is not None:
            self.export_requested.emit(*chosen)

    def set_devices(self, devices: Sequence[tuple[str, str]], configured: Sequence[str] = ()) -> None:
        """Offer these input devices as (id, label) pairs (``DevicePicker.set_devices``)."""
        self.device_combo.set_devices(devices, configured)

    def devices(self) -> list[tuple[str, str]]:
        """The input devices offered, as (id, label) pairs."""
        return self.device_combo.devices()

    def set_speed(self, speed: float) -> None:
        """Select this replay speed (0.0 = as fast as possible), adding it if it is not offered."""
        self.speed_combo.set_speed(speed)

    def set_state(self, text: str) -> None:
        """Show ``text`` as what the window is doing (the status bar's first field)."""
        self.status.set_state(text)

    def selected_line(self) -> int | None:
        """The last selected transcript line's chunk id, or None."""
        selected = self.transcript.selected_chunk_ids()
        return selected[-1] if selected else None

    # -- what the pipeline delivers (connected to the Bridge) ---------------------------
    def attach(self, bridge: Bridge) -> None:
        """Render everything the bridge delivers."""
        bridge.chunk.connect(self.on_chunk)
        bridge.analysis.connect(self.on_analysis)
        bridge.mark.connect(self.on_mark)
        bridge.event.connect(self.on_event)
        bridge.level.connect(self.on_level)

    def on_chunk(self, chunk: Chunk) -> None:
        self.transcript_model.add_chunk(chunk)
        self._quotes.add(chunk)
        self.timeline.add_line(chunk)

    def on_analysis(self, analysis: Analysis) -> None:
        self.transcript_model.set_analysis(analysis)
        self.status.show_analysis(analysis)
        chunks = self.transcript_model.chunks()
        if analysis.insight is not None:
            at = max((chunks[i].start for i in analysis.chunk_ids if i in chunks), default=self.timeline.end)
            cid = analysis.chunk_ids[-1] if analysis.chunk_ids else -1
            s = analysis.insight.sentiment
            self.timeline.add_point(Point(cid, at, s.score, s.label, analysis.local))
        for flag in self.news.flags(analysis, chunks, self._quotes):
            self._show_flag(flag)
        for warning in self.news.warnings(analysis):
            self.messages.warning(warning.text, details=warning.details, kind=warning.kind)

    def add_flag(self, flag: Flag) -> None:
        """Show a flag once: a contradiction repeated in a later answer adds no second card."""
        if self.news.admit(flag):
            self._show_flag(flag)

    def _show_flag(self, flag: Flag) -> None:
        self.flags.add_flag(flag)
        self.transcript_model.set_flagged([flag.chunk_id])
        self.timeline.add_flag(flag.at)

    def on_mark(self, mark: Mark) -> None:
        flag = flag_from_mark(mark, self.transcript_model.chunks())
        if flag is not None:
            self.add_flag(flag)
        else:
            self.timeline.add_mark(mark.at, mark.note)
            self.status.show_note(f"Marked {mark.at:.0f} s" + (f": {mark.note}" if mark.note else ""), 3000)

    def on_event(self, event: Event) -> None:
        if isinstance(event, PartialText):  # several a second while someone talks: nothing else changes
            self.transcript_model.set_partial(event.source, event.start, event.text, event.speaker or "")
            return
        now, state = after_event(
            RunState(self.active, self.replaying, self.paused), event, self.status.current_state, len(self.flags.cards)
        )
        self.active, self.replaying, self.paused = now.active, now.replaying, now.paused
        match event:
            case Recording():
                self.status.start_timer()
                self.transcript.set_placeholder(LISTENING)
            case ReplayStarted():
                self.status.hide_timer()
                self.transcript.set_placeholder(REPLAYING)
            case Stopped():
                self.transcript_model.clear_partials()
                self.status.stop_timer()
                self.transcript.set_placeholder(TranscriptView.placeholder)
            case SessionStarted(path=path):
                self.session_path = Path(path) if path else None
                if self.session_path:
                    self.setWindowTitle(f"annotator — {self.session_path.name}")
            case ReviewShown(run=run) if (
                run is not None
            ):  # a saved session's latest review (at once, or after its replay)
                self.show_review(run.review, run.flags, stored=True)
                state = None
            case Opened(vocabulary=terms):  # the field shows what the session on screen listened for
                self.set_vocabulary(terms or ())
            case SpeakerNamed(id=speaker, name=name):
                self.transcript_model.name_speaker(speaker, name)
                self.flags.name_speaker(speaker, self.transcript_model.chunks())
                self.timeline.name_speaker(speaker, name)
            case Backlog() | TranscriptionBacklog():
                warning = backlog_warning(event)
                if warning is not None:
                    self.messages.warning(warning)
            case AnalysisHeld():
                self.status.show_note(held_note(event))
            case AnalysisReleased():
                self.status.clear_note()
            case Unanalysed():
                warning = unanalysed_warning(event)
                if warning is not None:
                    self.messages.warning(warning, kind="unanalysed")
            case Providers(
                states=states
            ):  # the session pushes the chain's state: keys checked, started, after each analysis
                self.status.providers.set_states(states)
        if state is not None:
            self.status.set_state(state)
        self.timeline.set_live(self.active)
        self._sync_actions()

    def set_vocabulary(self, terms: Sequence[str]) -> None:
        """Fill the vocabulary field (``--vocabulary``, or a saved session's terms)."""
        self.vocabulary_edit.setText(", ".join(terms))

    def vocabulary_text(self) -> str:
        return self.vocabulary_edit.text()

    def on_level(self, source: str, level: float) -> None:
        self.level_meter.set_level(level)

    def _sync_actions(self) -> None:
        self.act_record.setEnabled(not self.active)
        self.act_open.setEnabled(not self.active)
        self.recent_menu.setEnabled(not self.active)
        self.act_replay.setEnabled(not self.active)
        self.device_combo.setEnabled(not self.active)
        self.vocabulary_edit.setEnabled(not self.active)
        self.act_stop.setEnabled(self.active)
        self.act_pause.setEnabled(self.active and self.replaying)
        self.act_pause.setText("▶ Resume" if self.paused else "Pause")
        self.act_review.setEnabled(self.session_path is not None and not self.active and not self.reviewing)
        self.act_retranscribe.setEnabled(self.session_path is not None and not self.active and not self.reviewing)

    def clear_session(self) -> None:
        """Empty every pane before a new recording or replay."""
        self.transcript_model.clear()
        self.flags.clear()
        self.timeline.clear()
        self.status.reset_usage()
        self.status.hide_timer()
        self.news.clear()
        self._quotes.clear()
        self.session_path = None
        self.review_panel.clear()
        self.review_section.hide()
        self._sync_actions()

    # -- the post-session review -----------------------------------------------------------
    def set_reviewing(self, on: bool, state: str | None = None) -> None:
        """A review started (True) or ended (False); ``state`` goes to the status bar."""
        if on and not self.reviewing:
            self._before_review = self.status.current_state
        self.reviewing = on
        if state is not None:
            self.status.set_state(state)
        self._sync_actions()

    def cancel_review(self) -> None:
        """The review did not run (declined, or its estimate failed): the state before it returns."""
        self.set_reviewing(False, self._before_review)

    def show_review(self, review: Review, flags: Sequence[LiveFlag], *, stored: bool = False) -> None:
        """Show a finished review beside the live flags: a verdict on each live
        card, a card per missed contradiction, and the review panel. Its cost
        joins the status bar's total. Without a result, the error and what to
        do (not for a ``stored`` one, read back from a journal: only its cost)."""
        self.status.add_usage(review.attempts)
        if review.result is None:
            if not stored:
                self.messages.error(failed_message(review))
                self.status.set_state("Review failed")
            return
        self.review_panel.show_text(panel_text(review))
        self.review_section.show()  # first: the flags pane shrinks, then the new cards are scrolled into view
        missed = missed_flags(review, self.transcript_model.chunks())
        self.flags.apply_review(card_reviews(flags, review.result), missed)
        self.timeline.clear_review_flags()
        for flag in missed:
            if flag.chunk_id is not None:
                self.transcript_model.set_flagged([flag.chunk_id])
            self.timeline.add_review_flag(flag.at)
        self.status.set_state("Reviewed")

    # -- flags ------------------------------------------------------------------------
    def show_flag(self, flag: Flag) -> None:
        """Select both statements of a flag in the transcript."""
        found = self.transcript.select_chunks([flag.chunk_id, flag.earlier_chunk_id])
        if flag.earlier and flag.earlier_chunk_id is None:
            self.status.show_note("The earlier statement was not found word for word in the transcript.", 5000)
        elif not found:
            self.status.show_note("The flagged statements are not in this transcript.", 5000)

    # -- the status bar ---------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        """A hovered button's tip goes where notes go, never over the state."""
        if isinstance(event, QStatusTipEvent):
            self.status.show_note(event.tip())
            return True
        return super().event(event)

    # -- closing --------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.active and not self.may_close:
            what = "replaying a file" if self.replaying else "recording"
            if not self.confirm(
                "Quit annotator?",
                f"annotator is {what}. Stop and quit? Everything transcribed so far is saved in the session journal.",
            ):
                event.ignore()
                return
            event.ignore()
            self.close_requested.emit()
            return
        if (
            self.reviewing
            and not self.may_close
            and not self.confirm(
                "Quit annotator?",
                "The session review is still running. Quit and drop it? Its answer would be lost, "
                "though the provider may still bill the request.",
            )
        ):
            event.ignore()
            return
        event.accept()
        self.closed.emit()
