"""Session > Play line (Ctrl+Shift+P): the selected transcript line's stretch of the session's saved audio.

The stretch is read and started in a worker thread (``audio.playback.LinePlayer``;
playing does not wait); a session without saved audio, or a line outside
it, is one sentence in the message area.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from annotator.audio.playback import LinePlayer, line_audio
from annotator.errors import AudioError
from annotator.ui.bridge import Bridge
from annotator.ui.messages import MessageHub
from annotator.ui.window_layout import ActionText, make_action

PLAY_LINE = ActionText("Play line", "Ctrl+Shift+P", "Play the selected line's stretch of the session's saved audio")


def play_line(player: LinePlayer, journal: Path, source: str, start: float, end: float) -> float:
    """In a worker thread: find the audio for ``source`` and play the stretch."""
    audio = line_audio(journal, source)
    if audio is None:
        raise AudioError(f"{journal.name}: this session has no saved audio to play (Settings > save audio)")
    return player.play(audio, start, end)


class LineAudio(QObject):
    """The window's Play line action (see the module docstring)."""

    def __init__(self, window: Any, bridge: Bridge, messages: MessageHub, player: LinePlayer | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.messages = messages
        self._player = player
        self.action = make_action(window, PLAY_LINE, self.play_selected)
        window.session_menu.addAction(self.action)

    @property
    def player(self) -> LinePlayer:
        if self._player is None:
            self._player = LinePlayer()  # sounddevice is loaded when a line is first played
        return self._player

    def play_selected(self) -> None:
        path = self.window.session_path
        chunk_id = self.window.selected_line()
        chunk = self.window.transcript_model.chunks().get(chunk_id) if chunk_id is not None else None
        if path is None or chunk is None:
            self.messages.info("Select a line of a saved session to hear it.")
            return
        self.bridge.run_blocking(
            play_line, self.player, Path(path), chunk.source, chunk.start, chunk.end, what="Playing the line"
        )
