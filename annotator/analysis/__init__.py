"""Analysis: differential prompt, strict insight parsing, providers, the failover chain, usage/cost.

No Qt here. The entry points::

    from annotator.analysis import build_analyzer
    analyzer = build_analyzer(config)                        # annotator.config.Config
    analysis = await analyzer.analyze(chunks, previous)      # -> models.Analysis, never raises for providers
    analyzer.providers_state(); analyzer.usage; await analyzer.aclose()

Modules: ``prompt`` (request text under a token budget), ``insight`` (reply
parser), ``providers`` (the provider interface, HTTP streaming
implementations), ``chain`` (failover, itself a provider), ``usage`` (tokens
and cost), ``local`` (VADER sentiment fallback), ``analyzer`` (all of it
together).
"""

from annotator.analysis.analyzer import Analyzer, ProviderStatus, build_analyzer, check_provider
from annotator.analysis.chain import Chain
from annotator.analysis.insight import InvalidInsight, parse_insight
from annotator.analysis.providers import HttpProvider, Provider, Request, Result
from annotator.analysis.usage import ProviderUsage, UsageTracker

__all__ = [
    "Analyzer",
    "Chain",
    "HttpProvider",
    "InvalidInsight",
    "Provider",
    "ProviderStatus",
    "ProviderUsage",
    "Request",
    "Result",
    "UsageTracker",
    "build_analyzer",
    "check_provider",
    "parse_insight",
]
