from __future__ import annotations

from pathlib import Path

import pytest

from annotator import paths
from annotator.config import (
    DEFAULT_PROVIDERS,
    AnalysisConfig,
    Config,
    ProviderConfig,
    api_key,
    availability,
    is_reasoning_model,
    load_config,
    save_config,
    validate_provider,
)
from annotator.errors import ConfigError

KIMI = """
[analysis]
deadline_s = 30

[[providers]]
name = "kimi"
kind = "openai"
base_url = "https://api.moonshot.ai/v1"
model = "kimi-k2-turbo-preview"
api_key_env = "MOONSHOT_API_KEY"
connect_timeout_s = 3
first_token_timeout_s = 5
stall_timeout_s = 5
timeout_s = 20
price_in_per_mtok = 0.60
price_out_per_mtok = 2.50
"""


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


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_design_example_loads(tmp_path: Path) -> None:
    path = write(tmp_path, KIMI)
    config = load_config(path)
    assert config.analysis.deadline_s == 30.0
    assert config.path == path
    (kimi,) = config.providers
    assert kimi == ProviderConfig(
        "kimi", "openai", "https://api.moonshot.ai/v1", "kimi-k2-turbo-preview", "MOONSHOT_API_KEY",
        price_in_per_mtok=0.6, price_out_per_mtok=2.5,
    )


def test_missing_default_file_gives_default_chain() -> None:
    assert not paths.default_config_path().exists()
    config = load_config(None)
    assert [p.name for p in config.providers] == ["cerebras", "nvidia", "kimi", "claude"]
    assert config.providers[2].base_url == "https://api.moonshot.ai/v1"
    assert config.providers[2].model == "kimi-k2-turbo-preview"
    assert config.providers[-1].kind == "anthropic"


def test_example_resource_spells_out_the_defaults() -> None:
    path = paths.resource("default_config.toml")
    assert load_config(path) == Config(path=path)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('kind = "openai"', r"config\.toml: provider 'kimi': kind: unknown kind 'foo' \(expected openai or anthropic\)"),
        ('base_url = "https://api.moonshot.ai/v1"', r"provider 'kimi': base_url: 'ftp://x' is not an http"),
        ('model = "kimi-k2-turbo-preview"', r"provider 'kimi': model: 'kimi-k2-thinking' is a reasoning model.*tens of seconds"),
        ("timeout_s = 20", r"provider 'kimi': timeout_s must be a number, not 'soon'"),
        ("stall_timeout_s = 5", r"provider 'kimi': stall_timeout_s: must be a number of seconds above 0"),
        ('api_key_env = "MOONSHOT_API_KEY"', r"provider 'kimi': unknown key 'api_key'"),
    ],
)
def test_provider_errors_name_file_provider_and_key(tmp_path: Path, change: str, message: str) -> None:
    replacement = {
        'kind = "openai"': 'kind = "foo"',
        'base_url = "https://api.moonshot.ai/v1"': 'base_url = "ftp://x"',
        'model = "kimi-k2-turbo-preview"': 'model = "kimi-k2-thinking"',
        "timeout_s = 20": 'timeout_s = "soon"',
        "stall_timeout_s = 5": "stall_timeout_s = 0",
        'api_key_env = "MOONSHOT_API_KEY"': 'api_key = "sk-should-never-be-here"',
    }[change]
    path = write(tmp_path, KIMI.replace(change, replacement, 1))
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_broken_toml_and_unknown_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.toml: not valid TOML"):
        load_config(write(tmp_path, "[[providers]\nname = "))
    with pytest.raises(ConfigError, match=r"unknown table or key 'analysys'"):
        load_config(write(tmp_path, "[analysys]\ndeadline_s = 1\n"))
    with pytest.raises(ConfigError, match=r"provider #1: missing key 'name'"):
        load_config(write(tmp_path, '[[providers]]\nkind = "openai"\n'))
    with pytest.raises(ConfigError, match=r"\[analysis\]: deadline_s must be a number"):
        load_config(write(tmp_path, '[analysis]\ndeadline_s = "x"\n'))


def test_duplicate_provider_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"provider 'kimi': name: a provider of that name is already listed"):
        load_config(write(tmp_path, KIMI + KIMI.split("[analysis]\ndeadline_s = 30\n")[1]))


def test_slow_model_allowed_only_on_request() -> None:
    for model in ("kimi-k2.5", "kimi-k2-thinking", "o1", "o3-mini", "o4-mini", "deepseek-reasoner", "deepseek-r1", "qwq-32b"):
        assert is_reasoning_model(model), model
    for model in ("kimi-k2-turbo-preview", "gpt-4o-mini", "llama-3.3-70b", "claude-haiku-4-5", "meta/llama-3.3-70b-instruct"):
        assert not is_reasoning_model(model), model
    slow = ProviderConfig("x", "openai", "https://h/v1", "o3-mini")
    assert [f for f, _ in validate_provider(slow)] == ["model"]
    assert validate_provider(ProviderConfig("x", "openai", "https://h/v1", "o3-mini", allow_slow_model=True)) == []


def test_analysis_budget_must_leave_room_for_instructions(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"max_chunk_tokens must leave at least 450"):
        load_config(write(tmp_path, "[analysis]\nmax_request_tokens = 800\nmax_chunk_tokens = 700\n"))


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


