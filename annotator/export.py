"""Writers: a session as Markdown (for people), JSON (for programs), SRT and VTT (for video tools).

``export(record, fmt)`` returns the text; nothing here touches the disk.

- **md**: the source file replayed (if any), date, duration, the transcription model and devices, the analysis
  chain, providers used with their calls, tokens and estimated cost; the
  transcript with times and speakers, each contradiction placed under the
  statement that made it and quoting (with its time and speaker) the earlier
  statement it conflicts with, which also gets a pointer forward (both in one
  line: "said in the same breath"); a contradiction a provider repeated is
  listed once (``analysis.identity``); the review's verdict under each live
  one (a flag it rejected is marked so, with why), and the contradictions the
  review found placed the same way; analyses
  that failed, with why; sentiment over time (a text sparkline and a table);
  the user's marks; events and errors; how many chunks no provider answered
  (an "Unanalysed" row, with their time range, ``analysis.coverage``) and, for a
  recovered session, how many were never analysed and from when; the post-session review when there
  is one (its summary, which live flags it confirmed and which it rejected,
  what the live pass missed, the sentiment arc and follow-up questions), its
  tokens and cost counted in the providers-and-cost table. Transcript and provider text is
  escaped so a Markdown viewer shows it as plain text, never as markup/HTML.
- **json**: ``SessionRecord.to_dict()`` plus a ``summary``::

      {"format": "annotator-session-export", "version": 1, "id": "2026-11-25_16-20-03",
       "header": {...as journaled...}, "closed_cleanly": true, "end_reason": "closed",
       "chunks": [{"id", "source", "start", "end", "text"}],
       "analyses": [{"chunk_ids", "text", "provider", "model", "insight" | null,
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
       "reviews": [{...analysis.review_model.Review.to_dict()...}]   (only when reviewed)}

  The totals include the attempts of the reviews.

  ``annotator.replay.read_session`` reads it back into the same record.
- **srt**: one cue per chunk, the speaker as a ``Name: `` prefix, text escaped
  (``&lt;`` ``&gt;`` ``&amp;``: players would render ``<b>`` or ``<font>`` from a transcript).
- **vtt**: one cue per chunk, the speaker as ``<v Name>``, text escaped; the
  user's marks as ``NOTE`` blocks after the cue of their line (SRT has no comments:
  its cues stay the transcript alone).

SRT, VTT and JSON round-trip through ``annotator.replay.read_chunks``: the
same texts, speakers and times (to the millisecond).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any, Literal

from annotator.analysis.coverage import clock_text, coverage, never_analysed
from annotator.analysis.identity import Identity, identity
from annotator.analysis.review.flags import live_flags
from annotator.analysis.review_model import Review, ReviewContradiction
from annotator.analysis.usage import UsageTracker
from annotator.errors import InputError
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Mark
from annotator.text.clock import timestamp
from annotator.text.money import cost as _cost

Format = Literal["md", "json", "srt", "vtt"]
FORMATS: tuple[Format, ...] = ("md", "json", "srt", "vtt")
SPARK = "▁▂▃▄▅▆▇█"
MATCH_THRESHOLD = 0.6  # share of the quoted statement's words a chunk must contain


def export(record: SessionRecord, fmt: str) -> str:
    """The session as text in ``fmt`` ("md", "json", "srt" or "vtt")."""
    if fmt == "md":
        return to_markdown(record)
    if fmt == "json":
        return to_json(record)
    if fmt == "srt":
        return to_srt(record.chunks)
    if fmt == "vtt":
        return to_vtt(record.chunks, record.marks)
    raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class ProviderTotals:
    """What one provider did in a session, summed over its attempts."""

    name: str
    models: tuple[str, ...]
    calls: int
    answered: int
    input_tokens: int
    output_tokens: int
    cost_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "models": list(self.models),
            "calls": self.calls,
            "answered": self.answered,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 8),
        }


def provider_totals(analyses: Sequence[Analysis], extra: Sequence[Attempt] = ()) -> list[ProviderTotals]:
    """Per provider, in order of first use: calls (skips without a call are
    not counted), valid answers, tokens and estimated cost. ``extra`` are
    attempts made outside the analyses (the post-session reviews)."""
    attempts: list[Attempt] = [a for analysis in analyses for a in analysis.attempts] + list(extra)
    usage = UsageTracker()
    usage.record_all(attempts)
    models: dict[str, list[str]] = {}
    for a in attempts:
        seen = models.setdefault(a.provider, [])
        if a.model and a.model not in seen:
            seen.append(a.model)
    return [
        ProviderTotals(
            u.name, tuple(models.get(u.name, ())), u.calls, u.answered, u.input_tokens, u.output_tokens, u.cost_usd
        )
        for u in usage.providers()
    ]


def duration_s(record: SessionRecord) -> float:
    """The session's length: the end of its last chunk (or its last mark)."""
    ends = [c.end for c in record.chunks] + [m.at for m in record.marks]
    return round(max(ends, default=0.0), 3)


