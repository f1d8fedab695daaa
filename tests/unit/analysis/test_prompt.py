from __future__ import annotations

from annotator.analysis.prompt import build_prompt, chunk_line, estimate_tokens, split_text
from annotator.config.schema import AnalysisConfig
from annotator.models import Chunk, Insight, Sentiment


def test_first_request_has_instructions_and_text_only() -> None:
    prompt = build_prompt("Candidate: I led the team for three years.", None, AnalysisConfig())
    assert "ONE JSON object" in prompt.system
    assert "at most 8" in prompt.system
    assert "none (this is the start)" in prompt.user
    assert prompt.user.endswith("Candidate: I led the team for three years.")
    assert prompt.claims_dropped == 0


def test_previous_claims_are_carried_and_trimmed_oldest_first() -> None:
    config = AnalysisConfig(max_request_tokens=700, max_chunk_tokens=200, max_claims=8)
    claims = tuple(f"claim number {i} " + "x" * 150 for i in range(8))
    previous = Insight(Sentiment("neutral", 0.0), (), claims, "so far so good")
    prompt = build_prompt("New text. " * 80, previous, config)
    assert prompt.tokens <= 700
    assert 0 < prompt.claims_sent < 8 and prompt.claims_dropped == 8 - prompt.claims_sent
    assert "claim number 7" in prompt.user and "claim number 0" not in prompt.user
    assert "so far so good" in prompt.user


def test_split_keeps_lines_whole_and_splits_a_huge_one() -> None:
    lines = ["A: short one.", "B: short two."]
    assert split_text(lines, 100) == ["A: short one.\nB: short two."]
    huge = "Candidate: " + " ".join(f"This is sentence {i} of a very long answer." for i in range(300))
    parts = split_text(["A: hi", huge], 120)
    assert len(parts) > 5
    assert all(estimate_tokens(p) <= 120 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(("A: hi " + huge).split())
    assert split_text(["x" * 2000], 100) == ["x" * 400] * 5


def test_chunk_line_names_the_speaker() -> None:
    assert chunk_line(Chunk(1, "Candidate", 0, 1, "  Yes,\n I did. ")) == "Candidate: Yes, I did."
    assert chunk_line(Chunk(1, "", 0, 1, "Yes.")) == "Yes."
