"""annotator.config.keys."""

from __future__ import annotations

from annotator.config.keys import api_key, availability
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


def test_api_key_env_first_then_keyring() -> None:
    kimi = DEFAULT_PROVIDERS[2]
    ring = FakeKeyring({"kimi": "from-ring"})
    assert api_key(kimi, {"MOONSHOT_API_KEY": "from-env"}, ring) == "from-env"
    assert ring.asked == []
    assert api_key(kimi, {}, ring) == "from-ring"
    assert ring.asked == [("annotator", "kimi")]
    assert api_key(kimi, {"MOONSHOT_API_KEY": "  "}, FakeKeyring()) is None
    assert api_key(kimi, {}, FakeKeyring(broken=True)) is None
    assert api_key(kimi, {}, None) is None


def test_availability_needs_key_except_on_loopback() -> None:
    kimi = DEFAULT_PROVIDERS[2]
    reason = availability(kimi, None)
    assert reason is not None and "MOONSHOT_API_KEY" in reason and "keyring" in reason
    assert availability(kimi, "k") is None
    local = ProviderConfig("ollama", "openai", "http://127.0.0.1:11434/v1", "llama3.2")
    assert availability(local, None) is None
    off = ProviderConfig("ollama", "openai", "http://localhost:11434/v1", "llama3.2", enabled=False)
    assert "disabled" in str(availability(off, None))
