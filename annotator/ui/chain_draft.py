"""The provider chain as the settings dialog edits it, without Qt.

``ChainDraft`` holds the providers in order and the keys typed but not yet
stored (by row); adding, removing and moving keep each typed key with its
provider. Its problems are ``annotator.config.validation.validate_chain``'s
(each provider's own, then a name listed twice), so the dialog refuses exactly
what loading the saved file would refuse. ``key_hint`` is the line under the
key field. ``store_settings`` and ``has_stored_key`` block (the OS keyring, the
file): the dialog runs them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from annotator.config.file import save_config
from annotator.config.keys import KEYRING_SERVICE, KeyringStore, KeySource, key_status
from annotator.config.schema import Config, ProviderConfig
from annotator.config.validation import validate_chain
from annotator.errors import ConfigError

NEW_KEY_HINT = "A new key will be stored in the OS keyring when you save."
LOOKING_HINT = "Looking for a key in the OS keyring…"


class ChainDraft:
    """The chain being edited: ``providers`` in order, ``new_keys`` (row -> key typed)."""

    def __init__(self, providers: Sequence[ProviderConfig]) -> None:
        self.providers: list[ProviderConfig] = list(providers)
        self.new_keys: dict[int, str] = {}

    def has(self, row: int) -> bool:
        return 0 <= row < len(self.providers)

    def add(self) -> int:
        """Append a new provider (``provider1``, ``provider2``, ...: a name not taken); returns its row."""
        names = {p.name for p in self.providers}
        n = 1
        while f"provider{n}" in names:
            n += 1
        self.providers.append(ProviderConfig(name=f"provider{n}", kind="openai", base_url="https://", model=""))
        return len(self.providers) - 1

    def remove(self, row: int) -> int:
        """Drop the provider at ``row`` and its typed key; returns the row to show next (-1: none left)."""
        if not self.has(row):
            return -1
        del self.providers[row]
        self.new_keys = {(r if r < row else r - 1): k for r, k in self.new_keys.items() if r != row}
        return min(row, len(self.providers) - 1)

    def move(self, row: int, delta: int) -> int | None:
        """Swap the provider at ``row`` with the one ``delta`` away; returns its new row (None: no move)."""
        to = row + delta
        if not (self.has(row) and self.has(to)):
            return None
        self.providers[row], self.providers[to] = self.providers[to], self.providers[row]
        keys = dict(self.new_keys)
        self.new_keys = {(to if r == row else row if r == to else r): k for r, k in keys.items()}
        return to

    def edit(self, row: int, provider: ProviderConfig) -> None:
        """The form's values for ``row``; whether it is enabled is the list's to say."""
        if self.has(row):
            self.providers[row] = replace(provider, enabled=self.providers[row].enabled)

    def set_enabled(self, row: int, enabled: bool) -> None:
        if self.has(row):
            self.providers[row] = replace(self.providers[row], enabled=enabled)

    def type_key(self, row: int, text: str) -> None:
        """A key typed for ``row`` (blank: none typed)."""
        if not self.has(row):
            return
        if text.strip():
            self.new_keys[row] = text.strip()
        else:
            self.new_keys.pop(row, None)

    def keys_to_store(self) -> list[tuple[str, str]]:
        """Each typed key with the name it is stored under."""
        return [(self.providers[row].name, key) for row, key in self.new_keys.items()]

    def problems(self) -> list[tuple[int, str, str]]:
        """Every problem as ``(row, field, reason)``, in row order."""
        return validate_chain(self.providers)


def key_hint(provider: ProviderConfig, *, typed: bool, env: Mapping[str, str], stored: bool | None) -> str | None:
    """The line under the key field. ``stored``: whether the OS keyring holds a key
    for ``provider`` (None: not asked yet). None when the keyring must be asked first."""
    if typed:
        return NEW_KEY_HINT
    if key_status(provider, env=env, keyring_backend=None).source is KeySource.ENVIRONMENT:
        return f"Key found in ${provider.api_key_env}."
    if stored is None:
        return None
    if stored:
        return "A key is stored in the OS keyring."
    if provider.on_loopback:
        return "A local server needs no key."
    return "No key yet: this provider is left out of the chain until you enter one."


def has_stored_key(keyring_backend: KeyringStore | None, provider: ProviderConfig) -> bool:
    """A key for ``provider`` is in the keyring (blocking: run it off the GUI thread)."""
    return key_status(provider, env={}, keyring_backend=keyring_backend).source is KeySource.KEYRING


def store_settings(keyring_backend: KeyringStore | None, keys: Sequence[tuple[str, str]], config: Config) -> Path | str:
    """Store each ``(provider name, key)`` in the keyring, then write ``config``.
    Blocking (the keyring, the file): run it off the GUI thread. Returns the path
    written, or the sentence saying why nothing was."""
    try:
        for name, key in keys:
            assert keyring_backend is not None
            keyring_backend.set_password(KEYRING_SERVICE, name, key)
    except Exception as err:  # noqa: BLE001 - any keyring backend failure is reported, not raised
        return f"Not saved: the OS keyring refused the key ({type(err).__name__}: {err})."
    try:
        return save_config(config)
    except ConfigError as err:
        return f"Not saved: {err}"
