"""Session > Play line: the selected line's stretch of the saved audio goes to the output."""

from __future__ import annotations

from pathlib import Path

from annotator.app import compose
from annotator.audio.playback import PAD_S, LinePlayer
from annotator.config.schema import Config
from tests.ui.conftest import show_saved
from tests.unit.audio.test_playback import RATE, Speaker, ramp_flac
from tests.unit.library.helpers import write_session


def test_play_line_plays_the_selected_lines_stretch(qtbot, aio_loop, hub, bridge, window, sessions_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sessions_dir.mkdir(parents=True)
    path = write_session(sessions_dir, [("You", "first"), ("You", "second")], when=1e9)  # lines at 10 s and 20 s
    speaker = Speaker()
    app = compose(Config(), bridge, hub, window, sessions_dir=sessions_dir, line_player=LinePlayer(speaker))
    show_saved(qtbot, app, window, path, lines=2)
    messages: list[str] = []
    hub.posted.connect(lambda m: messages.append(m.text))
    window.transcript.select_chunks([2])
    action = next(a for a in window.actions() if a.text() == "Play line")
    action.trigger()
    qtbot.waitUntil(lambda: any("no saved audio" in m for m in messages), timeout=10000)

    ramp_flac(path.with_suffix(".flac"), 30.0)
    action.trigger()
    qtbot.waitUntil(lambda: len(speaker.played) == 1, timeout=10000)
    data, rate = speaker.played[0]
    assert rate == RATE and len(data) == int((20.0 + 5.0 + PAD_S) * RATE) - int((20.0 - PAD_S) * RATE)
