from __future__ import annotations

from annotator.analysis.memory import SessionMemory, terms
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment


def line(i: int, text: str, source: str = "Candidate", speaker: str = "") -> Chunk:
    return Chunk(i, source, i * 10.0, i * 10.0 + 9, text, speaker)


DISTRACTORS = [
    "Globex had about three hundred employees when I was there.",
    "Maria led the data team at Globex for two years.",
    "We spent a month evaluating Kafka before we picked Postgres.",
    "The billing project at Initech took six months and had ten engineers on it.",
    "Umbrella was a customer of Hooli for four years.",
    "Tom joined Globex in 2018 as a mobile engineer.",
]


def test_number_words_and_digits_are_one_term_and_negation_counts() -> None:
    assert "#18" in terms("eighteen months").counts and "#18" in terms("18 months").counts
    assert "~duration" in terms("three years").counts and "~duration" in terms("eighteen months").counts
    assert "~neg" in terms("I haven't done that").counts and "~neg" in terms("never").counts
    assert "#165000" in terms("about 165k base").counts


def test_recall_finds_the_earlier_statement_among_distractors_on_the_same_topics() -> None:
    memory = SessionMemory()
    chunks = [line(i, text) for i, text in enumerate(DISTRACTORS * 20)]
    chunks.insert(57, line(999, "I've been leading the platform team for about three years now."))
    chunks = [Chunk(i, c.source, i * 10.0, i * 10.0 + 9, c.text) for i, c in enumerate(chunks)]
    memory.add_chunks(chunks)
    new = line(len(chunks), "I only took over as platform lead eighteen months ago.")
    found = memory.recall([new], limit=3)
    assert found[0].id == "L57" and found[0].text.startswith("I've been leading the platform team")
    assert (found[0].start, found[0].who, found[0].kind) == (570.0, "Candidate", "said")


def test_recall_leaves_out_the_request_later_lines_and_other_speakers() -> None:
    memory = SessionMemory()
    memory.add_chunks(
        [
            line(1, "I joined Globex in 2019.", "Interviewer"),
            line(2, "I joined Globex in 2019."),
            line(3, "I joined Globex in 2021."),
            line(5, "I joined Globex in 2020."),
        ]
    )
    found = memory.recall([line(3, "I joined Globex in 2021.")], limit=10)
    assert [r.id for r in found] == ["L2"]  # not the Interviewer's, not its own line, not line 5 (later)


def test_speaker_ids_separate_speakers_of_one_source() -> None:
    memory = SessionMemory()
    memory.add_chunks([line(1, "I have led the team for three years.", "Room", "S1")])
    assert memory.recall([line(2, "I led the team for a year.", "Room", "S2")]) == []
    assert [r.id for r in memory.recall([line(2, "I led the team for a year.", "Room", "S1")])] == ["L1"]


def test_claims_are_remembered_once_and_not_recalled_while_carried() -> None:
    memory = SessionMemory()
    memory.add_chunks([line(1, "Hello there.")])
    memory.add_claims(["Candidate earns 140k base salary", "Candidate earns 140k base salary"], [line(1, "x")])
    assert len(memory) == 2
    new = line(2, "My salary is 165k.")
    found = memory.recall([new])
    assert [(r.kind, r.id, r.text) for r in found] == [("claim", "L1", "Candidate earns 140k base salary")]
    assert memory.recall([new], skip=["candidate earns 140k  base salary"]) == []


def test_memory_is_bounded_and_forgets_the_oldest() -> None:
    memory = SessionMemory(max_passages=100)
    memory.add_chunks(line(i, f"Statement number {i} about the platform.") for i in range(1000))
    assert 80 <= len(memory) <= 100
    assert not memory.knows(0) and memory.knows(999)
    found = memory.recall([line(1000, "Statement about the platform.")], limit=100)
    assert found and min(r.chunk_id for r in found) >= 900


def test_rebuilt_from_a_journal_holds_every_line_and_every_answered_claim() -> None:
    chunks = (line(1, "I joined Globex in 2019."), line(2, "We use Postgres."), line(3, "Thanks."))
    insight = Insight(
        Sentiment("neutral", 0.0), (Contradiction("a", "b", "c"),), ("Candidate runs Postgres and Kafka in production",)
    )
    local = Insight(Sentiment("neutral", 0.0), (), ("local estimate claim kept over",))
    analyses = (
        Analysis((2,), "We use Postgres.", insight, "a", "m"),
        Analysis((3,), "Thanks.", local, "local-sentiment", "vader"),
    )
    memory = SessionMemory.rebuilt(chunks, analyses)
    assert all(memory.knows(c.id) for c in chunks) and len(memory) == 4
    found = memory.recall([line(9, "I never used Postgres.")], limit=5)
    assert {("said", "L2"), ("claim", "L2")} <= {(r.kind, r.id) for r in found}
    assert all("local estimate" not in r.text for r in memory.recall([line(9, "a local estimate claim")]))


def test_a_near_repeat_takes_no_second_slot() -> None:
    memory = SessionMemory()
    memory.add_chunks(
        [
            line(1, "In 2016 we moved the ledger service from Go to Kafka."),
            line(2, "In 2019 we moved the ledger service from Go to Kafka."),
            line(3, "I wrote the ledger service alone."),
        ]
    )
    found = memory.recall([line(4, "The ledger service was a team effort, I only reviewed it.")], limit=3)
    assert sorted(r.id for r in found) in (["L1", "L3"], ["L2", "L3"])
