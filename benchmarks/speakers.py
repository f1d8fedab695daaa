"""Speaker separation on conversations of real recorded voices.

    python benchmarks/speakers.py [--seeds N] [--expected]

Conversations are assembled from the real voices in ``../shared/data/speech/``:
LJ Speech (one reader, five clips), John F. Kennedy (jfk.flac), the
RealtimeSTT presenter (52 s of sentences) and the voice of faster-whisper's
hotwords clip, cut into phrases at their own pauses, taken in turns with
pauses of 0.5-1 s (several orders and pause lengths, one per seed), with 2, 3
and 4 speakers; plus ``../shared/data/interviews/backend-lead.wav`` (two
espeak voices, 20 turns split at the 1.1 s pauses between turns).

Each conversation goes through what ``transcribe``, ``listen`` and the window
share: the live segmenter (Silero VAD, 0.5 s of silence ends an utterance)
then ``Speakers`` (embedding + online clustering). The speech itself is not
transcribed (the speaker of an utterance does not depend on its text).

Reported per conversation: the share of speech time given to the right
speaker (best one-to-one mapping of labels), the diarization error rate
(pyannote.metrics ``DiarizationErrorRate``, no collar, when installed; else
our own frame count, said so), the speakers found against the speakers
present, and the CPU time of one embedding per utterance.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.audio.decode import decode_file  # noqa: E402
from annotator.audio.segmenter import Segmenter  # noqa: E402
from annotator.speakers.embedding import SpeakerEmbedder  # noqa: E402
from annotator.speakers.stage import Speakers  # noqa: E402
from tests.helpers import conversation  # noqa: E402

SR = 16000
DATA = ROOT.parent / "shared" / "data"
SPEECH = DATA / "speech"
FRAME = 0.01  # scoring resolution, seconds


def phrases(audio: np.ndarray) -> list[np.ndarray]:
    """``audio`` cut at its own pauses (the tests' cutter), pieces of 0.3 s or more."""
    return conversation.phrases(audio, min_s=0.3)


def voices() -> dict[str, list[np.ndarray]]:
    """Turns (phrases or sentences) per real voice."""
    lj = [decode_file(p) for p in sorted((SPEECH / "ljspeech").glob("*.wav"))]
    jfk = phrases(decode_file(SPEECH / "faster-whisper" / "jfk.flac"))
    presenter = phrases(decode_file(SPEECH / "realtimestt" / "asr-reference.wav"))
    hotwords = phrases(decode_file(SPEECH / "faster-whisper" / "hotwords.mp3"))
    return {"lj": lj, "jfk": jfk, "presenter": presenter, "hotwords": hotwords}


@dataclass
class Conversation:
    name: str
    audio: np.ndarray
    truth: list[tuple[float, float, str]]  # (start, end, speaker) of each turn's speech

    @property
    def speakers(self) -> int:
        return len({s for _, _, s in self.truth})


def assemble(
    name: str,
    pool: dict[str, list[np.ndarray]],
    rng: np.random.Generator,
    turns: int,
    pauses: tuple[float, float] = (0.5, 1.0),
) -> Conversation:
    """``turns`` turns, no voice twice in a row, each voice's phrases used in order (cycled),
    with ``pauses`` (from, to) seconds of silence between turns ((0, 0): none) and 0.5 s at each end."""
    names = list(pool)
    used = {n: int(rng.integers(len(pool[n]))) for n in names}  # each voice starts at a random phrase
    parts = [np.zeros(int(0.5 * SR), np.float32)]
    truth: list[tuple[float, float, str]] = []
    t = 0.5
    prev = ""
    order = list(names)
    rng.shuffle(order)  # every voice once first, in a random order; then at random, never twice in a row
    for i in range(turns):
        who = order[i] if i < len(order) else str(rng.choice([n for n in names if n != prev]))
        piece = pool[who][used[who] % len(pool[who])]
        used[who] += 1
        truth.append((t, t + len(piece) / SR, who))
        pause = float(rng.uniform(*pauses))
        parts += [piece.astype(np.float32), np.zeros(int(pause * SR), np.float32)]
        t += len(piece) / SR + int(pause * SR) / SR
        prev = who
    return Conversation(name, np.concatenate(parts), truth)


def backend_lead() -> Conversation:
    """The two espeak voices of the sample interview: 20 turns, split at the ~1.1 s pauses between turns."""
    audio = decode_file(DATA / "interviews" / "backend-lead.wav")
    lines = [ln.split(":", 1)[0] for ln in (DATA / "interviews" / "backend-lead.txt").read_text().splitlines() if ln]
    hop = 160
    n = len(audio) // hop
    loud = np.sqrt(np.mean(audio[: n * hop].reshape(n, hop) ** 2, axis=1)) > 0.01
    edges = np.flatnonzero(np.diff(loud.astype(int)))
    starts = [0] + [int(e) + 1 for e in edges]
    runs = [(s, e) for s, e in zip(starts, [*starts[1:], n]) if loud[s]]
    turns: list[list[int]] = []
    for s, e in runs:
        if turns and s - turns[-1][1] < 80:  # under 0.8 s: a pause inside a turn
            turns[-1][1] = e
        else:
            turns.append([s, e])
    if len(turns) != len(lines):
        raise SystemExit(f"backend-lead.wav: {len(turns)} turns found by pauses, {len(lines)} lines in the text")
    truth = [(s * FRAME, e * FRAME, who) for (s, e), who in zip(turns, lines)]
    return Conversation("backend-lead (espeak, 2 voices)", audio, truth)


def diarize(
    conv: Conversation,
    embedder: SpeakerEmbedder,
    expected: int | None,
    threshold: float | None = None,
    split: bool = True,
) -> tuple[list, list[float], int, int]:
    """(hypothesis turns, CPU s per utterance, speakers found, utterances split) through the segmenter
    and ``Speakers`` (``split``: changes of speaker inside an utterance looked for)."""
    seg = Segmenter("mic", silence_s=0.5, max_utterance_s=15.0)
    speakers = Speakers(embedder, expected, split=split)
    if threshold is not None:
        speakers.clusters.threshold = threshold
    hyp = []
    cpu = []
    block = SR // 10
    utterances = []
    for i in range(0, len(conv.audio), block):
        utterances += seg.feed(conv.audio[i : i + block])
    utterances += seg.flush()
    for u in utterances:
        t0 = time.thread_time()
        turns = speakers.turns_for(u)
        cpu.append(time.thread_time() - t0)
        hyp += [(t.start, t.end, t.speaker) for t in turns]
    return hyp, cpu, speakers.clusters.count, speakers.splits


def frames(turns: list[tuple[float, float, str]], n: int) -> list[str]:
    lab = [""] * n
    for s, e, who in turns:
        for k in range(round(s / FRAME), min(n, round(e / FRAME))):
            lab[k] = who
    return lab


def right_share(truth: list, hyp: list, length_s: float) -> float:
    """Share of reference speech frames whose hypothesis label maps to their speaker (best one-to-one map)."""
    n = int(length_s / FRAME) + 1
    ref, got = frames(truth, n), frames(hyp, n)
    refs = sorted({r for r in ref if r})
    hyps = sorted({h for h in got if h})
    counts = {(r, h): 0 for r in refs for h in hyps}
    for r, h in zip(ref, got):
        if r and h:
            counts[(r, h)] += 1
    total = sum(1 for r in ref if r)
    best = 0
    # exhaustive over assignments (a handful of labels)
    k = min(len(refs), len(hyps))
    for rs in itertools.permutations(refs, k):
        for hs in itertools.combinations(hyps, k):
            best = max(best, sum(counts[(r, h)] for r, h in zip(rs, hs)))
    return best / total if total else 0.0


def der(truth: list, hyp: list, length_s: float) -> tuple[float, float, str]:
    """(DER, its speaker-confusion part, by what), no collar, overlaps scored."""
    try:
        from pyannote.core import Annotation, Segment, Timeline
        from pyannote.metrics.diarization import DiarizationErrorRate
    except ImportError:
        n = int(length_s / FRAME) + 1
        ref, got = frames(truth, n), frames(hyp, n)
        total = sum(1 for r in ref if r)
        miss = sum(1 for r, h in zip(ref, got) if r and not h)
        fa = sum(1 for r, h in zip(ref, got) if h and not r)
        correct = right_share(truth, hyp, length_s) * total
        confusion = total - miss - correct
        return (miss + fa + confusion) / total, confusion / total, "own frame count (pyannote.metrics not installed)"
    ref_a, hyp_a = Annotation(), Annotation()
    for s, e, who in truth:
        ref_a[Segment(s, e)] = who
    for s, e, who in hyp:
        hyp_a[Segment(s, e)] = who
    uem = Timeline([Segment(0.0, length_s)])
    parts = DiarizationErrorRate(collar=0.0, skip_overlap=False)(ref_a, hyp_a, uem=uem, detailed=True)
    total = parts["total"]
    return parts["diarization error rate"], parts["confusion"] / total, "pyannote.metrics"


@dataclass
class LiveRun:
    delays: list[float]  # end of each line's speech -> the line reaching the pipeline
    cpu: float  # the speaker stage's CPU per utterance
    found: int  # speaker ids in the lines
    hyp: list[tuple[float, float, str]]  # the lines' (start, end, speaker)
    split: int  # utterances the transcriber cut at a change of speaker


def live_latency(conv: Conversation, separate: bool) -> LiveRun:
    """The live path at real-time pace (``LiveInput`` with the file as its input device, 48 kHz
    stereo, 20 ms blocks): for each line, the delay from the end of its speech (as the segmenter
    cut it) to the chunk reaching the pipeline; the speaker stage's CPU per utterance; ids found;
    the lines' speakers (scored against the conversation: times are the file's, as the stream
    starts with it); how many utterances the worker split at a change of speaker."""
    import asyncio
    import tempfile

    import soundfile as sf

    from annotator.audio.file_stream import FileInputStream
    from annotator.config.schema import TranscriptionConfig
    from annotator.sessions.live import LiveInput
    from annotator.transcription.model import load_model

    whisper = load_model(None)

    class Arrivals:
        def __init__(self, t0: list[float]) -> None:
            self.t0 = t0
            self.delays: list[float] = []
            self.speakers: set[str] = set()
            self.hyp: list[tuple[float, float, str]] = []
            self.out = self  # the pipeline's sinks: level readings go nowhere

        def on_level(self, source: str, level: float) -> None:
            return None

        def report(self, error: object) -> None:
            print(f"error: {error}", file=sys.stderr)

        def event(self, event: object) -> None:
            return None

        def add_chunk(self, chunk) -> None:  # type: ignore[no-untyped-def]
            self.delays.append(time.monotonic() - self.t0[0] - chunk.end)
            self.speakers.add(chunk.speaker)
            self.hyp.append((chunk.start, chunk.end, chunk.speaker))

    async def run() -> LiveRun:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "conversation.wav"
            sf.write(path, conv.audio, SR)
            t0: list[float] = []
            arrivals = Arrivals(t0)
            streams: list[FileInputStream] = []

            def factory(device, callback):  # type: ignore[no-untyped-def]
                t0.append(time.monotonic())
                streams.append(FileInputStream(path, callback, samplerate=48000, channels=2, blocksize=960))
                return streams[0]

            live = LiveInput(
                whisper,
                [(None, "You")],
                asyncio.get_running_loop(),
                transcription=TranscriptionConfig(separate_speakers=separate),
                stream_factory=factory,
            )
            await asyncio.to_thread(live.open)
            await asyncio.to_thread(live.start, arrivals, None)  # type: ignore[arg-type]
            await asyncio.to_thread(streams[0].finished.wait, 600)
            await live.stop()
            stage = live.speakers
            cpu = stage.speakers.cpu_s / max(1, stage.speakers.embedded) if stage is not None else 0.0
            found = len(arrivals.speakers - {""})
            return LiveRun(arrivals.delays, cpu, found, arrivals.hyp, live.worker.splits)

    return asyncio.run(run())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3, help="orders and pause lengths per speaker count")
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--auto-only", action="store_true", help="skip the runs given the expected count")
    ap.add_argument(
        "--latency", action="store_true", help="also: live latency with and without speakers (real time, ~2 min)"
    )
    ap.add_argument("--threshold", type=float, help="cosine to join a voice (default: clustering.THRESHOLD)")
    args = ap.parse_args()
    pool = voices()
    print(f"voices: {', '.join(f'{k} ({len(v)} turns)' for k, v in pool.items())}")
    embedder = SpeakerEmbedder()
    convs: list[Conversation] = []
    for count, members in ((2, ["lj", "jfk"]), (3, ["lj", "jfk", "presenter"]), (4, list(pool))):
        for seed in range(args.seeds):
            rng = np.random.default_rng(seed)
            sub = {k: pool[k] for k in members}
            convs.append(assemble(f"{count} voices, seed {seed}", sub, rng, args.turns))
    convs.append(backend_lead())
    # no pause at all between turns: a change of speaker inside an utterance (issue 13)
    zero: list[Conversation] = []
    for count, members in ((2, ["lj", "presenter"]), (3, ["lj", "jfk", "presenter"]), (4, list(pool))):
        for seed in range(args.seeds):
            rng = np.random.default_rng(100 + seed)
            sub = {k: pool[k] for k in members}
            zero.append(assemble(f"{count} voices, no pauses, seed {seed}", sub, rng, args.turns, (0.0, 0.0)))
    cpus: list[float] = []
    durs: list[float] = []
    rows = []
    runs = [
        (conv, expected, True) for conv in convs for expected in ((None,) if args.auto_only else (None, conv.speakers))
    ]
    runs += [(conv, None, split) for conv in zero for split in (False, True)]
    for conv, expected, split in runs:
        hyp, cpu, found, cut = diarize(conv, embedder, expected, args.threshold, split)
        cpus += cpu
        durs += [e - s for s, e, _ in hyp]
        length = len(conv.audio) / SR
        share = right_share(conv.truth, hyp, length)
        rate, confusion, how = der(conv.truth, hyp, length)
        rows.append(
            {
                "conversation": conv.name,
                "speakers": conv.speakers,
                "expected_given": expected is not None,
                "split": split,
                "found": found,
                "right_share": round(share, 3),
                "der": round(rate, 3),
                "confusion": round(confusion, 3),
                "der_by": how,
                "utterances": len(hyp),
                "utterances_split": cut,
                "seconds": round(length, 1),
            }
        )
        print(
            f"{conv.name:34s} --speakers {'-' if expected is None else expected}{'' if split else ' (no split)'}: "
            f"found {found}/{conv.speakers}, right {share:6.1%}, DER {rate:6.1%} (confusion {confusion:5.1%}; "
            f"{len(hyp)} turns, {cut} utterances split, {length:.0f} s)"
        )
    print()
    print(
        f"CPU per utterance (embedding + clustering): median {statistics.median(cpus) * 1000:.0f} ms, "
        f"p95 {sorted(cpus)[int(0.95 * (len(cpus) - 1))] * 1000:.0f} ms, max {max(cpus) * 1000:.0f} ms; "
        f"utterances {statistics.median(durs):.1f} s median, {max(durs):.1f} s longest"
    )
    four = [r for r in rows if r["speakers"] == 4 and not r["expected_given"] and "no pauses" not in r["conversation"]]
    ok = all(r["right_share"] >= 0.9 and r["found"] == 4 for r in four)
    print(f"4 voices, no --speakers: {'all' if ok else 'NOT all'} >= 90 % right with exactly 4 found")
    if args.latency:
        conv = assemble("4 voices, seed 0", pool, np.random.default_rng(0), args.turns)
        live_convs = [(conv, False), (conv, True), (zero[args.seeds], True)]  # + 3 voices with no pauses
        for c, separate in live_convs:
            run = live_latency(c, separate)
            delays = sorted(run.delays)
            share = right_share(c.truth, run.hyp, len(c.audio) / SR) if separate else 0.0
            print(
                f"live, {c.name}, speakers {'on ' if separate else 'off'}: end of speech -> line median "
                f"{statistics.median(delays):.2f} s, p90 {delays[int(0.9 * (len(delays) - 1))]:.2f} s "
                f"({len(delays)} lines); speaker stage CPU per utterance {run.cpu * 1000:.0f} ms; "
                f"{run.found} speakers; right {share:.1%}; {run.split} utterances cut by the transcriber"
            )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    if os.environ.get("SPEAKERS_JSON"):
        Path(os.environ["SPEAKERS_JSON"]).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
