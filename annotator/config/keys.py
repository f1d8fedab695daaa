"""Provider keys: looked up in the environment, then the OS keyring.

Keys are never read from or written to the config file: ``api_key()`` looks in
the environment variable the provider names, then in the OS keyring (service
``"annotator"``, user name = provider name). A provider on loopback
(127.0.0.1 / localhost, e.g. Ollama) needs no key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

import keyring

from annotator.config.schema import ProviderConfig

KEYRING_SERVICE = "annotator"


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
