"""The session's vocabulary: the words the interviewer expects to hear (names,
companies, technologies, numbers), parsed from the command line, a file or the
config, and turned into the text faster-whisper is prompted with. Pure."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from annotator.errors import InputError

MAX_TERMS = 100


def split_terms(text: str) -> tuple[str, ...]:
    """``"A, B; C"`` or one term per line -> ("A", "B", "C"): trimmed, empty ones and
    repeats (ignoring case) dropped, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for line in text.replace(";", ",").splitlines():
        if line.lstrip().startswith("#"):
            continue
        for part in line.split(","):
            term = " ".join(part.split())
            if term and term.lower() not in seen:
                seen.add(term.lower())
                out.append(term)
    return tuple(out)


def parse_vocabulary(value: str) -> tuple[str, ...]:
    """``--vocabulary`` as given: ``"A, B, C"``, or ``@FILE`` with one term per line
    (``#`` starts a comment line). ``InputError`` naming the file when it cannot be read."""
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"Vocabulary file {path} does not exist.") from None
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"Vocabulary file {path} could not be read: {err}") from None
        return split_terms(text)
    return split_terms(value)


def merge_vocabulary(*lists: tuple[str, ...]) -> tuple[str, ...]:
    """The terms of every list, in order, repeats (ignoring case) dropped."""
    return split_terms("\n".join(t for terms in lists for t in terms))


def vocabulary_prompt(terms: tuple[str, ...], limit: int = MAX_TERMS) -> str:
    """The text the model is primed with: the terms, comma separated, as a short
    sentence so it reads like earlier speech ("Kubernetes, Siobhan Okonkwo.")."""
    kept = terms[:limit]
    return ", ".join(kept) + "." if kept else ""


SNAP_MIN_RATIO = 0.84  # how alike (difflib ratio, letters only, ignoring case) a heard word must be to a term
SNAP_MIN_LETTERS = 5  # shorter terms are only matched exactly: too many ordinary words are one letter off

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _letters(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def _targets(terms: tuple[str, ...]) -> dict[int, list[str]]:
    """The spellings to snap to, by how many heard words they may span (1 or 2): every word of
    every term (names are said and misheard word by word), and each term said as one word."""
    out: dict[int, list[str]] = {1: [], 2: []}
    for term in terms:
        words = term.split()
        for w in words:
            if w not in out[1]:
                out[1].append(w)
    for target in list(out[1]):
        out[2].append(target)  # "click house" -> "ClickHouse", "elastic search" -> "Elasticsearch"
    return out


def _inflected(a: str, b: str) -> bool:
    """One is the other with a plural or possessive ending."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short) :] in ("s", "es")


def _match(heard: str, targets: list[str]) -> str | None:
    key = _letters(heard)
    if not key:
        return None
    best: tuple[float, str] | None = None
    for target in targets:
        t = _letters(target)
        if key == t:
            return target
        if len(t) < SNAP_MIN_LETTERS or abs(len(t) - len(key)) > 2:
            continue
        if _inflected(key, t):  # "machine" for the term "virtual machines": an ordinary word, left alone
            continue
        r = difflib.SequenceMatcher(None, key, t).ratio()
        if r >= SNAP_MIN_RATIO and (best is None or r > best[0]):
            best = (r, target)
    return best[1] if best else None


def snap_to_vocabulary(text: str, terms: tuple[str, ...]) -> str:
    """``text`` with words that are near-misses of a vocabulary term spelled as the term
    ("Akonkwo" -> "Okonkwo", "click house" -> "ClickHouse", "kubernetes" -> "Kubernetes").

    Only a word (or two adjacent words) within a small edit distance of a term of five or
    more letters is replaced, so ordinary speech is left alone (WER measured with and without
    in benchmarks/README.md); shorter terms are only re-cased."""
    if not terms or not text:
        return text
    targets = _targets(terms)
    matches = list(_WORD.finditer(text))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(matches):
        m = matches[i]
        if i + 1 < len(matches):
            n = matches[i + 1]
            between = text[m.end() : n.start()]
            if between in (" ", "-"):
                pair = _match(m.group() + n.group(), targets[2])
                if pair is not None and _letters(pair) == _letters(m.group() + n.group()):
                    out.append(text[pos : m.start()] + pair)
                    pos = n.end()
                    i += 2
                    continue
        single = _match(m.group(), targets[1])
        if single is not None and single != m.group():
            out.append(text[pos : m.start()] + single)
            pos = m.end()
        i += 1
    out.append(text[pos:])
    return "".join(out)
