"""The quote matcher of the exports: which transcript line a provider's quote came from."""

from __future__ import annotations

from annotator.models import Chunk
from annotator.text.quotes import MATCH_THRESHOLD, QuoteIndex, find_near, find_statement, score

CHUNKS = [Chunk(1, "", 0, 1, "We run everything on VMs."), Chunk(2, "", 1, 2, "I never used Kubernetes at all.")]


def test_the_line_with_the_quotes_words_or_none() -> None:
    assert find_statement("never used kubernetes", CHUNKS) == CHUNKS[1]
    assert find_statement("something unrelated entirely", CHUNKS) is None
    assert find_statement("", CHUNKS) is None


def test_the_threshold_is_a_share_of_the_quotes_meaningful_words() -> None:
    assert MATCH_THRESHOLD == 0.5
    assert find_statement("VMs were never cheap or fast", CHUNKS) is None  # 1 of 4 in each line (small words left out)
    assert find_statement("I never used Kubernetes anywhere", CHUNKS) == CHUNKS[1]  # 3 of 4
    assert find_statement("never used Docker either", CHUNKS) == CHUNKS[1]  # 2 of 4: half is enough
    assert score("we never used VMs here", "I never used Kubernetes at all.") == 0.5  # 2 of 4, "we" left out


def test_small_words_alone_find_nothing() -> None:
    assert find_statement("I was at the", [Chunk(1, "", 0, 1, "I was at the office.")]) is None
    assert find_statement("it was not that", CHUNKS) is None


def test_a_phrase_with_cut_off_ends_counts_as_the_phrase() -> None:
    lines = [
        Chunk(1, "", 0, 1, "the backend team at a logistics startup"),
        Chunk(2, "", 1, 2, "backend team logistics"),
    ]
    assert find_statement("ackend team at a logistics sta", lines) == lines[0]
    assert score("Never used KUBERNETES!", "we never used kubernetes, honestly") == 2.0


def test_the_latest_line_wins_a_tie() -> None:
    lines = [
        Chunk(1, "", 0, 1, "I love Python."),
        Chunk(2, "", 1, 2, "Nothing here."),
        Chunk(3, "", 2, 3, "I love Python."),
    ]
    assert find_statement("love Python", lines) == lines[2]


def test_a_whole_phrase_wins_over_a_larger_share() -> None:
    lines = [Chunk(1, "", 0, 1, "used all of it, never Kubernetes"), Chunk(2, "", 1, 2, "we never used Kubernetes")]
    assert find_statement("never used Kubernetes", lines) == lines[1]


def test_near_prefers_a_match_close_to_the_reviewers_time_then_the_line_spoken_then() -> None:
    lines = [
        Chunk(1, "", 0, 2, "I love Python."),
        Chunk(2, "", 30, 32, "Nothing here."),
        Chunk(3, "", 60, 62, "I love Python."),
    ]
    assert find_near("I love Python", 61.0, lines) == lines[2]
    assert find_near("I love Python", 1.0, lines) == lines[0]
    assert find_near("completely different words", 31.0, lines) == lines[1]
    assert find_near("completely different words", 45.0, lines) is None


def test_the_quote_index_finds_what_a_scan_finds() -> None:
    """``QuoteIndex.best`` (what the window uses) agrees with ``find_statement`` (the exports') over the lines in order:
    paraphrases, substrings with a cut-off word, ties (the latest wins), edited lines, bounds."""
    lines = [
        "I have been leading the backend team at a logistics startup for about three years now.",
        "I have never worked with Kubernetes, it always felt like overkill for us.",
        "Last spring I migrated our whole cluster to Kubernetes.",
        "We spent eighteen months on the billing service with four people.",
        "The billing service took us eighteen months, with four people.",
        "Honestly the team was great and I would hire all of them again.",
    ]
    chunks = [Chunk(i + 1, "C", i * 5.0, i * 5.0 + 4, t) for i, t in enumerate(lines)]
    index = QuoteIndex()
    for ch in chunks:
        index.add(ch)
    quotes = [
        "has never used Kubernetes",
        "never worked with Kubernet",
        "eighteen months on billing",
        "four people",
        "the team was great",
        "leading the backend team for three years",
        "completely unrelated words here",
        "ading the backend team at a logistics start",
    ]
    for quote in quotes:
        assert index.best(quote) is find_statement(quote, chunks), quote
        assert index.best(quote, before=4) is find_statement(quote, chunks[:3]), quote
    edited = Chunk(2, "C", 5.0, 9.0, "I had never heard of Kubernetes back then.")
    index.add(edited)
    assert index.best("never worked with Kubernetes") is find_statement(
        "never worked with Kubernetes", [chunks[0], edited, *chunks[2:]]
    )
    index.clear()
    assert index.best("four people") is None


def test_the_quote_index_agrees_with_a_scan_on_many_random_lines() -> None:
    import random

    rng = random.Random(19)
    vocab = [
        f"w{i}x" for i in range(40)
    ]  # no word inside another: a quote that is part of a word is not found (documented)
    vocab += ["team", "years", "months", "billing", "people", "weeks", "the", "i", "was", "at"]
    chunks = [
        Chunk(i, "C", i * 5.0, i * 5.0 + 4, " ".join(rng.choices(vocab, k=rng.randint(3, 14)))) for i in range(1, 301)
    ]
    index = QuoteIndex()
    for ch in chunks:
        index.add(ch)
    for _ in range(300):
        if rng.random() < 0.5:
            quote = " ".join(rng.choices(vocab, k=rng.randint(1, 8)))  # a paraphrase: some words, any order
        else:
            text = rng.choice(chunks).text  # a substring, perhaps cutting its first and last word short
            words = text.split()
            a = rng.randint(0, max(0, len(words) - 4))
            quote = " ".join(words[a : a + rng.randint(4, 8)])[rng.randint(0, 1) : -rng.randint(1, 2)]
        before = rng.randint(2, 300)
        assert index.best(quote) is find_statement(quote, chunks), quote
        assert index.best(quote, before=before) is find_statement(quote, chunks[: before - 1]), quote
