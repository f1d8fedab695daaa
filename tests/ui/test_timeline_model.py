"""The timeline's rules without Qt: smoothing, thinning, the line under the pointer, zoom and scroll."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.models import Chunk
from annotator.ui.timeline_model import (
    FOLLOW,
    MIN_SPAN,
    WHOLE,
    Lines,
    Moments,
    Point,
    Series,
    View,
    centred,
    extent,
    line_tip,
    panned,
    room_for_points,
    shows_whole,
    smoothing_half_width,
    ticks,
    time_step,
    wheel_factor,
    zoomed,
)


def pt(i: int, at: float, score: float, local: bool = False) -> Point:
    return Point(i, at, score, "neutral", local)


def test_mean_weights_points_by_closeness_to_the_centre() -> None:
    s = Series()
    s.add(pt(0, 0.0, 1.0))
    s.add(pt(1, 10.0, -1.0))
    assert s.mean(5.0, 10.0) == pytest.approx((0.0, 0.0))
    # weights 1 - |t - c| / h: 0.8 for the point at 0, 0.2 for the one at 10
    score, _ = s.mean(2.0, 10.0)  # type: ignore[misc]
    assert score == pytest.approx((0.8 - 0.2) / 1.0)
    assert s.mean(40.0, 10.0) is None  # nothing within reach: a gap, not a zero


def test_smoothed_curve_matches_the_mean_and_breaks_at_gaps() -> None:
    rnd = random.Random(3)
    s = Series()
    for i in range(200):
        at = i * 10.0 + (1000.0 if i >= 100 else 0.0)  # a 1000 s silence in the middle
        s.add(pt(i, at, rnd.uniform(-1, 1), local=150 <= i < 170))
    samples = s.smoothed(0.0, 2990.0, 300, 30.0)
    assert len(samples) == 300
    for smp in samples[::7]:  # against the weighted mean worked out point by point
        near = [(1 - abs(p.at - smp.at) / 30.0, p) for p in s.points if abs(p.at - smp.at) <= 30.0]
        weight = sum(w for w, _ in near)
        if weight < 1e-9:
            assert smp.score is None
        else:
            assert smp.score == pytest.approx(sum(w * p.score for w, p in near) / weight)
            assert smp.local == (sum(w for w, p in near if p.local) / weight > 0.5)
            assert s.mean(smp.at, 30.0) == pytest.approx((smp.score, sum(w for w, p in near if p.local) / weight))
    assert any(smp.score is None for smp in samples if 1100 < smp.at < 1900)
    assert all(smp.local for smp in samples if 2550 < smp.at < 2650)
    assert not any(smp.local for smp in samples if smp.at < 900)
    assert [smp.score for smp in s.smoothed(-100.0, -1.0, 10, 30.0)] == [None] * 10  # before the first point
    assert s.smoothed(2990.0, 3100.0, 12, 30.0)[-1].score is None  # after the last


def test_series_keeps_time_order_and_replaces_a_chunks_point() -> None:
    s = Series()
    s.add(pt(2, 20.0, 0.5))
    s.add(pt(1, 10.0, -0.5))  # late, earlier in time
    s.add(pt(3, 30.0, 0.0))
    s.add(pt(2, 20.0, -1.0))  # re-analysed
    assert [p.chunk_id for p in s.points] == [1, 2, 3]
    assert s.points[1].score == -1.0
    assert s.mean(20.0, 5.0) == pytest.approx((-1.0, 0.0))
    assert [p.chunk_id for p in s.between(10.0, 20.0)] == [1, 2] and s.count(0, 100) == 3
    assert s.typical_gap() == 10.0


def test_smoothing_widens_with_the_stretch_shown() -> None:
    assert smoothing_half_width(7200.0, 10.0) == pytest.approx(180.0)  # two hours: three-minute half-width
    assert smoothing_half_width(600.0, 10.0) == pytest.approx(15.0)  # ten minutes: a fortieth, and 1.5 gaps
    assert smoothing_half_width(120.0, 10.0) == pytest.approx(15.0)  # two minutes: never below 1.5 gaps
    assert smoothing_half_width(60.0, 0.0) == pytest.approx(1.5)


def test_points_only_when_there_is_room() -> None:
    assert room_for_points(60, 900)  # ten minutes across 900 px
    assert not room_for_points(720, 900)  # two hours across 900 px
    assert room_for_points(0, 10)


def test_flags_and_marks_thin_to_one_per_pixel_column() -> None:
    marks = Moments()
    rnd = random.Random(1)
    for _ in range(181):
        marks.add(rnd.uniform(0, 7200))
    cols = marks.pixels(0.0, 7200.0, 10.0, 100.0)
    assert len(cols) <= 101 and cols == sorted(set(cols))
    assert all(10 <= c <= 110 for c in cols)
    assert marks.pixels(0.0, 7200.0, 0.0, 5000.0) != []
    assert len(marks.pixels(0.0, 7200.0, 0.0, 100000.0)) == 181  # room for all: none merged
    assert marks.pixels(100.0, 100.0, 0, 10) == []


def line(i: int, start: float, end: float, text: str = "") -> Chunk:
    return Chunk(i, "Candidate", start, end, text)


def test_nearest_line() -> None:
    lines = Lines()
    for c in (line(0, 0, 4), line(2, 20, 30), line(1, 5, 9)):  # one out of order
        lines.add(c)
    lines.add(line(1, 5, 9))  # delivered twice: kept once
    assert [c.id for c in lines.lines] == [0, 1, 2] and len(lines) == 3
    assert lines.nearest(6.0).id == 1  # type: ignore[union-attr]  (inside)
    assert lines.nearest(4.4).id == 0  # type: ignore[union-attr]  (between: closer to 0's end)
    assert lines.nearest(12.0).id == 1  # type: ignore[union-attr]
    assert lines.nearest(16.0).id == 2  # type: ignore[union-attr]
    assert lines.nearest(100.0).id == 2  # type: ignore[union-attr]
    assert lines.nearest(100.0, within=5.0) is None
    assert Lines().nearest(3.0) is None


def test_a_long_line_spanning_a_short_ones_start_is_found() -> None:
    lines = Lines()
    lines.add(line(0, 0, 60))  # one speaker's long answer
    for i, at in enumerate((10, 20, 30), start=1):
        lines.add(line(i, at, at + 2))  # the other's short interjections inside it
    assert lines.nearest(40.0).id == 0  # type: ignore[union-attr]
    assert lines.nearest(11.0).id == 1  # type: ignore[union-attr]


def test_line_tip_is_plain_text_with_time_speaker_text_and_sentiment() -> None:
    markup = '<b>bold</b> <a href="x">link</a>'
    c = Chunk(7, "Them <i>", 3725.0, 3730.0, markup)
    assert line_tip(c, None) == "1:02:05  Them <i>\n" + markup
    assert line_tip(c, Point(7, 3725.0, -0.4, "negative", True)).endswith(
        "\nsentiment negative \u22120.40 (local estimate)"
    )
    assert (
        line_tip(Chunk(1, "", 5.0, 6.0, "hi"), Point(1, 5.0, 0.25, "positive", False))
        == "00:05\nhi\nsentiment positive +0.25"
    )


def test_view_ranges() -> None:
    end = 3600.0
    total = extent(end)
    assert total > end
    assert WHOLE.range(end) == (0.0, total)
    assert FOLLOW.range(end) == (total - 300.0, total)
    assert View(span=600, start=1200).range(end) == (1200.0, 1800.0)
    assert View(span=600, start=99999).range(end) == (total - 600, total)  # clamped inside the session
    assert FOLLOW.range(100.0) == WHOLE.range(100.0)  # shorter than five minutes: the whole of it
    assert extent(0.0) == 60.0
    assert FOLLOW.range(7200.0)[1] - 7200.0 < 10  # following shows the last minutes, not empty room after them


def test_following_view_moves_with_the_session_a_fixed_one_stays() -> None:
    fixed = View(span=600, start=1200)
    assert fixed.range(3600.0) == fixed.range(7200.0)
    assert FOLLOW.range(3600.0) != FOLLOW.range(7200.0)
    assert FOLLOW.range(7200.0)[1] == extent(7200.0)


def test_zoom_keeps_the_second_under_the_pointer_in_place() -> None:
    end = 7200.0
    t0, t1 = WHOLE.range(end)
    anchor = 2000.0
    share = (anchor - t0) / (t1 - t0)
    v = zoomed(WHOLE, end, anchor, 0.5)
    a0, a1 = v.range(end)
    assert a1 - a0 == pytest.approx((t1 - t0) / 2)
    assert (anchor - a0) / (a1 - a0) == pytest.approx(share)
    assert v.start is not None  # fixed: it stays while the session grows
    v2 = zoomed(v, end, anchor, wheel_factor(15 * 100))  # far in: stops at the narrowest span
    assert v2.range(end)[1] - v2.range(end)[0] == pytest.approx(MIN_SPAN)
    assert zoomed(v, end, anchor, 100.0) == WHOLE  # far out: the whole session


def test_zoom_at_the_end_keeps_following() -> None:
    end = 7200.0
    v = zoomed(WHOLE, end, extent(end), 0.1)
    assert v.start is None and v.span == pytest.approx(extent(end) * 0.1)


def test_pan_clamps_and_pins_at_the_end() -> None:
    end = 7200.0
    v = View(span=600, start=1200)
    assert panned(v, end, 300).range(end) == (1500.0, 2100.0)
    assert panned(v, end, -5000).range(end) == (0.0, 600.0)
    assert panned(v, end, 1e6) == View(span=600)  # scrolled to the end: follows again
    assert panned(WHOLE, end, 100) == WHOLE
    assert centred(v, end, 3000).range(end) == (2700.0, 3300.0)


def test_wheel_and_axis_steps() -> None:
    assert wheel_factor(15) == pytest.approx(0.8)
    assert wheel_factor(-15) == pytest.approx(1.25)
    assert time_step(7200, 12) == 600
    assert time_step(7200, 5) == 1800
    assert time_step(600, 12) == 60
    assert time_step(60, 12) == 5
    assert list(ticks(50, 200, 60)) == [60, 120, 180]


def test_the_model_needs_no_qt() -> None:
    code = "import sys, annotator.ui.timeline_model; print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    root = str(Path(__file__).resolve().parents[2])  # this checkout's annotator, whatever is installed
    env = {**os.environ, "PYTHONPATH": root}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"


def test_shows_whole_also_while_following_a_short_session() -> None:
    assert shows_whole(*WHOLE.range(40.0), 40.0)
    assert shows_whole(*FOLLOW.range(40.0), 40.0)  # five minutes followed, a minute recorded: all of it shows
    assert not shows_whole(*FOLLOW.range(3600.0), 3600.0)
