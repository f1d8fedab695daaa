"""Analysis: differential prompt, session memory, strict insight parsing, providers, the failover chain, usage/cost, review.

No Qt here, and nothing imported by this package itself: importing one module
(say ``analysis.review_model`` from the journal) does not pull in httpx. The
entry points::

    from annotator.analysis.analyzer import build_analyzer
    analyzer = build_analyzer(config)                        # annotator.config.schema.Config
    analyzer.remember(chunks)                                # every line into the session memory as said
    analysis = await analyzer.analyze(chunks, previous)      # -> models.Analysis, never raises for providers
    analyzer.providers_state(); analyzer.usage; await analyzer.aclose()

Modules: ``prompt`` (request text under a token budget), ``memory`` (the
session memory: every line and claim, the few earlier statements a request
quotes, by local BM25), ``insight`` (reply parser), ``providers`` (the provider interface, HTTP streaming
implementations), ``chain`` (failover, itself a provider), ``usage`` (tokens
and cost), ``local`` (VADER sentiment fallback), ``coverage`` (which chunks
no provider answered), ``analyzer`` (all of it together), ``review`` (the
post-session review, a package) and ``review_model`` (its
values, stdlib only).
"""
