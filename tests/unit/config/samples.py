"""A config file to start from, and a way to write one."""

from __future__ import annotations

from pathlib import Path

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


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
