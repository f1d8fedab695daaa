"""Settings: the analysis chain, transcription and audio options, loaded once.

The file is TOML (see DESIGN.md and ``resources/default_config.toml``)::

    [analysis]
    deadline_s = 60

    [[providers]]
    name = "kimi"
    kind = "openai"
    base_url = "https://api.moonshot.ai/v1"
    model = "kimi-k2-turbo-preview"
    api_key_env = "MOONSHOT_API_KEY"

A ``[post]`` table (optional) configures the post-session review chain (see
``PostConfig``): same provider tables, as ``[[post.providers]]``, with longer
limits.

``load_config(None)`` reads the user's config file, or gives the defaults
(including ``DEFAULT_PROVIDERS``) when that file does not exist. Every problem
raises ``ConfigError`` naming the file, the provider and the key.

Keys are never read from or written to the config file: ``api_key()`` looks in
the environment variable the provider names, then in the OS keyring (service
``"annotator"``, user name = provider name). A provider on loopback
(127.0.0.1 / localhost, e.g. Ollama) needs no key.

Validation for the settings dialog: ``validate_provider(p)`` returns a list of
``(field, reason)`` pairs (empty when valid) and never raises;
``validate_analysis(a)`` likewise. ``load_config`` raises on the first
problem they report.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import keyring
import tomlkit
import tomlkit.container

from annotator import paths
from annotator.errors import ConfigError
from annotator.redaction import redact_shapes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROVIDER_KINDS = ("openai", "anthropic")
KEYRING_SERVICE = "annotator"


@dataclass(frozen=True)
class ProviderConfig:
    """One provider of the failover chain (one ``[[providers]]`` table).

    Timeouts are seconds per attempt; each is capped by the time left before
    the chain's deadline. Prices are USD per million tokens and only feed the
    cost estimate. ``json_mode`` None means "ask for JSON mode where the host is
    known to support it".
    """

    name: str
    kind: str
    base_url: str
    model: str
    api_key_env: str | None = None
    connect_timeout_s: float = 3.0
    first_token_timeout_s: float = 5.0
    stall_timeout_s: float = 5.0
    timeout_s: float = 20.0
    price_in_per_mtok: float = 0.0
    price_out_per_mtok: float = 0.0
    free_credit_usd: float | None = None
    enabled: bool = True
    allow_slow_model: bool = False
    max_tokens: int = 400
    json_mode: bool | None = None

    @property
    def on_loopback(self) -> bool:
        return is_loopback(self.base_url)


@dataclass(frozen=True)
class AnalysisConfig:
    """Limits of one analysis request.

    ``deadline_s`` caps the whole chain. ``max_request_tokens`` is the budget
    for the prompt sent (instructions + previous insight + new text, estimated
    at ~4 characters a token); ``max_chunk_tokens`` is the share of it the new
    text may take (longer text is split into several requests);
    ``max_claims`` bounds the claims carried from one request to the next.
    """

    deadline_s: float = 60.0
    max_request_tokens: int = 1500
    max_chunk_tokens: int = 500
    max_claims: int = 8


@dataclass(frozen=True)
class TranscriptionConfig:
    """faster-whisper options. ``model`` None = the bundled offline tiny.en."""

    model: str | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    language: str | None = "en"
    beam_size: int = 1


@dataclass(frozen=True)
class AudioConfig:
    """Capture and segmentation options. ``devices`` empty = the default input."""

    devices: tuple[str, ...] = ()
    silence_s: float = 0.5
    max_utterance_s: float = 15.0
    save_audio: bool = True


POST_PROVIDER_DEFAULTS: dict[str, Any] = {
    "first_token_timeout_s": 120.0,
    "stall_timeout_s": 60.0,
    "timeout_s": 600.0,
    "max_tokens": 4096,
    "allow_slow_model": True,
}
"""The limits a post-session provider gets where its table (or the live
provider it is derived from) does not say otherwise: a careful reply to a
whole transcript may take minutes, and reasoning models are welcome here."""


@dataclass(frozen=True)
class PostConfig:
    """The post-session review (``[post]``, optional).

    ``providers`` is the review's own failover chain (``[[post.providers]]``,
    the ``[[providers]]`` format, defaults from ``POST_PROVIDER_DEFAULTS``).
    None (no such tables) means: the live chain's providers, most capable
    first. "Most capable" is defined by the live chain's own convention
    (fastest/cheapest first, the "nuclear option" last): the LAST usable
    provider of the live chain is the most capable one, so the review tries
    the live chain in reverse order, each provider with the longer
    post-session limits (see ``post_providers``).

    ``deadline_s`` caps the whole chain for one review request;
    ``max_request_tokens`` is the prompt budget per request (a transcript
    that does not fit is split into parts); ``overlap_tokens`` is how much
    transcript two neighbouring parts share, so statements on either side of
    a split are still seen together.
    """

    deadline_s: float = 900.0
    max_request_tokens: int = 30000
    overlap_tokens: int = 800
    providers: tuple[ProviderConfig, ...] | None = None


def post_providers(config: Config) -> tuple[ProviderConfig, ...]:
    """The review chain in order: ``[[post.providers]]`` as written, else the
    live chain reversed (most capable first) with the post-session limits."""
    if config.post.providers is not None:
        return config.post.providers
    return tuple(replace(p, **POST_PROVIDER_DEFAULTS) for p in reversed(config.providers))


# The chain the field recommends: free tiers first, the paid "nuclear option"
# last. Each is used only when its key is present (env var or keyring).
DEFAULT_PROVIDERS: tuple[ProviderConfig, ...] = (
    ProviderConfig(
        name="cerebras",
        kind="openai",
        base_url="https://api.cerebras.ai/v1",
        model="llama-3.3-70b",
        api_key_env="CEREBRAS_API_KEY",
    ),
    ProviderConfig(
        name="nvidia",
        kind="openai",
        base_url="https://integrate.api.nvidia.com/v1",
        model="meta/llama-3.3-70b-instruct",
        api_key_env="NVIDIA_API_KEY",
    ),
    ProviderConfig(
        name="kimi",
        kind="openai",
        base_url="https://api.moonshot.ai/v1",
        model="kimi-k2-turbo-preview",
        api_key_env="MOONSHOT_API_KEY",
        price_in_per_mtok=1.15,
        price_out_per_mtok=8.00,
    ),
    ProviderConfig(
        name="claude",
        kind="anthropic",
        base_url="https://api.anthropic.com/v1",
        model="claude-haiku-4-5",
        api_key_env="ANTHROPIC_API_KEY",
        price_in_per_mtok=1.00,
        price_out_per_mtok=5.00,
    ),
)


@dataclass(frozen=True)
class Config:
    """Everything configurable, loaded once and passed in. ``path`` is the file
    it came from (None for built-in defaults)."""

    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    providers: tuple[ProviderConfig, ...] = DEFAULT_PROVIDERS
    transcription: TranscriptionConfig = field(default_factory=TranscriptionConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    path: Path | None = None
    post: PostConfig = field(default_factory=PostConfig)


# --- validation -------------------------------------------------------------

_REASONING = re.compile(
    r"^(o1|o3|o4)(-|$)|thinking|reasoner|deepseek-r1|(^|[-_/])r1([-_:]|$)|qwq|kimi-k2\.5|magistral",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def is_reasoning_model(model: str) -> bool:
    """True for models known to think for tens of seconds before answering."""
    return bool(_REASONING.search(model.rsplit("/", 1)[-1]))


def is_loopback(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


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
    for name, low in (("max_request_tokens", 600), ("max_chunk_tokens", 50), ("max_claims", 1)):
        value = getattr(a, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            problems.append((name, f"must be a whole number of at least {low}"))
    if not problems and a.max_chunk_tokens > a.max_request_tokens - 450:
        problems.append(("max_chunk_tokens", "must leave at least 450 tokens of max_request_tokens for the instructions"))
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


# --- loading ----------------------------------------------------------------


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


def load_config(path: Path | None = None) -> Config:
    """Read the config file; ``None`` means the user's default file.

    A missing default file gives the built-in defaults; a missing file that was
    named explicitly is an error. Raises ``ConfigError`` naming file, provider
    and key.
    """
    explicit = path is not None
    path = Path(path) if path is not None else paths.default_config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return Config()
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config file: {err}") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(data, path)


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
    providers = []
    seen: set[str] = set()
    for i, table in enumerate(raw, 1):
        name = table.get("name")
        owner = f"{path}: {noun} {name!r}" if isinstance(name, str) else f"{path}: {noun} #{i}"
        p = _build(ProviderConfig, {**(defaults or {}), **table}, owner, required=("name", "kind", "base_url", "model"))
        for fname, reason in validate_provider(p):
            raise ConfigError(f"{owner}: {fname}: {reason}")
        if p.name in seen:
            raise ConfigError(f"{owner}: name: a provider of that name is already listed")
        seen.add(p.name)
        providers.append(p)
    return tuple(providers)


def _parse_post(table: Any, path: Path) -> PostConfig:
    """The ``[post]`` table: its limits and, optionally, its own ``[[post.providers]]``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [post] must be a table")
    own = {k: v for k, v in table.items() if k != "providers"}
    post: PostConfig = _build(PostConfig, own, f"{path}: [post]")
    if "providers" in table:
        providers = _parse_providers(table["providers"], path, "post.providers", "post provider", POST_PROVIDER_DEFAULTS)
        post = replace(post, providers=providers)
    for fname, reason in validate_post(post):
        raise ConfigError(f"{path}: [post]: {fname} {reason}")
    return post


