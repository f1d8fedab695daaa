"""Search: every word, newest first, the last word as typed then as a prefix; FTS5's operators are words."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.library.lines import add_chunk
from annotator.library.search import fts_query, search, words_of
from annotator.models import Chunk
from tests.unit.library.helpers import open_index


def test_search_finds_lines_flags_and_notes_with_session_and_time(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    hits = search(index, "kubernetes")
    kinds = {h.kind for h in hits}
    assert kinds == {"line", "flag"}
    line = next(h for h in hits if h.kind == "line")
    assert line.at == pytest.approx(10.0) and line.chunk_id == 1 and line.who == "Ada"
    assert line.title == "Ada & Bob" and "[Kubernetes]" in line.snippet
    assert [h.kind for h in search(index, "migration")].count("note") == 2  # a note on each session
    assert search(index, "migr")  # the last word is a prefix, so results come while typing
    assert search(index, "nothing-like-this") == []
    assert search(index, 'team "eight') and search(index, "AND OR NOT (") == []  # operators are words


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('say "hi" NEAR') == '"say" "hi" "NEAR"*'
    assert fts_query("   ") == ""


def test_search_takes_the_word_as_typed_first_then_as_a_prefix(tmp_path: Path, sessions: Path) -> None:
    index = open_index(tmp_path, sessions)
    (hit,) = search(index, "tell", limit=1)  # the word itself fills the page: no prefix lookup
    assert "Tell me about your last role" in hit.text
    assert {h.text for h in search(index, "mig")} >= {"I led the Kubernetes migration"}


def test_words_with_punctuation_are_searched_as_the_index_splits_them(tmp_path: Path, sessions: Path) -> None:
    assert words_of("don't e-mail Zoë_2") == ["don", "t", "e", "mail", "Zoë", "2"]
    assert fts_query("don't") == '"don" "t"'  # two words, not a phrase: the index keeps no positions
    index = open_index(tmp_path, sessions)
    live = sessions / "2030-01-01_00-00-00.jsonl"
    add_chunk(index, live, Chunk(1, "You", 0.0, 2.0, "I don't use e-mail"), "2030-01-01T00:00:00+00:00")
    (hit,) = search(index, "don't e-mail")
    assert hit.snippet == "I [don]'[t] use [e]-[mail]"
