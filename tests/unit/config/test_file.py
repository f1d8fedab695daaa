"""annotator.config.file."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator import paths
from annotator.config.file import load_config, save_config
from annotator.config.schema import DEFAULT_PROVIDERS, AnalysisConfig, Config, ProviderConfig
from annotator.errors import ConfigError
from tests.unit.config.samples import KIMI, write

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


def test_design_example_loads(tmp_path: Path) -> None:
    path = write(tmp_path, KIMI)
    config = load_config(path)
    assert config.analysis.deadline_s == 30.0
    assert config.path == path
    (kimi,) = config.providers
    assert kimi == ProviderConfig(
        "kimi",
        "openai",
        "https://api.moonshot.ai/v1",
        "kimi-k2-turbo-preview",
        "MOONSHOT_API_KEY",
        price_in_per_mtok=0.6,
        price_out_per_mtok=2.5,
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


def test_broken_toml_and_unknown_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.toml: not valid TOML"):
        load_config(write(tmp_path, "[[providers]\nname = "))
    with pytest.raises(ConfigError, match=r"unknown table or key 'analysys'"):
        load_config(write(tmp_path, "[analysys]\ndeadline_s = 1\n"))
    with pytest.raises(ConfigError, match=r"provider #1: missing key 'name'"):
        load_config(write(tmp_path, '[[providers]]\nkind = "openai"\n'))
    with pytest.raises(ConfigError, match=r"\[analysis\]: deadline_s must be a number"):
        load_config(write(tmp_path, '[analysis]\ndeadline_s = "x"\n'))


def test_save_round_trips_and_writes_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-secret-value")
    config = Config(
        analysis=AnalysisConfig(deadline_s=12.5),
        providers=(
            ProviderConfig(
                "kimi",
                "openai",
                "https://api.moonshot.ai/v1",
                "kimi-k2-turbo-preview",
                "MOONSHOT_API_KEY",
                free_credit_usd=5.0,
                json_mode=False,
            ),
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

    path = write(
        tmp_path,
        USER_FILE + '\n[[providers]]\nname = "local"  # ollama\nkind = "openai"\n'
        'base_url = "http://127.0.0.1:11434/v1"\nmodel = "llama3"\n',
    )
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
