"""annotator.ui.chain_draft: the chain as the settings edit it, without Qt."""

from __future__ import annotations

from pathlib import Path

from annotator.config.file import load_config
from annotator.config.keys import KEYRING_SERVICE
from annotator.config.schema import Config, ProviderConfig
from annotator.config.validation import DUPLICATE_NAME
from annotator.errors import ConfigError
from annotator.ui.chain_draft import NEW_KEY_HINT, ChainDraft, has_stored_key, key_hint, store_settings

LOCAL = ProviderConfig("local", "openai", "http://127.0.0.1:9/v1", "llama3")
REMOTE = ProviderConfig("remote", "openai", "https://api.example.test/v1", "m", "REMOTE_KEY")


class Ring:
    def __init__(self, refuse: bool = False) -> None:
        self.store: dict[tuple[str, str], str] = {}
        self.refuse = refuse

    def get_password(self, service_name: str, username: str) -> str | None:
        return self.store.get((service_name, username))

    def set_password(self, service_name: str, username: str, password: str) -> None:
        if self.refuse:
            raise RuntimeError("locked")
        self.store[(service_name, username)] = password


def test_typed_keys_follow_their_provider_when_the_chain_changes() -> None:
    draft = ChainDraft((LOCAL, REMOTE))
    draft.type_key(1, "  sk-remote  ")
    draft.type_key(0, "   ")  # blank: no key typed
    assert draft.new_keys == {1: "sk-remote"}
    assert draft.move(1, -1) == 0
    assert [p.name for p in draft.providers] == ["remote", "local"] and draft.new_keys == {0: "sk-remote"}
    assert draft.move(0, -1) is None
    row = draft.add()
    assert draft.providers[row].name == "provider1" and draft.add() == 3 and draft.providers[3].name == "provider2"
    assert draft.remove(1) == 1 and draft.keys_to_store() == [("remote", "sk-remote")]
    assert draft.remove(0) == 0 and draft.new_keys == {}
    assert draft.remove(7) == -1


def test_an_edit_keeps_the_enabled_state_the_list_holds() -> None:
    draft = ChainDraft((LOCAL,))
    draft.set_enabled(0, False)
    draft.edit(0, ProviderConfig("local", "openai", "http://127.0.0.1:9/v1", "llama3.1"))
    assert draft.providers == [ProviderConfig("local", "openai", "http://127.0.0.1:9/v1", "llama3.1", enabled=False)]


def test_the_draft_refuses_what_loading_the_file_refuses(tmp_path: Path) -> None:
    draft = ChainDraft((LOCAL, REMOTE, LOCAL))
    assert draft.problems() == [(2, "name", DUPLICATE_NAME)]
    path = tmp_path / "config.toml"
    path.write_text(
        "".join(
            f'[[providers]]\nname = "{p.name}"\nkind = "openai"\nbase_url = "{p.base_url}"\nmodel = "{p.model}"\n'
            for p in draft.providers
        ),
        encoding="utf-8",
    )
    try:
        load_config(path)
    except ConfigError as err:
        assert DUPLICATE_NAME in str(err)
    else:
        raise AssertionError("a duplicate name loaded")
    draft.edit(1, ProviderConfig("remote", "openai", "ftp://x", ""))
    assert [(row, fname) for row, fname, _ in draft.problems()] == [(1, "base_url"), (1, "model"), (2, "name")]


def test_the_key_hint_says_where_the_key_is_or_asks_for_the_keyring() -> None:
    assert key_hint(REMOTE, typed=True, env={}, stored=None) == NEW_KEY_HINT
    assert key_hint(REMOTE, typed=False, env={"REMOTE_KEY": "sk"}, stored=None) == "Key found in $REMOTE_KEY."
    assert key_hint(REMOTE, typed=False, env={}, stored=None) is None  # the keyring must be asked first
    assert key_hint(REMOTE, typed=False, env={}, stored=True) == "A key is stored in the OS keyring."
    assert key_hint(LOCAL, typed=False, env={}, stored=False) == "A local server needs no key."
    assert str(key_hint(REMOTE, typed=False, env={}, stored=False)).startswith("No key yet")


def test_store_settings_keeps_keys_out_of_the_file_and_says_why_nothing_was_saved(tmp_path: Path) -> None:
    ring = Ring()
    path = store_settings(ring, [("remote", "sk-remote-123")], Config(providers=(REMOTE,), path=tmp_path / "c.toml"))
    assert path == tmp_path / "c.toml" and "sk-remote-123" not in Path(path).read_text(encoding="utf-8")
    assert ring.store == {(KEYRING_SERVICE, "remote"): "sk-remote-123"} and has_stored_key(ring, REMOTE)
    assert not has_stored_key(ring, LOCAL)
    refused = store_settings(Ring(refuse=True), [("remote", "sk")], Config(path=tmp_path / "other.toml"))
    assert refused == "Not saved: the OS keyring refused the key (RuntimeError: locked)."
    assert not (tmp_path / "other.toml").exists()
