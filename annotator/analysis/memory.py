"""The session memory: everything said, and every claim a reply extracted, retrievable on this machine.

    memory = SessionMemory()                      # one per session (``Analyzer`` owns it)
    memory.add_chunks(chunks)                     # every chunk, as it arrives (idempotent by id)
    memory.add_claims(insight.claims, chunks)     # the claims a reply extracted
    found = memory.recall(new_chunks)             # the few earlier statements that matter now
    memory = SessionMemory.rebuilt(chunks, analyses)   # a reopened or reviewed session, from its journal

The differential prompt carries only a handful of claims, so an early
statement is gone from it long before anyone contradicts it (issue 14: 0 of 12
planted contradictions caught on a 60-minute script). This memory keeps every
statement and, for each request, ranks them against the new text and hands
back the few best, each with a short id (``L<chunk id>``) the model may cite
and the window resolves to that exact line.

Ranking is lexical BM25 over sentences (a chunk of 15 s can hold several
topics; the sentence is what gets quoted), written here rather than taken from
``bm25s``: that library indexes a fixed corpus (adding a line means indexing
again) and needs scipy, while a session grows a line at a time; at 720 lines
this index answers in well under a millisecond (benchmarks/memory.py). On top
of plain BM25, what contradictions turn on counts more:

- numbers (digits and number words alike: "eighteen" and "18" are ``#18``),
  durations, money and dates get a class token ("three years" and "eighteen
  months" share ``~duration``) and a larger weight;
- capitalised names and negations ("not", "never", "didn't") weigh more;
- a small lexicon of interview verbs and nouns maps paraphrases onto one
  concept ("joined" / "started at" / "came on board"; "led" / "managed" /
  "ran"), since a contradiction is often said in other words.

Only statements by the same speaker can contradict each other (DESIGN.md):
when the new text's speaker is known, lines of other known speakers are left
out. The chunks of the request itself are never returned.

Memory is bounded: each sentence is kept to ``MAX_PASSAGE_CHARS`` and at most
``max_passages`` are kept (the oldest go first; the default holds a ten-hour
session).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from annotator.models import Analysis, Chunk, cited_chunk

MAX_PASSAGE_CHARS = 300
MAX_PASSAGES = 20_000
K1 = 1.2
B = 0.75

_WORD = re.compile(r"[A-Za-z0-9$%]+(?:['’][A-Za-z]+)?(?:[.,][0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being am i me my we our
    you your he she it its they them their this that these those there here so then than too very just really
    do does did done have has had having will would could should can may might must shall about into over after
    before also well yeah yes oh um uh like okay ok right sure think know mean guess kind sort thing things
    what which who whom when where why how all any some each every much many more most other such only own same
    s t ll re ve d m say said tell told get got""".split()
)
_NEGATIONS = frozenset("not no never none nobody nothing neither nor cannot without".split())
_SELF = frozenset("i me my mine myself i'm i've i'd i'll".split())
# weights of a query term (a plain word counts 1), chosen on script A of benchmarks/memory.py:
SELF_WEIGHT = 2.0  # I / me / my: the speaker about themselves is what an interviewee contradicts
CONCEPT_WEIGHT = 1.5  # a class token (~duration, ~join, ...): a paraphrase shares these, not its words
NUMBER_WEIGHT = 1.0  # the same number: a contradiction more often has a different one (the class counts)
NAME_WEIGHT = 2.0  # a capitalised word inside a sentence
NEGATION_WEIGHT = 1.5
NEAR_REPEAT = 0.6  # word overlap (Jaccard) above which a recalled statement repeats one already chosen

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12, "half": 0.5, "couple": 2, "single": 1,
    "once": 1, "twice": 2, "first": 1, "second": 2, "third": 3,
}  # fmt: skip
_MONTHS = frozenset("january february march april may june july august september october november december".split())


