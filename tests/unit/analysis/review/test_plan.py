"""The review's plan: the [post] chain, overlapping parts under the token budget, and the cost estimate
against the usage the loopback fault server reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from annotator.analysis.prompt import estimate_tokens
from annotator.analysis.review.flags import live_flags, with_earlier_lines
from annotator.analysis.review.plan import build_user_text, estimate_review, plan_review
from annotator.analysis.review.run import review_record
from annotator.config.file import load_config, save_config
from annotator.config.schema import (
    DEFAULT_PROVIDERS,
    POST_PROVIDER_DEFAULTS,
    Config,
    PostConfig,
    ProviderConfig,
    post_providers,
)
from annotator.errors import ConfigError, InputError
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment
from tests.helpers.faultserver import FaultServer, Reply
from tests.unit.analysis.review.helpers import SMALL, analysis_with, config_for, fit, review_json, transcript

# --------------------------------------------------------------------------- the [post] chain


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_post_defaults_to_the_live_chain_most_capable_first_with_longer_limits() -> None:
    chain = post_providers(Config())
    assert [p.name for p in chain] == [p.name for p in reversed(DEFAULT_PROVIDERS)]
    assert chain[0].name == "claude"  # the live chain's last entry: its "nuclear option"
    for p in chain:
        assert p.timeout_s == 600.0 and p.first_token_timeout_s == 120.0 and p.max_tokens == 4096
        assert p.allow_slow_model


def test_post_table_parses_its_own_chain_and_allows_reasoning_models(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[post]\ndeadline_s = 300\nmax_request_tokens = 50000\n\n[[post.providers]]\nname = "deep"\n'
            'kind = "openai"\nbase_url = "https://api.deepseek.com/v1"\nmodel = "deepseek-reasoner"\n'
            'api_key_env = "DEEPSEEK_API_KEY"\ntimeout_s = 900\n',
        )
    )
    assert config.post.deadline_s == 300.0 and config.post.max_request_tokens == 50000
    (deep,) = post_providers(config)
    assert deep.model == "deepseek-reasoner" and deep.allow_slow_model
    assert deep.timeout_s == 900.0 and deep.stall_timeout_s == POST_PROVIDER_DEFAULTS["stall_timeout_s"]
    assert config.providers == DEFAULT_PROVIDERS  # the live chain is untouched
    assert load_config(save_config(config, tmp_path / "again.toml")) == replace(config, path=tmp_path / "again.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[post]\ncolour = 1\n", "[post]: unknown key 'colour'"),
        ("[post]\nmax_request_tokens = 100\n", "[post]: max_request_tokens must be a whole number of at least 2000"),
        ("[post]\noverlap_tokens = 9000\n", "[post]: overlap_tokens must be at most a quarter of max_request_tokens"),
        ("post = 3\n", "[post] must be a table"),
        ('[[post.providers]]\nname = "x"\nkind = "openai"\nmodel = "m"\n', "post provider 'x': missing key 'base_url'"),
    ],
)
def test_bad_post_table_is_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_no_usable_review_provider_names_each_reason() -> None:
    record = SessionRecord(header={}, chunks=transcript(3))
    with pytest.raises(
        ConfigError, match=r"no provider is usable for the review.*claude: no key: set \$ANTHROPIC_API_KEY"
    ):
        estimate_review(record, Config(), keys={})


# --------------------------------------------------------------------------- parts


@pytest.mark.parametrize(
    ("lines", "post"), [(60, SMALL), (200, SMALL), (70, PostConfig(max_request_tokens=2600, overlap_tokens=30))]
)
def test_parts_fit_the_budget_and_every_neighbouring_pair_shares_a_part(lines: int, post: PostConfig) -> None:
    chunks = transcript(lines)
    record = SessionRecord(header={}, chunks=chunks, analyses=(analysis_with(chunks[7], ("x", "y")),))
    plan = plan_review(record, post)
    assert len(plan.parts) >= 3
    covered = [i for part in plan.parts for i in range(part.first, part.end)]
    assert set(covered) == set(range(lines))  # nothing left out
    for i in range(lines - 1):
        assert any(p.first <= i and i + 1 < p.end for p in plan.parts), f"lines {i} and {i + 1} never together"
    for part in plan.parts:  # even with the carried notes at their bound
        user = build_user_text(len(plan.parts), len(plan.parts), part, ["x" * 160] * 20, "x" * 1200)
        assert estimate_tokens(plan.system) + estimate_tokens(user) <= post.max_request_tokens
    assert [f.number for p in plan.parts for f in p.flags][:1] == [1]  # the flag travels with its statement's line


def test_lines_within_the_overlap_share_a_part() -> None:
    chunks = transcript(120)
    plan = plan_review(SessionRecord(header={}, chunks=chunks), SMALL)
    per_line = estimate_tokens(plan.lines[0]) + 1
    reach = SMALL.overlap_tokens // per_line  # this many lines apart still share a part
    assert reach >= 2
    for i in range(len(chunks) - reach):
        assert any(p.first <= i and i + reach < p.end for p in plan.parts)


def test_a_short_session_is_one_part_and_an_empty_one_is_refused() -> None:
    assert len(plan_review(SessionRecord(header={}, chunks=transcript(5)), PostConfig()).parts) == 1
    with pytest.raises(InputError, match="no transcript to review"):
        estimate_review(
            SessionRecord(header={}), Config(providers=(ProviderConfig("l", "openai", "http://127.0.0.1:9/v1", "m"),))
        )


# --------------------------------------------------------------------------- the estimate


async def test_estimate_matches_the_usage_the_server_reports(fault_server: FaultServer) -> None:
    priced = {"price_in_per_mtok": 3.0, "price_out_per_mtok": 15.0}
    chunks = transcript(30)
    record = SessionRecord(header={}, chunks=chunks, analyses=(analysis_with(chunks[12], ("a", "b")),))
    reply = review_json(summary="A summary " * 40)
    fault_server.set_default(Reply.ok(reply))
    config = config_for(fault_server, "strong", **priced)
    estimate = estimate_review(record, config, keys={})
    assert (estimate.provider, estimate.parts, estimate.live_flags, estimate.priced) == ("strong", 1, 1, True)
    review = await review_record(record, config, keys={})
    (attempt,) = review.attempts
    (request,) = fault_server.requests
    assert (
        attempt.input_tokens == request.size // 4 and attempt.output_tokens == len(reply) // 4
    )  # reported, not guessed
    # the fault server counts the whole JSON body (escapes, field names, stream_options) at 4 bytes a token
    assert abs(estimate.input_tokens - attempt.input_tokens) / attempt.input_tokens < 0.08
    assert attempt.cost_usd == pytest.approx((attempt.input_tokens * 3.0 + attempt.output_tokens * 15.0) / 1e6)
    assert attempt.cost_usd <= estimate.max_cost_usd
    assert attempt.output_tokens <= estimate.max_output_tokens
    assert estimate.cost_usd == pytest.approx((estimate.input_tokens * 3.0 + estimate.output_tokens * 15.0) / 1e6)

    claims = [fit(f"[01:{i:02d}] Candidate: claim number {i} about the payments team", 100) for i in range(20)]
    fault_server.set_default(Reply.ok(review_json(claims=claims, summary="So far " * 80)))  # notes of a typical size
    long = SessionRecord(header={}, chunks=transcript(90))
    config = config_for(fault_server, "strong", post=SMALL, **priced)
    estimate = estimate_review(long, config, keys={})
    review = await review_record(long, config, keys={})
    assert estimate.parts == review.parts > 1
    assert review.input_tokens <= estimate.max_input_tokens
    assert abs(estimate.input_tokens - review.input_tokens) / review.input_tokens < 0.1
    assert review.cost_usd <= estimate.max_cost_usd


def test_the_reviews_hints_give_each_flag_its_earlier_line_cited_or_recalled() -> None:
    filler = [
        Chunk(i, "Candidate", i * 10.0, i * 10.0 + 8, f"We talked about topic number {i}.") for i in range(2, 200)
    ]
    chunks = (
        Chunk(0, "Candidate", 0.0, 8.0, "My current base salary is 140,000 dollars."),
        Chunk(1, "Candidate", 10.0, 18.0, "I joined Globex in March 2019."),
        *filler,
        Chunk(200, "Candidate", 2000.0, 2008.0, "Right now I make about 165k base, and I joined in 2021."),
    )
    cited = Contradiction("I joined in 2021", "joined Globex in March 2019", "Dates.", "L1")
    uncited = Contradiction("I make about 165k base", "salary was 140k", "Pay.")
    insight = Insight(Sentiment("neutral", 0.0), (cited, uncited))
    record = SessionRecord(header={}, chunks=chunks, analyses=(Analysis((200,), "", insight, "p", "m"),))
    first, second = with_earlier_lines(record, live_flags(record))
    assert first.earlier_line is chunks[1] and second.earlier_line is chunks[0]  # cited; recalled by the memory
    plan = plan_review(record, PostConfig(max_request_tokens=2400, overlap_tokens=120))
    assert len(plan.parts) > 1 and "140,000" not in plan.parts[-1].text  # the earlier lines lie in an earlier part
    hints = [f.to_prompt()["earlier_line"] for f in plan.parts[-1].flags]
    assert hints == [
        "[00:10] Candidate: I joined Globex in March 2019.",
        "[00:00] Candidate: My current base salary is 140,000 dollars.",
    ]
