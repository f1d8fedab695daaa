"""``annotator providers [--check]``: the analysis chain as configured.

Lists every provider in chain order: kind, model, URL, prices, whether it is
in the chain and, if not, why (disabled, no key). Where its key comes from is
named (environment variable, keyring, none needed on loopback); the key
itself is never printed. ``--check`` sends one tiny analysis request to each
provider in the chain and prints the outcome and latency; the exit status is
then 1 if any of them failed, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TextIO

from annotator import paths
from annotator.analysis.analyzer import check_provider
from annotator.config.file import load_config
from annotator.config.keys import api_key, availability
from annotator.config.schema import Config, ProviderConfig
from annotator.models import Outcome


def _key_source(p: ProviderConfig, key: str | None) -> str:
    if p.api_key_env and os.environ.get(p.api_key_env, "").strip():
        return f"key from ${p.api_key_env}"
    if key:
        return "key from the keyring"
    return "no key needed (loopback)" if p.on_loopback else "no key"


def describe(config: Config, keys: dict[str, str | None]) -> str:
    where = str(config.path) if config.path else f"built-in defaults (no file at {paths.default_config_path()})"
    lines = [f"Analysis chain from {where}; deadline {config.analysis.deadline_s:g} s per request", ""]
    for i, p in enumerate(config.providers, 1):
        key = keys[p.name]
        reason = availability(p, key)
        state = "in chain" if reason is None else "not used"
        lines.append(f"{i}. {p.name} [{state}] {p.kind} {p.model} at {p.base_url}")
        price = f"${p.price_in_per_mtok:g} in / ${p.price_out_per_mtok:g} out per million tokens"
        credit = "" if p.free_credit_usd is None else f", free credit ${p.free_credit_usd:g}"
        lines.append(f"   {_key_source(p, key)}; {price}{credit}")
        lines.append(
            f"   limits: connect {p.connect_timeout_s:g} s, first token {p.first_token_timeout_s:g} s, "
            f"stall {p.stall_timeout_s:g} s, total {p.timeout_s:g} s; max_tokens {p.max_tokens}"
        )
        if reason is not None:
            lines.append(f"   why not: {reason}")
    if not any(availability(p, keys[p.name]) is None for p in config.providers):
        lines += ["", "No provider is usable: the local sentiment estimate answers alone. "
                  "See README.md, 'Configuring providers'."]
    return "\n".join(lines)


async def check_all(config: Config, keys: dict[str, str | None], out: TextIO) -> int:
    failed = 0
    out.write("\nChecking (one tiny request each):\n")
    for p in config.providers:
        key = keys[p.name]
        reason = availability(p, key)
        if reason is not None:
            out.write(f"  {p.name}: skipped ({reason})\n")
            continue
        attempt = await check_provider(p, key=key or "", analysis=config.analysis)
        tokens = f", {attempt.input_tokens}+{attempt.output_tokens} tokens" if attempt.ok else ""
        detail = f": {attempt.detail}" if attempt.detail and not attempt.ok else ""
        status = f" (HTTP {attempt.status})" if attempt.status and not attempt.ok else ""
        out.write(f"  {p.name}: {attempt.outcome.value}{status} in {attempt.elapsed_ms} ms, model {attempt.model}{tokens}{detail}\n")
        out.flush()
        if attempt.outcome is not Outcome.OK:
            failed += 1
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config) if args.config else None)
    keys = {p.name: api_key(p) for p in config.providers}
    print(describe(config, keys))
    if args.check:
        return asyncio.run(check_all(config, keys, sys.stdout))
    return 0
