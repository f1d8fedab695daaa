"""The sentiment timeline as a user meets it: hover, click, zoom, scroll, follow, and what is painted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication

from annotator.models import Chunk
from annotator.ui.bridge import Bridge
from annotator.ui.main_window import MainWindow
from annotator.ui.timeline import Point, SentimentTimeline
from annotator.ui.timeline_geometry import LANE
from annotator.ui.timeline_model import FOLLOW_SPAN, extent
from annotator.ui.timeline_paint import FLAG_COLOR, LOCAL_BAND_COLOR, MARK_COLOR
from tests.helpers.events import event

from .conftest import analysis_with, chunk

MARKUP = '<b>bold</b> <a href="http://x">link</a> <img src=x>'


@pytest.fixture
def timeline(qtbot) -> Iterator[SentimentTimeline]:  # type: ignore[no-untyped-def]
    w = SentimentTimeline()
    qtbot.addWidget(w)
    w.resize(900, 140)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.tip.hide()


def session(w: SentimentTimeline, minutes: float, *, speaker: str = "Candidate") -> None:
    """A line every 10 s with a point each."""
    for i in range(int(minutes * 6)):
        w.add_line(Chunk(i, speaker, i * 10.0, i * 10.0 + 6.0, f"line {i}"))
        w.add_point(Point(i, i * 10.0, 0.5 if i % 2 else -0.5, "positive" if i % 2 else "negative", False))


def mid_y(w: SentimentTimeline) -> int:
    return int(w._curve_rect().center().y())


def wheel(w: SentimentTimeline, x: float, notches: int) -> None:
    pos = QPointF(x, mid_y(w))
    event = QWheelEvent(
        pos,
        QPointF(w.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(w, event)


def test_hover_shows_time_speaker_and_text_of_the_nearest_line_as_plain_text(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    timeline.add_line(Chunk(0, "Candidate", 0.0, 5.0, "hello"))
    timeline.add_line(Chunk(1, "Interviewer <i>", 30.0, 36.0, MARKUP))
    timeline.add_point(Point(1, 30.0, -0.4, "negative", True))
    qtbot.mouseMove(timeline, QPoint(int(timeline.x_of(33.0)), mid_y(timeline)))
    qtbot.waitUntil(lambda: timeline.tip.isVisible())
    text = timeline.tip.text()
    assert text.startswith("00:30  Interviewer <i>\n" + MARKUP)
    assert "negative −0.40 (local estimate)" in text
    assert timeline.tip.textFormat() == Qt.TextFormat.PlainText
    assert timeline.hovered is not None and timeline.hovered.id == 1
    qtbot.mouseMove(timeline, QPoint(int(timeline.x_of(2.0)), mid_y(timeline)))
    qtbot.waitUntil(lambda: timeline.tip.text().startswith("00:00  Candidate\nhello"))


def test_hover_away_from_any_line_shows_nothing(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    session(timeline, 1)
    timeline.add_line(Chunk(99, "Candidate", 600.0, 605.0, "much later"))  # ten minutes of silence before it
    qtbot.mouseMove(timeline, QPoint(int(timeline.x_of(300.0)), mid_y(timeline)))
    qtbot.mouseMove(timeline, QPoint(int(timeline.x_of(301.0)), mid_y(timeline)))
    assert not timeline.tip.isVisible() and timeline.hovered is None


def test_click_selects_the_line_under_the_pointer_in_the_transcript(qtbot, window: MainWindow, bridge: Bridge) -> None:  # type: ignore[no-untyped-def]
    for i in range(6):
        bridge.on_chunk(chunk(i, f"line {i}"))
    bridge.on_analysis(analysis_with((5,), score=0.3))
    tl = window.timeline
    with qtbot.waitSignal(tl.chunk_clicked) as sig:
        qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(11.0)), mid_y(tl)))
    assert sig.args == [2]  # line 2 runs from 10 s to 14 s
    assert window.transcript.selected_chunk_ids() == [2]


def test_wheel_zooms_around_the_pointer_and_double_click_shows_the_whole_session(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    session(timeline, 120)
    whole = timeline.view_range()
    assert whole == (0.0, extent(timeline.end))
    x = timeline.x_of(3000.0)
    with qtbot.waitSignal(timeline.view_changed):
        wheel(timeline, x, 3)
    t0, t1 = timeline.view_range()
    assert t1 - t0 == pytest.approx((whole[1] - whole[0]) * 0.8**3)
    assert timeline.time_at(x) == pytest.approx(3000.0, abs=1.0)  # the second under the pointer stayed there
    wheel(timeline, x, -1)
    assert timeline.view_range()[1] - timeline.view_range()[0] == pytest.approx((t1 - t0) * 1.25)
    qtbot.mouseDClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(x), mid_y(timeline)))
    assert timeline.view_range() == whole


def test_drag_scrolls_without_selecting(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    session(timeline, 60)
    wheel(timeline, timeline.x_of(1800.0), 8)
    t0, t1 = timeline.view_range()
    clicked: list[int] = []
    timeline.chunk_clicked.connect(clicked.append)
    y = mid_y(timeline)
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(500, y))
    qtbot.mouseMove(timeline, QPoint(520, y))
    qtbot.mouseMove(timeline, QPoint(600, y))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(600, y))
    a0, a1 = timeline.view_range()
    seconds = 100 * (t1 - t0) / timeline._plot().width()
    assert (a0, a1) == pytest.approx((t0 - seconds, t1 - seconds))  # dragged right: earlier
    assert clicked == []


def test_the_whole_session_strip_moves_the_view(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    session(timeline, 60)
    wheel(timeline, timeline.x_of(3000.0), 10)
    strip = timeline._strip()
    total = extent(timeline.end)
    x = strip.left() + strip.width() * 600.0 / total  # ten minutes in
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(strip.center().y())))
    t0, t1 = timeline.view_range()
    assert t0 < 600.0 < t1 and (t0 + t1) / 2 == pytest.approx(600.0, abs=total / strip.width() * 2)


def test_while_recording_the_view_follows_the_last_minutes_unless_zoomed_elsewhere(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    tl = window.timeline
    window.on_event(event("recording", {}))
    assert tl.live
    session(tl, 20)
    assert tl.view_range() == (extent(tl.end) - FOLLOW_SPAN, extent(tl.end))
    tl.add_line(Chunk(1000, "Candidate", 1300.0, 1310.0, "later"))
    assert tl.view_range()[1] == extent(1310.0)  # moved with the new line
    wheel(tl, tl.x_of(tl.view_range()[0] + 10), 2)  # the user looks at something earlier
    chosen = tl.view_range()
    tl.add_line(Chunk(1001, "Candidate", 1400.0, 1410.0, "later still"))
    assert tl.view_range() == chosen  # it stays where the user put it
    qtbot.mouseDClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(400, mid_y(tl)))
    assert tl.view_range() == (0.0, extent(1410.0))  # whole session
    qtbot.mouseDClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(400, mid_y(tl)))
    assert tl.view_range()[1] - tl.view_range()[0] == FOLLOW_SPAN  # and back to following
    window.on_event(event("stopped", {}))
    assert not tl.live and tl.view_range() == (0.0, extent(1410.0))  # ended: the whole session


def is_color(c: QColor, hex_color: str) -> bool:
    want = QColor(hex_color)
    return abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60


def test_flags_and_marks_are_ticks_along_the_edges_not_full_height_lines(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    timeline.add_point(Point(0, 0.0, 0.0, "neutral", False))
    timeline.add_flag(20.0)
    timeline.add_mark(40.0)
    img = timeline.grab().toImage()
    r = timeline._plot()
    fx, mx = round(timeline.x_of(20.0)), round(timeline.x_of(40.0))
    assert is_color(img.pixelColor(fx, int(r.top() + 3)), FLAG_COLOR)  # along the top edge
    assert is_color(img.pixelColor(mx, int(r.bottom() - 3)), MARK_COLOR)  # along the bottom edge
    for y in range(int(r.top() + LANE + 2), int(r.bottom() - LANE - 2)):
        assert not is_color(img.pixelColor(fx, y), FLAG_COLOR), y
        assert not is_color(img.pixelColor(mx, y), MARK_COLOR), y


def test_a_stretch_of_local_estimates_is_told_apart(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    for i in range(60):  # ten minutes; minutes 4 to 6 answered only by the local estimate
        timeline.add_point(Point(i, i * 10.0, 0.5, "positive", 24 <= i < 36))
    img = timeline.grab().toImage()
    y = int(timeline._curve_rect().bottom() - 2)  # under the curve and its fill, which are above zero here
    band = QColor(LOCAL_BAND_COLOR)
    assert img.pixelColor(round(timeline.x_of(300.0)), y) == band
    assert img.pixelColor(round(timeline.x_of(120.0)), y) != band
    assert img.pixelColor(round(timeline.x_of(480.0)), y) != band


def test_repaint_with_nothing_changed_reuses_the_cached_chart(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    session(timeline, 120)
    timeline.repaint()
    cached = timeline._cache
    timeline.repaint()
    assert timeline._cache is cached
    timeline.add_point(Point(5000, 7300.0, 0.1, "neutral", False))
    timeline.repaint()
    assert timeline._cache is not cached


def test_the_hover_tip_stays_on_the_screen(qtbot, timeline) -> None:  # type: ignore[no-untyped-def]
    screen = timeline.screen().availableGeometry()
    size = QSize(300, 60)
    at = timeline._tip_position(QPoint(screen.right() - 5, screen.bottom() - 5), size)
    assert screen.contains(at) and screen.contains(at + QPoint(size.width(), size.height()))
    assert timeline._tip_position(QPoint(screen.left() + 10, screen.top() + 10), size) == QPoint(
        screen.left() + 24, screen.top() + 26
    )  # room: below and right of the pointer
