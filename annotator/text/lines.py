"""Lines that read as sentences: consecutive chunks of one speaker joined for display.

A chunk is what the transcriber made of one utterance (speech up to a pause), and is
what is journaled and analysed. People pause mid-sentence ("Ask not" ... "what your
country can do for you"), so a chunk is often a fragment. A *line* is what the window,
``annotator transcribe`` and the srt, vtt and Markdown exports show: a chunk, with the
chunks after it joined on while they come from the same source and speaker, start
within ``JOIN_GAP_S`` of the one before, and the one before did not end a sentence (or
the next one starts in lower case: the model put a full stop where the speaker only
paused). A line never spans more than ``MAX_LINE_S``.

``join_lines(chunks)`` gives the lines; ``continues(prev, chunk)`` says whether
``chunk`` joins the line ``prev`` ends; ``joined_text(a, b)`` is the text of the two; ``split_text(parts, edited)`` cuts an
edited line back into one text per chunk (a correction of a line corrects its chunks).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.models import Chunk

JOIN_GAP_S = 1.2
"""Longest pause inside a line (seconds); a longer one starts a new line."""

MAX_LINE_S = 30.0
"""A line that would run longer than this starts anew (someone who never ends a sentence)."""

SENTENCE_END = (".", "?", "!", "…", '."', '?"', '!"')

SHORT_WORDS = 3
"""A chunk of at most this many words closed by "." or "!" may be a fragment (see above)."""

# Words the model capitalises at the start of a fragment that, mid-sentence, are lower case.
_LOWER = frozenset(
    "a an and as at because but by for from if in into is it its nor of on or so than that the their then there "
    "these they this those to was we were what when where which while who why with would you your".split()
)
_FIRST_WORD = re.compile(r"^([A-Z][a-z']*)\b")


@dataclass(frozen=True)
class Line:
    """Chunks shown as one line; ``text`` is theirs joined, ``start``/``end`` their span."""

    chunks: tuple[Chunk, ...]
    text: str

    @property
    def first(self) -> Chunk:
        return self.chunks[0]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.chunks)

    @property
    def source(self) -> str:
        return self.first.source

    @property
    def speaker(self) -> str:
        return self.first.speaker

    @property
    def start(self) -> float:
        return self.first.start

    @property
    def end(self) -> float:
        return self.chunks[-1].end

    def as_chunk(self) -> Chunk:
        """The line as one chunk (the first chunk's id, the whole span and text)."""
        first = self.first
        return Chunk(first.id, first.source, first.start, self.end, self.text, first.speaker)


def continues(prev: Chunk, chunk: Chunk, line_start: float | None = None) -> bool:
    """True when ``chunk`` goes on the line that ``prev`` ends (which began at ``line_start``)."""
    if prev.source != chunk.source or prev.speaker != chunk.speaker:
        return False
    gap = chunk.start - prev.end
    if gap > JOIN_GAP_S or chunk.end - (prev.start if line_start is None else line_start) > MAX_LINE_S:
        return False
    said = prev.text.rstrip()
    nxt = chunk.text.lstrip()
    if not said or not nxt:
        return False
    if not said.endswith(SENTENCE_END) or nxt[0].islower():
        return True
    return said[-1] in ".!" and len(said.split()) <= SHORT_WORDS and _opens_with_joiner(nxt)


def _opens_with_joiner(text: str) -> bool:
    m = _FIRST_WORD.match(text)
    return m is not None and m.group(1).lower() in _LOWER


def joined_text(before: str, after: str) -> str:
    """``before`` and ``after`` as one sentence: a full stop the model put before a
    lower-case continuation becomes a comma, a capital it gave a function word
    ("What your country") becomes lower case."""
    before, after = before.rstrip(), after.lstrip()
    if after[:1].islower() and before.endswith("."):
        before = before[:-1] + ","
    elif _opens_with_joiner(after):
        if before.endswith((".", "!")):  # a short fragment the model closed: "Ask not!"
            before = before[:-1]
        if not before.endswith(SENTENCE_END):
            after = after[0].lower() + after[1:]
    return f"{before} {after}"


def join_lines(chunks: Iterable[Chunk]) -> list[Line]:
    """The chunks, in order, as lines (see the module's docstring)."""
    lines: list[Line] = []
    for chunk in chunks:
        if lines and continues(lines[-1].chunks[-1], chunk, lines[-1].start):
            last = lines[-1]
            lines[-1] = Line((*last.chunks, chunk), joined_text(last.text, chunk.text))
        else:
            lines.append(Line((chunk,), chunk.text.strip()))
    return lines


def line_chunks(chunks: Sequence[Chunk]) -> list[Chunk]:
    """The lines as chunks (for writers that take chunks: srt, vtt)."""
    return [line.as_chunk() for line in join_lines(chunks)]


def _key(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


def split_text(parts: Sequence[str], edited: str) -> list[str]:
    """``edited`` (the user's edit of the line these ``parts`` make) cut back into one text per
    part: its words are aligned with the parts' words (ignoring case and punctuation, so what
    ``joined_text`` changed aligns too), kept words and words put in their place go to the part
    they replace, words added between parts go to the part before. A part whose words were all
    deleted gets ""."""
    owners: list[int] = []
    old: list[str] = []
    for i, part in enumerate(parts):
        for word in part.split():
            old.append(_key(word))
            owners.append(i)
    new = edited.split()
    out: list[list[str]] = [[] for _ in parts]
    if not owners:
        return [edited.strip()] + [""] * (len(parts) - 1) if parts else []
    matcher = difflib.SequenceMatcher(a=old, b=[_key(w) for w in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out[owners[i1 + k]].append(new[j1 + k])
        elif tag in ("replace", "insert"):
            owner = owners[i1] if tag == "replace" or i1 == 0 else owners[i1 - 1]
            out[owner] += new[j1:j2]
    return [" ".join(words) for words in out]
