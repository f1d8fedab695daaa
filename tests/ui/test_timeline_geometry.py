"""Where the timeline's parts sit and how seconds and scores become pixels, without Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.ui.timeline_geometry import Box, Frame, Layout, by_local, scored_runs
from annotator.ui.timeline_model import Sample


def test_layout_places_chart_curve_and_strip() -> None:
    layout = Layout(600, 140)
    assert layout.plot == Box(34, 22, 558, 82)  # under the header, left of the score labels
    assert layout.curve == Box(34, 32, 558, 62)  # the flag lane above and the mark lane below left out
    assert layout.strip == Box(34, 122, 558, 10)  # under the time axis
    assert layout.plot.right == 592 and layout.plot.bottom == 104 and layout.curve.center_y == 63


def test_a_tiny_widget_still_has_a_pixel_of_chart() -> None:
    assert Layout(10, 10).plot[2:] == (1, 1)


def test_frame_maps_seconds_and_scores_and_clamps_scores() -> None:
    f = Layout(600, 140).frame(100.0, 200.0)
    assert f == Frame(34, 558, 100.0, 200.0, 63, 31)
    assert (f.x(100.0), f.x(150.0), f.x(200.0)) == (34, 34 + 279, 592)
    assert (f.y(1.0), f.y(0.0), f.y(-1.0)) == (32, 63, 94)
    assert f.y(3.0) == f.y(1.0)


def test_time_at_is_the_inverse_of_x() -> None:
    layout = Layout(600, 140)
    f = layout.frame(30.0, 90.0)
    assert layout.time_at(f.x(47.5), 30.0, 90.0) == pytest.approx(47.5)


def s(at: float, score: float | None, local: bool = False) -> Sample:
    return Sample(at, score, local)


def test_runs_split_at_gaps_and_drop_single_samples() -> None:
    samples = [s(0, 0.1), s(1, 0.2), s(2, None), s(3, 0.3), s(4, None), s(5, 0.1), s(6, 0.0), s(7, 0.2)]
    assert [[x.at for x in run] for run in scored_runs(samples)] == [[0, 1], [5, 6, 7]]


def test_a_run_is_cut_where_local_estimates_begin_and_end_sharing_an_index() -> None:
    run = [s(0, 0.1), s(1, 0.1), s(2, 0.1, True), s(3, 0.1, True), s(4, 0.1)]
    assert by_local(run) == [(0, 2, False), (2, 4, True)]
    assert by_local([s(0, 0.1), s(1, 0.2)]) == [(0, 1, False)]


def test_the_geometry_needs_no_qt() -> None:
    code = (
        "import sys, annotator.ui.timeline_geometry; print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    root = str(Path(__file__).resolve().parents[2])  # this checkout's annotator, whatever is installed
    env = {**os.environ, "PYTHONPATH": root}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
