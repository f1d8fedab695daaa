"""A live session measured from outside: speech played into a private PulseAudio source.

    python benchmarks/live.py [--audio WAV] [--reference TXT] [--no-partials] [--silence S]

The clip is played with ``paplay`` into a null sink whose monitor is the input of a real
``LiveInput`` (sounddevice -> ``Capture`` -> segmenter -> the worker -> the loop), the path of
``annotator listen`` and the window, with the offline tiny.en model (int8, beam 1). Every
partial and chunk is time-stamped as it reaches the loop. Where speech starts and ends is taken
from the file itself (Silero VAD over the whole file, pauses of 0.5 s or more end a stretch
of speech), against the moment ``paplay`` was started:

- final latency: end of a stretch of speech -> the chunk that ends it (median, p95, heard);
- first words: for stretches of 4 s or more, start of speech -> the first partial or chunk
  whose text begins with the stretch's first two words (as its final text has them; the
  first four letters of each word must match);
- partial update interval while someone talks, and the partials' share of the worker's time
  and of the process's CPU time during the session;
- WER of the chunks against the reference (the RealtimeSTT clip's sentences by default).

Defaults to the RealtimeSTT clip in tests/data (52 s, nine answers of real speech); the
interview in /work/shared/data/interviews/backend-lead.wav with ``--reference`` its .txt
(speaker prefixes are dropped) is the longer, two-voice check.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jiwer
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.audio.decode import decode_file  # noqa: E402
from annotator.config.schema import AudioConfig, TranscriptionConfig  # noqa: E402
from annotator.errors import AnnotatorError  # noqa: E402
from annotator.models import Chunk  # noqa: E402
from annotator.sessions.events import Event, PartialText  # noqa: E402
from annotator.sessions.live import LiveInput  # noqa: E402
from annotator.transcription.filters import TranscribeOptions  # noqa: E402
from annotator.transcription.model import load_model  # noqa: E402
from annotator.transcription.utterance import transcribe_audio  # noqa: E402
from tests.helpers.pulse import PulseServer, private_pulse  # noqa: E402
from tests.helpers.whisper import normalise  # noqa: E402

DATA = ROOT / "tests" / "data"
LONG_S = 4.0


@dataclass
class Heard:
    """What reached the loop, with monotonic arrival times."""

    chunks: list[tuple[float, Chunk]] = field(default_factory=list)
    partials: list[tuple[float, PartialText]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Recorder:
    """Stands in for the session's pipeline: ``LiveInput`` hands it chunks and events."""

    def __init__(self) -> None:
        self.heard = Heard()
        self.out = self

    def add_chunk(self, chunk: Chunk) -> None:
        self.heard.chunks.append((time.monotonic(), chunk))

    def event(self, event: Event) -> None:
        if isinstance(event, PartialText):
            self.heard.partials.append((time.monotonic(), event))

    def report(self, error: AnnotatorError) -> None:
        self.heard.errors.append(str(error))

    def on_level(self, source: str, level: float) -> None:
        return None


def speech_stretches(audio: np.ndarray) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(min_silence_duration_ms=500, speech_pad_ms=0, min_speech_duration_ms=250)
    return [(s["start"] / 16000, s["end"] / 16000) for s in get_speech_timestamps(audio, opts)]


def reference_text(path: Path) -> str:
    if path.suffix == ".json":
        meta = json.loads(path.read_text())
        return " ".join(u["normalized"] for u in meta["utterances"])
    lines = [re.sub(r"^[A-Z][\w ]{0,30}:\s*", "", ln) for ln in path.read_text().splitlines() if ln.strip()]
    return normalise(" ".join(lines))


async def play(
    model: Any, pulse: PulseServer, path: Path, *, partials: bool, silence_s: float
) -> tuple[Heard, float, float, float, LiveInput]:
    """(what was heard, paplay start, the session's CPU seconds, its wall seconds, the input)."""
    loop = asyncio.get_running_loop()
    live = LiveInput(
        model,
        [(pulse.monitor, "Them")],
        loop,
        transcription=TranscriptionConfig(),
        audio=AudioConfig(silence_s=silence_s),
        partials=partials,
    )
    await asyncio.to_thread(live.open)
    recorder = Recorder()
    await asyncio.to_thread(live.start, recorder, None)  # type: ignore[arg-type]
    await asyncio.sleep(1.0)  # the input runs: a second of silence first
    cpu0, wall0 = time.process_time(), time.monotonic()
    t0 = time.monotonic()
    live.offset = live.captures[0].samples_out / 16000  # type: ignore[attr-defined]  # session clock at t0
    proc = await asyncio.create_subprocess_exec("paplay", f"--device={pulse.sink}", str(path), env=pulse.env)
    await proc.wait()
    await asyncio.sleep(2.0)  # the last answer's end is confirmed and transcribed
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    await live.stop()
    return recorder.heard, t0, cpu, wall, live


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def opening(model: Any, audio: np.ndarray, span: tuple[float, float]) -> list[str]:
    a = audio[int(span[0] * 16000) : int(span[1] * 16000)]
    return words_of(transcribe_audio(model, a, TranscribeOptions(language="en")))[:2]


CONTRACTIONS = {"ve": "have", "m": "am", "re": "are", "ll": "will", "d": "would"}


