"""annotator.config.validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.config.file import load_config
from annotator.config.schema import ProviderConfig
from annotator.config.validation import is_reasoning_model, validate_provider
from annotator.errors import ConfigError
from tests.unit.config.samples import KIMI, write


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            'kind = "openai"',
            r"config\.toml: provider 'kimi': kind: unknown kind 'foo' \(expected openai or anthropic\)",
        ),
        ('base_url = "https://api.moonshot.ai/v1"', r"provider 'kimi': base_url: 'ftp://x' is not an http"),
        (
            'model = "kimi-k2-turbo-preview"',
            r"provider 'kimi': model: 'kimi-k2-thinking' is a reasoning model.*tens of seconds",
        ),
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


def test_duplicate_provider_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"provider 'kimi': name: a provider of that name is already listed"):
        load_config(write(tmp_path, KIMI + KIMI.split("[analysis]\ndeadline_s = 30\n")[1]))


def test_slow_model_allowed_only_on_request() -> None:
    for model in (
        "kimi-k2.5",
        "kimi-k2-thinking",
        "o1",
        "o3-mini",
        "o4-mini",
        "deepseek-reasoner",
        "deepseek-r1",
        "qwq-32b",
    ):
        assert is_reasoning_model(model), model
    for model in (
        "kimi-k2-turbo-preview",
        "gpt-4o-mini",
        "llama-3.3-70b",
        "claude-haiku-4-5",
        "meta/llama-3.3-70b-instruct",
    ):
        assert not is_reasoning_model(model), model
    slow = ProviderConfig("x", "openai", "https://h/v1", "o3-mini")
    assert [f for f, _ in validate_provider(slow)] == ["model"]
    assert validate_provider(ProviderConfig("x", "openai", "https://h/v1", "o3-mini", allow_slow_model=True)) == []


def test_analysis_budget_must_leave_room_for_instructions(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"max_chunk_tokens must leave at least 450"):
        load_config(write(tmp_path, "[analysis]\nmax_request_tokens = 800\nmax_chunk_tokens = 700\n"))


@pytest.mark.parametrize("url", ["http://192.168.1.20:11434/v1", "http://api.moonshot.ai/v1", "HTTP://proxy.lan/v1"])
def test_plain_http_to_another_machine_is_refused_naming_provider_and_setting(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, KIMI.replace('base_url = "https://api.moonshot.ai/v1"', f'base_url = "{url}"'))
    host = url.split("//")[1].split(":")[0].split("/")[0].lower()
    with pytest.raises(
        ConfigError,
        match=rf"config\.toml: provider 'kimi': base_url: plain http:// to {host} would "
        r"send the key unencrypted; use https://",
    ):
        load_config(path)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:11434/v1", "http://localhost:8080/v1", "http://[::1]:1234/v1", "https://192.168.1.20/v1"]
)
def test_plain_http_on_loopback_and_https_anywhere_are_fine(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, KIMI.replace('base_url = "https://api.moonshot.ai/v1"', f'base_url = "{url}"'))
    assert load_config(path).providers[0].base_url == url


def test_a_key_pasted_into_base_url_is_not_echoed_back() -> None:
    key = "sk-proj-Pasted0123456789abcdefPasted"
    for url in (key, f"http://{key}.example/v1"):
        problems = validate_provider(ProviderConfig("kimi", "openai", url, "kimi-k2-turbo-preview"))
        [(field, reason)] = problems
        assert field == "base_url" and key not in reason and "[redacted]" in reason


def test_vocabulary_is_read_from_the_transcription_table(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[transcription]\nvocabulary = ["Kubernetes", "Siobhan Okonkwo"]\n'))
    assert cfg.transcription.vocabulary == ("Kubernetes", "Siobhan Okonkwo")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"Kubernetes, Kafka"', r"\[transcription\]: vocabulary must be a list of strings"),
        ('["Kafka", 3]', r"\[transcription\]: vocabulary must be a list of strings"),
        ('["Kafka", "  "]', r"\[transcription\]: vocabulary has an empty term"),
        ('["' + "x" * 80 + '"]', r"\[transcription\]: vocabulary term 'x+'\.\.\. is longer than 60"),
        ("[" + ", ".join(f'"t{i}"' for i in range(101)) + "]", r"vocabulary has 101 terms; at most 100"),
    ],
)
def test_a_bad_vocabulary_names_the_setting(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, f"[transcription]\nvocabulary = {value}\n"))


@pytest.mark.parametrize("model", ["", 'model = "base.en"\n'])
def test_a_language_other_than_english_with_an_english_only_model_names_a_model_to_use(
    tmp_path: Path, model: str
) -> None:
    name, suggestion = ("base.en", "base") if model else ("tiny.en", "tiny")
    with pytest.raises(
        ConfigError,
        match=rf"\[transcription\]: language is 'fr', but the model {name} understands only English: "
        rf"use a multilingual model such as {suggestion} \(--model {suggestion}\)",
    ):
        load_config(write(tmp_path, f'[transcription]\n{model}language = "fr"\n'))


def test_a_multilingual_model_keeps_its_language(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[transcription]\nmodel = "small"\nlanguage = "fr"\n'))
    assert cfg.transcription.language == "fr"
