"""The Markdown export: contradictions placed beside both statements, the review's verdicts and findings, escaping."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.formats.json import to_json
from annotator.formats.markdown import md_text, sparkline, to_markdown
from annotator.formats.readers import read_chunks
from annotator.journal.record import SessionRecord
from annotator.journal.recovery import repair
from annotator.journal.writer import Journal
from annotator.models import LOCAL_PROVIDER, Analysis, Chunk, Contradiction, Insight, Sentiment
from tests.unit.formats.helpers import golden_session, reviewed_interview


def test_markdown_places_each_contradiction_beside_both_statements(data_dir: Path) -> None:
    md = to_markdown(golden_session(data_dir))
    lines = md.splitlines()

    def index(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix) or prefix in line)

    never = index("I have never worked with Kubernetes, it always felt like overkill")
    migrated = index("Last spring I migrated our whole cluster to Kubernetes")
    flag = index("“I migrated our whole cluster to Kubernetes” conflicts with what was said at")
    assert never < migrated < flag
    assert "Candidate: “Honestly, we keep it simple." in lines[flag]
    back = lines[never + 2]
    assert back.startswith("> ↳ contradicted later, at [")
    # the tenure contradiction found its earlier statement by word overlap
    tenure = index("“When I joined the company eighteen months ago” conflicts with what was said at")
    assert "for about three years now" in lines[tenure]
    # the salary contradiction's earlier statement is not in the transcript: quoted as the provider gave it
    assert (
        "conflicts with something said earlier, not found word for word in the transcript: “comfortable with a salary in the low hundreds”"
        in md
    )
    assert "> *Analysis unavailable:* kimi: timeout (no first token within 5.0 s); groq: http\\_error 503" in md
    assert "| kimi | kimi-k2-turbo-preview | 8 | 5 | 2,600 | 490 | $0.0028 |" in md
    assert "| groq | llama-3.1-8b-instant | 2 | 1 | 420 | 80 | $0.000041 |" in md
    assert "| 09:0" not in md  # times are relative to the session, not the clock
    assert "local estimate" in md
    assert "ask about salary \\<b\\>again\\</b\\> \\| \\*really\\*" in md


def test_markdown_of_a_plain_transcript_has_no_empty_sections(tmp_path: Path) -> None:
    p = tmp_path / "t.txt"
    p.write_text("Anna: hello\nBob: hi\n", encoding="utf-8")
    md = to_markdown(SessionRecord(header={}, chunks=tuple(read_chunks(p)), path=p))
    assert "**[00:00] Anna:** hello" in md
    for section in ("Providers", "Sentiment", "Marks", "Events", "Errors"):
        assert f"## {section}" not in md


def test_md_text_and_sparkline() -> None:
    assert md_text("a *b* [c](d) <img src=x> &amp; & |x| # _u_ \\ `e`\nnext") == (
        "a \\*b\\* \\[c\\](d) \\<img src=x\\> \\&amp; & \\|x\\| \\# \\_u\\_ \\\\ \\`e\\` next"
    )
    assert sparkline([-1, -0.5, 0, 0.5, 1, 7]) == "▁▃▅▆██"  # out-of-range scores are clamped


def test_markdown_shows_the_reviews_verdicts_and_findings_in_the_transcript() -> None:
    md = to_markdown(reviewed_interview())
    transcript = md.split("## Transcript")[1]
    blocks = transcript.split("**[")
    line3, line4, line5 = blocks[3], blocks[4], blocks[5]
    assert (
        "⚠ **Contradiction:** “I joined eighteen months ago”" in line3
        and "✔ Confirmed by the review: Cannot fit." in line3
    )
    assert "✖ **Flag rejected by the review:** “I carried the pager” was flagged live as conflicting with" in line4
    assert "✖ Not a contradiction, says the review: Different things." in line4
    assert "⚠ **Contradiction:**" not in line4  # a rejected flag does not read as a plain contradiction
    assert (
        "Contradiction found by the review** (missed live): “never touched Postgres” conflicts with what was said at [00:05]"
        in line5
    )
    line2 = blocks[2]
    assert "↳ contradicted later, at [00:15] (rejected by the review)" in line2
    assert "↳ contradicted later, at [00:20] (found by the review)" in line2


def test_markdown_names_the_source_file() -> None:
    md = to_markdown(reviewed_interview())
    assert "| Source | backend-lead.txt |" in md.split("## ")[0]


def test_markdown_words_a_self_contradiction_as_one() -> None:
    said = Chunk(1, "C", 0.0, 6.0, "I would take one forty, although I could not accept anything under one sixty.")
    cases = (
        (
            Contradiction("I could not accept anything under one sixty", "I would take one forty", "Range."),
            "“I could not accept anything under one sixty” conflicts with “I would take one forty”, said in the same breath",
        ),
        (Contradiction(said.text, said.text, "Range."), f"“{md_text(said.text)}” contradicts itself"),
    )
    for contradiction, expected in cases:
        analysis = Analysis((1,), "", Insight(Sentiment("neutral", 0.0), (contradiction,)), "p", "m")
        md = to_markdown(SessionRecord(header={}, chunks=(said,), analyses=(analysis,)))
        assert expected in md
        assert "something said earlier" not in md and "contradicted later" not in md


def test_markdown_quotes_the_cited_earlier_line_with_its_time_and_the_follow_up() -> None:
    chunks = (
        Chunk(1, "Candidate", 70.0, 75.0, "I have led the backend team for three years."),
        Chunk(2, "Candidate", 600.0, 605.0, "I have led the backend team for three years, really."),
        Chunk(3, "Candidate", 1200.0, 1205.0, "I joined eighteen months ago."),
    )
    ask = "How long have you led the team?"
    c = Contradiction("joined eighteen months ago", "led the backend team for three years", "Tenure.", "L1", ask)
    analysis = Analysis((3,), "", Insight(Sentiment("neutral", 0.0), (c,)), "p", "m")
    record = SessionRecord(header={}, chunks=chunks, analyses=(analysis,))
    md = to_markdown(record)
    assert "conflicts with what was said at [01:10] Candidate: “I have led the backend team for three years.”" in md
    assert f"> Ask: {ask}" in md
    data = json.loads(to_json(record))
    assert data["analyses"][0]["insight"]["contradictions"][0]["earlier_id"] == "L1"
    assert data["analyses"][0]["insight"]["contradictions"][0]["follow_up"] == ask


def _said(i: int) -> Chunk:
    return Chunk(i, "Candidate", i * 10.0, i * 10.0 + 8, f"line {i}")


def _answered(i: int, provider: str = "a") -> Analysis:
    return Analysis(
        (i,), f"line {i}", Insight(Sentiment("neutral", 0.0)), provider, "m" if provider == "a" else "vader"
    )


def test_markdown_counts_the_chunks_no_provider_answered(tmp_path: Path) -> None:
    chunks = tuple(_said(i) for i in range(1, 7))
    analyses = (_answered(1), _answered(2), _answered(3, LOCAL_PROVIDER), _answered(4, LOCAL_PROVIDER), _answered(5))
    md = to_markdown(SessionRecord(header={}, chunks=chunks, analyses=analyses, end_reason="closed"))
    # chunks 3 and 4 got the local estimate, chunk 6 no analysis at all
    assert "| Unanalysed | 3 of 6 chunks (local estimate only), from 00:30 to 01:08 |" in md
    everything = to_markdown(SessionRecord(header={}, chunks=chunks, analyses=tuple(_answered(i) for i in range(1, 7))))
    assert "Unanalysed" not in everything


def test_a_recovered_session_says_how_many_chunks_were_never_analysed_and_from_when(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={"model": "tiny.en"})
    for i in range(1, 8):
        journal.write_chunk(_said(i))
        if i <= 4:
            journal.write_analysis(_answered(i))
    journal.close()
    lines = journal.path.read_bytes().splitlines(keepends=True)
    journal.path.write_bytes(b"".join(lines[:-1]))  # killed before its end record
    md = to_markdown(repair(journal.path))
    assert (
        "| Session | interrupted, recovered afterwards: 3 chunks were never analysed, from 00:50 "
        "(the last second may be missing) |"
    ) in md
    assert "| Unanalysed | 3 of 7 chunks (local estimate only), from 00:50 to 01:18 |" in md