def words_of(text: str) -> list[str]:
    """Normalised words, contractions spelled out ("I've" and "I have" open alike)."""
    out: list[str] = []
    for w in normalise(text).split():
        if out and w in CONTRACTIONS:
            out.append(CONTRACTIONS[w])
        else:
            out.append(w)
    return out


def starts_with(text: str, words: list[str]) -> bool:
    said = words_of(text)
    if not words or len(said) < len(words):
        return False
    return all(a[:4] == b[:4] for a, b in zip(said, words))


def report(
    model: Any, audio: np.ndarray, ref: str, heard: Heard, t0: float, cpu: float, wall: float, live: Any
) -> None:
    stretches = speech_stretches(audio)
    offset = live.offset  # the session clock when paplay started: samples captured before it
    finals: list[float] = []
    missing = 0
    for start, end in stretches:
        mine = [(t, c) for t, c in heard.chunks if c.start - offset < end and c.end - offset > start]
        if not mine:
            missing += 1
            continue
        arrived = max(t for t, _ in mine)
        finals.append(arrived - (t0 + end))
        if os.environ.get("LIVE_VERBOSE"):
            spans = [(round(c.start - offset, 2), round(c.end - offset, 2), round(t - t0, 2)) for t, c in mine]
            print(f"    final {start:6.2f}-{end:6.2f}: {finals[-1]:.2f} s; chunks (start, end, arrived) {spans}")
    firsts: list[float] = []
    for start, end in stretches:
        if end - start < LONG_S:
            continue
        # its opening words as the session's own final text has them (else an offline transcription)
        first = sorted((c.start, c.text) for _, c in heard.chunks if c.start - offset < end and c.end - offset > start)
        words = words_of(first[0][1])[:2] if first else opening(model, audio, (start, end))
        lines = [(t, p.text, p.start) for t, p in heard.partials] + [(t, c.text, c.start) for t, c in heard.chunks]
        hits = [t for t, text, s in lines if abs(s - offset - start) < 1.0 and starts_with(text, words)]
        if hits:
            firsts.append(min(hits) - (t0 + start))
        if os.environ.get("LIVE_VERBOSE"):
            mine = [(round(t - t0 - start, 2), text) for t, text, s in sorted(lines) if abs(s - offset - start) < 1.0]
            print(f"    {start:6.2f}-{end:6.2f} {words} {mine[:3]}")
    intervals: list[float] = []
    by_start: dict[float, list[float]] = {}
    for t, p in heard.partials:
        by_start.setdefault(p.start, []).append(t)
    for times in by_start.values():
        intervals += [b - a for a, b in itertools.pairwise(times)]
    said = " ".join(c.text for _, c in heard.chunks)
    wer = jiwer.wer(ref, normalise(said))
    w = live.worker
    print(f"  stretches of speech: {len(stretches)} ({sum(1 for s, e in stretches if e - s >= LONG_S)} of 4 s or more)")
    if finals:
        print(
            f"  final latency (end of speech -> its chunk): median {statistics.median(finals):.2f} s, "
            f"p95 {pct(finals, 0.95):.2f} s, max {max(finals):.2f} s, heard {len(finals)}/{len(stretches)}"
        )
    if firsts:
        print(
            f"  first words of answers >= 4 s: median {statistics.median(firsts):.2f} s, "
            f"max {max(firsts):.2f} s ({len(firsts)} answers)"
        )
    if intervals:
        print(
            f"  partial update interval: median {statistics.median(intervals):.2f} s, p95 {pct(intervals, 0.95):.2f} s"
            f" ({len(heard.partials)} partials, {w.partials_run} run)"
        )
    print(
        f"  worker time on partials: {w.partial_seconds:.1f} s of {wall:.1f} s wall ({w.partial_seconds / wall:.0%});"
        f" process CPU {cpu:.1f} s = {cpu / wall / (os.cpu_count() or 1):.0%} of {os.cpu_count()} cores"
    )
    print(
        f"  WER {wer:.3f} ({len(heard.chunks)} chunks){'; errors: ' + '; '.join(heard.errors) if heard.errors else ''}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--audio", type=Path, default=DATA / "realtimestt" / "asr-reference.wav")
    parser.add_argument(
        "--reference", type=Path, default=DATA / "realtimestt" / "asr-reference.expected_sentences.json"
    )
    parser.add_argument("--no-partials", action="store_true", help="also run without partials, to compare")
    parser.add_argument("--silence", type=float, default=AudioConfig().silence_s, help="[audio] silence_s")
    args = parser.parse_args()
    model = load_model(None)
    audio = decode_file(args.audio)
    ref = reference_text(args.reference)
    print(
        f"{args.audio.name}: {len(audio) / 16000:.0f} s; {os.cpu_count()} cores; tiny.en int8; silence_s {args.silence}"
    )
    modes = [True, False] if args.no_partials else [True]
    with private_pulse() as pulse:
        for partials in modes:
            print(f"\npartials {'on' if partials else 'off'}:")
            heard, t0, cpu, wall, live = asyncio.run(
                play(model, pulse, args.audio, partials=partials, silence_s=args.silence)
            )
            report(model, audio, ref, heard, t0, cpu, wall, live)
    return 0


if __name__ == "__main__":
    sys.exit(main())
