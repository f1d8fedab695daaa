"""What makes settings valid, and turning parsed TOML into a ``Config``.

``validate_provider(p)``, ``validate_analysis(a)``, ``validate_post(post)``
return ``(field, reason)`` pairs (empty when valid) and never raise: the
settings dialog shows each reason next to its field. ``validate_chain`` adds
the chain's own rule (one provider per name) and gives each problem's position. ``parse_config`` raises
``ConfigError`` on the first problem any of them reports, naming the file, the
table or provider, and the key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from annotator.config.schema import (
    DEFAULT_PROVIDERS,
    POST_PROVIDER_DEFAULTS,
    PROVIDER_KINDS,
    AnalysisConfig,
    AudioConfig,
    Config,
    PostConfig,
    ProviderConfig,
    TranscriptionConfig,
    is_loopback,
)
from annotator.errors import ConfigError
from annotator.redaction import redact_shapes

_REASONING = re.compile(
    r"^(o1|o3|o4)(-|$)|thinking|reasoner|deepseek-r1|(^|[-_/])r1([-_:]|$)|qwq|kimi-k2\.5|magistral",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def is_reasoning_model(model: str) -> bool:
    """True for models known to think for tens of seconds before answering."""
    return bool(_REASONING.search(model.rsplit("/", 1)[-1]))


def secure_for_key(base_url: str) -> bool:
    """False for plain http:// to another machine: a key sent there crosses the network in clear."""
    return urlsplit(base_url).scheme.lower() != "http" or is_loopback(base_url)


