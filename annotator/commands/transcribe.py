"""``annotator transcribe AUDIO``: headless transcription of a file to stdout.

Text output prints lines (``text.lines``: the fragments of one sentence joined); ``--json``
prints one object per chunk, as transcribed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from annotator.audio.decode import check_audio_file
from annotator.commands.options import with_vocabulary
from annotator.commands.terminal import ProgressBar
from annotator.config.file import load_config
from annotator.speakers.stage import speakers_for
from annotator.text.lines import Line, continues, joined_text
from annotator.transcription.files import transcribe_file
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.model import check_language, load_model

PROGRESS_MIN_S = 30.0  # files shorter than this get no progress bar


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Model/decoding settings: the config file's [transcription]/[audio] tables, then the command line."""
    s: dict[str, Any] = {
        "model": None,
        "device": "cpu",
        "compute_type": "int8",
        "language": None,
        "beam_size": 1,
        "silence_s": 0.35,
        "max_utterance_s": 15.0,
        "separate_speakers": True,
        "speakers": None,
    }
    cfg = with_vocabulary(load_config(Path(args.config) if args.config else None), args.vocabulary)
    s["vocabulary"] = cfg.transcription.vocabulary
    for key in ("model", "device", "compute_type", "language", "beam_size"):
        if getattr(cfg.transcription, key) is not None:
            s[key] = getattr(cfg.transcription, key)
    s["silence_s"] = cfg.audio.silence_s
    s["max_utterance_s"] = cfg.audio.max_utterance_s
    s["separate_speakers"] = cfg.transcription.separate_speakers
    s["speakers"] = args.speakers or cfg.transcription.speakers
    if args.model:
        s["model"] = args.model
    if args.language:
        s["language"] = args.language
    return s


def _stamp(t: float) -> str:
    m, s = divmod(t, 60.0)
    h, m = divmod(int(m), 60)
    return f"{h:02d}:{m:02d}:{s:06.3f}" if h else f"{m:02d}:{s:06.3f}"


def _line_text(line: Line) -> str:
    who = f" {line.speaker}:" if line.speaker else ""
    return f"[{_stamp(line.start)} - {_stamp(line.end)}]{who} {line.text}"


def run(args: argparse.Namespace) -> int:
    check_audio_file(args.audio)  # before the model loads: a wrong path is said at once
    s = _settings(args)
    model = load_model(s["model"], s["device"], s["compute_type"])
    check_language(model, s["language"], s["model"])
    options = TranscribeOptions(beam_size=int(s["beam_size"]), language=s["language"], vocabulary=s["vocabulary"])
    speakers = speakers_for(bool(s["separate_speakers"]), s["speakers"])
    bars: list[ProgressBar] = []  # made at the first report, when the file's length is known

    def progress(done: float, total: float) -> None:
        if not bars:
            bars.append(ProgressBar(sys.stderr, total, unit="s", min_total=PROGRESS_MIN_S))
        bars[0].draw(done)

    said = 0
    line: Line | None = None  # text output: the line being read, printed once the next one starts

    def show(text: str) -> None:
        for bar in bars:
            bar.clear()  # the line goes where the bar was; the next report draws it again
        print(text, flush=True)

    try:
        for chunk in transcribe_file(
            args.audio,
            model,
            language=s["language"],
            on_progress=progress,
            options=options,
            silence_s=float(s["silence_s"]),
            max_utterance_s=float(s["max_utterance_s"]),
            turns_of=None if speakers is None else speakers.spans,
        ):
            said += 1
            if args.json:  # JSON: one object per chunk, as transcribed
                show(json.dumps(chunk.to_dict(), ensure_ascii=False))
                continue
            if line is not None and continues(line.chunks[-1], chunk, line.start):
                line = Line((*line.chunks, chunk), joined_text(line.text, chunk.text))
                continue
            if line is not None:
                show(_line_text(line))
            line = Line((chunk,), chunk.text.strip())
        if line is not None:
            show(_line_text(line))
    finally:
        for bar in bars:
            bar.clear()
    if not said:
        print(
            f"annotator: no speech was heard in {args.audio}: it is silent, or the speech is too quiet to transcribe",
            file=sys.stderr,
        )
    return 0
