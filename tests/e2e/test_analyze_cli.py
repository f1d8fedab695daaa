"""``annotator analyze`` and ``annotator providers`` as subprocesses against the fault server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.faultserver import FaultServer, Reply, fault_server, insight_json

__all__ = ["fault_server"]

TRANSCRIPT = Path(__file__).parent.parent / "data" / "backend-lead.txt"
LINES = [line.split(": ", 1)[1] for line in TRANSCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]


def annotator(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_json_contract_one_line_per_chunk_in_order(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.script("a", *[Reply.ok()] * 11)
    fault_server.script("a", Reply.status(503))  # chunk 12 fails over to b
    fault_server.script(
        "b", Reply.ok(insight_json("negative", -0.4, [("eighteen months ago", "about three years", "Tenure differs.")]))
    )
    config = fault_server.write_config(tmp_path / "c.toml", ["a", fault_server.provider("b", kind="anthropic")])
    done = annotator("analyze", str(TRANSCRIPT), "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in records] == LINES
    for r in records:
        assert set(r) >= {"text", "provider", "model", "insight", "attempts"}
        assert set(r["insight"]) >= {"sentiment", "contradictions", "claims", "summary"}
        assert set(r["insight"]["sentiment"]) == {"label", "score"}
        for a in r["attempts"]:
            assert set(a) >= {"provider", "outcome", "status", "elapsed_ms"}
    twelfth = records[11]
    assert twelfth["provider"] == "b" and twelfth["model"] == "fault-model"
    assert [(a["provider"], a["outcome"], a["status"]) for a in twelfth["attempts"]] == [
        ("a", "http_error", 503),
        ("b", "ok", 200),
    ]
    assert twelfth["insight"]["contradictions"][0]["earlier"] == "about three years"
    assert {r["provider"] for i, r in enumerate(records) if i != 11} == {"a"}
    assert len(records) == len(LINES) and "left unanalysed" not in done.stderr  # nothing but request lines
    sent = [  # the new text of each request (earlier lines may be quoted above it, from the session memory)
        r.body["messages"][-1]["content"].split("New transcript text:")[-1]
        for r in fault_server.requests
        if r.provider == "a" and r.dialect
    ]
    assert [next(line for line in LINES if line in s) for s in sent] == LINES  # one request per chunk, in order


def test_all_failing_gives_the_labelled_local_estimate(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(Reply.status(529))
    config = fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a", kind="anthropic")])
    done = annotator("analyze", str(TRANSCRIPT), "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == len(LINES)
    assert {(r["provider"], r["model"]) for r in records} == {("local-sentiment", "vader")}
    assert all(r["insight"]["contradictions"] == [] for r in records)
    assert all(r["attempts"][0]["outcome"] == "http_error" and r["attempts"][0]["status"] == 529 for r in records)
    # a run that ends with chunks no provider answered says so, with when
    assert (
        f"{len(LINES)} of {len(LINES)} chunks were left unanalysed (local estimate only), from 00:00 to " in done.stderr
    )


def test_a_rate_limit_window_is_waited_out_not_skipped(fault_server: FaultServer, tmp_path: Path) -> None:
    # issue 19: both providers rate-limit for 2 s in the middle of the file; every chunk still gets an answer
    fault_server.script("a", *[Reply.ok()] * 3, Reply.status(429, retry_after="2"))
    fault_server.script("b", Reply.status(429, retry_after="2"))
    config = fault_server.write_config(tmp_path / "c.toml", ["a", "b"])
    done = annotator("analyze", str(TRANSCRIPT), "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in records] == LINES
    assert all(r["provider"] in ("a", "b") for r in records), [r["provider"] for r in records]
    assert "annotator: waiting 2 s for a (rate-limited)" in done.stderr
    assert "left unanalysed" not in done.stderr
    fourth = [(a["provider"], a["outcome"]) for a in records[3]["attempts"]]
    assert fourth == [("a", "rate_limited"), ("b", "rate_limited"), ("a", "ok")]


def test_human_output_shows_text_flags_provider_and_cost(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(
        Reply.ok(
            insight_json(
                "negative", -0.5, [("migrated to Kubernetes", "never worked with Kubernetes", "Both cannot hold.")]
            )
        )
    )
    config = fault_server.write_config(
        tmp_path / "c.toml", [fault_server.provider("kimi", price_in_per_mtok=0.6, price_out_per_mtok=2.5)]
    )
    done = annotator("analyze", str(TRANSCRIPT), "--config", str(config))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"[ 1/{len(LINES)}] Interviewer: {LINES[0]}" in out
    assert 'CONTRADICTION: "migrated to Kubernetes" vs earlier "never worked with Kubernetes"' in out
    assert "negative -0.50 | kimi (fault-model) |" in out and " ms" in out
    assert re.search(r"estimated cost \$0\.0\d{3}\b", out), out  # the prompt's size moves the last digits
    assert "\x1b" not in done.stderr  # no progress bar when stderr is not a terminal


def test_providers_lists_and_checks(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.script("bad", Reply.status(401))
    paid = 'name = "paid"\nkind = "openai"\nbase_url = "https://example.invalid/v1"\nmodel = "m"\napi_key_env = "ANNOTATOR_TEST_NO_KEY"\n'
    config = fault_server.write_config(tmp_path / "c.toml", ["good", "bad"])
    config.write_text(config.read_text(encoding="utf-8") + "\n[[providers]]\n" + paid, encoding="utf-8")
    listed = annotator("providers", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    assert "1. good [in chain]" in listed.stdout and "3. paid [not used]" in listed.stdout
    assert "ANNOTATOR_TEST_NO_KEY" in listed.stdout
    checked = annotator("providers", "--check", "--config", str(config))
    assert checked.returncode == 1
    assert "good: ok in " in checked.stdout
    assert "bad: misconfigured (HTTP 401)" in checked.stdout
    assert "paid: skipped (no key" in checked.stdout
    assert [r.provider for r in fault_server.requests] == ["good", "bad"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "nope.txt: "),
        ("binary", "bin.txt: "),
        ("toml", "c.toml: not valid TOML"),
        ("kind", "c.toml: provider 'x': kind: unknown kind 'foo' (expected openai or anthropic)"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, setup: str, message: str) -> None:
    path, config = TRANSCRIPT, tmp_path / "c.toml"
    config.write_text("", encoding="utf-8")
    if setup == "missing":
        path = tmp_path / "nope.txt"
    elif setup == "binary":
        path = tmp_path / "bin.txt"
        path.write_bytes(b"\xff\xfe\x00\x81\x82 not text \x00\x00")
    elif setup == "toml":
        config.write_text("[[providers]\n", encoding="utf-8")
    else:
        config.write_text(
            '[[providers]]\nname = "x"\nkind = "foo"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n',
            encoding="utf-8",
        )
    done = annotator("analyze", str(path), "--config", str(config))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert message in done.stderr