def test_save_round_trips_and_writes_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-secret-value")
    config = Config(
        analysis=AnalysisConfig(deadline_s=12.5),
        providers=(
            ProviderConfig("kimi", "openai", "https://api.moonshot.ai/v1", "kimi-k2-turbo-preview", "MOONSHOT_API_KEY",
                           free_credit_usd=5.0, json_mode=False),
            ProviderConfig("local", "openai", "http://127.0.0.1:8080/v1", 'odd "name"\\x'),
        ),
    )
    from dataclasses import replace

    config = replace(config, transcription=replace(config.transcription, language=None))
    path = save_config(config, tmp_path / "sub" / "config.toml")
    text = path.read_text(encoding="utf-8")
    assert "sk-secret-value" not in text
    assert load_config(path) == replace(config, path=path)


def test_empty_provider_list_means_local_only(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "providers = []\n[analysis]\ndeadline_s = 10\n"))
    assert config.providers == ()
    assert load_config(write(tmp_path, "[analysis]\ndeadline_s = 10\n")).providers == DEFAULT_PROVIDERS


@pytest.mark.parametrize("url", ["http://192.168.1.20:11434/v1", "http://api.moonshot.ai/v1", "HTTP://proxy.lan/v1"])
def test_plain_http_to_another_machine_is_refused_naming_provider_and_setting(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, KIMI.replace('base_url = "https://api.moonshot.ai/v1"', f'base_url = "{url}"'))
    host = url.split("//")[1].split(":")[0].split("/")[0].lower()
    with pytest.raises(ConfigError, match=rf"config\.toml: provider 'kimi': base_url: plain http:// to {host} would "
                                          r"send the key unencrypted; use https://"):
        load_config(path)


@pytest.mark.parametrize("url", ["http://127.0.0.1:11434/v1", "http://localhost:8080/v1", "http://[::1]:1234/v1",
                                 "https://192.168.1.20/v1"])
def test_plain_http_on_loopback_and_https_anywhere_are_fine(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, KIMI.replace('base_url = "https://api.moonshot.ai/v1"', f'base_url = "{url}"'))
    assert load_config(path).providers[0].base_url == url


def test_a_key_pasted_into_base_url_is_not_echoed_back() -> None:
    key = "sk-proj-Pasted0123456789abcdefPasted"
    for url in (key, f"http://{key}.example/v1"):
        problems = validate_provider(ProviderConfig("kimi", "openai", url, "kimi-k2-turbo-preview"))
        [(field, reason)] = problems
        assert field == "base_url" and key not in reason and "[redacted]" in reason


USER_FILE = """\
# my settings: only kimi, and a shorter deadline
[analysis]
deadline_s = 30  # seconds, tuned by hand

[[providers]]
name = "kimi"   # the one I pay for
kind = "openai"
base_url = "https://api.moonshot.ai/v1"
model = "kimi-k2-turbo-preview"
"""


def test_save_keeps_the_users_file_and_writes_only_what_changed(tmp_path: Path) -> None:
    from dataclasses import replace

    path = write(tmp_path, USER_FILE)
    config = load_config(path)
    assert save_config(config, path) == path
    assert path.read_text(encoding="utf-8") == USER_FILE  # nothing changed: not a byte rewritten

    kimi = replace(config.providers[0], model="kimi-k2-0905-preview", timeout_s=30.0)
    config = replace(config, providers=(kimi,), audio=replace(config.audio, save_audio=False))
    save_config(config, path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:9] == [
        "# my settings: only kimi, and a shorter deadline",
        "[analysis]",
        "deadline_s = 30  # seconds, tuned by hand",
        "",
        "[[providers]]",
        'name = "kimi"   # the one I pay for',
        'kind = "openai"',
        'base_url = "https://api.moonshot.ai/v1"',
        'model = "kimi-k2-0905-preview"',
    ]
    assert len(text.splitlines()) < 16, text  # the changed values, not ~50 lines of defaults
    assert load_config(path) == replace(config, path=path)


def test_save_keeps_each_providers_table_when_the_chain_is_reordered_or_renamed(tmp_path: Path) -> None:
    from dataclasses import replace

    path = write(tmp_path, USER_FILE + '\n[[providers]]\nname = "local"  # ollama\nkind = "openai"\n'
                                       'base_url = "http://127.0.0.1:11434/v1"\nmodel = "llama3"\n')
    config = load_config(path)
    kimi, local = config.providers
    added = ProviderConfig("groq", "openai", "https://api.groq.com/openai/v1", "llama-3.3-70b", "GROQ_API_KEY")
    config = replace(config, providers=(replace(local, name="ollama"), kimi, added))
    save_config(config, path)
    text = path.read_text(encoding="utf-8")
    assert 'name = "ollama"  # ollama' in text and 'name = "kimi"   # the one I pay for' in text
    assert text.index('"ollama"') < text.index('"kimi"') < text.index('"groq"')
    assert "connect_timeout_s" not in text  # a new provider's defaults are not spelled out
    assert load_config(path) == replace(config, path=path)
    save_config(replace(config, providers=()), path)
    assert load_config(path).providers == ()
    assert "# my settings" in path.read_text(encoding="utf-8")


def test_a_new_file_holds_only_what_differs_from_the_defaults(tmp_path: Path) -> None:
    from dataclasses import replace

    config = replace(Config(), analysis=AnalysisConfig(deadline_s=20.0))
    path = save_config(config, tmp_path / "new.toml")
    text = path.read_text(encoding="utf-8")
    assert "[analysis]\ndeadline_s = 20.0" in text and "providers" not in text and "[audio]" not in text
    assert load_config(path) == replace(config, path=path)