def plain_http_reason(base_url: str) -> str:
    host = redact_shapes(urlsplit(base_url).hostname or base_url)
    return (
        f"plain http:// to {host} would send the key unencrypted; use https:// "
        "(http:// is only for servers on this machine: 127.0.0.1, localhost)"
    )


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def _non_negative(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def validate_provider(p: ProviderConfig) -> list[tuple[str, str]]:
    """Problems with one provider as ``(field, reason)`` pairs; empty if valid."""
    problems: list[tuple[str, str]] = []
    if not isinstance(p.name, str) or not _NAME.match(p.name):
        problems.append(("name", "must be a non-empty name of letters, digits, '.', '_' or '-'"))
    if p.kind not in PROVIDER_KINDS:
        problems.append(("kind", f"unknown kind {p.kind!r} (expected openai or anthropic)"))
    parts = urlsplit(p.base_url) if isinstance(p.base_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(("base_url", f"{redact_shapes(str(p.base_url))!r} is not an http:// or https:// URL"))
    elif not secure_for_key(p.base_url):
        problems.append(("base_url", plain_http_reason(p.base_url)))
    if not isinstance(p.model, str) or not p.model.strip():
        problems.append(("model", "must name a model"))
    elif is_reasoning_model(p.model) and not p.allow_slow_model:
        problems.append(
            (
                "model",
                f"{p.model!r} is a reasoning model: it thinks for tens of seconds before answering, too slow "
                "for live analysis (set allow_slow_model = true to use it anyway)",
            )
        )
    if p.api_key_env is not None and (not isinstance(p.api_key_env, str) or not p.api_key_env.strip()):
        problems.append(("api_key_env", "must be the name of an environment variable"))
    for name in ("connect_timeout_s", "first_token_timeout_s", "stall_timeout_s", "timeout_s"):
        if not _positive(getattr(p, name)):
            problems.append((name, "must be a number of seconds above 0"))
    for name in ("price_in_per_mtok", "price_out_per_mtok"):
        if not _non_negative(getattr(p, name)):
            problems.append((name, "must be a price of 0 or more (USD per million tokens)"))
    if p.free_credit_usd is not None and not _non_negative(p.free_credit_usd):
        problems.append(("free_credit_usd", "must be an amount of 0 or more (USD)"))
    if not isinstance(p.max_tokens, int) or isinstance(p.max_tokens, bool) or not 16 <= p.max_tokens <= 8192:
        problems.append(("max_tokens", "must be a whole number from 16 to 8192"))
    return problems


def validate_analysis(a: AnalysisConfig) -> list[tuple[str, str]]:
    """Problems with the ``[analysis]`` table as ``(field, reason)`` pairs."""
    problems: list[tuple[str, str]] = []
    if not _positive(a.deadline_s):
        problems.append(("deadline_s", "must be a number of seconds above 0"))
    for name, low in (
        ("max_request_tokens", 600),
        ("max_chunk_tokens", 50),
        ("max_claims", 1),
        ("memory_tokens", 0),
        ("memory_statements", 0),
    ):
        value = getattr(a, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            problems.append((name, f"must be a whole number of at least {low}"))
    if not problems and a.max_chunk_tokens > a.max_request_tokens - 450:
        problems.append(
            ("max_chunk_tokens", "must leave at least 450 tokens of max_request_tokens for the instructions")
        )
    return problems


MIN_POST_REQUEST_TOKENS = 2000
"""Below this the review's instructions and carried notes leave too little room for transcript."""


def validate_post(post: PostConfig) -> list[tuple[str, str]]:
    """Problems with the ``[post]`` table's own settings as ``(field, reason)`` pairs."""
    problems: list[tuple[str, str]] = []
    if not _positive(post.deadline_s):
        problems.append(("deadline_s", "must be a number of seconds above 0"))
    value = post.max_request_tokens
    if not isinstance(value, int) or isinstance(value, bool) or value < MIN_POST_REQUEST_TOKENS:
        problems.append(("max_request_tokens", f"must be a whole number of at least {MIN_POST_REQUEST_TOKENS}"))
    overlap = post.overlap_tokens
    if not isinstance(overlap, int) or isinstance(overlap, bool) or overlap < 0:
        problems.append(("overlap_tokens", "must be a whole number of 0 or more"))
    elif not problems and overlap > post.max_request_tokens // 4:
        problems.append(("overlap_tokens", "must be at most a quarter of max_request_tokens"))
    return problems


DUPLICATE_NAME = "a provider of that name is already listed"


MAX_VOCABULARY_TERMS = 100
MAX_TERM_CHARS = 60


def validate_transcription(t: TranscriptionConfig) -> list[tuple[str, str]]:
    """(setting, what is wrong) for each problem of a ``[transcription]`` table."""
    problems: list[tuple[str, str]] = []
    if len(t.vocabulary) > MAX_VOCABULARY_TERMS:
        problems.append(
            ("vocabulary", f"has {len(t.vocabulary)} terms; at most {MAX_VOCABULARY_TERMS} fit the model's prompt")
        )
    for term in t.vocabulary:
        if not term.strip():
            problems.append(("vocabulary", "has an empty term; remove it"))
            break
        if len(term) > MAX_TERM_CHARS:
            problems.append(
                (
                    "vocabulary",
                    f"term {term[:20]!r}... is longer than {MAX_TERM_CHARS} characters: one name or term per entry",
                )
            )
            break
    model = t.model or "tiny.en"  # None: the bundled offline tiny.en
    if t.language is not None and model.endswith(".en") and t.language != "en":
        problems.append(("language", english_only_reason(model, t.language)))
    return problems


def english_only_reason(model: str, language: str) -> str:
    """Why ``language`` cannot be heard with the English-only ``model``, naming a model that can."""
    return f"is {language!r}, but the model {model} understands only English: {multilingual_hint(model)}"


def multilingual_hint(model: str) -> str:
    """'use the multilingual model base (--model base)' for base.en; small for anything else."""
    name = model.rsplit("/", 1)[-1].removeprefix("faster-whisper-")
    base = name.removesuffix(".en") if name.endswith(".en") and "/" not in model.replace("Systran/", "") else "small"
    if base not in ("tiny", "base", "small", "medium"):
        base = "small"
    return f"use a multilingual model such as {base} (--model {base}), or language en"


def validate_chain(providers: Sequence[ProviderConfig]) -> list[tuple[int, str, str]]:
    """Problems with a chain as ``(position, field, reason)``, in order: each
    provider's own (``validate_provider``), then a name used earlier in the
    chain (providers are told apart by name: keys, statuses and journals use it)."""
    problems: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for i, p in enumerate(providers):
        problems.extend((i, fname, reason) for fname, reason in validate_provider(p))
        if p.name in seen:
            problems.append((i, "name", DUPLICATE_NAME))
        seen.add(p.name)
    return problems


# --- parsing ----------------------------------------------------------------


def _kind(annotation: str) -> str:
    for kind in ("bool", "float", "int", "tuple"):
        if annotation.startswith(kind):
            return kind
    return "str"


def _coerce(owner: str, key: str, value: Any, annotation: str) -> Any:
    """Type-check one TOML value against the field's annotation."""
    optional = annotation.endswith("| None")
    kind = _kind(annotation)
    if optional and value == "":
        return None  # "" is how TOML spells "not set" (e.g. language = "" -> detect)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{owner}: {key} must be true or false, not {value!r}")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{owner}: {key} must be a number, not {value!r}")
        return float(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{owner}: {key} must be a whole number, not {value!r}")
        return value
    if kind == "tuple":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{owner}: {key} must be a list of strings")
        return tuple(value)
    if not isinstance(value, str):
        raise ConfigError(f"{owner}: {key} must be a string, not {value!r}")
    return value


def _build(cls: Any, table: Mapping[str, Any], owner: str, required: tuple[str, ...] = ()) -> Any:
    known = {f.name: str(f.type) for f in fields(cls) if f.name != "path"}
    for key in table:
        if key not in known:
            raise ConfigError(f"{owner}: unknown key {key!r} (known: {', '.join(known)})")
    for key in required:
        if key not in table:
            raise ConfigError(f"{owner}: missing key {key!r}")
    return cls(**{key: _coerce(owner, key, value, known[key]) for key, value in table.items()})


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Build a ``Config`` from parsed TOML (``path`` is named in errors)."""
    tables = {"analysis", "providers", "transcription", "audio", "post"}
    for key in data:
        if key not in tables:
            raise ConfigError(f"{path}: unknown table or key {key!r} (known: {', '.join(sorted(tables))})")
    for key in ("analysis", "transcription", "audio"):
        if key in data and not isinstance(data[key], dict):
            raise ConfigError(f"{path}: [{key}] must be a table")
    analysis = _build(AnalysisConfig, data.get("analysis", {}), f"{path}: [analysis]")
    for fname, reason in validate_analysis(analysis):
        raise ConfigError(f"{path}: [analysis]: {fname} {reason}")
    transcription = _build(TranscriptionConfig, data.get("transcription", {}), f"{path}: [transcription]")
    audio = _build(AudioConfig, data.get("audio", {}), f"{path}: [audio]")
    if not _positive(audio.silence_s) or not _positive(audio.max_utterance_s):
        raise ConfigError(f"{path}: [audio]: silence_s and max_utterance_s must be numbers of seconds above 0")
    if not isinstance(transcription.beam_size, int) or transcription.beam_size < 1:
        raise ConfigError(f"{path}: [transcription]: beam_size must be a whole number of at least 1")
    for fname, reason in validate_transcription(transcription):
        raise ConfigError(f"{path}: [transcription]: {fname} {reason}")
    speakers = transcription.speakers
    if speakers is not None and (not isinstance(speakers, int) or isinstance(speakers, bool) or speakers < 1):
        raise ConfigError(
            f"{path}: [transcription]: speakers must be a whole number of at least 1 (the expected voices)"
        )

    if "providers" in data:
        provider_tuple = _parse_providers(data["providers"], path, "providers", "provider")
    else:
        provider_tuple = DEFAULT_PROVIDERS
    post = _parse_post(data.get("post", {}), path)
    return Config(analysis, provider_tuple, transcription, audio, path, post)


def _parse_providers(
    raw: Any, path: Path, table_name: str, noun: str, defaults: Mapping[str, Any] | None = None
) -> tuple[ProviderConfig, ...]:
    """``[[providers]]`` (or ``[[post.providers]]``) tables, in order; ``defaults``
    fill the keys a table leaves out."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ConfigError(f"{path}: {table_name} must be [[{table_name}]] tables")
    providers: list[ProviderConfig] = []
    for i, table in enumerate(raw, 1):
        name = table.get("name")
        owner = f"{path}: {noun} {name!r}" if isinstance(name, str) else f"{path}: {noun} #{i}"
        p = _build(ProviderConfig, {**(defaults or {}), **table}, owner, required=("name", "kind", "base_url", "model"))
        for row, fname, reason in validate_chain([*providers, p]):
            if row == len(providers):  # the ones before were checked as they came
                raise ConfigError(f"{owner}: {fname}: {reason}")
        providers.append(p)
    return tuple(providers)


def _parse_post(table: Any, path: Path) -> PostConfig:
    """The ``[post]`` table: its limits and, optionally, its own ``[[post.providers]]``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [post] must be a table")
    own = {k: v for k, v in table.items() if k != "providers"}
    post: PostConfig = _build(PostConfig, own, f"{path}: [post]")
    if "providers" in table:
        providers = _parse_providers(
            table["providers"], path, "post.providers", "post provider", POST_PROVIDER_DEFAULTS
        )
        post = replace(post, providers=providers)
    for fname, reason in validate_post(post):
        raise ConfigError(f"{path}: [post]: {fname} {reason}")
    return post
