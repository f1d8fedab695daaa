"""What a repaint of the sentiment timeline costs at minute 5 and at minute 120,
and what it looks like at 10 minutes, 1 hour and 2 hours.

A synthetic session (seeded): a line every 10 s from two speakers, a sentiment
point per line drifting slowly with noise, provider outages answered by the
local estimate, a flag every ~4 minutes, about 1.5 marks a minute (the issue's
two hours: 720 lines, ~180 marks). The widget is 1,200 x 140 px, offscreen.

Figures, the median and the fastest of ``--repeat`` runs:

- new line: add a line and its point, then repaint (the cached chart is redrawn);
- repaint: repaint with nothing changed (the cached chart is copied);
- whole / following / zoomed: the view shown (whole session, the last five
  minutes as while recording, a two-minute window in the middle).

    python benchmarks/timeline.py [--repeat 40] [--screenshots DIR]

``benchmarks/ui_latency.py`` calls ``paint_figures()`` after its replay.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT = 1200, 140
WORDS = ("the team", "our roadmap", "the migration", "on-call", "the budget", "my manager", "the release", "hiring")


@dataclass
class Session:
    lines: list  # Chunk
    points: list  # Point
    flags: list[float]
    marks: list[float]
    review_flags: list[float]


def synthetic_session(minutes: float, seed: int = 7) -> Session:
    from annotator.models import Chunk
    from annotator.ui.timeline_model import Point

    rnd = random.Random(seed)
    lines, points, flags, marks, review = [], [], [], [], []
    t, i, mood = 0.0, 0, 0.2
    outages = [(o, o + 360.0) for o in (1500.0, 4300.0, 6300.0)]  # six minutes of local estimates each
    while t < minutes * 60:
        dur = rnd.uniform(4.0, 9.0)
        speaker = "Interviewer" if i % 2 == 0 else "Candidate"
        text = f"Line {i}: about {rnd.choice(WORDS)}, and what happened next with {rnd.choice(WORDS)}."
        lines.append(Chunk(i, speaker, t, t + dur, text))
        mood = max(-0.9, min(0.9, mood + rnd.gauss(0, 0.08) + 0.35 * math.sin(t / 900.0) * 0.05))
        local = any(a <= t < b for a, b in outages)
        score = max(-1.0, min(1.0, mood + rnd.gauss(0, 0.25)))
        label = "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"
        points.append(Point(i, t, score, label, local))
        if rnd.random() < 10 / 240:
            flags.append(t + dur)
        if rnd.random() < 0.25:
            marks.append(t + rnd.uniform(0, dur))
        if rnd.random() < 10 / 1800:
            review.append(t)
        t += 10.0
        i += 1
    return Session(lines, points, flags, marks, review)


def feed(widget, session: Session) -> None:  # type: ignore[no-untyped-def]
    for line, point in zip(session.lines, session.points):
        widget.add_line(line)
        widget.add_point(point)
    for at in session.flags:
        widget.add_flag(at)
    for at in session.marks:
        widget.add_mark(at)
    for at in session.review_flags:
        widget.add_review_flag(at)


def _app():  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def _widget(minutes: float):  # type: ignore[no-untyped-def]
    from annotator.ui.timeline import SentimentTimeline

    w = SentimentTimeline()
    w.resize(WIDTH, HEIGHT)
    w.show()
    feed(w, synthetic_session(minutes))
    return w


def _ms(f, repeat: int) -> str:  # type: ignore[no-untyped-def]
    """Median and fastest run in ms (the machine is shared: the fastest is the steadier figure)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return f"{statistics.median(times) * 1000:5.2f} ({min(times) * 1000:5.2f})"


class _NewLines:
    """Adds one more line and its point at the end, and repaints: what the widget does per line."""

    def __init__(self, widget, first_id: int) -> None:  # type: ignore[no-untyped-def]
        self.w, self.next_id, self.at = widget, first_id, widget.end

    def add(self) -> None:
        from annotator.models import Chunk
        from annotator.ui.timeline_model import Point

        i, t = self.next_id, self.at
        self.next_id += 1
        self.at += 0.01  # nearly in place: the figures stay at this length
        self.w.add_line(Chunk(i, "Candidate", t, t + 0.005, "a new line"))
        self.w.add_point(Point(i, t, 0.1, "neutral", False))
        self.w.repaint()


