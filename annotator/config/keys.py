"""Provider keys: where each comes from, and whether the provider can be used.

The one place keys are looked up. ``key_status(provider)`` looks in the
environment variable the provider names, then in the OS keyring (service
``"annotator"``, user name = provider name), and says why the provider is left
out of a chain (disabled, or no key)::

    status = key_status(provider)                     # environment, then keyring
    status = key_status(provider, {"kimi": "sk-..."})  # keys handed in (a test, a key typed in the settings)
    if status.unavailable is None:
        HttpProvider(provider, client, status.key)

Keys are never read from or written to the config file, never logged, never
shown (``KeyStatus`` leaves the key out of its repr). A provider on loopback
(127.0.0.1 / localhost, e.g. Ollama) needs no key. Reading the OS keyring can
block (a locked keyring asks to be unlocked): off the Qt thread.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

import keyring

from annotator.config.schema import ProviderConfig

KEYRING_SERVICE = "annotator"

KeyLookup: TypeAlias = Callable[[ProviderConfig], "str | None"]
Keys: TypeAlias = KeyLookup | Mapping[str, str] | None
"""Where keys come from: None for the environment, then the OS keyring; a
``{provider name: key}`` table or a function for keys handed in."""


class KeyringLike(Protocol):
    def get_password(self, service_name: str, username: str) -> str | None: ...


class KeyringStore(KeyringLike, Protocol):
    """A keyring that can also store (``keyring`` itself, or a
    ``keyring.backend.KeyringBackend``)."""

    def set_password(self, service_name: str, username: str, password: str) -> None:
        """Store ``password`` for ``username`` under ``service_name``."""


class KeySource(enum.Enum):
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    GIVEN = "given"
    """Handed in by the caller (a key typed in the settings, a test's table)."""
    NONE = "none"


@dataclass(frozen=True)
class KeyStatus:
    """A provider's key (None when there is none) and where it came from."""

    provider: ProviderConfig
    key: str | None = field(repr=False)
    source: KeySource

    @property
    def missing(self) -> str | None:
        """Why the provider cannot be called at all: it needs a key and has none (None: it can)."""
        if self.key is not None or self.provider.on_loopback:
            return None
        p = self.provider
        where = f"${p.api_key_env} or " if p.api_key_env else ""
        return f"no key: set {where}store it in the keyring (service {KEYRING_SERVICE!r}, user {p.name!r})"

    @property
    def unavailable(self) -> str | None:
        """Why the provider is left out of the chain (disabled, no key), or None when it is usable."""
        if not self.provider.enabled:
            return "disabled in the config (enabled = false)"
        return self.missing

    @property
    def where(self) -> str:
        """Where the key comes from, in a few words (never the key)."""
        if self.source is KeySource.ENVIRONMENT:
            return f"key from ${self.provider.api_key_env}"
        if self.source is KeySource.KEYRING:
            return "key from the keyring"
        if self.source is KeySource.GIVEN:
            return "key given"
        return "no key needed (loopback)" if self.provider.on_loopback else "no key"


def key_status(
    provider: ProviderConfig,
    keys: Keys = None,
    *,
    env: Mapping[str, str] = os.environ,
    keyring_backend: KeyringLike | None = keyring,
) -> KeyStatus:
    """The provider's key and where it is from: ``keys`` when given (a table or a
    function; no key there means none), else its environment variable, else the
    OS keyring (``keyring_backend=None``: the environment only; a keyring that
    fails counts as holding no key)."""
    if keys is not None:
        given = keys.get(provider.name) if isinstance(keys, Mapping) else keys(provider)
        return KeyStatus(provider, given, KeySource.GIVEN if given is not None else KeySource.NONE)
    if provider.api_key_env:
        value = env.get(provider.api_key_env, "").strip()
        if value:
            return KeyStatus(provider, value, KeySource.ENVIRONMENT)
    if keyring_backend is not None:
        try:
            stored = keyring_backend.get_password(KEYRING_SERVICE, provider.name)
        except Exception:  # noqa: BLE001 - any keyring backend failure means "no key there"
            stored = None
        if stored and stored.strip():
            return KeyStatus(provider, stored.strip(), KeySource.KEYRING)
    return KeyStatus(provider, None, KeySource.NONE)
