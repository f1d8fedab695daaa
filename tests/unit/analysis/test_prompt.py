from __future__ import annotations

from dataclasses import replace

from annotator.analysis.memory import Recalled
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


def recalled(i: int, text: str, score: float) -> Recalled:
    return Recalled(f"L{i}", i, i * 10.0, "Candidate", text, "said", score)


def test_earlier_statements_are_quoted_with_id_time_and_speaker_in_time_order() -> None:
    found = [recalled(80, "I joined Globex in 2019.", 9.0), recalled(7, "I lead the platform team.", 5.0)]
    prompt = build_prompt("Candidate: I joined in 2021.", None, AnalysisConfig(), found)
    memory = prompt.user.split("Earlier statements")[1].split("New transcript text:")[0]
    assert memory.splitlines()[1:3] == [
        "L7 [01:10] Candidate: I lead the platform team.",
        "L80 [13:20] Candidate: I joined Globex in 2019.",
    ]
    assert [r.id for r in prompt.recalled] == ["L7", "L80"]
    assert '"earlier_id"' in prompt.system and '"follow_up"' in prompt.system


def test_earlier_statements_fit_their_budget_best_ranked_first() -> None:
    found = [recalled(i, f"Statement {i} " + "word " * 30, 100.0 - i) for i in range(20)]
    config = AnalysisConfig(memory_tokens=200)
    prompt = build_prompt("Candidate: hello.", None, config, found)
    ids = [r.id for r in prompt.recalled]
    assert 0 < len(ids) < 20 and ids == [f"L{i}" for i in range(len(ids))]  # the best ones, in time order
    memory = prompt.user.split("New transcript text:")[0].split("Previous state: none (this is the start).")[1]
    assert estimate_tokens(memory) <= 200


def test_over_budget_claims_go_before_the_earlier_statements() -> None:
    config = AnalysisConfig(max_request_tokens=700, max_chunk_tokens=200, memory_tokens=150)
    claims = tuple(f"claim number {i} " + "x" * 150 for i in range(8))
    previous = Insight(Sentiment("neutral", 0.0), (), claims, "")
    found = [recalled(1, "I joined Globex in 2019.", 3.0)]
    prompt = build_prompt("New text. " * 60, previous, config, found)
    assert prompt.tokens <= 700 and prompt.claims_dropped > 0
    assert "L1 [00:10] Candidate: I joined Globex in 2019." in prompt.user
    squeezed = build_prompt("New text. " * 80, previous, replace(config, max_request_tokens=600), found)
    assert squeezed.claims_sent == 0 and squeezed.recalled == () and squeezed.tokens <= 600


def test_chunk_line_heads_a_line_with_its_speaker_name_or_id() -> None:
    assert chunk_line(Chunk(1, "You", 0, 1, "I led it.", "S2")) == "S2 (You): I led it."
    assert chunk_line(Chunk(1, "", 0, 1, "I led it.", "S2")) == "S2: I led it."
    assert chunk_line(Chunk(1, "You", 0, 1, "I led it.", "S2", "Candidate")) == "Candidate: I led it."
    assert chunk_line(Chunk(1, "Them", 0, 1, "I led it.")) == "Them: I led it."


def test_instructions_say_only_a_speaker_contradicts_themselves() -> None:
    system = build_prompt("Candidate: three years", None, AnalysisConfig()).system
    assert "Only a speaker's own statements can contradict that same speaker's earlier ones" in system
