"""``annotator review SESSION [--json] [--yes]``: the post-session review, headless.

SESSION is a journal path or a session id (see ``annotator export``). Cost
first: the estimate (provider tried first, parts, tokens, cost) goes to
stderr before anything is sent, and the review runs only when confirmed:
``--yes``, or ``y`` at the prompt when stdin is a terminal. Without a
terminal and without ``--yes`` it exits 2 with one line saying so (and what
it would cost). Progress (one line per part) goes to stderr.

The review is appended to the journal as a ``review`` record (the journal
stays closed, see ``journal.recovery.append_review``), so ``annotator export`` shows
it and counts its cost. Output: a readable report, or with ``--json`` one
line holding ``Review.to_dict()`` plus ``session`` (the id) and
``estimate``. Exit status 0 when the review has a result, 1 when no provider
gave a valid one (it is journaled all the same: its attempts may have
cost money) or the prompt was declined, 2 for errors.

The estimate line and the run are ``sessions.review``, shared with the window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from annotator.analysis.review.flags import live_flags
from annotator.analysis.review.plan import estimate_review
from annotator.analysis.review_model import Review, ReviewEstimate, ReviewProgress
from annotator.commands.terminal import flat
from annotator.config.file import load_config
from annotator.formats.readers import read_session
from annotator.formats.summary import summary
from annotator.journal.record import SessionRecord
from annotator.journal.store import resolve_session
from annotator.sessions.review import checked_path, format_estimate, review_session
from annotator.text.clock import timestamp

EXIT_DECLINED = 1
EXIT_NO_RESULT = 1
EXIT_NEEDS_YES = 2


def format_review(review: Review, record: SessionRecord) -> str:
    """The review as a person reads it in a terminal."""
    lines: list[str] = []
    secs = review.elapsed_ms / 1000
    if review.result is None:
        lines.append(f"Review of {record.id or 'the session'} failed after {secs:.1f} s: {flat(review.error)}")
    else:
        result = review.result
        parts = "" if review.parts == 1 else f", {review.parts} parts"
        lines.append(
            f"Review of {record.id or 'the session'} by {review.provider} ({review.model}){parts}, {secs:.1f} s"
        )
        lines += ["", f"Summary: {flat(result.summary)}"]
        for title, items in (("Live flags confirmed", result.confirmed), ("Live flags rejected", result.rejected)):
            if items:
                lines += ["", f"{title} ({len(items)}):"]
                for c in items:
                    lines.append(
                        f'  #{c.flag} [{timestamp(c.statement_at)}] "{flat(c.statement)}" vs '
                        f'[{timestamp(c.earlier_at)}] "{flat(c.earlier)}"'
                    )
                    if c.explanation:
                        lines.append(f"     {flat(c.explanation)}")
        if result.unreviewed:
            flags = {f.number: f for f in live_flags(record)}
            lines += ["", "Live flags not judged:"]
            for n in result.unreviewed:
                f = flags.get(n)
                lines.append(f'  #{n} "{flat(f.contradiction.statement)}"' if f is not None else f"  #{n}")
        lines += [
            "",
            f"Missed by the live pass ({len(result.missed)}):" if result.missed else "Missed by the live pass: none",
        ]
        for c in result.missed:
            lines.append(
                f'  [{timestamp(c.statement_at)}] "{flat(c.statement)}" vs [{timestamp(c.earlier_at)}] "{flat(c.earlier)}"'
            )
            if c.explanation:
                lines.append(f"     {flat(c.explanation)}")
        if result.arc.summary or result.arc.turning_points:
            lines += ["", f"Sentiment arc: {flat(result.arc.summary)}".rstrip()]
            for t in result.arc.turning_points:
                lines.append(f"  [{timestamp(t.at)}] {t.label} {t.score:+.2f} {flat(t.why)}".rstrip())
        if result.questions:
            lines += ["", "Follow-up questions:"]
            lines += [f"  {i}. {flat(q)}" for i, q in enumerate(result.questions, 1)]
    total = summary(record)["cost_usd"]
    usage = (
        f"Usage: {review.input_tokens:,} in + {review.output_tokens:,} out tokens, estimated cost "
        f"${review.cost_usd:.4f}; the session's total is now ${total:.4f}"
    )
    lines += ["", usage]
    return "\n".join(lines)


def _progress_printer(err: TextIO) -> Callable[[ReviewProgress], None]:
    def show(p: ReviewProgress) -> None:
        if not p.done:
            err.write(f"review: part {p.part}/{p.parts} sent\n")
        else:
            answered = next((a for a in p.attempts if a.ok), None)
            failed = [f"{a.provider} {a.outcome.value}" for a in p.attempts if not a.ok]
            tail = f" (failed over: {', '.join(failed)})" if failed and answered is not None else ""
            if answered is not None:
                err.write(
                    f"review: part {p.part}/{p.parts} answered by {answered.provider} "
                    f"in {answered.elapsed_ms / 1000:.1f} s{tail}\n"
                )
            else:
                err.write(
                    f"review: part {p.part}/{p.parts} got no valid answer ({', '.join(failed) or 'no provider'})\n"
                )
        err.flush()

    return show


def _confirmed(args: argparse.Namespace, estimate: ReviewEstimate, stdin: TextIO, err: TextIO) -> int | None:
    """None to go ahead, else the exit status."""
    if args.yes:
        err.write(f"annotator: {format_estimate(estimate)}\n")
        return None
    if not stdin.isatty():
        err.write(
            f"annotator: the review was not run: it would cost about ${estimate.cost_usd:.4f} "
            f"({estimate.provider}, ~{estimate.input_tokens:,} tokens in); pass --yes to run it without a prompt\n"
        )
        return EXIT_NEEDS_YES
    err.write(f"annotator: {format_estimate(estimate)}\nRun the review? [y/N] ")
    err.flush()
    answer = stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        err.write("annotator: review cancelled\n")
        return EXIT_DECLINED
    return None


def run(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config) if args.config else None)
    path = checked_path(resolve_session(args.session))
    record = read_session(path)
    for warning in record.warnings:
        print(f"annotator: warning: {warning}", file=sys.stderr)
    estimate = estimate_review(record, config)
    status = _confirmed(args, estimate, sys.stdin, sys.stderr)
    if status is not None:
        return status
    review = asyncio.run(review_session(path, config, on_progress=_progress_printer(sys.stderr), record=record))
    updated = read_session(path)
    if args.json:
        line = {"session": updated.id, **review.to_dict(), "estimate": estimate.to_dict()}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_review(review, updated) + "\n")
    sys.stdout.flush()
    if review.result is None:
        print(f"annotator: the review failed: {flat(review.error)}", file=sys.stderr)
        return EXIT_NO_RESULT
    return 0
