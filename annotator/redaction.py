"""Scrubbing secrets from text that came from a provider.

A provider's error body, a stream's error event, an exception's message, even
a reply, may quote the key it was sent ("Incorrect API key provided:
sk-..."). Every such text passes through a ``Redactor`` once, where it enters
the app (``analysis.providers.client.HttpProvider``), before it becomes an attempt,
a journal record, an event, a log line, an export or a printed line::

    redact = Redactor.of(key_a, key_b)          # every key this process holds
    redact("Incorrect API key provided: sk-abc...")  # -> "... provided: [redacted]"

Two rules, both applied to every text:

- by value: each held secret of at least ``MIN_SECRET_CHARS`` characters
  (shorter ones would scrub ordinary words) is replaced wherever it occurs;
- by shape: strings that look like API keys are replaced even when not held
  (another provider's key, an old key): the usual prefixes (``sk-``,
  ``sk-ant-``, ``nvapi-``, ``csk-``, ``gsk_``, ``xai-``, ``hf_``, ``AIza``,
  ...) followed by a long token, ``Bearer <token>`` (with a digit), JSON web tokens, and any
  run of 24 or more letters and digits that has both (ordinary words have no
  digits; model names such as ``llama-3.3-70b-instruct`` are split by
  hyphens into short pieces and stay).

``scrub_secrets`` is the journal's rule for what the caller hands it (a
header, an event's data, an error): entries named like a credential are
dropped, key-shaped strings replaced.

Stdlib only, no state beyond the secrets given: pass one in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 8

_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:sk|pk|rk|csk|gsk|xai|nvapi|hf|ghp|gho|ghs|ghu|github_pat|glpat|fw|pplx|r8|tgp_v1)[-_]"
    r"[A-Za-z0-9_\-]{16,}"
)
_GOOGLE = re.compile(r"(?<![A-Za-z0-9])AIza[A-Za-z0-9_\-]{30,}")
_AWS = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_BEARER = re.compile(r"\b(Bearer|bearer|BEARER)\s+([A-Za-z0-9._~+/=\-]{16,})")
_JWT = re.compile(r"(?<![A-Za-z0-9])eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*")
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{24,}(?![A-Za-z0-9])")


def _generic_token(match: re.Match[str]) -> str:
    token = match.group(0)
    has_digit = any(ch.isdigit() for ch in token)
    has_letter = any(ch.isalpha() for ch in token)
    return REDACTED if has_digit and has_letter else token


def _bearer(match: re.Match[str]) -> str:
    token = match.group(2)
    return f"{match.group(1)} {REDACTED}" if any(ch.isdigit() for ch in token) else match.group(0)


def redact_shapes(text: str) -> str:
    """``text`` with every key-shaped string replaced by ``[redacted]``."""
    text = _BEARER.sub(_bearer, text)
    for pattern in (_PREFIXED, _GOOGLE, _AWS, _JWT):
        text = pattern.sub(REDACTED, text)
    return _LONG_TOKEN.sub(_generic_token, text)


@dataclass(frozen=True)
class Redactor:
    """Replaces held secrets (by value) and key-shaped strings in a text.

    Calling it is cheap enough for every provider message and reply: a few
    ``str.replace`` and regular expressions over text of at most a few KB.
    """

    secrets: tuple[str, ...] = field(default=(), repr=False)  # never printed, not even in a traceback

    @classmethod
    def of(cls, *secrets: str | None) -> Redactor:
        """A redactor for these secrets (None, blanks and short values are left out)."""
        return cls().adding(secrets)

    def adding(self, secrets: Iterable[str | None]) -> Redactor:
        """This redactor with more secrets (longest first, so a key containing another goes whole)."""
        found = set(self.secrets)
        for secret in secrets:
            value = (secret or "").strip()
            if len(value) >= MIN_SECRET_CHARS:
                found.add(value)
        return Redactor(tuple(sorted(found, key=lambda s: (-len(s), s))))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return redact_shapes(text)


_SECRET_NAME = re.compile(
    r"(?:^|[_\-.])(?:api[_\-]?key|key|secret|password|passwd|token|authorization|auth|bearer|credentials?)(?:$|[_\-.])",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"(?:\b(?:sk|pk|rk|gsk|csk|xai|nvapi|hf)[-_][A-Za-z0-9_\-]{12,}"
    r"|\bAIza[A-Za-z0-9_\-]{30,}"
    r"|\bBearer\s+\S{8,})"
)


def scrub_secrets(value: Any) -> Any:
    """A copy of ``value`` with anything that looks like a credential removed.

    Dict entries whose name says key/secret/token/password/authorization are
    dropped (names ending in ``_env``, which only name an environment
    variable, are kept); strings that look like API keys (``sk-...``,
    ``gsk_...``, ``nvapi-...``, ``AIza...``, ``Bearer ...``) become ``[redacted]``.
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            name = str(k)
            if _SECRET_NAME.search(name) and not name.lower().endswith("_env"):
                continue
            out[name] = scrub_secrets(v)
        return out
    if isinstance(value, (list, tuple)):
        return [scrub_secrets(v) for v in value]
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    return value