def review_attempts(record: SessionRecord) -> list[Attempt]:
    """Every attempt of every review of the session (they all count in its cost)."""
    return [a for review in record.reviews for a in review.attempts]


def summary(record: SessionRecord) -> dict[str, Any]:
    totals = provider_totals(record.analyses, review_attempts(record))
    extra: dict[str, Any] = {}
    if record.reviews:
        extra["review"] = {
            "cost_usd": round(sum(r.cost_usd for r in record.reviews), 8),
            "input_tokens": sum(r.input_tokens for r in record.reviews),
            "output_tokens": sum(r.output_tokens for r in record.reviews),
        }
    return {
        "duration_s": duration_s(record),
        "chunks": len(record.chunks),
        "analyses": len(record.analyses),
        "analysed_ok": sum(1 for a in record.analyses if a.insight is not None and not a.local),
        "cost_usd": round(sum(t.cost_usd for t in totals), 8),
        "input_tokens": sum(t.input_tokens for t in totals),
        "output_tokens": sum(t.output_tokens for t in totals),
        "providers": [t.to_dict() for t in totals],
        **extra,
    }


# --------------------------------------------------------------------------- json


def to_json(record: SessionRecord) -> str:
    data = record.to_dict()
    data["summary"] = summary(record)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- srt / vtt


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_srt(chunks: Sequence[Chunk]) -> str:
    """SubRip cues. Players render ``<b>``, ``<i>``, ``<font>`` in SRT and decode
    ``&lt;``/``&gt;``/``&amp;``, so the text is escaped as for VTT: markup in a
    transcript is shown literally (and reads back unchanged)."""
    cues = []
    for n, c in enumerate(chunks, 1):
        text = _vtt_escape(_one_line(c.text))
        if c.source:
            text = f"{_vtt_escape(_one_line(c.source))}: {text}"
        cues.append(f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{text}\n")
    return "\n".join(cues)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(chunks: Sequence[Chunk], marks: Sequence[Mark] = ()) -> str:
    """WebVTT cues; each of the user's ``marks`` is a ``NOTE`` after the cue of its
    line (players and readers skip notes, people reading the file see them)."""
    by_chunk: dict[int | None, list[Mark]] = {}
    known = {c.id for c in chunks}
    for m in sorted(marks, key=lambda m: m.at):
        by_chunk.setdefault(m.chunk_id if m.chunk_id in known else None, []).append(m)
    cues = ["WEBVTT\n"]
    for n, c in enumerate(chunks, 1):
        text = _vtt_escape(_one_line(c.text))
        if c.source:
            text = f"<v {_vtt_escape(_one_line(c.source))}>{text}</v>"
        cues.append(f"{n}\n{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{text}\n")
        cues += [_vtt_note(m) for m in by_chunk.get(c.id, ())]
    cues += [_vtt_note(m) for m in by_chunk.get(None, ())]
    return "\n".join(cues)


def _vtt_note(mark: Mark) -> str:
    kind = "Flag" if mark.kind == "flag" else "Bookmark" if mark.kind == "bookmark" else _one_line(mark.kind)
    note = f": {_one_line(mark.note)}" if mark.note else ""
    return f"NOTE {kind} at {_clock(mark.at, '.')}{note}".replace("-->", "->") + "\n"


# --------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])|&(?=#?\w+;)")


def md_text(text: str) -> str:
    """Untrusted text made inert for a Markdown viewer: one line, markup characters escaped."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), _one_line(text))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def find_statement(quote: str, candidates: Sequence[Chunk]) -> Chunk | None:
    """The chunk that best contains ``quote`` (a provider's paraphrase or
    quotation): whole-phrase containment first, else the largest share of
    the quote's words; None below ``MATCH_THRESHOLD``."""
    target = _words(quote)
    if not target:
        return None
    phrase = " ".join(target)
    wanted = set(target)
    best: Chunk | None = None
    best_score = 0.0
    for chunk in candidates:
        words = _words(chunk.text)
        if phrase in " ".join(words):
            score = 2.0
        else:
            score = len(wanted & set(words)) / len(wanted)
        if score > best_score:
            best, best_score = chunk, score
    return best if best_score >= MATCH_THRESHOLD else None


NEAR_S = 6.0  # a reviewer's time may be a few seconds off the line's start


@dataclass(frozen=True)
class _Flag:
    """One contradiction placed in the transcript: raised live (with the review's
    verdict on it, if any) or found by the review (``found_by_review``)."""

    contradiction: Contradiction
    statement: Chunk
    earlier: Chunk | None
    verdict: str | None = None  # "confirmed" | "rejected" | None (not reviewed)
    reason: str = ""  # the review's sentence on it
    found_by_review: bool = False


def _verdicts(record: SessionRecord, review: Review | None) -> dict[Identity, tuple[str, str]]:
    """The review's verdict on each live contradiction, by its identity."""
    out: dict[Identity, tuple[str, str]] = {}
    if review is None or review.result is None:
        return out
    for verdict, items in (("confirmed", review.result.confirmed), ("rejected", review.result.rejected)):
        for c in items:
            ai, ci = c.analysis_index, c.contradiction_index
            if ai is None or ci is None or not 0 <= ai < len(record.analyses):
                continue
            insight = record.analyses[ai].insight
            if insight is None or not 0 <= ci < len(insight.contradictions):
                continue
            live = insight.contradictions[ci]
            out.setdefault(identity(live.statement, live.earlier), (verdict, c.explanation))
    return out


def _near(quote: str, at: float, chunks: Sequence[Chunk]) -> Chunk | None:
    """The line a reviewer's quote at ``at`` seconds came from: the best match among
    the lines near that time, else anywhere, else the line spoken then."""
    near = [c for c in chunks if c.start - NEAR_S <= at <= c.end + NEAR_S]
    found = find_statement(quote, near) or find_statement(quote, chunks)
    if found is not None:
        return found
    return next((c for c in chunks if c.start <= at <= c.end), None)


def _place_contradictions(
    record: SessionRecord, review: Review | None = None
) -> tuple[dict[int, list[_Flag]], dict[int, list[_Flag]]]:
    """Contradictions by the position of the chunk that made them, and by the
    position of the earlier chunk they point back to: the live ones (each with
    ``review``'s verdict on it) and those ``review`` found that the live pass missed."""
    position = {id(c): i for i, c in enumerate(record.chunks)}
    by_id = {c.id: c for c in record.chunks}
    under: dict[int, list[_Flag]] = {}
    back: dict[int, list[_Flag]] = {}
    verdicts = _verdicts(record, review)

    def place(flag: _Flag) -> None:
        under.setdefault(position[id(flag.statement)], []).append(flag)
        if flag.earlier is not None and flag.earlier is not flag.statement:
            back.setdefault(position[id(flag.earlier)], []).append(flag)

    seen: set[Identity] = set()  # a contradiction a provider repeated is listed once, where it was first raised
    for analysis in record.analyses:
        if analysis.insight is None or not analysis.insight.contradictions:
            continue
        own = [by_id[i] for i in analysis.chunk_ids if i in by_id]
        if not own:
            continue
        first = min(position[id(c)] for c in own)
        before = record.chunks[:first]
        for contradiction in analysis.insight.contradictions:
            same = identity(contradiction.statement, contradiction.earlier)
            if same in seen:
                continue
            seen.add(same)
            statement = find_statement(contradiction.statement, own) or own[-1]
            earlier = find_statement(contradiction.earlier, before) or find_statement(contradiction.earlier, own)
            verdict, reason = verdicts.get(same, (None, ""))
            place(_Flag(contradiction, statement, earlier, verdict, reason))
    if review is not None and review.result is not None:
        for c in review.result.missed:
            statement = _near(c.statement, c.statement_at, record.chunks)
            if statement is None:
                continue
            earlier = _near(c.earlier, c.earlier_at, record.chunks[: position[id(statement)] + 1])
            found = Contradiction(c.statement, c.earlier, c.explanation)
            place(_Flag(found, statement, earlier, found_by_review=True))
    return under, back


def _contradiction_lines(flag: _Flag) -> list[str]:
    """One contradiction as it stands under its statement in the transcript."""
    c = flag.contradiction
    if flag.found_by_review:
        head = "⚠ **Contradiction found by the review** (missed live):"
    elif flag.verdict == "rejected":
        head = "✖ **Flag rejected by the review:**"
    else:
        head = "⚠ **Contradiction:**"
    said = f"“{md_text(c.statement)}”"
    verb = "was flagged live as conflicting with" if flag.verdict == "rejected" else "conflicts with"
    if flag.earlier is None:
        line = f"{said} {verb} something said earlier, not found word for word in the transcript: “{md_text(c.earlier)}”"
    elif flag.earlier is flag.statement:  # both quotes are in this one line: the speaker contradicts themself
        if _words(c.earlier) == _words(c.statement) or not _words(c.earlier):
            line = f"{said} was flagged live as contradicting itself" if flag.verdict == "rejected" else f"{said} contradicts itself"
        else:
            line = f"{said} {verb} “{md_text(c.earlier)}”, said in the same breath"
    else:
        where = f"what was said at [{timestamp(flag.earlier.start)}]{_speaker(flag.earlier)}"
        line = f"{said} {verb} {where} “{md_text(flag.earlier.text)}”"
    lines = [f"> {head} {line}"]
    if c.explanation:
        lines.append(f"> {md_text(c.explanation)}")
    if flag.verdict == "confirmed":
        lines.append(f"> ✔ Confirmed by the review{': ' + md_text(flag.reason) if flag.reason else '.'}")
    elif flag.verdict == "rejected":
        lines.append(f"> ✖ Not a contradiction, says the review{': ' + md_text(flag.reason) if flag.reason else '.'}")
    return lines


def _speaker(chunk: Chunk) -> str:
    return f" {md_text(chunk.source)}:" if chunk.source else ""


def _outcome_text(attempt: Attempt) -> str:
    status = f" {attempt.status}" if attempt.status is not None else ""
    detail = f" ({md_text(attempt.detail)})" if attempt.detail else ""
    return f"{md_text(attempt.provider)}: {md_text(attempt.outcome.value)}{status}{detail}"


def _created(header: dict[str, Any]) -> str:
    created = header.get("created")
    if not isinstance(created, str) or not created:
        return "unknown"
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return md_text(created)
    zone = when.strftime(" UTC%z") if when.tzinfo is not None else ""
    if zone:
        zone = f"{zone[:-2]}:{zone[-2:]}"
    return when.strftime("%Y-%m-%d %H:%M:%S") + zone


def _chain(header: dict[str, Any]) -> str:
    chain = header.get("chain")
    if not isinstance(chain, list) or not chain:
        return ""
    parts = []
    for entry in chain:
        if isinstance(entry, dict):
            name = md_text(str(entry.get("name", "?")))
            model = entry.get("model")
            parts.append(f"{name} ({md_text(str(model))})" if model else name)
        else:
            parts.append(md_text(str(entry)))
    return " → ".join(parts)


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return md_text(str(value))


def _score(score: float) -> str:
    return f"{score:+.2f}"


def sparkline(scores: Sequence[float]) -> str:
    """One block character per score, -1 (lowest) .. +1 (highest)."""
    out = []
    for s in scores:
        s = min(1.0, max(-1.0, s))
        out.append(SPARK[round((s + 1) / 2 * (len(SPARK) - 1))])
    return "".join(out)


def _review_item(c: ReviewContradiction, joiner: str) -> str:
    note = f" {md_text(c.explanation)}" if c.explanation else ""
    return (
        f"- [{timestamp(c.statement_at)}] “{md_text(c.statement)}” {joiner} [{timestamp(c.earlier_at)}] "
        f"“{md_text(c.earlier)}”.{note}"
    )


def _latest_answered(record: SessionRecord) -> Review | None:
    """The latest review that has a result (the one the Markdown reports)."""
    answered = [r for r in record.reviews if r.result is not None]
    return answered[-1] if answered else None


def _review_section(record: SessionRecord) -> list[str]:
    """The latest review that has a result (else why the latest one failed)."""
    if not record.reviews:
        return []
    review: Review = _latest_answered(record) or record.reviews[-1]
    lines = ["## Review", ""]
    when = _created({"created": review.created}) if review.created else "after the session"
    if review.result is None:
        lines += [f"*Review unavailable* ({when}): {md_text(review.error) or 'no provider answered'}", ""]
        return lines
    result = review.result
    who = f"{md_text(review.provider or '')} ({md_text(review.model or '')})"
    parts = f"{review.parts} parts" if review.parts != 1 else "1 part"
    flags = f"{review.live_flags} live flag{'' if review.live_flags == 1 else 's'}"
    lines += [
        f"Reviewed {when} by {who} from the whole transcript ({parts}, {flags}); "
        f"estimated cost {_cost(review.cost_usd)}.",
        "",
    ]
    if result.summary:
        lines += [f"**Summary.** {md_text(result.summary)}", ""]
    if result.confirmed:
        lines += ["### Live flags confirmed", ""]
        lines += [_review_item(c, "conflicts with") for c in result.confirmed]
        lines.append("")
    if result.rejected:
        lines += ["### Live flags rejected (not a contradiction)", ""]
        lines += [_review_item(c, "vs") for c in result.rejected]
        lines.append("")
    if result.unreviewed:
        by_number = {f.number: f for f in live_flags(record)}
        lines += ["### Live flags the review did not judge", ""]
        for n in result.unreviewed:
            f = by_number.get(n)
            text = f"[{timestamp(f.at)}] “{md_text(f.contradiction.statement)}”" if f is not None else f"flag {n}"
            lines.append(f"- {text}")
        lines.append("")
    lines += ["### Missed by the live pass", ""]
    lines += [_review_item(c, "conflicts with") for c in result.missed] or ["*None.*"]
    lines.append("")
    arc = result.arc
    if arc.summary or arc.turning_points:
        lines += ["### Sentiment arc", ""]
        if arc.summary:
            lines += [md_text(arc.summary), ""]
        if arc.turning_points:
            lines += ["| Time | Sentiment | Score | What turned it |", "|---|---|---:|---|"]
            for t in arc.turning_points:
                lines.append(f"| {timestamp(t.at)} | {md_text(t.label)} | {_score(t.score)} | {md_text(t.why)} |")
            lines.append("")
    if result.questions:
        lines += ["### Follow-up questions", ""]
        lines += [f"{i}. {md_text(q)}" for i, q in enumerate(result.questions, 1)]
        lines.append("")
    return lines


def _files(record: SessionRecord) -> list[tuple[str, str]]:
    """The file the session came from: the transcript or audio file a replay read
    (the journal's own name is the title), or the transcript exported directly."""
    source = record.header.get("source")
    if isinstance(source, str) and source:
        return [("Source", md_text(PurePath(source).name))]
    if record.path is not None and record.path.suffix.lower() not in (".jsonl", ".json"):
        return [("Source", md_text(record.path.name))]
    return []


def _recovered(record: SessionRecord) -> str:
    """The recovered-session note: how many lines were never analysed, and from when."""
    never = never_analysed(record.chunks, record.analyses)
    if not never.count or never.first is None:
        return "interrupted, recovered afterwards (the last second may be missing)"
    lines = "1 chunk was" if never.count == 1 else f"{never.count} chunks were"
    return (f"interrupted, recovered afterwards: {lines} never analysed, from {clock_text(never.first)} "
            "(the last second may be missing)")


def to_markdown(record: SessionRecord) -> str:
    h = record.header
    lines: list[str] = []
    title = record.id or (str(h.get("created", ""))[:19].replace("T", " ") if h.get("created") else "")
    lines.append(f"# Session {md_text(title)}".rstrip())
    lines.append("")
    facts: list[tuple[str, str]] = [*_files(record), ("Date", _created(h)),
        ("Duration", timestamp(duration_s(record))),
        ("Chunks", str(len(record.chunks))),
    ]
    left = coverage(record.chunks, record.analyses) if record.analyses else None
    if left is not None and left.count:
        facts.append(("Unanalysed", f"{left.count} of {left.total} chunks (local estimate only), {left.span()}"))
    if h.get("model"):
        facts.append(("Transcription model", _plain(h["model"])))
    if h.get("devices"):
        facts.append(("Devices", _plain(h["devices"])))
    chain = _chain(h)
    if chain:
        facts.append(("Analysis chain", chain))
    if h.get("app_version"):
        facts.append(("Recorded with", f"annotator {md_text(str(h['app_version']))}"))
    if record.end_reason == "closed":
        facts.append(("Session", "closed cleanly"))
    elif record.end_reason == "recovered":
        facts.append(("Session", _recovered(record)))
    elif record.path is not None and record.path.suffix.lower() in (".jsonl", ".json"):
        facts.append(("Session", "not closed (still running, or interrupted)"))
    lines += ["| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in facts]
    lines.append("")

    totals = provider_totals(record.analyses, review_attempts(record))
    if totals:
        lines += ["## Providers and cost", ""]
        lines.append("| Provider | Model | Calls | Answered | Tokens in | Tokens out | Cost |")
        lines.append("|---|---|---:|---:|---:|---:|---:|")
        for t in totals:
            lines.append(
                f"| {md_text(t.name)} | {md_text(', '.join(t.models))} | {t.calls} | {t.answered} | "
                f"{t.input_tokens:,} | {t.output_tokens:,} | {_cost(t.cost_usd)} |"
            )
        s = summary(record)
        calls = sum(t.calls for t in totals)
        answered = sum(t.answered for t in totals)
        lines.append(
            f"| **Total** | | {calls} | {answered} | {s['input_tokens']:,} | {s['output_tokens']:,} | "
            f"{_cost(s['cost_usd'])} |"
        )
        lines += ["", "Costs are estimates from the prices in the configuration."]
        if record.reviews:
            r = s["review"]
            lines.append(
                f"The totals include the post-session review: {r['input_tokens']:,} tokens in, "
                f"{r['output_tokens']:,} out, {_cost(r['cost_usd'])}."
            )
        lines.append("")

    lines += _review_section(record)

    lines += ["## Transcript", ""]
    under, back = _place_contradictions(record, _latest_answered(record))
    by_last: dict[int, list[Analysis]] = {}
    position = {c.id: i for i, c in enumerate(record.chunks)}
    for analysis in record.analyses:
        own = [position[i] for i in analysis.chunk_ids if i in position]
        if own:
            by_last.setdefault(max(own), []).append(analysis)
    if not record.chunks:
        lines += ["*Nothing was transcribed.*", ""]
    for i, chunk in enumerate(record.chunks):
        lines.append(f"**[{timestamp(chunk.start)}]{_speaker(chunk)}** {md_text(chunk.text)}")
        lines.append("")
        for flag in back.get(i, ()):
            note = " (rejected by the review)" if flag.verdict == "rejected" else " (found by the review)" if flag.found_by_review else ""
            lines += [f"> ↳ contradicted later, at [{timestamp(flag.statement.start)}]{note}", ""]
        for flag in under.get(i, ()):
            lines += _contradiction_lines(flag)
            lines.append("")
        for analysis in by_last.get(i, ()):
            if analysis.insight is None:
                reasons = "; ".join(_outcome_text(a) for a in analysis.attempts) or "no provider was called"
                lines += [f"> *Analysis unavailable:* {reasons}", ""]

    points: list[tuple[float, Analysis, Insight]] = []
    for a in record.analyses:
        own = [position[i] for i in a.chunk_ids if i in position]
        if a.insight is not None and own:
            points.append((record.chunks[min(own)].start, a, a.insight))
    points.sort(key=lambda p: p[0])
    if points:
        lines += ["## Sentiment over time", ""]
        spark = sparkline([insight.sentiment.score for _, _, insight in points])
        lines += [f"`{spark}` (one mark per analysis, from −1 negative to +1 positive)", ""]
        lines += ["| Time | Sentiment | Score | From |", "|---|---|---:|---|"]
        for start, a, insight in points:
            source = "local estimate" if a.local else md_text(a.provider or "")
            label, score = md_text(insight.sentiment.label), _score(insight.sentiment.score)
            lines.append(f"| {timestamp(start)} | {label} | {score} | {source} |")
        lines.append("")

    if record.marks:
        lines += ["## Marks", ""]
        by_id = {c.id: c for c in record.chunks}
        for mark in sorted(record.marks, key=lambda m: m.at):
            kind = "Flag" if mark.kind == "flag" else "Bookmark" if mark.kind == "bookmark" else md_text(mark.kind)
            note = f": {md_text(mark.note)}" if mark.note else ""
            at = by_id.get(mark.chunk_id) if mark.chunk_id is not None else None
            context = f" (on “{md_text(at.text)}”)" if at is not None else ""
            lines.append(f"- [{timestamp(mark.at)}] **{kind}**{note}{context}")
        lines.append("")

    if record.events:
        lines += ["## Events", ""]
        base = h.get("ts")
        for event in record.events:
            when = ""
            if isinstance(base, (int, float)) and isinstance(event.ts, (int, float)):
                when = f"[{timestamp(event.ts - base)}] "
            data = f": {_plain(event.data)}" if event.data else ""
            lines.append(f"- {when}{md_text(event.kind)}{data}")
        lines.append("")

    if record.errors:
        lines += ["## Errors", ""]
        lines += [f"- {md_text(e)}" for e in record.errors]
        lines.append("")

    return "\n".join(lines).rstrip("\n") + "\n"
