"""``annotator export SESSION --format md|json|srt|vtt [-o FILE]``.

SESSION is a journal path, a session id (its file stem, or a unique prefix
of one) in the sessions directory, a JSON export, or a transcript
(.txt/.srt/.vtt, e.g. to turn SRT into VTT). What was skipped while reading
(a torn last line, a session that never closed) is one warning line each on
stderr; the export still succeeds. With ``-o`` the file is replaced
atomically (``formats.writers.write_export``, as the window saves one), so a
failed export never leaves half a file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from annotator.formats.readers import read_record
from annotator.formats.writers import export, write_export
from annotator.journal.store import resolve_session


def run(args: argparse.Namespace) -> int:
    path = resolve_session(args.session)
    record = read_record(path)
    for warning in record.warnings:
        print(f"annotator: warning: {warning}", file=sys.stderr)
    text = export(record, args.format)
    if args.output:
        write_export(Path(args.output), text)
    else:
        try:
            out = getattr(sys.stdout, "buffer", None)
            if out is not None:
                sys.stdout.flush()
                out.write(text.encode("utf-8"))
                out.flush()
            else:
                sys.stdout.write(text)
        except BrokenPipeError:  # e.g. `annotator export ... | head`: the reader has what it wanted
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    return 0
