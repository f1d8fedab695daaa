"""The session as JSON (``.json``), for programs; written and read back.

Written: ``SessionRecord.to_dict()`` plus a ``summary`` (``formats.summary``)::

    {"format": "annotator-session-export", "version": 1, "id": "2026-11-25_16-20-03",
     "header": {...as journaled...}, "closed_cleanly": true, "end_reason": "closed",
     "chunks": [{"id", "source", "start", "end", "text", "speaker", "speaker_name"}],
                   (speaker: the id, when speaker separation knew it; speaker_name once named)
     "analyses": [{"chunk_ids", "text", "provider", "model", "insight" | null,
                   (a contradiction's optional "earlier_id" "L<chunk id>" and "follow_up" as journaled)
                   "attempts": [{"provider", "model", "outcome", "status", "elapsed_ms",
                                 "input_tokens", "output_tokens", "cost_usd", "detail"}],
                   "elapsed_ms"}],
     "marks": [{"at", "kind", "note", "chunk_id"}],
     "events": [{"kind", "data", "ts"}], "errors": ["..."],
     "summary": {"duration_s", "chunks", "analyses", "analysed_ok", "cost_usd",
                 "input_tokens", "output_tokens",
                 "providers": [{"name", "models", "calls", "answered",
                                "input_tokens", "output_tokens", "cost_usd"}],
                 "review": {"cost_usd", "input_tokens", "output_tokens"}   (only when reviewed)},
     "reviews": [{...analysis.review_model.Review.to_dict()...}]   (only when reviewed),
     "speakers": [{"id", "name"}]   (the renames in order, only when a speaker was named)}

The totals include the attempts of the reviews. Read: ``read_json`` gives the
same record back (the summary is derived, so it is not read).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotator.analysis.review_model import Review
from annotator.errors import InputError
from annotator.formats.summary import summary
from annotator.formats.textfile import read_text
from annotator.journal.record import EXPORT_FORMAT, Revision, SessionEvent, SessionRecord, check_version
from annotator.models import Analysis, Chunk, Correction, Mark, SpeakerName


def to_json(record: SessionRecord) -> str:
    data = record.to_dict()
    data["summary"] = summary(record)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_json(path: Path) -> SessionRecord:
    """A JSON export read back into the record it was written from."""
    text = read_text(path, max_line=None)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from err
    return session_record_from_export(data, path)


def session_record_from_export(data: Any, path: Path) -> SessionRecord:
    """Rebuild a record from ``SessionRecord.to_dict()`` output (a JSON export)."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InputError(f'{path}: not an annotator session export (no "format": "{EXPORT_FORMAT}")')
    check_version(data.get("version"), path, 1)
    try:
        return SessionRecord(
            header=dict(data.get("header") or {}),
            chunks=tuple(Chunk.from_dict(c) for c in data.get("chunks", ())),  # the latest revision's text
            revisions=tuple(Revision.from_dict(r) for r in data.get("revisions", ())),
            analyses=tuple(Analysis.from_dict(a) for a in data.get("analyses", ())),
            marks=tuple(Mark.from_dict(m) for m in data.get("marks", ())),
            errors=tuple(str(e) for e in data.get("errors", ())),
            events=tuple(SessionEvent.from_dict(e) for e in data.get("events", ())),
            end_reason=data.get("end_reason"),
            path=path,
            reviews=tuple(Review.from_dict(r) for r in data.get("reviews", ())),
            title=str(data.get("title", "")),
            corrections=tuple(Correction.from_dict(c) for c in data.get("corrections", ())),
            speakers=tuple(SpeakerName.from_dict(s) for s in data.get("speakers", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(f"{path}: malformed session export ({type(err).__name__}: {err})") from err
