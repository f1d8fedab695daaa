"""``annotator sessions [--search QUERY] [--json]``: the library, headless.

Brings the library's index (``library.index``) up to date with the journals
in the sessions directory first (new or changed journals are read, deleted
ones dropped, a damaged index is rebuilt), then lists every session, newest
first, or the lines matching QUERY (every word must appear; the last may be
the start of a word), newest first. What was left out or healed is one
warning line each on stderr. If another running annotator holds the index,
that is said in one sentence and the listing is what the index already holds.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from annotator.errors import LibraryError
from annotator.library.index import LibraryIndex
from annotator.library.listing import sessions
from annotator.library.refresh import refresh
from annotator.library.search import Hit, search
from annotator.library.summary import SessionSummary
from annotator.text.clock import timestamp
from annotator.text.money import cost

SEARCH_LIMIT = 100


def session_line(s: SessionSummary) -> str:
    parts = [
        s.created[:16].replace("T", " ") or s.id,
        timestamp(s.duration),
        s.shown_title,
    ]
    if s.speakers:
        parts.append(", ".join(s.speakers))
    parts.append(f"{s.flags} flag{'s' if s.flags != 1 else ''}")
    if s.review:
        parts.append(s.review)
    if s.cost_usd:
        parts.append(cost(s.cost_usd))
    if s.unclean:
        parts.append("did not close cleanly (repair: open it in the window)")
    parts.append(s.id)
    return "  ".join(parts)


def hit_line(h: Hit) -> str:
    who = f"{h.who}: " if h.who and h.kind == "line" else (f"{h.kind}: " if h.kind != "line" else "")
    return f"{h.session_id}  {timestamp(h.at)}  {who}{h.snippet}  ({h.title})"


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    index = LibraryIndex.open()
    try:
        try:
            refreshed = refresh(index)
            warnings = list(refreshed.warnings)
        except LibraryError as problem:
            warnings = [str(problem)]
        for warning in warnings:
            print(f"annotator: warning: {warning}", file=err)
        if args.search is not None:
            hits = search(index, args.search, limit=SEARCH_LIMIT)
            for h in hits:
                print(json.dumps(h.to_dict(), ensure_ascii=False) if args.json else hit_line(h), file=out)
            if not hits and not args.json:
                print(f"annotator: nothing found for {args.search!r}", file=err)
        else:
            listed = sessions(index)
            for s in listed:
                print(json.dumps(s.to_dict(), ensure_ascii=False) if args.json else session_line(s), file=out)
            if not listed and not args.json:
                print(f"annotator: no sessions yet in {index.sessions_dir}", file=err)
    finally:
        index.close()
    return 0
