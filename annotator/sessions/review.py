"""Reviewing a saved session: the estimate as one line, the run, the journal record.

The window (``sessions.service.Sessions.review``, from its asyncio loop) and
``annotator review`` share this: both show ``format_estimate`` and ask
first, then ``review_session`` runs the review (``analysis.review.run``) and
appends it to the session's journal (the journal stays closed, see
``journal.recovery.append_review``), so exports show it and count its cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from annotator.analysis.review.flags import live_flags
from annotator.analysis.review.plan import estimate_review
from annotator.analysis.review.run import review_record
from annotator.analysis.review_model import LiveFlag, Review, ReviewEstimate, ReviewProgress
from annotator.config.keys import Keys, key_status
from annotator.config.schema import Config, post_providers
from annotator.errors import InputError, JournalError
from annotator.formats.readers import read_session
from annotator.journal.files import in_use
from annotator.journal.record import SessionRecord
from annotator.journal.recovery import append_review
from annotator.journal.writer import Journal


@dataclass(frozen=True)
class ReviewRun:
    """A finished post-session review of the journal at ``path`` and the live
    flags it was given (numbered as in the review; the window maps its
    verdicts to cards with them)."""

    path: Path
    review: Review
    flags: tuple[LiveFlag, ...]

    @classmethod
    def of(cls, path: Path, record: SessionRecord, review: Review) -> ReviewRun:
        return cls(path, review, live_flags(record))


def format_estimate(estimate: ReviewEstimate) -> str:
    """One line: who, how many parts, tokens and cost (expected, and at most)."""
    parts = "1 request" if estimate.parts == 1 else f"{estimate.parts} requests (the transcript is split)"
    flags = f"{estimate.live_flags} live flag{'' if estimate.live_flags == 1 else 's'}"
    price = (
        f"estimated cost ${estimate.cost_usd:.4f} (at most ${estimate.max_cost_usd:.4f})"
        if estimate.priced
        else "no price configured for it ($0 estimated)"
    )
    return (
        f"review by {estimate.provider} ({estimate.model}), {parts}, {flags}: "
        f"~{estimate.input_tokens:,} tokens in, ~{estimate.output_tokens:,} out "
        f"(at most {estimate.max_output_tokens:,}); {price}"
    )


def checked_path(path: Path) -> Path:
    """``path`` when a review can be added to it: a closed session journal."""
    if path.suffix.lower() != ".jsonl":
        raise InputError(f"{path}: the review is added to a session journal (.jsonl); this is not one")
    if in_use(path):
        raise JournalError(f"{path}: is being written by a running annotator; review it after that session has ended")
    return path


async def review_session(
    path: Path,
    config: Config,
    *,
    client: httpx.AsyncClient | None = None,
    keys: Keys = None,
    on_progress: Callable[[ReviewProgress], None] | None = None,
    journal: Journal | None = None,
    record: SessionRecord | None = None,
) -> Review:
    """Review the session journaled at ``path`` and add the review to its journal.

    For the window: call from the asyncio loop after showing
    ``estimate_review(record, config)`` and getting a yes. ``journal`` is the
    session's open ``Journal`` when it is still being recorded by this
    process (the review is then written through it); otherwise the closed
    journal file gets it (``journal.recovery.append_review``). ``record`` saves reading
    the journal again when the caller has it. File work runs in a worker
    thread. Returns the review; its ``attempts`` carry the tokens and cost
    to add to the session's cost total. Raises ``InputError`` /
    ``JournalError`` before anything is sent when the journal cannot take a
    review, and ``ConfigError`` when no review provider is usable.
    """
    path = Path(path)
    if journal is None:
        checked_path(path)
    if record is None:
        record = await asyncio.to_thread(read_session, path)
    review = await review_record(record, config, client=client, keys=keys, on_progress=on_progress)
    if journal is not None:
        journal.write_review(review)
    else:
        await asyncio.to_thread(append_review, path, review)
    return review


async def estimate_saved(path: Path, config: Config) -> ReviewEstimate:
    """Tokens and cost of reviewing the session at ``path`` with the first usable
    review provider (read and estimated in a thread); nothing is sent."""
    record = await asyncio.to_thread(read_session, path)
    return await asyncio.to_thread(estimate_review, record, config)


async def review_saved(
    path: Path, config: Config, on_progress: Callable[[ReviewProgress], None] | None = None
) -> ReviewRun:
    """``review_session`` for the window: the keys are looked up in a thread first
    (an OS keyring can be slow); returns the review with the live flags it judged."""

    def keys() -> dict[str, str]:
        found = {p.name: key_status(p).key for p in post_providers(config)}
        return {name: key for name, key in found.items() if key}

    record = await asyncio.to_thread(read_session, path)
    table = await asyncio.to_thread(keys)
    review = await review_session(path, config, keys=table, on_progress=on_progress, record=record)
    return ReviewRun.of(path, record, review)


__all__ = ["ReviewRun", "checked_path", "estimate_saved", "format_estimate", "review_saved", "review_session"]
