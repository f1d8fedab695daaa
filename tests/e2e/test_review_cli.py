"""``annotator review`` as a subprocess against the fault server: cost first (--yes, the TTY prompt,
the refusal without either), the --json line, progress, failover, the journal record and the export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from annotator.config.file import save_config
from annotator.config.schema import POST_PROVIDER_DEFAULTS, Config, PostConfig
from annotator.journal.reader import read_journal
from annotator.journal.store import find_unfinished
from annotator.journal.writer import Journal
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment
from tests.helpers.faultserver import FaultServer, Reply, fault_server

__all__ = ["fault_server"]

LINES = [
    ("Interviewer", "Thanks for coming in. Tell me about your last role."),
    ("Candidate", "I led the payments team for about three years."),
    ("Interviewer", "What did the team build?"),
    ("Candidate", "We moved the ledger to Postgres and cut settlement time in half."),
    ("Interviewer", "When did you join that company?"),
    ("Candidate", "I joined eighteen months ago, right after the acquisition."),
    ("Interviewer", "And on-call?"),
    ("Candidate", "We never had an on-call rotation, honestly."),
]

REPLY = json.dumps(
    {
        "confirmed": [
            {
                "flag": 1,
                "statement": "I joined eighteen months ago",
                "statement_at": "00:25",
                "earlier": "I led the payments team for about three years",
                "earlier_at": "00:05",
                "reason": "Three years of leading cannot fit in eighteen months.",
            }
        ],
        "rejected": [],
        "missed": [],
        "sentiment_arc": {
            "summary": "Friendly, then guarded about tenure.",
            "turning_points": [{"at": "00:25", "label": "negative", "score": -0.3, "why": "The tenure question."}],
        },
        "claims": ["[00:05] Candidate: led payments for three years"],
        "summary": "A backend lead interview; the tenure story does not add up.",
        "follow_up_questions": ["Which role did you hold before the acquisition?"],
    }
)


def annotator(
    *args: str, stdin: int | None = subprocess.DEVNULL, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=stdin if input_text is None else None,
        input=input_text,
    )


def session(directory: Path) -> Path:
    journal = Journal.create(directory, header={"model": "tiny.en"})
    chunks = [Chunk(i + 1, who, i * 5.0, i * 5.0 + 4.0, text) for i, (who, text) in enumerate(LINES)]
    for c in chunks:
        journal.write_chunk(c)
    flag = Contradiction("I joined eighteen months ago", "I led the payments team for about three years", "Tenure.")
    journal.write_analysis(Analysis((6,), chunks[5].text, Insight(Sentiment("neutral", 0.0), (flag,)), "fast", "m"))
    journal.close()
    return journal.path


def config(server: FaultServer, path: Path, *names: str) -> Path:
    providers = tuple(
        server.provider(n, price_in_per_mtok=3.0, price_out_per_mtok=15.0, **POST_PROVIDER_DEFAULTS) for n in names
    )
    return save_config(Config(providers=(server.provider("live"),), post=PostConfig(providers=providers)), path)


def test_json_line_lands_in_the_journal_and_the_export(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(Reply.ok(REPLY))
    journal = session(tmp_path)
    done = annotator(
        "review", str(journal), "--json", "--yes", "--config", str(config(fault_server, tmp_path / "c.toml", "strong"))
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    data = json.loads(line)
    assert data["session"] == journal.stem and data["provider"] == "strong" and data["model"] == "fault-model"
    assert data["result"]["confirmed"][0]["flag"] == 1 and data["result"]["confirmed"][0]["analysis_index"] == 0
    assert data["estimate"]["provider"] == "strong" and data["estimate"]["live_flags"] == 1
    assert [a["outcome"] for a in data["attempts"]] == ["ok"]
    assert "review by strong (strong-model), 1 request, 1 live flag:" in done.stderr
    assert "review: part 1/1 answered by strong" in done.stderr

    record = read_journal(journal)
    assert (
        record.closed_cleanly
        and record.review is not None
        and record.review.to_dict() == {k: v for k, v in data.items() if k not in ("session", "estimate")}
    )
    assert find_unfinished(tmp_path) == []
    md = annotator("export", str(journal), "--format", "md")
    assert md.returncode == 0, md.stderr
    assert "## Review" in md.stdout and "A backend lead interview; the tenure story does not add up." in md.stdout
    assert "1. Which role did you hold before the acquisition?" in md.stdout
    assert "The totals include the post-session review:" in md.stdout


def test_without_a_terminal_or_yes_nothing_is_sent(fault_server: FaultServer, tmp_path: Path) -> None:
    journal = session(tmp_path)
    before = journal.read_bytes()
    done = annotator("review", str(journal), "--config", str(config(fault_server, tmp_path / "c.toml", "strong")))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "pass --yes" in line and "would cost about $" in line
    assert fault_server.requests == [] and journal.read_bytes() == before


def test_terminal_prompt_declined_then_accepted_with_failover(fault_server: FaultServer, tmp_path: Path) -> None:
    journal = session(tmp_path)
    cfg = config(fault_server, tmp_path / "c.toml", "strong", "backup")
    fault_server.script("strong", Reply.status(503))
    fault_server.set_default(Reply.ok(REPLY), "backup")
    for answer, status in (("n\n", 1), ("y\n", 0)):
        master, slave = os.openpty()
        try:
            os.write(master, answer.encode())
            done = annotator("review", str(journal), "--config", str(cfg), stdin=slave)
        finally:
            os.close(slave)
            os.close(master)
        assert done.returncode == status, done.stderr
        assert "Run the review? [y/N]" in done.stderr
        if answer == "n\n":
            assert "review cancelled" in done.stderr and fault_server.requests == []
    assert "review: part 1/1 answered by backup" in done.stderr and "(failed over: strong http_error)" in done.stderr
    out = done.stdout
    assert "Review of " + journal.stem + " by backup (fault-model)" in out
    assert 'Live flags confirmed (1):\n  #1 [00:25] "I joined eighteen months ago" vs [00:05] ' in out
    assert "Sentiment arc: Friendly, then guarded about tenure." in out and "[00:25] negative -0.30" in out
    assert "the session's total is now $" in out
    review = read_journal(journal).review
    assert review is not None and [a.provider for a in review.attempts] == ["strong", "backup"]


def test_all_failing_is_exit_1_and_still_journaled(fault_server: FaultServer, tmp_path: Path) -> None:
    journal = session(tmp_path)
    fault_server.set_default(Reply.status(529))
    done = annotator(
        "review", str(journal), "--yes", "--json", "--config", str(config(fault_server, tmp_path / "c.toml", "strong"))
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["result"] is None
    assert "annotator: the review failed: part 1 of 1 got no valid review: strong: http_error 529" in done.stderr
    record = read_journal(journal)
    assert record.closed_cleanly and record.review is not None and record.review.result is None


def test_a_json_export_is_not_a_journal(fault_server: FaultServer, tmp_path: Path) -> None:
    exported = tmp_path / "s.json"
    exported.write_text(annotator("export", str(session(tmp_path)), "--format", "json").stdout, encoding="utf-8")
    done = annotator("review", str(exported), "--yes", "--config", str(config(fault_server, tmp_path / "c.toml", "s")))
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"annotator: {exported}: the review is added to a session journal (.jsonl); this is not one"
    )