def _stem(word: str) -> str:
    """A light suffix stripper: "relocated", "relocate", "relocates" -> "relocat"."""
    for suffix in ("ingly", "ies", "ing", "ly", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


# class tokens: a word (after stemming) -> the concepts it stands for
_CONCEPTS: dict[str, tuple[str, ...]] = {}


def _concept(name: str, words: str) -> None:
    for w in words.split():
        stem = _stem(w)
        _CONCEPTS[stem] = (*_CONCEPTS.get(stem, ()), name)


_concept("~duration", "year month week day decade hour quarter long tenure")
_concept("~money", "$ dollar salary pay paid compensation earn package budget revenue cost price k grand raise")
_concept("~date", "ago since until last next when date")
_concept("~headcount", "people person engineer team group headcount staff employee hire hired member size")
_concept("~join", "join joined start started begin began hired onboard arrive came")
_concept("~leave", "leave left quit resign resigned depart fired laid exit stopped")
_concept("~lead", "lead led manage managed manager run ran head headed oversee oversaw supervise boss direct")
_concept("~build", "build built wrote write design designed architect create created develop developed ship")
_concept("~study", "degree graduate graduated university college studied study phd master bachelor school taught")
_concept("~place", "remote office onsite relocate move moved commute city based live")
_concept("~migrate", "migrate migration move moving port switch rewrite replace")
_concept("~title", "promote promoted promotion title senior director vp principal junior role position")
_concept("~customer", "customer client user account sale sold contract deal")
_concept("~like", "love like enjoy prefer happy hate dislike frustrated")
_concept("~reason", "because reason why decided decision motivation")
_concept("~employer", "startup company corporation enterprise firm employer")
_concept("~report", "report reports reported direct contributor ic")


def _number(word: str) -> str | None:
    digits = word.replace(",", "").lstrip("$").rstrip("%")
    if digits.endswith("k") and digits[:-1].replace(".", "", 1).isdigit():
        return f"#{float(digits[:-1]) * 1000:g}"
    if digits.replace(".", "", 1).isdigit():
        return f"#{float(digits):g}"
    if word in _UNITS:
        return f"#{_UNITS[word]:g}"
    return None


@dataclass(frozen=True)
class Terms:
    """A text's weighted terms: ``weights[term]`` how much a query match on it counts."""

    counts: Counter[str]
    weights: dict[str, float]


def terms(text: str) -> Terms:
    """The BM25 terms of ``text`` (counts) and how much each counts in a query.

    Words are lower-cased and stemmed, small words dropped; numbers become
    ``#<value>`` (word or digits), and class tokens (``~duration``, ``~neg``,
    ``~join``, ...) are added for what contradictions turn on."""
    counts: Counter[str] = Counter()
    weights: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        counts[term] += 1
        weights[term] = max(weights.get(term, 0.0), weight)

    sentence_start = True
    for match in _WORD.finditer(text):
        raw = match.group(0)
        word = raw.lower().replace("’", "'")
        if word.endswith("n't") or word in _NEGATIONS:
            add("~neg", NEGATION_WEIGHT)
            sentence_start = False
            continue
        if word in _SELF:
            add("~self", SELF_WEIGHT)
            sentence_start = False
            continue
        word = word.split("'")[0]
        number = _number(word)
        if number is not None:
            add(number, NUMBER_WEIGHT)
            add("~number", 0.5)
            if word.isdigit() and len(word) == 4 and word[:2] in ("19", "20"):
                add("~date", 1.0)
        elif word in _MONTHS and raw[0].isupper():
            add(word, 2.0)
            add("~date", 1.0)
        elif word not in _STOP and len(word) > 1:
            stem = _stem(word)
            name = raw[0].isupper() and not sentence_start
            add(stem, NAME_WEIGHT if name else 1.0)
            for concept in _CONCEPTS.get(stem, ()):
                add(concept, CONCEPT_WEIGHT)
        if raw.startswith("$"):
            add("~money", CONCEPT_WEIGHT)
        end = match.end()
        sentence_start = end < len(text) and text[end : end + 1] in ".!?"
    return Terms(counts, weights)


@dataclass(frozen=True)
class Recalled:
    """One earlier statement for the prompt: ``id`` (``L<chunk id>``) the
    model may cite, the line's time and speaker, and the text verbatim
    (``kind`` "said"), or a claim a reply extracted (``kind`` "claim", its time
    and id those of the line it came with)."""

    id: str
    chunk_id: int
    start: float
    who: str
    text: str
    kind: str
    score: float


@dataclass(frozen=True)
class _Passage:
    chunk_id: int
    start: float
    who: str  # who said it, as the prompt names them ("" unknown)
    speaker_key: str  # for the same-speaker rule ("" unknown)
    text: str
    kind: str
    length: int
    words: frozenset[str] = frozenset()  # its terms but numbers and class tokens: to tell near-repeats


def _gist(found: Terms) -> frozenset[str]:
    return frozenset(t for t in found.counts if t[0] not in "#~")


def line_id(chunk_id: int) -> str:
    """The short id a prompt gives the line ``chunk_id`` (``L57``)."""
    return f"L{chunk_id}"


def speaker_key(chunk: Chunk) -> str:
    return chunk.speaker or chunk.source


def _who(chunk: Chunk) -> str:
    return chunk.label  # as the prompt heads a new line (issue 13): the name, else "S2 (You)", else the input


def _near_repeat(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two statements with mostly the same words (numbers aside): "we moved the
    ledger service from Go to Kafka" said again of other services and years.
    One of them is enough in the prompt; the slot goes to something else."""
    return bool(a) and bool(b) and len(a & b) >= NEAR_REPEAT * len(a | b)


class SessionMemory:
    """Every statement of one session (sentences of its chunks, and the claims
    replies extracted), ranked against new text with BM25 (see the module doc)."""

    def __init__(self, *, max_passages: int = MAX_PASSAGES) -> None:
        self.max_passages = max_passages
        self._passages: list[_Passage | None] = []
        # speaker key -> term -> [(passage, tf)]: a query scans its speaker's lines and the unattributed ones only
        self._postings: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        self._df: Counter[str] = Counter()
        self._total_length = 0
        self._live = 0
        self._chunks: dict[int, float] = {}  # chunk id -> start, for every line remembered
        self._claims: set[str] = set()
        self._said: set[str] = set()  # every line's text, lower-cased (emptied when the oldest are forgotten)
        self._first = 0  # passages before this index were forgotten

    # -- filling ----------------------------------------------------------------------
    def __len__(self) -> int:
        return self._live

    def knows(self, chunk_id: int) -> bool:
        return chunk_id in self._chunks

    def add_chunks(self, chunks: Iterable[Chunk]) -> None:
        """Remember each chunk's sentences (a chunk already remembered is skipped)."""
        for chunk in chunks:
            if chunk.id in self._chunks:
                continue
            self._chunks[chunk.id] = chunk.start
            text = " ".join(chunk.text.split())
            self._said.add(text.lower())
            for sentence in _SENTENCE_END.split(text):
                self._add(_Passage(chunk.id, chunk.start, _who(chunk), speaker_key(chunk), sentence, "said", 0))

    def add_claims(self, claims: Iterable[str], chunks: Sequence[Chunk]) -> None:
        """Remember claims a reply about ``chunks`` extracted (each claim once);
        they carry the id and time of the last of those chunks."""
        if not chunks:
            return
        last = chunks[-1]
        for claim in claims:
            key = " ".join(claim.lower().split())
            if not key or key in self._claims or key in self._said:  # a line quoted as a claim: the line is here
                continue
            self._claims.add(key)
            self._add(_Passage(last.id, last.start, "", "", " ".join(claim.split()), "claim", 0))

    def _add(self, passage: _Passage) -> None:
        text = passage.text[:MAX_PASSAGE_CHARS]
        found = terms(text)
        if not found.counts:
            return
        length = sum(found.counts.values())
        index = len(self._passages)
        self._passages.append(
            _Passage(
                passage.chunk_id,
                passage.start,
                passage.who,
                passage.speaker_key,
                text,
                passage.kind,
                length,
                _gist(found),
            )
        )
        for term, tf in found.counts.items():
            self._postings[passage.speaker_key][term].append((index, tf))
            self._df[term] += 1
        self._total_length += length
        self._live += 1
        if self._live > self.max_passages:
            self._forget(self._live - self.max_passages * 9 // 10)

    def _forget(self, n: int) -> None:
        """Drop the ``n`` oldest passages and rebuild the postings (rare: amortised)."""
        kept = [p for p in self._passages if p is not None][n:]
        self._passages, self._df = [], Counter()
        self._postings = defaultdict(lambda: defaultdict(list))
        self._total_length = self._live = 0
        chunk_ids = {p.chunk_id for p in kept}
        self._chunks = {cid: start for cid, start in self._chunks.items() if cid in chunk_ids}
        self._said = set()
        for passage in kept:
            self._add(passage)

    @classmethod
    def rebuilt(cls, chunks: Sequence[Chunk], analyses: Sequence[Analysis]) -> SessionMemory:
        """The memory of a saved session, from its journal: every chunk, and the
        claims of every answered analysis (with the chunks it was about)."""
        memory = cls()
        by_id = {c.id: c for c in chunks}
        pending = list(analyses)
        for chunk in chunks:
            memory.add_chunks([chunk])
            while pending and (not pending[0].chunk_ids or max(pending[0].chunk_ids) <= chunk.id):
                analysis = pending.pop(0)
                own = [by_id[i] for i in analysis.chunk_ids if i in by_id]
                if analysis.insight is not None and not analysis.local:
                    memory.add_claims(analysis.insight.claims, own)
        return memory

    # -- recall -----------------------------------------------------------------------
    def recall(self, chunks: Sequence[Chunk], *, limit: int = 8, skip: Iterable[str] = ()) -> list[Recalled]:
        """The ``limit`` earlier statements best matching ``chunks``, best first.

        Lines of ``chunks`` themselves, lines said after them, claims whose text
        is in ``skip`` (the claims the prompt carries anyway) and lines of other
        known speakers are left out. Each chunk of a batch gets its share: the
        best of each come first, then the rest by score."""
        if not self._live or not chunks:
            return []
        own = {c.id for c in chunks}
        skipped = {" ".join(s.lower().split()) for s in skip}
        before = min(c.start for c in chunks)
        ranked: list[list[tuple[float, int]]] = []
        for chunk in chunks:
            scores = self._score(terms(chunk.text), speaker_key(chunk))
            best: dict[int, tuple[float, int]] = {}
            # the best few hundred are plenty to fill ``limit`` after the filters below (at most one per line)
            top = heapq.nlargest(limit * 40, scores.items(), key=itemgetter(1))
            for index, score in top:
                p = self._passages[index]
                assert p is not None
                if p.chunk_id in own or p.start > before:
                    continue
                if skipped and p.kind == "claim" and " ".join(p.text.lower().split()) in skipped:
                    continue
                key = index if p.kind == "claim" else -1 - p.chunk_id  # one entry a line, its best sentence
                if key not in best or best[key][0] < score:
                    best[key] = (score, index)
            ranked.append(sorted(best.values(), reverse=True))
        out: list[Recalled] = []
        seen: set[tuple[str, int, str]] = set()
        chosen: list[frozenset[str]] = []
        merged = [r[0] for r in ranked if r] + sorted((x for r in ranked for x in r[1:]), reverse=True)
        for score, index in merged:
            p = self._passages[index]
            assert p is not None
            entry = (p.kind, p.chunk_id, p.text if p.kind == "claim" else "")
            if entry in seen or any(_near_repeat(p.words, other) for other in chosen):
                continue
            seen.add(entry)
            chosen.append(p.words)
            out.append(Recalled(line_id(p.chunk_id), p.chunk_id, p.start, p.who, p.text, p.kind, round(score, 3)))
            if len(out) >= limit:
                break
        return out

    def _score(self, query: Terms, speaker: str) -> dict[int, float]:
        n = self._live
        avg = self._total_length / n
        passages = self._passages
        scores: dict[int, float] = defaultdict(float)
        groups = [
            self._postings[k] for k in ((speaker, "") if speaker else tuple(self._postings)) if k in self._postings
        ]
        for term, weight in query.weights.items():
            df = self._df.get(term)
            if not df:
                continue
            factor = weight * math.log(1 + (n - df + 0.5) / (df + 0.5)) * (K1 + 1)
            for group in groups:
                for index, tf in group.get(term, ()):
                    p = passages[index]
                    assert p is not None
                    scores[index] += factor * tf / (tf + K1 * (1 - B + B * p.length / avg))
        return scores


__all__ = ["Recalled", "SessionMemory", "cited_chunk", "line_id", "terms"]
