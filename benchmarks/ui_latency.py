"""How quickly the window shows what was said, and whether it ever stalls.

Replays the audio of the sample interview at real time through the window
(offscreen Qt, the qasync loop, the real capture -> segmenter -> tiny.en ->
pipeline -> analyser path, exactly as ``annotator replay AUDIO`` runs it),
with a loopback provider that answers every request after a fixed 300 ms,
and prints:

- line on screen: from the end of each utterance (its ``Chunk.end`` on the
  audio clock) to the moment the window has its row (the transcript model's
  ``rowsInserted``, in the same event-loop turn the row is painted);
- analysis on screen: from the end of the last utterance of a request to the
  window showing its sentiment marker and flags;
- the event loop: the longest gap between ticks of a 10 ms QTimer (a stall
  the user would feel), and its 99th percentile;
- the sentiment timeline's repaint with 5 and with 120 minutes of lines
  (``benchmarks/timeline.py``, also runnable alone).

    python benchmarks/ui_latency.py [--audio PATH] [--provider-delay 0.3]

``--soak``: the window's cost per line over a long session (issue 19). A
generated two-hour interview transcript (720 lines, one every 10 s, two
speakers; every 12th answer flags a contradiction quoting an earlier line)
replays at speed 4 (24 lines a minute) through the window and a loopback
provider; it prints the process's CPU seconds per wall minute and its RSS
when the replay reaches session minutes 5, 30, 60 and 120. ``--minutes`` and
``--speed`` shorten it; ``--profile FILE`` writes a cProfile of the run.
``--faults SEED``: a provider pair that fails as the issue's soak did (per
request, seeded: 10 % 500s, 6 % 429 with Retry-After 2, 5 % resets, 5 % cut
streams, 2 % 6 s first-token stalls, 1 % malformed events).

    python benchmarks/ui_latency.py --soak [--minutes 120] [--speed 4] [--faults 1] [--profile soak.prof]

The audio clock starts at the first level reading (the capture's first block
is delivered at once, then paced at real time).
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
sys.path.insert(0, str(ROOT))
DEFAULT_AUDIO = Path("/work/shared/data/interviews/backend-lead.wav")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO)
    parser.add_argument("--provider-delay", type=float, default=0.3)
    parser.add_argument("--soak", action="store_true", help="the two-hour soak at speed 4 instead")
    parser.add_argument("--minutes", type=int, default=120, help="--soak: session length")
    parser.add_argument("--speed", type=float, default=4.0, help="--soak: replay speed")
    parser.add_argument("--profile", type=Path, help="--soak: write a cProfile of the run here")
    parser.add_argument("--faults", type=int, help="--soak: a seeded fault-injecting provider pair")
    args = parser.parse_args()
    if args.soak:
        return soak(args.minutes, args.speed, args.provider_delay, args.profile, args.faults)
    tmp = Path(tempfile.mkdtemp(prefix="ui-latency-"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(tmp / "config")
    os.environ["ANNOTATOR_DATA_DIR"] = str(tmp / "data")
    os.environ["ANNOTATOR_LOG_DIR"] = str(tmp / "log")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.config.schema import Config
    from annotator.sessions.events import SessionClosed
    from annotator.sessions.service import Sessions
    from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
    from annotator.ui.main_window import MainWindow
    from annotator.ui.messages import MessageHub
    from annotator.ui.session_controller import SessionController
    from tests.helpers.faultserver import FaultServer, Reply

    app = QApplication(sys.argv[:1])
    loop = new_event_loop(app)
    server = FaultServer(Reply.ok(delay_s=args.provider_delay)).start()
    hub = MessageHub()
    bridge = Bridge(hub)
    window = MainWindow(hub, confirm=lambda title, text: True)
    window.attach(bridge)
    sessions = Sessions(Config(providers=(server.provider("loopback"),)), bridge)
    SessionController(window, bridge, sessions, hub)
    window.show()
    # First, while nothing else runs: after the replay, the allocations would collect a task the closed
    # loop leaves pending ("Task was destroyed but it is pending!").
    timeline_paint()

    t0: list[float] = []
    chunk_end: dict[int, float] = {}
    line_delay: list[float] = []
    analysis_delay: list[float] = []
    gaps: list[float] = []
    last_tick = [time.monotonic()]

    gap_at: list[float] = []

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last_tick[0])
        gap_at.append(now - (t0[0] if t0 else now))
        last_tick[0] = now

    def on_level(_source: str, _level: float) -> None:
        if not t0:
            t0.append(time.monotonic())

    def on_rows(_parent: object, first: int, last: int) -> None:
        now = time.monotonic()
        for r in range(first, last + 1):
            chunk = window.transcript_model.row_at(r).chunk
            chunk_end[chunk.id] = chunk.end
            if t0:
                line_delay.append(now - (t0[0] + chunk.end))

    def on_analysis(analysis: object) -> None:
        now = time.monotonic()
        ends = [chunk_end[i] for i in analysis.chunk_ids if i in chunk_end]  # type: ignore[attr-defined]
        if t0 and ends:
            analysis_delay.append(now - (t0[0] + max(ends)))

    bridge.level.connect(on_level)
    window.transcript_model.rowsInserted.connect(on_rows)
    bridge.analysis.connect(on_analysis)  # after the window's own slot: the marker is in place
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)

    async def run() -> None:
        await sessions.model.load()  # as in the app: loaded before Record is pressed
        done = loop.create_future()
        bridge.event.connect(lambda e: isinstance(e, SessionClosed) and not done.done() and done.set_result(None))
        last_tick[0] = time.monotonic()
        timer.start()
        await sessions.start_replay(args.audio, 1.0)
        await done
        timer.stop()

    try:
        loop.run_until_complete(run())
    finally:
        server.stop()
        close_event_loop(loop)

    print(f"audio: {args.audio.name}, provider answers after {args.provider_delay * 1000:.0f} ms, model tiny.en (int8)")
    print(f"lines: {len(line_delay)}, analyses: {len(analysis_delay)}")
    if line_delay:
        print(
            f"line on screen after the utterance ends: median {statistics.median(line_delay) * 1000:.0f} ms, "
            f"p95 {pct(line_delay, 95) * 1000:.0f} ms, max {max(line_delay) * 1000:.0f} ms"
        )
    if analysis_delay:
        print(
            f"analysis (marker, flags) on screen:      median {statistics.median(analysis_delay) * 1000:.0f} ms, "
            f"p95 {pct(analysis_delay, 95) * 1000:.0f} ms, max {max(analysis_delay) * 1000:.0f} ms"
        )
    if gaps:
        print(
            f"event loop (10 ms timer): longest gap {max(gaps) * 1000:.0f} ms, p99 {pct(gaps, 99) * 1000:.1f} ms, "
            f"{len(gaps)} ticks"
        )
        worst = sorted(zip(gaps, gap_at), reverse=True)[:5]
        print("longest gaps (ms at s into the audio): " + ", ".join(f"{g * 1000:.0f} at {a:.1f}" for g, a in worst))
    return 0


LINE_EVERY_S = 10.0
FLAG_EVERY = 12
MARKS_AT = (5, 30, 60, 120)


def soak_transcript(path: Path, minutes: int) -> list[str]:
    """A ``minutes``-long interview as SRT: a 6 s line every 10 s, the speakers taking turns,
    every line different (numbers, names). Returns the lines' texts."""
    topics = (
        "the migration",
        "the on-call rota",
        "the billing service",
        "hiring",
        "the roadmap",
        "latency",
        "the budget",
    )
    texts, cues = [], []
    for i in range(int(minutes * 60 / LINE_EVERY_S)):
        speaker = "Candidate" if i % 2 else "Interviewer"
        text = (
            f"About {topics[i % len(topics)]}, item {i}: we spent {i % 17 + 2} weeks on it with {i % 9 + 3} people "
            f"and it went {'well' if i % 3 else 'badly'} in the end, I would say."
        )
        texts.append(text)
        start = i * LINE_EVERY_S
        cues.append(f"{i + 1}\n{_srt(start)} --> {_srt(start + 6)}\n{speaker}: {text}\n")
    path.write_text("\n".join(cues), encoding="utf-8")
    return texts


