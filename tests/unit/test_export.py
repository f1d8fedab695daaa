"""Exports: golden files, round trips through the readers, Markdown placement and escaping, the command.

The golden files in tests/data/golden/ are the exports of ``golden_session()``.
After an intended change of an export format, regenerate them with
``ANNOTATOR_UPDATE_GOLDEN=1 pytest tests/unit/test_export.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.errors import InputError
from annotator.export import FORMATS, export, find_statement, md_text, provider_totals, sparkline
from annotator.journal.reader import read_journal
from annotator.journal.record import SessionEvent, SessionRecord
from annotator.journal.recovery import repair
from annotator.journal.writer import Journal
from annotator.models import (
    LOCAL_PROVIDER,
    Analysis,
    Attempt,
    Chunk,
    Contradiction,
    Insight,
    Mark,
    Outcome,
    Sentiment,
)
from annotator.replay import read_chunks, read_session

GOLDEN = Path(__file__).parent.parent / "data" / "golden"
T0 = 1_795_000_000.0


def ok(provider: str, model: str, tin: int, tout: int, cost: float, ms: int = 700) -> Attempt:
    return Attempt(provider, model, Outcome.OK, 200, ms, tin, tout, cost)


KIMI = "kimi-k2-turbo-preview"
GROQ = "llama-3.1-8b-instant"


def golden_session(data_dir: Path) -> SessionRecord:
    """A small deterministic session over the backend-lead interview."""
    chunks = tuple(read_chunks(data_dir / "backend-lead.txt"))
    by_id = {c.id: c for c in chunks}

    def analysis(
        ids: tuple[int, ...],
        insight: Insight | None,
        provider: str | None,
        model: str | None,
        attempts: tuple[Attempt, ...],
    ) -> Analysis:
        text = "\n".join(by_id[i].text for i in ids)
        return Analysis(ids, text, insight, provider, model, attempts, sum(a.elapsed_ms for a in attempts))

    rate_limited = Attempt("kimi", KIMI, Outcome.RATE_LIMITED, 429, 90, detail="retry after 3 s")
    analyses = (
        analysis(
            (1, 2),
            Insight(Sentiment("positive", 0.3), (), ("leads backend team for three years",), "Intro."),
            "groq",
            GROQ,
            (rate_limited, ok("groq", GROQ, 420, 80, 0.0000412)),
        ),
        analysis(
            (5, 6),
            Insight(Sentiment("neutral", 0.0), (), ("never worked with Kubernetes",), "Infra."),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 500, 90, 0.000525),),
        ),
        analysis(
            (9, 10),
            Insight(Sentiment("negative", -0.6), (), (), "Frustration with the manager."),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 510, 70, 0.000481),),
        ),
        analysis(
            (11, 12),
            Insight(
                Sentiment("negative", -0.3),
                (
                    Contradiction(
                        "When I joined the company eighteen months ago",
                        "leading the backend team at a logistics startup for about three years",
                        "Three years of leading the team cannot fit into eighteen months at the company.",
                    ),
                ),
                (),
                "Tenure contradiction.",
            ),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 530, 110, 0.000593),),
        ),
        analysis(
            (13, 14),
            Insight(
                Sentiment("positive", 0.4),
                (
                    Contradiction(
                        "I migrated our whole cluster to Kubernetes",
                        "I have never worked with Kubernetes",
                        "Earlier the candidate said they never used Kubernetes.",
                    ),
                ),
                (),
                "Kubernetes contradiction.",
            ),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 540, 120, 0.000624),),
        ),
        analysis(
            (15, 16),
            None,
            None,
            None,
            (
                Attempt("kimi", KIMI, Outcome.TIMEOUT, None, 5000, detail="no first token within 5.0 s"),
                Attempt("groq", GROQ, Outcome.HTTP_ERROR, 503, 240, detail="Service Unavailable"),
            ),
        ),
        analysis(
            (17, 18),
            Insight(
                Sentiment("neutral", -0.1),
                (
                    Contradiction(
                        "I could not accept anything under one hundred and sixty",
                        "comfortable with a salary in the low hundreds",
                        "The range given does not include the stated minimum.",
                    ),
                ),
                (),
                "Salary.",
            ),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 520, 100, 0.00056),),
        ),
        analysis(
            (19, 20),
            Insight(Sentiment("neutral", 0.1)),
            LOCAL_PROVIDER,
            None,
            (
                Attempt("kimi", KIMI, Outcome.STALLED, 200, 5100, 0, 0, 0.0, "silent for 5.0 s mid-answer"),
                Attempt("groq", GROQ, Outcome.SKIPPED, None, 0, detail="deadline"),
            ),
        ),
    )
    marks = (
        Mark(30.0, "bookmark", "", 6),
        Mark(by_id[18].start + 1, "flag", "ask about salary <b>again</b> | *really*", 18),
    )
    events = (
        SessionEvent("device_change", {"source": "You", "device": "USB microphone"}, T0 + 65.2),
        SessionEvent("backlog", {"merged": 3}, T0 + 100.0),
    )
    header = {
        "ts": T0,
        "format": "annotator-session",
        "version": 1,
        "app_version": "0.1.0",
        "created": "2026-11-17T09:33:20+01:00",
        "model": "tiny.en",
        "devices": ["Built-in microphone"],
        "chain": [{"name": "kimi", "model": KIMI}, {"name": "groq", "model": GROQ}],
    }
    return SessionRecord(
        header=header,
        chunks=chunks,
        analyses=analyses,
        marks=marks,
        errors=("groq: HTTP 503 Service Unavailable",),
        events=events,
        end_reason="closed",
        path=Path("2026-11-17_09-33-20.jsonl"),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_match_the_golden_files(data_dir: Path, fmt: str) -> None:
    text = export(golden_session(data_dir), fmt)
    golden = GOLDEN / f"session.{fmt}"
    if os.environ.get("ANNOTATOR_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert text == golden.read_text(encoding="utf-8")


def test_golden_files_read_back_into_the_same_session(data_dir: Path) -> None:
    record = golden_session(data_dir)
    for fmt in ("srt", "vtt"):
        chunks = read_chunks(GOLDEN / f"session.{fmt}")
        assert [(c.source, c.start, c.end, c.text) for c in chunks] == [
            (c.source, c.start, c.end, c.text) for c in record.chunks
        ]
    assert read_session(GOLDEN / "session.json") == record


TRICKY = (
    Chunk(1, "Mary Ann", 0.0, 1.5, "Salary < 160k & more --> later"),
    Chunk(2, "", 1.5, 3.001, "no speaker <i>here</i>, &amp; an entity"),
    Chunk(5, "Them", 3599.999, 3723.456, "past the hour, “quotes”, 中文, emoji 🙂"),
    Chunk(6, "O'Brien", 3723.5, 3723.5, "zero length"),
)


@pytest.mark.parametrize("fmt", ["srt", "vtt", "json"])
def test_round_trip_through_the_readers(tmp_path: Path, fmt: str) -> None:
    record = SessionRecord(header={"created": "2026-01-01T00:00:00"}, chunks=TRICKY)
    path = tmp_path / f"out.{fmt}"
    path.write_text(export(record, fmt), encoding="utf-8")
    back = read_chunks(path)
    expected = list(TRICKY)
    assert [(c.source, c.start, c.end, c.text) for c in back] == [(c.source, c.start, c.end, c.text) for c in expected]
    if fmt == "json":
        assert [c.id for c in back] == [1, 2, 5, 6]


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitles_show_markup_in_the_transcript_literally(fmt: str) -> None:
    chunks = (Chunk(1, "<b>Boss</b>", 0.0, 2.0, 'I said <b>no</b> & <font color="red">never</font> <i>x</i>'),)
    text = export(SessionRecord(header={}, chunks=chunks), fmt)
    assert "<b>" not in text and "<font" not in text and "<i>" not in text
    assert "&lt;b&gt;no&lt;/b&gt; &amp; &lt;font color=\"red\"&gt;never&lt;/font&gt; &lt;i&gt;x&lt;/i&gt;" in text


def test_journal_to_json_export_and_back_is_the_same_session(tmp_path: Path, data_dir: Path) -> None:
    source = golden_session(data_dir)
    journal = Journal.create(tmp_path, header={"model": "tiny.en", "chain": source.header["chain"]})
    for chunk in source.chunks:
        journal.write_chunk(chunk)
    for analysis in source.analyses:
        journal.write_analysis(analysis)
    for mark in source.marks:
        journal.write_mark(mark)
    journal.write_event("backlog", {"merged": 2})
    journal.write_error("an error")
    journal.close()
    record = read_journal(journal.path)
    out = tmp_path / "export.json"
    out.write_text(export(record, "json"), encoding="utf-8")
    assert read_session(out) == record
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert summary["chunks"] == 20 and summary["analyses"] == 8
    assert summary["cost_usd"] == pytest.approx(0.0000412 + 0.000525 + 0.000481 + 0.000593 + 0.000624 + 0.00056)


def test_markdown_places_each_contradiction_beside_both_statements(data_dir: Path) -> None:
    md = export(golden_session(data_dir), "md")
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
    assert "conflicts with something said earlier, not found word for word in the transcript: “comfortable with a salary in the low hundreds”" in md
    assert "> *Analysis unavailable:* kimi: timeout (no first token within 5.0 s); groq: http\\_error 503" in md
    assert "| kimi | kimi-k2-turbo-preview | 8 | 5 | 2,600 | 490 | $0.0028 |" in md
    assert "| groq | llama-3.1-8b-instant | 2 | 1 | 420 | 80 | $0.000041 |" in md
    assert "| 09:0" not in md  # times are relative to the session, not the clock
    assert "local estimate" in md
    assert "ask about salary \\<b\\>again\\</b\\> \\| \\*really\\*" in md


def test_markdown_of_a_plain_transcript_has_no_empty_sections(tmp_path: Path) -> None:
    p = tmp_path / "t.txt"
    p.write_text("Anna: hello\nBob: hi\n", encoding="utf-8")
    md = export(SessionRecord(header={}, chunks=tuple(read_chunks(p)), path=p), "md")
    assert "**[00:00] Anna:** hello" in md
    for section in ("Providers", "Sentiment", "Marks", "Events", "Errors"):
        assert f"## {section}" not in md


def test_helpers() -> None:
    assert md_text("a *b* [c](d) <img src=x> &amp; & |x| # _u_ \\ `e`\nnext") == (
        "a \\*b\\* \\[c\\](d) \\<img src=x\\> \\&amp; & \\|x\\| \\# \\_u\\_ \\\\ \\`e\\` next"
    )
    assert sparkline([-1, -0.5, 0, 0.5, 1, 7]) == "▁▃▅▆██"  # out-of-range scores are clamped
    chunks = [Chunk(1, "", 0, 1, "We run everything on VMs."), Chunk(2, "", 1, 2, "I never used Kubernetes at all.")]
    assert find_statement("never used kubernetes", chunks) == chunks[1]
    assert find_statement("something unrelated entirely", chunks) is None
    skipped = Attempt("kimi", "m", Outcome.SKIPPED)
    assert provider_totals([Analysis((1,), "", None, None, None, (skipped,))]) == []


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown export format 'pdf'"):
        export(SessionRecord(header={}), "pdf")


# --------------------------------------------------------------------------- the command


def test_command_exports_a_session_by_id_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal.create(header={"model": "tiny.en"})
    journal.write_chunk(Chunk(1, "You", 0.25, 2.0, "Hello there."))
    journal.close()
    out = tmp_path / "out.vtt"
    assert main(["export", journal.path.stem, "--format", "vtt", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "WEBVTT\n\n1\n00:00:00.250 --> 00:00:02.000\n<v You>Hello there.</v>\n"
    assert capsys.readouterr().err == ""
    assert main(["export", str(journal.path), "--format", "md"]) == 0
    assert "**[00:00] You:** Hello there." in capsys.readouterr().out


def test_command_warns_about_a_torn_journal_and_still_exports(capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal.create(header={})
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "kept"))
    journal.close()
    lines = journal.path.read_bytes().splitlines(keepends=True)
    journal.path.write_bytes(b"".join(lines[:-1]) + b'{"type":"chunk","seq":2,"te')
    assert main(["export", journal.path.stem, "--format", "srt"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "1\n00:00:00,000 --> 00:00:01,000\nkept\n"
    warnings = captured.err.splitlines()
    assert any(w.startswith("annotator: warning: ") and "last record was cut off" in w for w in warnings)


def test_command_converts_a_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    srt = tmp_path / "in.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\nAnna: hi\n", encoding="utf-8")
    assert main(["export", str(srt), "--format", "vtt"]) == 0
    assert "<v Anna>hi</v>" in capsys.readouterr().out


def test_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "no-such-session", "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("annotator: no-such-session: no such file")
    journal = Journal.create(header={})
    journal.close()
    target = tmp_path / "missing-dir" / "out.md"
    assert main(["export", journal.path.stem, "--format", "md", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out.md: cannot write the export" in err


def reviewed_interview() -> SessionRecord:
    """Five lines; live flags on lines 3 (confirmed) and 4 (rejected); the review found one more (line 5)."""
    from annotator.analysis.review_model import Review, ReviewContradiction, ReviewResult

    chunks = (
        Chunk(1, "Candidate", 0.0, 4.0, "I led the payments team for three years."),
        Chunk(2, "Candidate", 5.0, 9.0, "We moved the ledger to Postgres last year."),
        Chunk(3, "Candidate", 10.0, 14.0, "I joined eighteen months ago."),
        Chunk(4, "Candidate", 15.0, 19.0, "I carried the pager for the whole team."),
        Chunk(5, "Candidate", 20.0, 24.0, "We ran everything on MySQL and never touched Postgres."),
    )
    tenure = Contradiction("I joined eighteen months ago", "I led the payments team for three years", "Tenure.")
    pager = Contradiction("I carried the pager", "We moved the ledger to Postgres", "Odd.")
    analyses = (
        Analysis((3,), "", Insight(Sentiment("neutral", 0.0), (tenure,)), "live", "m"),
        Analysis((4,), "", Insight(Sentiment("neutral", 0.0), (pager,)), "live", "m"),
    )
    result = ReviewResult(
        confirmed=(ReviewContradiction(tenure.statement, 10.0, tenure.earlier, 0.0, "Cannot fit.", 1, 0, 0),),
        rejected=(ReviewContradiction(pager.statement, 15.0, pager.earlier, 5.0, "Different things.", 2, 1, 0),),
        missed=(ReviewContradiction("never touched Postgres", 20.0, "We moved the ledger to Postgres", 5.0, "Both."),),
    )
    review = Review(result, "strong", "big", live_flags=2, created="2026-11-17T10:00:00+00:00")
    return SessionRecord(header={"mode": "replay", "source": "/home/me/interviews/backend-lead.txt"}, chunks=chunks,
                         analyses=analyses, reviews=(review,), end_reason="closed", path=Path("2026-11-17_09-33-20.jsonl"))


def test_markdown_shows_the_reviews_verdicts_and_findings_in_the_transcript() -> None:
    md = export(reviewed_interview(), "md")
    transcript = md.split("## Transcript")[1]
    blocks = transcript.split("**[")
    line3, line4, line5 = blocks[3], blocks[4], blocks[5]
    assert "⚠ **Contradiction:** “I joined eighteen months ago”" in line3 and "✔ Confirmed by the review: Cannot fit." in line3
    assert "✖ **Flag rejected by the review:** “I carried the pager” was flagged live as conflicting with" in line4
    assert "✖ Not a contradiction, says the review: Different things." in line4
    assert "⚠ **Contradiction:**" not in line4  # a rejected flag does not read as a plain contradiction
    assert "Contradiction found by the review** (missed live): “never touched Postgres” conflicts with what was said at [00:05]" in line5
    line2 = blocks[2]
    assert "↳ contradicted later, at [00:15] (rejected by the review)" in line2
    assert "↳ contradicted later, at [00:20] (found by the review)" in line2


def test_markdown_names_the_source_file() -> None:
    md = export(reviewed_interview(), "md")
    assert "| Source | backend-lead.txt |" in md.split("## ")[0]


def test_markdown_words_a_self_contradiction_as_one() -> None:
    said = Chunk(1, "C", 0.0, 6.0, "I would take one forty, although I could not accept anything under one sixty.")
    cases = (
        (Contradiction("I could not accept anything under one sixty", "I would take one forty", "Range."),
         "“I could not accept anything under one sixty” conflicts with “I would take one forty”, said in the same breath"),
        (Contradiction(said.text, said.text, "Range."), f"“{md_text(said.text)}” contradicts itself"),
    )
    for contradiction, expected in cases:
        analysis = Analysis((1,), "", Insight(Sentiment("neutral", 0.0), (contradiction,)), "p", "m")
        md = export(SessionRecord(header={}, chunks=(said,), analyses=(analysis,)), "md")
        assert expected in md
        assert "something said earlier" not in md and "contradicted later" not in md


def _said(i: int) -> Chunk:
    return Chunk(i, "Candidate", i * 10.0, i * 10.0 + 8, f"line {i}")


def _answered(i: int, provider: str = "a") -> Analysis:
    return Analysis((i,), f"line {i}", Insight(Sentiment("neutral", 0.0)), provider, "m" if provider == "a" else "vader")


def test_markdown_counts_the_chunks_no_provider_answered(tmp_path: Path) -> None:
    chunks = tuple(_said(i) for i in range(1, 7))
    analyses = (_answered(1), _answered(2), _answered(3, LOCAL_PROVIDER), _answered(4, LOCAL_PROVIDER), _answered(5))
    md = export(SessionRecord(header={}, chunks=chunks, analyses=analyses, end_reason="closed"), "md")
    # chunks 3 and 4 got the local estimate, chunk 6 no analysis at all
    assert "| Unanalysed | 3 of 6 chunks (local estimate only), from 00:00:30 to 00:01:08 |" in md
    everything = export(SessionRecord(header={}, chunks=chunks, analyses=tuple(_answered(i) for i in range(1, 7))), "md")
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
    md = export(repair(journal.path), "md")
    assert ("| Session | interrupted, recovered afterwards: 3 chunks were never analysed, from 00:00:50 "
            "(the last second may be missing) |") in md
    assert "| Unanalysed | 3 of 7 chunks (local estimate only), from 00:00:50 to 00:01:18 |" in md