# --- keys -------------------------------------------------------------------


class KeyringLike(Protocol):
    def get_password(self, service_name: str, username: str) -> str | None: ...


def api_key(
    provider: ProviderConfig,
    env: Mapping[str, str] = os.environ,
    keyring_backend: KeyringLike | None = keyring,
) -> str | None:
    """The provider's key: its environment variable, else the OS keyring.

    Returns None when neither has one (or the keyring is unavailable). Never
    logs or stores the key. ``keyring_backend=None`` looks in the environment only.
    """
    if provider.api_key_env:
        value = env.get(provider.api_key_env, "").strip()
        if value:
            return value
    if keyring_backend is None:
        return None
    try:
        stored = keyring_backend.get_password(KEYRING_SERVICE, provider.name)
    except Exception:  # noqa: BLE001 - any keyring backend failure means "no key there"
        return None
    return stored.strip() or None if stored else None


def availability(provider: ProviderConfig, key: str | None) -> str | None:
    """Why this provider is left out of the chain, or None when it is usable."""
    if not provider.enabled:
        return "disabled in the config (enabled = false)"
    if key is None and not provider.on_loopback:
        where = f"${provider.api_key_env} or " if provider.api_key_env else ""
        return f"no key: set {where}store it in the keyring (service {KEYRING_SERVICE!r}, user {provider.name!r})"
    return None


