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
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from annotator import paths
from annotator.analysis.analyzer import check_provider
from annotator.config.file import load_config
from annotator.config.keys import KeyStatus, key_status
from annotator.config.schema import Config
from annotator.models import Outcome


def describe(config: Config, keys: Mapping[str, KeyStatus]) -> str:
    where = str(config.path) if config.path else f"built-in defaults (no file at {paths.default_config_path()})"
    lines = [f"Analysis chain from {where}; deadline {config.analysis.deadline_s:g} s per request", ""]
    for i, p in enumerate(config.providers, 1):
        status = keys[p.name]
        reason = status.unavailable
        state = "in chain" if reason is None else "not used"
        lines.append(f"{i}. {p.name} [{state}] {p.kind} {p.model} at {p.base_url}")
        price = f"${p.price_in_per_mtok:g} in / ${p.price_out_per_mtok:g} out per million tokens"
        credit = "" if p.free_credit_usd is None else f", free credit ${p.free_credit_usd:g}"
        lines.append(f"   {status.where}; {price}{credit}")
        lines.append(
            f"   limits: connect {p.connect_timeout_s:g} s, first token {p.first_token_timeout_s:g} s, "
            f"stall {p.stall_timeout_s:g} s, total {p.timeout_s:g} s; max_tokens {p.max_tokens}"
        )
        if reason is not None:
            lines.append(f"   why not: {reason}")
    if not any(keys[p.name].unavailable is None for p in config.providers):
        lines += [
            "",
            "No provider is usable: the local sentiment estimate answers alone. "
            "See README.md, 'Configuring providers'.",
        ]
    return "\n".join(lines)


async def check_all(config: Config, keys: Mapping[str, KeyStatus], out: TextIO) -> int:
    failed = 0
    out.write("\nChecking (one tiny request each):\n")
    for p in config.providers:
        found = keys[p.name]
        reason = found.unavailable
        if reason is not None:
            out.write(f"  {p.name}: skipped ({reason})\n")
            continue
        attempt = await check_provider(p, status=found, analysis=config.analysis)
        tokens = f", {attempt.input_tokens}+{attempt.output_tokens} tokens" if attempt.ok else ""
        detail = f": {attempt.detail}" if attempt.detail and not attempt.ok else ""
        status = f" (HTTP {attempt.status})" if attempt.status and not attempt.ok else ""
        out.write(
            f"  {p.name}: {attempt.outcome.value}{status} in {attempt.elapsed_ms} ms, model {attempt.model}{tokens}{detail}\n"
        )
        out.flush()
        if attempt.outcome is not Outcome.OK:
            failed += 1
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config) if args.config else None)
    keys = {p.name: key_status(p) for p in config.providers}
    print(describe(config, keys))
    if args.check:
        return asyncio.run(check_all(config, keys, sys.stdout))
    return 0
