"""The settings as frozen values: the analysis chain, transcription, audio, the review.

Loaded once (``annotator.config.file.load_config``) and passed in; nothing here
reads a file or a key. The file format is TOML (see DESIGN.md and
``resources/default_config.toml``)::

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
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROVIDER_KINDS = ("openai", "anthropic")


def is_loopback(base_url: str) -> bool:
    """The URL names this machine (127.x, localhost, ::1): a local server, which needs no key."""
    host = (urlsplit(base_url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


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
    ``memory_tokens`` is the share the earlier statements recalled from the
    session memory may take, at most ``memory_statements`` of them.
    """

    deadline_s: float = 60.0
    max_request_tokens: int = 1000
    max_chunk_tokens: int = 500
    max_claims: int = 8
    memory_tokens: int = 400
    memory_statements: int = 8


@dataclass(frozen=True)
class TranscriptionConfig:
    """faster-whisper options. ``model`` None = the bundled offline tiny.en.

    ``vocabulary``: words the speakers are expected to say (names, companies,
    technologies), given to the model so it spells them right; the command
    line's ``--vocabulary`` and the window's field add to it per session.
    ``second_pass_model``: the stronger model ``annotator retranscribe`` uses
    on a session's saved audio after the meeting (downloaded once if needed).
    """

    model: str | None = None
    device: str = "cpu"
    compute_type: str = "int8"
    language: str | None = "en"
    beam_size: int = 1
    vocabulary: tuple[str, ...] = ()
    second_pass_model: str | None = "small.en"
    # speaker separation (annotator/speakers/): a stable id per voice, per source;
    # ``speakers`` is the expected number of voices in a session (None: found as they come)
    separate_speakers: bool = True
    speakers: int | None = None


@dataclass(frozen=True)
class AudioConfig:
    """Capture and segmentation options. ``devices`` empty = the default input."""

    devices: tuple[str, ...] = ()
    silence_s: float = 0.35
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


def expecting_speakers(config: Config, speakers: int | None) -> Config:
    """``config`` with ``--speakers N`` applied (None: as configured)."""
    if speakers is None:
        return config
    return replace(config, transcription=replace(config.transcription, speakers=speakers))