# --- saving -----------------------------------------------------------------


HEADER = "annotator settings. Keys are read from environment variables or the OS keyring, never from here."


def _toml(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _set_key(table: Any, key: str, value: Any) -> None:
    """Set ``key`` in a tomlkit table: in place when it is there (its comment
    stays), else right after the table's last key, before any comment or blank
    line that ends the table."""
    if key in table:
        table[key] = value
        return
    keys = list(table.keys())
    container = getattr(table, "value", None)
    if keys and isinstance(container, tomlkit.container.Container):
        container._insert_after(keys[-1], key, tomlkit.item(value))  # noqa: SLF001 - tomlkit's own "add after"
    else:
        table[key] = value


def _write_fields(table: Any, new: Any, before: Any, skip: tuple[str, ...] = ()) -> None:
    """Write into ``table`` each field of ``new`` whose value differs from
    ``before`` (what the table says now, defaults included); the rest of the
    table is left exactly as the user wrote it."""
    for f in fields(new):
        if f.name in skip or f.name == "path":
            continue
        value = getattr(new, f.name)
        if value == getattr(before, f.name):
            continue
        if value is None:
            if f.default is None:
                table.pop(f.name, None)  # absent = the default None
            else:
                _set_key(table, f.name, "")  # None where the default is not None: "" (e.g. language = "" -> detect)
        else:
            _set_key(table, f.name, _toml(value))


def _write_providers(
    container: Any,
    new: tuple[ProviderConfig, ...] | None,
    before: tuple[ProviderConfig, ...] | None,
    defaults: Mapping[str, Any],
) -> None:
    """Bring ``container["providers"]`` to ``new``. Each provider keeps its own
    table (comments and all), found by name (a renamed one: the next table no
    new name claims); only changed values are written. A new provider's table
    has the four required keys and whatever differs from ``defaults``."""
    if new == before:
        return
    if new is None:
        container.pop("providers", None)
        return
    if not new:
        container["providers"] = tomlkit.array()
        return
    raw = container.get("providers")
    tables = list(raw) if isinstance(raw, list) and all(isinstance(t, dict) for t in raw) else []
    pairs = list(zip(tables, before or ())) if len(tables) == len(before or ()) else []
    if [p.name for _t, p in pairs] == [p.name for p in new]:  # same providers in the same order: edit in place
        for (table, old), p in zip(pairs, new):
            _write_fields(table, p, old)
        return
    by_name = {old.name: (table, old) for table, old in pairs}
    unclaimed = [(table, old) for table, old in pairs if old.name not in {p.name for p in new}]
    aot = tomlkit.aot()
    for p in new:
        if p.name in by_name:
            table, old = by_name[p.name]
        elif unclaimed:
            table, old = unclaimed.pop(0)
        else:
            table = tomlkit.table()
            for key in ("name", "kind", "base_url", "model"):
                table[key] = getattr(p, key)
            old = replace(ProviderConfig(p.name, p.kind, p.base_url, p.model), **defaults)
        _write_fields(table, p, old)
        aot.append(table)
    container["providers"] = aot


def _section(doc: Any, name: str) -> Any:
    """``doc[name]``, created (as a ``[name]`` table) when the file has none."""
    if name not in doc:
        doc[name] = tomlkit.table()
    return doc[name]


def dumps_config(config: Config, original: str | None = None) -> str:
    """The config as TOML text (no keys: they never live in the file).

    With ``original`` (the text of the file it replaces, which must load), the
    user's file comes back as it was (comments, order, blank lines, keys the
    settings do not show) with only the values that changed rewritten. Without
    it, a new file holds only what differs from the built-in defaults."""
    if original is None:
        doc = tomlkit.document()
        doc.add(tomlkit.comment(HEADER))
        doc.add(tomlkit.nl())
        before = Config()
    else:
        doc = tomlkit.parse(original)
        before = parse_config(doc.unwrap(), config.path or Path("config.toml"))
    for name in ("analysis", "transcription", "audio"):
        new, old = getattr(config, name), getattr(before, name)
        if new != old:
            _write_fields(_section(doc, name), new, old)
    _write_providers(doc, config.providers, before.providers, {})
    if config.post != before.post:
        post = _section(doc, "post")
        _write_fields(post, config.post, before.post, skip=("providers",))
        _write_providers(post, config.post.providers, before.post.providers, POST_PROVIDER_DEFAULTS)
    return tomlkit.dumps(doc)


def refuse_to_replace_broken(path: Path) -> None:
    """``ConfigError`` when ``path`` holds a config file that does not load: the user's
    own text (a typo away from working) must not be replaced by what the window
    fell back to."""
    if not path.exists():
        return
    try:
        load_config(path)
    except ConfigError as err:
        raise ConfigError(f"{path} was left as it is, because it has an error to fix first ({err})") from err


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write ``config`` as TOML (atomically: temp file, then rename).

    An existing file keeps everything the user wrote; only changed values are
    rewritten (see ``dumps_config``)."""
    path = Path(path) if path is not None else (config.path or paths.default_config_path())
    refuse_to_replace_broken(path)
    try:
        original = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config file: {err}") from err
    text = dumps_config(replace(config, path=path), original)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        raise ConfigError(f"{path}: cannot write config file: {err}") from err
    return path


def with_path(config: Config, path: Path) -> Config:
    return replace(config, path=path)