def paint_figures(repeat: int = 40) -> list[str]:
    """Median milliseconds of a timeline repaint at 5 and 120 minutes, printed and returned."""
    from annotator.ui.timeline_model import View

    app = _app()
    out = [
        f"timeline paint ({WIDTH}x{HEIGHT} px, {repeat} runs), ms median (fastest): new line + repaint / repaint alone"
    ]
    for minutes in (5, 120):
        w = _widget(minutes)
        app.processEvents()
        n = len(w.lines)
        views = {"whole": View(), "following": None, "zoomed 2 min": View(span=120, start=minutes * 30 - 60)}
        lines = _NewLines(w, first_id=n + 10_000)
        for name, view in views.items():
            w.set_live(view is None)
            w.user_view = view
            w.repaint()
            cold = _ms(lines.add, repeat)
            warm = _ms(w.repaint, repeat)
            out.append(f"  {minutes:>3} min, {n:>3} lines, {name:<12}: {cold} / {warm}")
        w.set_live(False)
        w.close()
        w.deleteLater()
    # leave nothing behind for whatever runs next (ui_latency's replay): widgets deleted, garbage collected
    from PySide6.QtCore import QEvent

    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    for line in out:
        print(line)
    return out


def screenshots(outdir: Path) -> list[Path]:
    """PNGs of the timeline at 10 min, 1 h, 2 h: whole session above, zoomed below."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from annotator.ui.timeline_model import View

    app = _app()
    outdir.mkdir(parents=True, exist_ok=True)
    width, height = 900, 140
    paths = []
    for minutes, zoom in (
        (10, View(span=120, start=240)),
        (60, View(span=600, start=1500)),
        (120, View(span=900, start=4200)),
    ):
        w = _widget(minutes)
        w.resize(width, height)
        app.processEvents()
        whole = w.grab().toImage()
        w.user_view = zoom
        zoomed = w.grab().toImage()
        w.close()
        w.deleteLater()
        img = QImage(width, 2 * height + 40, QImage.Format.Format_RGB32)
        img.fill(QColor("white"))
        p = QPainter(img)
        p.setPen(QColor("#333"))
        p.drawText(QRect(8, 2, width, 18), Qt.AlignmentFlag.AlignLeft, f"{minutes} min, whole session")
        p.drawImage(0, 20, whole)
        p.drawText(QRect(8, height + 22, width, 18), Qt.AlignmentFlag.AlignLeft, "zoomed (wheel), scrolled (drag)")
        p.drawImage(0, height + 40, zoomed)
        p.end()
        path = outdir / f"timeline-{minutes}min.png"
        img.save(str(path))
        paths.append(path)
        print(path)
    paths.append(_hover_screenshot(outdir / "timeline-hover.png", width, height))
    print(paths[-1])
    return paths


def _hover_screenshot(path: Path, width: int, height: int) -> Path:
    """The chart with the pointer on a line whose text looks like HTML, and the tip it shows."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter

    from annotator.models import Chunk
    from annotator.ui.timeline_model import View

    app = _app()
    w = _widget(60)
    w.resize(width, height)
    text = "I said <b>never</b> to that & we moved on; the migration took far longer than planned."
    w.add_line(Chunk(99_999, "Candidate", 1805.0, 1812.0, text))
    w.user_view = View(span=600, start=1500)
    app.processEvents()
    x, y = w.x_of(1806.0), 60.0
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(x, y),
        w.mapToGlobal(QPointF(x, y)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    app.sendEvent(w, move)
    app.processEvents()
    chart, tip = w.grab().toImage(), w.tip.grab().toImage()
    w.tip.hide()
    w.close()
    w.deleteLater()
    img = QImage(width, max(height, y + 16 + tip.height()) + 4, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.drawImage(0, 0, chart)
    p.drawImage(int(x) + 14, int(y) + 16, tip)  # where the tip window sits, relative to the pointer
    p.end()
    img.save(str(path))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args()
    if args.screenshots:
        screenshots(args.screenshots)
    else:
        paint_figures(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
