"""annotator.config.keys."""

from __future__ import annotations

from annotator.config.keys import KeySource, key_status
from annotator.config.schema import DEFAULT_PROVIDERS, ProviderConfig


class FakeKeyring:
    def __init__(self, keys: dict[str, str] | None = None, broken: bool = False) -> None:
        self.keys = keys or {}
        self.broken = broken
        self.asked: list[tuple[str, str]] = []

    def get_password(self, service_name: str, username: str) -> str | None:
        self.asked.append((service_name, username))
        if self.broken:
            raise RuntimeError("no backend")
        return self.keys.get(username)


def test_the_key_comes_from_the_environment_first_then_the_keyring() -> None:
    kimi = DEFAULT_PROVIDERS[2]
    ring = FakeKeyring({"kimi": "from-ring"})
    from_env = key_status(kimi, env={"MOONSHOT_API_KEY": "from-env"}, keyring_backend=ring)
    assert (from_env.key, from_env.source, from_env.where) == (
        "from-env",
        KeySource.ENVIRONMENT,
        "key from $MOONSHOT_API_KEY",
    )
    assert ring.asked == []
    from_ring = key_status(kimi, env={}, keyring_backend=ring)
    assert (from_ring.key, from_ring.source, from_ring.where) == (
        "from-ring",
        KeySource.KEYRING,
        "key from the keyring",
    )
    assert ring.asked == [("annotator", "kimi")]
    assert key_status(kimi, env={"MOONSHOT_API_KEY": "  "}, keyring_backend=FakeKeyring()).key is None
    assert key_status(kimi, env={}, keyring_backend=FakeKeyring(broken=True)).key is None
    nowhere = key_status(kimi, env={}, keyring_backend=None)
    assert (nowhere.key, nowhere.source, nowhere.where) == (None, KeySource.NONE, "no key")


def test_keys_handed_in_replace_the_lookup_and_never_show_in_the_repr() -> None:
    kimi = DEFAULT_PROVIDERS[2]
    ring = FakeKeyring({"kimi": "from-ring"})
    given = key_status(
        kimi, {"kimi": "sk-given-0123456789"}, env={"MOONSHOT_API_KEY": "from-env"}, keyring_backend=ring
    )
    assert (given.key, given.source) == ("sk-given-0123456789", KeySource.GIVEN)
    assert "sk-given" not in repr(given)
    assert key_status(kimi, {}, keyring_backend=ring).key is None
    assert key_status(kimi, lambda p: p.name.upper()).key == "KIMI"
    assert ring.asked == []


def test_a_provider_needs_a_key_except_on_loopback_and_is_left_out_when_disabled() -> None:
    kimi = DEFAULT_PROVIDERS[2]
    reason = key_status(kimi, {}).unavailable
    assert reason is not None and "MOONSHOT_API_KEY" in reason and "keyring" in reason
    assert key_status(kimi, {}).missing == reason
    assert key_status(kimi, {"kimi": "k"}).unavailable is None
    local = ProviderConfig("ollama", "openai", "http://127.0.0.1:11434/v1", "llama3.2")
    assert key_status(local, {}).unavailable is None
    assert key_status(local, {}).where == "no key needed (loopback)"
    off = ProviderConfig("ollama", "openai", "http://localhost:11434/v1", "llama3.2", enabled=False)
    assert "disabled" in str(key_status(off, {}).unavailable)
    assert key_status(off, {}).missing is None  # a disabled provider can still be tested
