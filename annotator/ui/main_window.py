"""The main window: toolbar, transcript beside flags, sentiment timeline, messages, status bar.

The window renders what the bridge delivers and announces what the user asks
for as signals; it starts nothing itself (``SessionController`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QStatusTipEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from annotator.analysis.review_model import LiveFlag, Review
from annotator.models import Analysis, Chunk, Mark
from annotator.ui.bridge import Bridge
from annotator.ui.flag import Flag, QuoteIndex, flag_from_mark
from annotator.ui.flags_view import FlagsView
from annotator.ui.format import backlog_warning, held_note, opened_state, recording_state, unanalysed_warning
from annotator.ui.level_meter import LevelMeter
from annotator.ui.messages import MessageArea, MessageHub
from annotator.ui.review_panel import ReviewPanel
from annotator.ui.review_verdicts import (
    card_reviews,
    failed_message,
    missed_flags,
    panel_text,
)
from annotator.ui.session_news import SessionNews
from annotator.ui.status_bar import StatusBar
from annotator.ui.timeline import Point, SentimentTimeline
from annotator.ui.transcript_view import TranscriptModel, TranscriptView

SPEEDS: tuple[tuple[str, float], ...] = (("1×", 1.0), ("2×", 2.0), ("4×", 4.0), ("max", 0.0))
"""Replay speeds offered; 0.0 means as fast as possible (the pipeline's ``MAX_SPEED``)."""

OPEN_FILTER = (
    "Sessions, transcripts and audio (*.jsonl *.json *.txt *.srt *.vtt *.wav *.flac *.mp3 *.m4a *.ogg);;"
    "Session journals (*.jsonl *.json);;Transcripts (*.txt *.srt *.vtt);;Audio (*.wav *.flac *.mp3 *.m4a *.ogg);;All files (*)"
)
EXPORT_FORMATS = {"Markdown (*.md)": "md", "JSON (*.json)": "json", "SubRip subtitles (*.srt)": "srt", "WebVTT (*.vtt)": "vtt"}

Confirm = Callable[[str, str], bool]

LISTENING = "Listening… Each utterance appears here a moment after it ends (at a pause in the speech)."
REPLAYING = "Replaying… The lines appear here as they are read or transcribed."
RECENT_MAX = 8
"""Sessions listed under File > Open Recent."""
NOTHING_TO_EXPORT = "There is no session to export yet: record or replay something first."


def ask_user(parent: QWidget) -> Confirm:
    """A yes/no question as a modal message box (replaced in tests)."""

    def confirm(title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    return confirm


class MainWindow(QMainWindow):
    """The annotator window.

    Signals (the user's intents, handled by ``SessionController``):
        record_requested(str | None): start recording from this device (None = the configured default).
        stop_requested(): stop recording or replay.
        open_requested(str): show this saved session at once; replay a transcript or audio file.
        replay_requested(str): replay this session, transcript or audio file in (accelerated) real time.
        pause_requested(bool): True to pause a replay, False to resume.
        speed_changed(float): replay speed (0.0 = as fast as possible).
        mark_requested(str, str): kind ("bookmark" | "flag") and note.
        export_requested(str, str): output path and format ("md" | "json" | "srt" | "vtt").
        settings_requested(): open the settings dialog.
        review_requested(): review the open (ended) session with the post-session chain.
        close_requested(): the user wants to quit while a session runs, and said yes.
        closed(): the window closed (the app then shuts down).
    """

    record_requested = Signal(object)
    stop_requested = Signal()
    open_requested = Signal(str)
    replay_requested = Signal(str)
    pause_requested = Signal(bool)
    speed_changed = Signal(float)
    mark_requested = Signal(str, str)
    export_requested = Signal(str, str)
    settings_requested = Signal()
    review_requested = Signal()
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
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("deviceCombo")
        self.device_combo.setMinimumContentsLength(11)
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setToolTip("Input device to record from")
        self.device_combo.addItem("Default input", None)
        self.speed_combo = QComboBox(self)
        self.speed_combo.setToolTip("Replay speed")
        for label, speed in SPEEDS:
            self.speed_combo.addItem(label, speed)
        self.speed_combo.currentIndexChanged.connect(lambda i: self.speed_changed.emit(float(self.speed_combo.itemData(i))))

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._build_layout()

        self.flags.flag_clicked.connect(self.show_flag)
        self.timeline.chunk_clicked.connect(lambda cid: self.transcript.select_chunks([cid]))
        self._sync_actions()

    # -- construction ------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey | None, tip: str, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_record = self._action("● Record", "Ctrl+R", "Start recording from the selected input", self._on_record)
        self.act_stop = self._action("■ Stop", "Ctrl+.", "Stop recording or replay; the last utterance is kept", self.stop_requested.emit)
        self.act_open = self._action(
            "Open…", QKeySequence.StandardKey.Open,
            "Open a saved session (shown at once, with its analyses), or replay a transcript or audio file", self._on_open,
        )
        self.act_replay = self._action(
            "Replay…", None, "Replay a session, transcript or audio file as it was said, at the chosen speed", self._on_replay
        )
        self.act_pause = self._action("Pause", "Ctrl+P", "Pause or resume the replay", self._on_pause)
        self.act_mark = self._action("Mark moment", "Ctrl+M", "Bookmark this moment in the session", lambda: self.mark_requested.emit("bookmark", ""))
        self.act_flag = self._action("Flag last statement", "Ctrl+F", "Flag the last statement for review", lambda: self.mark_requested.emit("flag", ""))
        self.act_next_flag = self._action("Next flag", "Ctrl+J", "Jump to the next flag and show both statements", self._on_next_flag)
        self.act_export = self._action("Export…", "Ctrl+E", "Export this session as Markdown, JSON, SRT or VTT", self._on_export)
        self.act_review = self._action(
            "Review session…", "Ctrl+Shift+R",
            "Send the whole transcript to the review chain: check the live flags, find missed contradictions (asks first, with the cost)",
            self.review_requested.emit,
        )
        self.act_settings = self._action("Settings…", "Ctrl+,", "Providers, keys, transcription and input devices", self.settings_requested.emit)
        self.act_quit = self._action("Quit", QKeySequence.StandardKey.Quit, "Quit annotator", self.close)
        self.act_follow = self._action("Follow newest line", "End", "Scroll to the newest line and keep following", self.transcript.scroll_to_newest)
        # the toolbar's short labels (the menus keep the full ones): every button fits at 900 px
        for action, short in ((self.act_open, "Open"), (self.act_mark, "Mark"), (self.act_flag, "Flag"), (self.act_next_flag, "Next ⚑"),
                              (self.act_review, "Review"), (self.act_export, "Export"), (self.act_settings, "Settings")):
            action.setIconText(short)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Session", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addAction(self.act_record)
        bar.addAction(self.act_stop)
        source = QWidget(bar)  # the input picker with its level right under it: one toolbar slot
        column = QVBoxLayout(source)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.device_combo)
        column.addWidget(self.level_meter)
        bar.addWidget(source)
        bar.addSeparator()
        bar.addAction(self.act_open)
        bar.addAction(self.act_pause)
        bar.addWidget(self.speed_combo)
        bar.addSeparator()
        bar.addAction(self.act_mark)
        bar.addAction(self.act_flag)
        bar.addAction(self.act_next_flag)
        bar.addSeparator()
        bar.addAction(self.act_review)
        bar.addAction(self.act_export)
        bar.addAction(self.act_settings)
        self.addToolBar(bar)
        self.toolbar = bar
        bar.widgetForAction(self.act_record).setObjectName("recordButton")
        bar.widgetForAction(self.act_stop).setObjectName("stopButton")

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.addAction("No sessions yet").setEnabled(False)
        for a in (self.act_replay, self.act_export, None, self.act_settings, None, self.act_quit):
            m.addSeparator() if a is None else m.addAction(a)
        m = self.menuBar().addMenu("&Session")
        for a in (self.act_record, self.act_stop, self.act_pause, None, self.act_mark, self.act_flag, self.act_next_flag, None, self.act_review, None, self.act_follow):
            m.addSeparator() if a is None else m.addAction(a)
        self.session_menu = m

    def _build_layout(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        left = QWidget(split)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(8, 8, 4, 0)
        lv.addWidget(self._heading("Transcript", left))
        lv.addWidget(self.transcript, 1)
        right = QSplitter(Qt.Orientation.Vertical, split)
        right.setChildrenCollapsible(False)
        flags = QWidget(right)
        rv = QVBoxLayout(flags)
        rv.setContentsMargins(4, 8, 8, 0)
        rv.addWidget(self._heading("Flags", flags))
        rv.addWidget(self.flags, 1)
        review = QWidget(right)
        review.setObjectName("reviewSection")
        rr = QVBoxLayout(review)
        rr.setContentsMargins(4, 4, 8, 0)
        rr.addWidget(self._heading("Review", review))
        rr.addWidget(self.review_panel, 1)
        right.addWidget(flags)
        right.addWidget(review)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        review.hide()
        self.review_section = review
        self.right_split = right
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 480])
        central = QWidget(self)
        v = QVBoxLayout(central)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(4)
        v.addWidget(split, 1)
        tl = QVBoxLayout()
        tl.setContentsMargins(8, 0, 8, 4)
        tl.addWidget(self._heading("Sentiment", central))
        tl.addWidget(self.timeline)
        v.addLayout(tl)
        v.addWidget(self.message_area)
        self.setCentralWidget(central)

    @staticmethod
    def _heading(text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName("paneHeading")
        return label

    # -- the user's intents ------------------------------------------------------------
    def _on_record(self) -> None:
        self.record_requested.emit(self.device_combo.currentData())

    def _on_pause(self) -> None:
        self.pause_requested.emit(not self.paused)

    def _on_next_flag(self) -> None:
        if not self.flags.select_next():
            self.messages.info("There are no flags yet to jump to.")

    def open_start_dir(self) -> str:
        """Where File > Open starts: the sessions folder (else Qt's default)."""
        return str(self.sessions_dir) if self.sessions_dir is not None else ""

    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a session, transcript or audio file", self.open_start_dir(), OPEN_FILTER)
        if path:
            self.open_requested.emit(path)

    def _on_replay(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Replay a session, transcript or audio file", self.open_start_dir(), OPEN_FILTER)
        if path:
            self.replay_requested.emit(path)

    def set_recent(self, sessions: Sequence[tuple[Path, str]]) -> None:
        """File > Open Recent: these ``(journal, label)`` pairs, newest first."""
        menu = self.recent_menu
        menu.clear()
        for i, (path, label) in enumerate(sessions[:RECENT_MAX], 1):
            action = menu.addAction(f"&{i} {label}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_requested.emit(str(p)))
        if menu.isEmpty():
            menu.addAction("No sessions yet").setEnabled(False)
        self._sync_actions()

    def _on_export(self) -> None:
        if self.session_path is None:  # said before any dialog opens
            self.messages.info(NOTHING_TO_EXPORT)
            return
        start = str(self.session_path.with_suffix(".md"))
        path, chosen = QFileDialog.getSaveFileName(self, "Export session", start, ";;".join(EXPORT_FORMATS))
        if path:
            fmt = EXPORT_FORMATS.get(chosen) or Path(path).suffix.lstrip(".").lower()
            self.export_requested.emit(path, fmt)

    def set_devices(self, devices: Sequence[tuple[str, str]], configured: Sequence[str] = ()) -> None:
        """Offer these input devices as (id, label) pairs. The first entry records what
        Settings > Input names (``configured``: your microphone, and the other side), or
        the system's default input when nothing is configured."""
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        first = "Default input" if not configured else "Settings: " + " + ".join(configured)
        self.device_combo.addItem(first, None)
        self.device_combo.setItemData(0, first, Qt.ItemDataRole.ToolTipRole)
        for dev_id, label in devices:
            self.device_combo.addItem(label, dev_id)
            self.device_combo.setItemData(self.device_combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.device_combo.setCurrentIndex(0)
        self.device_combo.blockSignals(False)

    def devices(self) -> list[tuple[str, str]]:
        """The input devices offered, as (id, label) pairs (without the first entry, the configured inputs)."""
        combo = self.device_combo
        return [(combo.itemData(i), combo.itemText(i)) for i in range(1, combo.count())]

    def set_speed(self, speed: float) -> None:
        """Select this replay speed (0.0 = as fast as possible), adding it if it is not offered."""
        if self.speed_combo.findData(speed) < 0:
            self.speed_combo.addItem(f"{speed:g}×", speed)
        self.speed_combo.setCurrentIndex(self.speed_combo.findData(speed))

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
            self.timeline.add_mark(mark.at)
            self.status.show_note(f"Marked {mark.at:.0f} s", 3000)

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        state = recording_state(kind, data)
        if kind in ("model_loading", "model_ready") and (
            self.active or (kind == "model_ready" and self.status.current_state != recording_state("model_loading", {}))
        ):
            state = None  # the model loads in the background: a session's state stays, and "ready" only ends "loading"
        elif kind == "recording":
            self.active, self.replaying, self.paused = True, False, False
            self.status.start_timer()
            self.transcript.set_placeholder(LISTENING)
        elif kind == "replay_progress":
            self.active, self.replaying = True, True
            if self.paused:
                state = None
        elif kind == "replay_started":
            self.active, self.replaying, self.paused = True, True, False
            self.status.hide_timer()
            self.transcript.set_placeholder(REPLAYING)
            state = "▶ Replaying"
        elif kind == "paused":
            self.paused = True
            state = "Paused"
        elif kind == "resumed":
            self.paused = False
            state = "▶ Replaying" if self.replaying else "● Recording"
        elif kind == "stopped":
            self.active, self.replaying, self.paused = False, False, False
            self.status.stop_timer()
            self.transcript.set_placeholder(TranscriptView.placeholder)
        elif kind == "session":
            path = data.get("path")
            self.session_path = Path(str(path)) if path else None
            if self.session_path:
                self.setWindowTitle(f"annotator — {self.session_path.name}")
        elif kind == "opened":  # a saved session, shown at once
            self.active, self.replaying, self.paused = False, False, False
            state = opened_state(data, len(self.flags.cards))
        elif kind == "review":  # a saved session's latest review (shown at once, or after its replay)
            run = data.get("run")
            if run is not None:
                self.show_review(run.review, run.flags, stored=True)
                state = None
        elif kind == "backlog":
            warning = backlog_warning(data)
            if warning is not None:
                self.messages.warning(warning)
        elif kind == "analysis_held":
            self.status.show_note(held_note(data))
        elif kind == "analysis_released":
            self.status.clear_note()
        elif kind == "unanalysed":
            warning = unanalysed_warning(data)
            if warning is not None:
                self.messages.warning(warning, kind="unanalysed")
        elif kind == "providers":  # the session pushes the chain's state: keys checked, started, after each analysis
            self.status.providers.set_states(data.get("states", ()))
        elif kind == "device":
            name = data.get("name") or data.get("device")
            if name:
                self.status.show_note(f"Input: {name}", 5000)
        if state is not None:
            self.status.set_state(state)
        self.timeline.set_live(self.active)
        self._sync_actions()

    def on_level(self, source: str, level: float) -> None:
        self.level_meter.set_level(level)

    def _sync_actions(self) -> None:
        self.act_record.setEnabled(not self.active)
        self.act_open.setEnabled(not self.active)
        self.recent_menu.setEnabled(not self.active)
        self.act_replay.setEnabled(not self.active)
        self.device_combo.setEnabled(not self.active)
        self.act_stop.setEnabled(self.active)
        self.act_pause.setEnabled(self.active and self.replaying)
        self.act_pause.setText("▶ Resume" if self.paused else "Pause")
        self.act_review.setEnabled(self.session_path is not None and not self.active and not self.reviewing)

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

    # -- questions -------------------------------------------------------------------------
    def ask(self, title: str, text: str, on_answer: Callable[[bool], None]) -> QMessageBox:
        """A yes/no question that does not block: the box opens window-modal and this
        returns at once; ``on_answer(True)`` on Yes, ``on_answer(False)`` on No or when
        dismissed. Safe from a coroutine: no nested event loop runs (``exec`` inside an
        asyncio task would stall every other task until the user answered, issue 19)."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, title, text, yes | no, self)
        box.setObjectName("question")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.finished.connect(lambda _result: on_answer(box.clickedButton() is box.button(yes)))
        box.open()
        return box

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
        if self.reviewing and not self.may_close and not self.confirm(
            "Quit annotator?",
            "The session review is still running. Quit and drop it? Its answer would be lost, "
            "though the provider may still bill the request.",
        ):
            event.ignore()
            return
        event.accept()
        self.closed.emit()
