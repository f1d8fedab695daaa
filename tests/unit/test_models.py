from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment


def test_records_round_trip_through_dicts() -> None:
    chunk = Chunk(3, "Candidate", 1.25, 4.5, "I have never worked with Kubernetes.")
    insight = Insight(
        Sentiment("negative", -0.4),
        (Contradiction("I migrated to Kubernetes", "I have never worked with Kubernetes", "Both cannot hold."),),
        ("never used Kubernetes",),
        "A contradiction about Kubernetes.",
    )
    attempt = Attempt("kimi", "kimi-k2-turbo-preview", Outcome.RATE_LIMITED, 429, 120, detail="retry after 3 s")
    analysis = Analysis((3,), chunk.text, insight, "cerebras", "llama", (attempt,), 900)
    mark = Mark(12.0, "flag", "check this", 3)

    assert Chunk.from_dict(chunk.to_dict()) == chunk
    assert Insight.from_dict(insight.to_dict()) == insight
    assert Attempt.from_dict(attempt.to_dict()) == attempt
    assert Analysis.from_dict(analysis.to_dict()) == analysis
    assert Mark.from_dict(mark.to_dict()) == mark
    assert not analysis.local


def test_a_chunk_carries_its_speaker_only_when_known() -> None:
    unknown = Chunk(1, "You", 0.0, 1.0, "Hello.")
    known = Chunk(2, "Them", 1.0, 2.0, "Hi.", speaker="S2")

    assert "speaker" not in unknown.to_dict()
    assert known.to_dict()["speaker"] == "S2"
    assert Chunk.from_dict(known.to_dict()) == known
    assert Chunk.from_dict({"id": 3, "source": "You", "start": 0, "end": 1, "text": "old journal"}).speaker == ""


def test_a_contradiction_writes_its_citation_and_follow_up_only_when_present() -> None:
    plain = Contradiction("eighteen months", "three years", "Tenure differs.")
    cited = Contradiction("eighteen months", "three years", "Tenure differs.", "L57", "How long have you led it?")
    assert set(plain.to_dict()) == {"statement", "earlier", "explanation"}
    assert cited.to_dict()["earlier_id"] == "L57" and cited.to_dict()["follow_up"] == "How long have you led it?"
    insight = Insight(Sentiment("neutral", 0.0), (plain, cited))
    assert Insight.from_dict(insight.to_dict()) == insight
    assert (cited.earlier_chunk, plain.earlier_chunk) == (57, None)
    assert Contradiction("a", "b", "c", "57").earlier_chunk == 57
    assert Contradiction("a", "b", "c", "claim 3").earlier_chunk is None
