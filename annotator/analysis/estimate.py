"""What a headless analysis will send, before anything is sent: requests, tokens, cost.

    estimate = estimate_analysis(chunks, config.analysis, first_provider)
    estimate.requests, estimate.input_tokens, estimate.cost_usd

One request per chunk, more for a chunk longer than ``max_chunk_tokens``
(split exactly as ``Analyzer.analyze`` splits it). Input tokens are the
prompts as built without a previous insight (a carried insight adds at most
its few claims) plus, for every request but the first, the earlier statements
the session memory recalls at their budget (``memory_tokens``: a request
later in the session is filled to it), never more than ``max_request_tokens``; output tokens are ``TYPICAL_OUTPUT_TOKENS`` a request (the
measured size of an insight, see benchmarks/README.md), at most the
provider's ``max_tokens``. Cost uses the first provider's prices: failing
over to a dearer one costs more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.analysis.prompt import build_prompt, chunk_line, split_text
from annotator.analysis.usage import cost_usd
from annotator.config.schema import AnalysisConfig, ProviderConfig
from annotator.models import Chunk

TYPICAL_OUTPUT_TOKENS = 150


@dataclass(frozen=True)
class AnalysisEstimate:
    chunks: int
    requests: int
    longest_chunk_requests: int
    input_tokens: int
    output_tokens: int
    max_output_tokens: int
    provider: str
    model: str
    priced: bool
    cost_usd: float
    max_cost_usd: float


def estimate_analysis(chunks: Sequence[Chunk], config: AnalysisConfig, provider: ProviderConfig) -> AnalysisEstimate:
    requests = longest = tokens_in = 0
    for chunk in chunks:
        line = chunk_line(chunk)
        if not line.strip():
            continue
        parts = split_text([line], config.max_chunk_tokens)
        requests += len(parts)
        longest = max(longest, len(parts))
        recall = config.memory_tokens if config.memory_statements > 0 else 0
        for part in parts:
            tokens = build_prompt(part, None, config).tokens + (
                recall if requests > len(parts) or part != parts[0] else 0
            )
            tokens_in += min(tokens, config.max_request_tokens)
    tokens_out = requests * min(TYPICAL_OUTPUT_TOKENS, provider.max_tokens)
    most_out = requests * provider.max_tokens
    return AnalysisEstimate(
        chunks=len(chunks),
        requests=requests,
        longest_chunk_requests=longest,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        max_output_tokens=most_out,
        provider=provider.name,
        model=provider.model,
        priced=bool(provider.price_in_per_mtok or provider.price_out_per_mtok),
        cost_usd=cost_usd(provider, tokens_in, tokens_out),
        max_cost_usd=cost_usd(provider, tokens_in, most_out),
    )