def _srt(t: float) -> str:
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{int(t % 60):02d},{int(t * 1000 % 1000):03d}"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak(minutes: int, speed: float, delay_s: float, profile: Path | None, faults: int | None = None) -> int:
    """Replay a long transcript through the window; CPU per wall minute and RSS along the way."""
    tmp = Path(tempfile.mkdtemp(prefix="ui-soak-"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["ANNOTATOR_CONFIG_DIR"] = str(tmp / "config")
    os.environ["ANNOTATOR_DATA_DIR"] = str(tmp / "data")
    os.environ["ANNOTATOR_LOG_DIR"] = str(tmp / "log")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator import paths
    from annotator.config.schema import Config
    from annotator.sessions.events import SessionClosed
    from annotator.sessions.service import Sessions
    from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
    from annotator.ui.main_window import MainWindow
    from annotator.ui.messages import MessageHub
    from annotator.ui.session_controller import SessionController
    from tests.helpers.faultserver import FaultServer, Reply, insight_json

    transcript = tmp / "two-hours.srt"
    texts = soak_transcript(transcript, minutes)
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(paths.resource("style.qss").read_text(encoding="utf-8"))  # as the app does: polishing costs
    loop = new_event_loop(app)
    server = FaultServer(Reply.ok(delay_s=delay_s)).start()
    rng = random.Random(faults)
    fault_mix = (
        (0.10, Reply.status(500)),
        (0.06, Reply.status(429, retry_after="2")),
        (0.05, Reply.reset()),
        (0.05, Reply.cut()),
        (0.02, Reply.slow_first_token(6.0)),
        (0.01, Reply.malformed()),
    )
    names = ("loopback", "fallback") if faults is not None else ("loopback",)
    for i, text in enumerate(texts):  # one request per line, in order: answer n is about line n
        label, score = (("positive", 0.5), ("neutral", 0.0), ("negative", -0.4))[i % 3]
        contradictions = ()
        if i % FLAG_EVERY == FLAG_EVERY - 1 and i >= 24:
            earlier = texts[(i * 7) % (i - 2) // 2 * 2 + (i % 2)]  # the same speaker, minutes to hours back
            contradictions = ((text, earlier, "The numbers do not match."),)
        ok = Reply.ok(insight_json(label, score, contradictions), delay_s=delay_s)
        for name in names:
            reply = ok
            if faults is not None:
                roll = rng.random()
                for share, fault in fault_mix:
                    if roll < share:
                        reply = fault
                        break
                    roll -= share
            server.script(name, reply)
    hub = MessageHub()
    bridge = Bridge(hub)
    window = MainWindow(hub, confirm=lambda title, text: True)
    window.attach(bridge)
    sessions = Sessions(Config(providers=tuple(server.provider(n) for n in names)), bridge)
    SessionController(window, bridge, sessions, hub)
    window.show()

    samples: list[tuple[float, float, float, float]] = []  # (wall s, cpu s, session minute, rss MB)
    wall0 = time.monotonic()
    cpu0 = time.process_time()
    shown = [0.0]

    def on_chunk(chunk: object) -> None:
        shown[0] = chunk.end / 60  # type: ignore[attr-defined]

    def sample() -> None:
        samples.append((time.monotonic() - wall0, time.process_time() - cpu0, shown[0], rss_mb()))
        print(
            f"  wall {samples[-1][0]:6.0f} s  cpu {samples[-1][1]:7.1f} s  session minute {shown[0]:5.1f}  "
            f"rss {samples[-1][3]:.0f} MB",
            file=sys.stderr,
            flush=True,
        )

    bridge.chunk.connect(on_chunk)
    every = QTimer()
    every.setInterval(int(60_000 / max(speed, 1) / 4))  # four samples per wall minute at speed >= 1
    every.timeout.connect(sample)

    async def run() -> None:
        done = loop.create_future()
        bridge.event.connect(lambda e: isinstance(e, SessionClosed) and not done.done() and done.set_result(None))
        sample()
        every.start()
        await sessions.start_replay(transcript, speed)
        await done
        every.stop()
        sample()

    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        loop.run_until_complete(run())
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
        server.stop()
        close_event_loop(loop)

    print(
        f"soak: {len(texts)} lines over {minutes} session minutes at speed {speed:g} "
        f"({len(texts) / minutes * speed:.0f} lines a wall minute), provider answers after {delay_s * 1000:.0f} ms; "
        f"{len(window.flags.cards)} flag cards, {window.transcript_model.rowCount()} rows"
        + (
            f", faults seeded {faults} ({len(server.requests)} requests, {len(hub.history)} messages)"
            if faults is not None
            else ""
        )
    )
    print("session minute | CPU s per wall minute (the wall minute before) | RSS MB")
    figures = []
    for mark in MARKS_AT:
        if mark > minutes:
            continue
        end = next((s for s in samples if s[2] >= mark), samples[-1])
        start = min(samples, key=lambda s: abs(s[0] - (end[0] - 60)))
        rate = (end[1] - start[1]) / max(end[0] - start[0], 1e-9) * 60
        figures.append(rate)
        print(f"{mark:>14} | {rate:>46.2f} | {end[3]:.0f}")
    if len(figures) > 1:
        print(f"last / first: {figures[-1] / figures[0]:.2f}x")
    return 0


def timeline_paint() -> None:
    """The sentiment timeline's repaint at minute 5 against minute 120 (``benchmarks/timeline.py``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import timeline  # benchmarks/timeline.py

    timeline.paint_figures()


if __name__ == "__main__":
    raise SystemExit(main())
