"""Time to shown: File > Open of a saved two-hour session, in the real window (offscreen).

A synthetic journal (seeded), written with ``journal.writer.Journal`` as a live
session writes it: two speakers, a line every ~6.5 s for two hours (about
1,100 lines), one analysis per line (an insight with its attempt; a
contradiction every ~4 minutes; the local estimate during two outages), about
1.5 marks a minute, and a closing ``end`` record. The window, bridge,
``Sessions`` and controller are built as ``app.py`` builds them; the figure is
the wall time from ``controller.open(path)`` until every line, marker, card
and mark is in the window and it has painted (the "opened" event, then the
Qt events it queued processed). The same session replayed at 1× would take
two hours to appear; before, Open did that.

    python benchmarks/open_saved.py [--minutes 120] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = ("the team", "our roadmap", "the migration", "on-call", "the budget", "my manager", "the release", "hiring")


def write_journal(directory: Path, minutes: float, seed: int = 11) -> tuple[Path, dict[str, int]]:
    from annotator.journal.writer import Journal
    from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment

    rnd = random.Random(seed)
    journal = Journal.create(
        directory, header={"mode": "live", "model": "tiny.en", "chain": [{"name": "kimi", "model": "k2"}]}
    )
    t, i, mood = 0.0, 1, 0.2
    counts = {"lines": 0, "analyses": 0, "contradictions": 0, "marks": 0}
    outages = [(1500.0, 1860.0), (4300.0, 4660.0)]
    while t < minutes * 60:
        dur = rnd.uniform(3.0, 6.0)
        speaker = "Interviewer" if i % 2 else "Candidate"
        text = f"Line {i}: about {rnd.choice(WORDS)}, and what happened next with {rnd.choice(WORDS)} after that."
        chunk = Chunk(i, speaker, t, t + dur, text)
        journal.write_chunk(chunk)
        mood = max(-0.9, min(0.9, mood + rnd.gauss(0, 0.08)))
        score = max(-1.0, min(1.0, mood + rnd.gauss(0, 0.25)))
        label = "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"
        local = any(a <= t < b for a, b in outages)
        contradictions: tuple[Contradiction, ...] = ()
        if not local and i > 10 and rnd.random() < 6.5 / 240:
            contradictions = (Contradiction(text[:40], f"Line {i - 7}: about", "They do not fit together."),)
            counts["contradictions"] += 1
        provider = "local-sentiment" if local else "kimi"
        attempt = Attempt(provider, "k2", Outcome.OK, 200, 800, 600, 90, 0.0004)
        insight = Insight(Sentiment(label, score), contradictions, ("a claim",), "summary")
        journal.write_analysis(Analysis((i,), text, insight, provider, "k2", (attempt,), 800))
        counts["lines"] += 1
        counts["analyses"] += 1
        if rnd.random() < 1.5 * 6.5 / 60:
            journal.write_mark(Mark(t + dur, "flag" if rnd.random() < 0.2 else "bookmark", "", i))
            counts["marks"] += 1
        t += dur + rnd.uniform(1.0, 2.5)
        i += 1
    journal.close()
    return journal.path, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from annotator.config.schema import Config
    from annotator.sessions.events import Event, Opened
    from annotator.sessions.service import Sessions
    from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
    from annotator.ui.main_window import MainWindow
    from annotator.ui.messages import MessageHub
    from annotator.ui.session_controller import SessionController

    tmp = Path(tempfile.mkdtemp(prefix="open-saved-"))
    path, counts = write_journal(tmp, args.minutes)
    size = path.stat().st_size

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = new_event_loop(app)
    messages = MessageHub()
    bridge = Bridge(messages)
    window = MainWindow(messages, confirm=lambda title, text: True)
    window.attach(bridge)
    sessions = Sessions(Config(providers=()), bridge, sessions_dir=tmp)
    controller = SessionController(window, bridge, sessions, messages)
    window.show()
    times: list[float] = []
    first_rows: list[float] = []
    stalls: list[float] = []
    from PySide6.QtCore import QTimer

    async def run() -> None:
        for _ in range(args.repeat):
            opened = loop.create_future()
            first: list[float] = []
            last_tick = [time.perf_counter()]
            gaps: list[float] = []

            def tick(gaps: list[float] = gaps, last_tick: list[float] = last_tick) -> None:
                now = time.perf_counter()
                gaps.append(now - last_tick[0])
                last_tick[0] = now

            def on_rows(*_a: object, first: list[float] = first) -> None:
                if not first:
                    first.append(time.perf_counter())

            window.transcript_model.rowsInserted.connect(on_rows)
            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(tick)
            timer.start()

            def on_event(event: Event, opened=opened) -> None:
                if isinstance(event, Opened) and not opened.done():
                    opened.set_result(None)

            bridge.event.connect(on_event)
            t0 = time.perf_counter()
            controller.open(str(path))
            await opened
            app.processEvents()  # what the delivery queued, and the paint
            window.repaint()
            times.append(time.perf_counter() - t0)
            timer.stop()
            first_rows.append(first[0] - t0)
            stalls.append(max(gaps, default=0.0))
            window.transcript_model.rowsInserted.disconnect(on_rows)
            bridge.event.disconnect(on_event)
            assert window.transcript_model.rowCount() == counts["lines"], window.transcript_model.rowCount()

    try:
        loop.run_until_complete(run())
    finally:
        window.may_close = True
        window.close()
        close_event_loop(loop)

    cards = len(window.flags.cards)
    print(
        f"journal: {args.minutes:.0f} min, {counts['lines']} lines, {counts['analyses']} analyses, "
        f"{counts['contradictions']} contradictions, {counts['marks']} marks, {size / 1e6:.1f} MB"
    )
    print(
        f"window after Open: {window.transcript_model.rowCount()} rows, {cards} flag cards, "
        f"{len(window.timeline.marks)} mark ticks, Review enabled: {window.act_review.isEnabled()}"
    )
    print(
        f"time to shown: median {statistics.median(times):.2f} s, fastest {min(times):.2f} s "
        f"(of {len(times)}; first {times[0]:.2f} s); replayed at 1x it took {args.minutes:.0f} min"
    )
    print(
        f"first line on screen: median {statistics.median(first_rows) * 1000:.0f} ms; longest the window did not "
        f"answer (10 ms timer): median {statistics.median(stalls) * 1000:.0f} ms, worst {max(stalls) * 1000:.0f} ms"
    )
    print(f"machine: {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
