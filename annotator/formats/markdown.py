"""The session as Markdown (``.md``), for people; written only.

The source file replayed (if any), date, duration, the transcription model and
devices, the analysis chain, providers used with their calls, tokens and
estimated cost; the transcript with times and speakers, each contradiction
placed under the statement that made it and quoting (with its time and speaker)
the earlier statement it conflicts with, which also gets a pointer forward
(both in one line: "said in the same breath"); a contradiction a provider
repeated is listed once (``analysis.identity``); the review's verdict under each
live one (a flag it rejected is marked so, with why), and the contradictions
the review found placed the same way (``formats.contradictions``); analyses
that failed, with why; sentiment over time (a text sparkline and a table); the
user's marks; events and errors; how many chunks no provider answered (an
"Unanalysed" row, with their time range, ``analysis.coverage``) and, for a
recovered session, how many were never analysed and from when; the post-session
review when there is one (its
summary, which live flags it confirmed and which it rejected, what the live
pass missed, the sentiment arc and follow-up questions), its tokens and cost
counted in the providers-and-cost table. Transcript and provider text is
escaped so a Markdown viewer shows it as plain text, never as markup/HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import PurePath
from typing import Any

from annotator.analysis.coverage import coverage, never_analysed
from annotator.analysis.review.flags import live_flags
from annotator.analysis.review_model import Review, ReviewContradiction
from annotator.formats.contradictions import Placed, latest_answered, place_contradictions
from annotator.formats.summary import duration_s, provider_totals, review_attempts, summary
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Attempt, Chunk, Insight
from annotator.text.clock import timestamp
from annotator.text.lines import Line, continues, joined_text
from annotator.text.money import cost as _cost
from annotator.text.quotes import words

SPARK = "▁▂▃▄▅▆▇█"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])|&(?=#?\w+;)")


def md_text(text: str) -> str:
    """Untrusted text made inert for a Markdown viewer: one line, markup characters escaped."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(text.split()))


def _contradiction_lines(flag: Placed) -> list[str]:
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
        line = (
            f"{said} {verb} something said earlier, not found word for word in the transcript: “{md_text(c.earlier)}”"
        )
    elif flag.earlier is flag.statement:  # both quotes are in this one line: the speaker contradicts themself
        if words(c.earlier) == words(c.statement) or not words(c.earlier):
            line = (
                f"{said} was flagged live as contradicting itself"
                if flag.verdict == "rejected"
                else f"{said} contradicts itself"
            )
        else:
            line = f"{said} {verb} “{md_text(c.earlier)}”, said in the same breath"
    else:
        where = f"what was said at [{timestamp(flag.earlier.start)}]{_speaker(flag.earlier)}"
        line = f"{said} {verb} {where} “{md_text(flag.earlier.text)}”"
    lines = [f"> {head} {line}"]
    if c.explanation:
        lines.append(f"> {md_text(c.explanation)}")
    if c.follow_up:
        lines.append(f"> Ask: {md_text(c.follow_up)}")
    if flag.verdict == "confirmed":
        lines.append(f"> ✔ Confirmed by the review{': ' + md_text(flag.reason) if flag.reason else '.'}")
    elif flag.verdict == "rejected":
        lines.append(f"> ✖ Not a contradiction, says the review{': ' + md_text(flag.reason) if flag.reason else '.'}")
    return lines


def _speaker(chunk: Chunk) -> str:
    return f" {md_text(chunk.who)}:" if chunk.who else ""


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


def _review_section(record: SessionRecord) -> list[str]:
    """The latest review that has a result (else why the latest one failed)."""
    if not record.reviews:
        return []
    review: Review = latest_answered(record) or record.reviews[-1]
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
    return (
        f"interrupted, recovered afterwards: {lines} never analysed, from {timestamp(never.first)} "
        "(the last second may be missing)"
    )


def to_markdown(record: SessionRecord) -> str:
    h = record.header
    lines: list[str] = []
    title = record.id or (str(h.get("created", ""))[:19].replace("T", " ") if h.get("created") else "")
    lines.append(f"# Session {md_text(title)}".rstrip())
    lines.append("")
    facts: list[tuple[str, str]] = [
        *_files(record),
        ("Date", _created(h)),
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
    under, back = place_contradictions(record, latest_answered(record))
    by_last: dict[int, list[Analysis]] = {}
    position = {c.id: i for i, c in enumerate(record.chunks)}
    for analysis in record.analyses:
        own = [position[i] for i in analysis.chunk_ids if i in position]
        if own:
            by_last.setdefault(max(own), []).append(analysis)
    if not record.chunks:
        lines += ["*Nothing was transcribed.*", ""]

    def annotated(i: int) -> bool:  # something is shown under chunk i: the line ends there
        return bool(back.get(i) or under.get(i) or any(a.insight is None for a in by_last.get(i, ())))

    line: Line | None = None
    for i, chunk in enumerate(record.chunks):
        if line is not None and continues(line.chunks[-1], chunk, line.start):
            line = Line((*line.chunks, chunk), joined_text(line.text, chunk.text))
        else:
            line = Line((chunk,), chunk.text.strip())
        nxt = record.chunks[i + 1] if i + 1 < len(record.chunks) else None
        if nxt is not None and not annotated(i) and continues(chunk, nxt, line.start):
            continue  # the sentence goes on: the line is written with its last fragment
        lines.append(f"**[{timestamp(line.start)}]{_speaker(line.first)}** {md_text(line.text)}")
        lines.append("")
        line = None
        for flag in back.get(i, ()):
            note = (
                " (rejected by the review)"
                if flag.verdict == "rejected"
                else " (found by the review)"
                if flag.found_by_review
                else ""
            )
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
