"""``annotator retranscribe SESSION [--model M]``: a second, stronger pass over a session's audio.

The new text is appended to the journal as a revision of the transcript (the live text is kept);
exports, the review and the window use it from then on. Progress on stderr (a terminal only);
the revised lines on stdout, and how many changed on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.commands.options import with_vocabulary
from annotator.commands.terminal import ProgressBar
from annotator.config.file import load_config
from annotator.journal.store import resolve_session
from annotator.sessions.retranscribe import second_pass


def run(args: argparse.Namespace) -> int:
    config = with_vocabulary(load_config(Path(args.config) if args.config else None), args.vocabulary)
    t = config.transcription
    path = resolve_session(args.session)
    bars: list[ProgressBar] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(ProgressBar(sys.stderr, total, unit="chunks"))
        bars[0].draw(done)

    def loading(model: str) -> None:
        print(f"annotator: transcribing {path.name} again with {model}...", file=sys.stderr)

    try:
        result = second_pass(path, t, args.model or t.second_pass_model, on_progress=progress, on_loading=loading)
    finally:
        for bar in bars:
            bar.clear()
    for warning in result.record.warnings:
        print(f"annotator: warning: {warning}", file=sys.stderr)
    for chunk in result.record.chunks:
        print(f"{chunk.id}: {chunk.text}")
    print(f"annotator: {result.sentence()}", file=sys.stderr)
    return 0
