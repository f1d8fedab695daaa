"""Scrubbing keys from provider text (by value and by shape, never ordinary words) and from
what is journaled."""

from __future__ import annotations

import pytest

from annotator.redaction import REDACTED, Redactor, redact_shapes, scrub_secrets

HELD = "my-local-proxy-secret"  # not key-shaped: only the by-value rule can catch it


def test_held_secrets_are_replaced_wherever_they_occur() -> None:
    redact = Redactor.of(HELD, None, "", "short")
    assert redact(f"HTTP 401, key refused: {HELD} is not valid ({HELD})") == (
        f"HTTP 401, key refused: {REDACTED} is not valid ({REDACTED})"
    )
    assert redact("a short word stays") == "a short word stays"  # under 8 characters: not held
    assert HELD not in repr(redact) and "secrets" not in repr(redact)


def test_a_key_containing_another_goes_whole() -> None:
    redact = Redactor.of("abcdefgh12", "abcdefgh12345678")
    assert redact("got abcdefgh12345678") == f"got {REDACTED}"


@pytest.mark.parametrize(
    "key",
    [
        "sk-proj-Xy12AbCdEfGhIjKlMnOpQrStUv",
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789_abcd",
        "sk-or-v1-0123456789abcdef0123456789abcdef",
        "nvapi-AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcdefghijklmnop",
        "csk-abcdefghijklmnopqrstuvwxyz0123456789abcd",
        "gsk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "xai-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
        "0123456789abcdef0123456789abcdef",  # a bare hex key
        "AbCdEfGh1234IjKlMnOp5678QrSt",  # a bare mixed key
    ],
)
def test_key_shaped_strings_are_replaced_without_being_held(key: str) -> None:
    text = f'Incorrect API key provided: {key}. See "{key}".'
    out = Redactor()(text)
    assert key not in out and REDACTED in out
    assert out.startswith("Incorrect API key provided: ")


def test_bearer_tokens_are_replaced() -> None:
    assert redact_shapes("header was Bearer abc.def-123456789xyz") == f"header was Bearer {REDACTED}"
    assert redact_shapes("Bearer authentication is required") == "Bearer authentication is required"


@pytest.mark.parametrize(
    "text",
    [
        (
            "HTTP 401, key refused: Incorrect API key provided. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
        ),
        "HTTP 404, not found (retired model or wrong base_url): The model `meta/llama-3.3-70b-instruct` does not exist",
        "model DeepSeek-R1-Distill-Qwen-32B and claude-3-5-sonnet-20241022 and accounts/fireworks/models/llama-v3p1-405b",
        "request id 123e4567-e89b-12d3-a456-426614174000, retry after 30 s",
        "Internationalization and responsibilities are extraordinarily uncharacteristically long words",
        "no first token within first_token_timeout_s = 5 s; stream ended before [DONE] after 0 characters",
        "Unrecognized request argument supplied: stream_options",
        "12345678901234567890123456789 is only digits",
        "sk-learn and sk-short are not keys",
    ],
)
def test_ordinary_provider_text_is_left_alone(text: str) -> None:
    assert Redactor.of(HELD)(text) == text


def test_scrub_secrets_drops_credential_entries_and_redacts_key_shaped_strings() -> None:
    header = {
        "chain": [{"name": "kimi", "api_key": "sk-abcdefghijklmnop1234", "api_key_env": "MOONSHOT_API_KEY"}],
        "headers": {"Authorization": "Bearer nvapi-0123456789abcdef"},
        "token": "plain-secret",
        "note": ("configured with gsk_ABCDEFGHIJKLMNOP12",),
    }
    assert scrub_secrets(header) == {
        "chain": [{"name": "kimi", "api_key_env": "MOONSHOT_API_KEY"}],
        "headers": {},
        "note": [f"configured with {REDACTED}"],
    }
    assert scrub_secrets({"max_tokens": 5, "input_tokens": 3}) == {"max_tokens": 5, "input_tokens": 3}
