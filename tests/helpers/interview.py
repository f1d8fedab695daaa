"""Scripted interviews with planted long-range contradictions, and the "oracle" model that finds them.

    script = interview(SCRIPT_A, minutes=60)            # chunks (about one every 10 s) and the planted pairs
    oracle = Oracle(script.pairs)
    server.set_default(Reply.answering(oracle))          # tests.helpers.faultserver: real HTTP on 127.0.0.1
    ...                                                  # analyse script.chunks one request each
    caught = oracle.caught(analyses)                     # pairs whose contradiction came back

The oracle is a perfect model with no memory of its own: it flags a planted
pair exactly when both statements are in the request (the later one in the new
text, the earlier one anywhere before it: the carried claims or the earlier
statements quoted), citing the earlier statement's id when the prompt gave one.
As claims it carries the last ``max_claims`` lines it was sent, verbatim: the
best a model's claims list can do for the old design.

Distractors: most lines talk about the same companies, teams, numbers and
years as the planted pairs, without contradicting anything.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.models import Analysis, Chunk


@dataclass(frozen=True)
class Pair:
    earlier: str
    later: str
    kind: str  # "words": they share key words; "paraphrase": they share (almost) none


@dataclass(frozen=True)
class Vocabulary:
    companies: tuple[str, ...]
    teams: tuple[str, ...]
    tech: tuple[str, ...]
    people: tuple[str, ...]
    projects: tuple[str, ...]
    customers: tuple[str, ...]
    candidate: tuple[str, ...]  # distractor templates for the candidate
    interviewer: tuple[str, ...]  # question templates


@dataclass(frozen=True)
class Script:
    name: str
    vocabulary: Vocabulary
    pairs: tuple[Pair, ...]


@dataclass(frozen=True)
class Interview:
    chunks: tuple[Chunk, ...]
    pairs: tuple[Pair, ...]
    distances: tuple[int, ...]  # lines between each pair's two statements


NUMBERS = ("two", "three", "four", "five", "six", "eight", "ten", "twelve", "fifteen", "twenty", "thirty", "forty")
DURATIONS = ("two weeks", "a month", "three months", "six months", "a year", "two years", "four years", "a quarter")
YEARS = ("2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023")

_SLOT = re.compile(r"\{(\w+?)(\d?)\}")


def _fill(template: str, v: Vocabulary, rng: random.Random) -> str:
    pools = {
        "company": v.companies,
        "team": v.teams,
        "tech": v.tech,
        "person": v.people,
        "project": v.projects,
        "customer": v.customers,
        "n": NUMBERS,
        "dur": DURATIONS,
        "year": YEARS,
    }
    return _SLOT.sub(lambda m: rng.choice(pools[m.group(1)]), template)


def interview(script: Script, *, minutes: float = 60, seed: int = 14, line_s: float = 10.0) -> Interview:
    """The script as chunks: an interviewer's question, then one or two
    candidate answers, a line every ``line_s`` seconds; the planted pairs'
    earlier statements in the first third, their later ones 110-270 lines on."""
    rng = random.Random(seed)
    total = int(minutes * 60 / line_s)
    v = script.vocabulary
    slots: dict[int, str] = {}
    distances = []
    candidate_lines = [i for i in range(total) if i % 3 != 0]
    for n, pair in enumerate(script.pairs):
        for _ in range(1000):
            early = rng.choice([i for i in candidate_lines if i < total - 120])
            gap = rng.randint(110, 270)
            late = early + gap + (1 if (early + gap) % 3 == 0 else 0)
            if late < total and early not in slots and late not in slots:
                slots[early], slots[late] = pair.earlier, pair.later
                distances.append(late - early)
                break
        else:  # pragma: no cover - the script is too short for its pairs
            raise ValueError(f"no room for pair {n} in {total} lines")
    chunks = []
    for i in range(total):
        interviewer = i % 3 == 0
        if i in slots:
            text = slots[i]
        elif interviewer:
            text = _fill(rng.choice(v.interviewer), v, rng)
        else:
            text = " ".join(_fill(rng.choice(v.candidate), v, rng) for _ in range(rng.choice((1, 1, 2))))
        start = i * line_s
        chunks.append(Chunk(i + 1, "Interviewer" if interviewer else "Candidate", start, start + line_s - 1, text))
    return Interview(tuple(chunks), script.pairs, tuple(distances))


class Oracle:
    """A perfect model for planted pairs (see the module doc). Thread-safe
    enough for one request at a time, as the analyser sends them."""

    def __init__(self, pairs: Sequence[Pair], max_claims: int = 8) -> None:
        self.pairs = tuple(pairs)
        self.max_claims = max_claims

    def __call__(self, prompt: str) -> str:
        head, _, new = prompt.rpartition("New transcript text:\n")
        contradictions = []
        for pair in self.pairs:
            if pair.later in new and pair.earlier in head:
                cited = re.search(r"^(L\d+) \[[^\]]*\][^\n]*" + re.escape(pair.earlier), head, re.MULTILINE)
                contradictions.append(
                    {
                        "statement": pair.later,
                        "earlier": pair.earlier,
                        "explanation": "The two statements disagree.",
                        **({"earlier_id": cited.group(1)} if cited else {}),
                        "follow_up": "Could you walk me through that again?",
                    }
                )
        state = re.search(r"^Previous state:\n(\{.*\})$", head, re.MULTILINE)
        claims = list(json.loads(state.group(1))["claims"]) if state else []
        for line in new.splitlines():
            claims.append(line.split(": ", 1)[-1])
        return json.dumps(
            {
                "sentiment": {"label": "neutral", "score": 0.0},
                "contradictions": contradictions,
                "claims": claims[-self.max_claims :],
                "summary": "Noted.",
            }
        )

    def caught(self, analyses: Sequence[Analysis]) -> list[Pair]:
        found = {(c.statement, c.earlier) for a in analyses if a.insight for c in a.insight.contradictions}
        return [p for p in self.pairs if (p.later, p.earlier) in found]


# -- the scripts ----------------------------------------------------------------------------------

_CANDIDATE_A = (
    "{company} had about {n} hundred employees when I was there.",
    "Our {team} team worked closely with the {team} group at {company}.",
    "We spent {dur} evaluating {tech} before we picked {tech}.",
    "{person} led the {team} team at {company} for {dur}.",
    "Honestly {company} paid better than {company}, but the work was less interesting.",
    "The {project} project at {company} took {dur} and had {n} engineers on it.",
    "In {year} we moved the {project} service from {tech} to {tech}.",
    "{customer} was a customer of {company} for {dur}.",
    "I mentored {n} interns over {dur} on the {team} team.",
    "{person} joined {company} in {year} as a {team} engineer.",
    "The {team} team at {company} was never more than {n} people.",
    "We had {n} on-call engineers rotating every {dur}.",
    "{customer} signed a contract with {company} in {year}.",
    "I liked the {team} work more than the {project} work, to be honest.",
    "My manager {person} had been at {company} for {dur}.",
    "Our salary bands at {company} were public, which I liked.",
    "We never used {tech} for the {project} service, only for internal tools.",
    "The office in {company}'s headquarters had {n} meeting rooms, always booked.",
    "I studied {tech} on my own for {dur} before using it at work.",
    "{company} was acquired by {company} in {year}.",
)
_INTERVIEWER_A = (
    "Can you tell me more about the {team} team at {company}?",
    "How long did the {project} project take?",
    "What was your role in the {project} service?",
    "How many people were on the {team} team?",
    "Why did you pick {tech} over {tech}?",
    "What did {customer} need from you?",
    "How did you work with {person}?",
    "What happened in {year} at {company}?",
    "What would you do differently on {project}?",
)

SCRIPT_A = Script(
    "script A (tuning)",
    Vocabulary(
        companies=("Globex", "Initech", "Umbrella", "Hooli"),
        teams=("platform", "data", "billing", "mobile", "infrastructure"),
        tech=("Kubernetes", "Postgres", "Kafka", "Terraform", "Python", "Go"),
        people=("Maria", "Tom", "Priya", "Jonas", "Wei"),
        projects=("billing", "search", "ledger", "onboarding", "migration"),
        customers=("Umbrella", "Vandelay", "Stark", "Wayne"),
        candidate=_CANDIDATE_A,
        interviewer=_INTERVIEWER_A,
    ),
    (
        Pair("I joined Globex in March 2019, right after the acquisition.", "When I joined Globex in 2021 the acquisition was long done.", "words"),
        Pair("I've been leading the platform team for about three years now.", "I only took over as platform lead eighteen months ago.", "words"),
        Pair("My team at Globex is eleven engineers.", "I manage a group of twenty-five people on the platform side.", "paraphrase"),
        Pair("I have never run Kubernetes in production myself.", "I administered the production Kubernetes clusters for years.", "words"),
        Pair("I left Initech because they closed the Austin office.", "Initech let me go in a round of layoffs; the Austin site is still open today.", "words"),
        Pair("My current base salary is 140,000 dollars.", "Right now I make about 165k base.", "paraphrase"),
        Pair("I have a master's degree in computer science from Ohio State.", "I never finished university, I'm completely self-taught.", "paraphrase"),
        Pair("I have always worked remotely and never relocated for a job.", "I moved my family to Denver for the Globex role.", "paraphrase"),
        Pair("The migration to Postgres took us six months.", "We finished moving everything onto Postgres in about three weeks.", "words"),
        Pair("I personally wrote the billing service from scratch.", "The billing service was already built when I arrived; I maintained it.", "words"),
        Pair("Umbrella was our biggest customer, about 40 percent of revenue.", "Umbrella was a small account for us, under 5 percent of sales.", "words"),
        Pair("I was promoted to senior engineer in 2020.", "They gave me the senior title only last year, in 2023.", "paraphrase"),
    ),
)  # fmt: skip

_CANDIDATE_B = (
    "{company} grew to {n} offices while I was there.",
    "The {team} group sat next to the {team} people at {company}.",
    "{person} ran the {project} rewrite for {dur}.",
    "We benchmarked {tech} against {tech} for {dur}.",
    "{customer} renewed with {company} in {year}.",
    "I think {company} had a better culture than {company}.",
    "Our {project} pipeline processed {n} million events a day.",
    "{person} was hired into the {team} team in {year}.",
    "We rotated on-call across {n} people on the {team} side.",
    "I spent {dur} learning {tech} at night.",
    "The {team} department at {company} reported to {person}.",
    "We shipped the {project} feature for {customer} after {dur}.",
    "{company} opened a second office in {year}.",
    "My favourite part of {company} was the {team} guild.",
    "{person} left {company} for {company} in {year}.",
    "We paid {customer} a penalty once because {project} was down for {dur}.",
)
_INTERVIEWER_B = (
    "Walk me through the {project} work at {company}.",
    "Who did you report to on the {team} side?",
    "How did {customer} use the {project} system?",
    "What was hard about {tech}?",
    "What changed in {year}?",
    "How big was {company} when you started?",
    "What did {person} think of that?",
)

SCRIPT_B = Script(
    "script B (written before tuning)",
    Vocabulary(
        companies=("Soylent", "Vandelay", "Massive Dynamic", "Cyberdyne"),
        teams=("payments", "search", "security", "growth", "ML"),
        tech=("Spark", "Redis", "Rust", "React", "Snowflake", "Airflow"),
        people=("Aisha", "Carlos", "Mei", "Olaf", "Sven"),
        projects=("checkout", "fraud", "recommendations", "reporting", "ingest"),
        customers=("Acme", "Tyrell", "Oscorp", "Wonka"),
        candidate=_CANDIDATE_B,
        interviewer=_INTERVIEWER_B,
    ),
    (
        Pair("I was at Vandelay for five years before moving on.", "My time at Vandelay was short, barely a year.", "words"),
        Pair("The fraud model I built cut chargebacks by half.", "Chargebacks went down a little, maybe ten percent, after the fraud work.", "words"),
        Pair("I had twelve direct reports on the payments team.", "Nobody reported to me; I was an individual contributor.", "paraphrase"),
        Pair("I don't have any experience with Rust.", "Most of my last two years was writing Rust services.", "words"),
        Pair("Soylent hired me in January 2018.", "I started at Soylent in the summer of 2020.", "paraphrase"),
        Pair("I was the one who chose Snowflake for reporting.", "Snowflake was picked by the CTO before I got there.", "words"),
        Pair("My notice period is two weeks, I can start right away.", "I'd need three months before I could join you.", "paraphrase"),
        Pair("I quit Cyberdyne on my own terms to travel.", "Cyberdyne fired me after the reorganisation.", "paraphrase"),
        Pair("Our checkout conversion went from 2 to 4 percent.", "Checkout conversion barely moved during my time.", "words"),
        Pair("I've only ever worked at startups.", "At a corporation of eighty thousand employees like Massive Dynamic, you learn patience.", "paraphrase"),
        Pair("I wrote the ingest service alone over a weekend.", "The ingest service was a six-person effort over a quarter.", "words"),
        Pair("Acme was a happy customer the whole time.", "Acme threatened to cancel every renewal.", "words"),
    ),
)  # fmt: skip

_CANDIDATE_C = (
    "At {company} the {team} org had {n} squads.",
    "{person} and I paired on {project} for {dur}.",
    "We replaced {tech} with {tech} in {year}.",
    "{customer} paid {company} roughly {n} thousand a month.",
    "The {project} launch slipped by {dur} because of {tech}.",
    "{person} moved from {company} to {company} in {year}.",
    "Our {team} standup had {n} people on a good day.",
    "I enjoyed the {project} work; {person} was a great lead.",
    "{company} had offices in {n} countries.",
    "We spent {dur} on the {project} postmortem.",
    "{customer} churned from {company} in {year}.",
    "The {team} budget at {company} doubled in {year}.",
    "I think {tech} is overrated, but {tech} is fine.",
    "We hired {n} contractors for {project} over {dur}.",
)
_INTERVIEWER_C = (
    "Tell me about {project} at {company}.",
    "How did the {team} org work with {customer}?",
    "What did you think of {tech}?",
    "How many people worked on {project}?",
    "What happened with {person}?",
    "Where were you in {year}?",
)

SCRIPT_C = Script(
    "script C (held out, written after tuning)",
    Vocabulary(
        companies=("Pied Piper", "Nakatomi", "Oceanic", "Weyland"),
        teams=("devops", "frontend", "analytics", "support", "QA"),
        tech=("Java", "Elixir", "Vue", "BigQuery", "Jenkins", "GraphQL"),
        people=("Dana", "Farid", "Lena", "Nico", "Yuki"),
        projects=("compression", "dashboard", "billing portal", "mobile app", "API gateway"),
        customers=("Hooli", "Initrode", "Gringotts", "Aperture"),
        candidate=_CANDIDATE_C,
        interviewer=_INTERVIEWER_C,
    ),
    (
        Pair("I spent seven years at Nakatomi, my longest job.", "Nakatomi was a quick stop, about ten months.", "words"),
        Pair("I have never been on call in my life.", "I carried the pager every other week at Oceanic.", "paraphrase"),
        Pair("The compression engine was entirely my design.", "Dana designed the compression engine and I tested it.", "words"),
        Pair("I speak fluent Japanese from living in Osaka.", "I don't speak any foreign languages, sadly.", "paraphrase"),
        Pair("We had a QA team of thirty at Weyland.", "Weyland had no QA people at all, developers tested everything.", "words"),
        Pair("I graduated from MIT in 2012.", "I dropped out of college after my first year.", "paraphrase"),
        Pair("My last salary was ninety thousand dollars.", "I was paid around 130k at my last job.", "paraphrase"),
        Pair("The dashboard had over a million daily users.", "Only a few hundred people ever used the dashboard.", "words"),
        Pair("I left Pied Piper because the funding ran out.", "I'm actually still employed at Pied Piper today.", "words"),
        Pair("I prefer working alone, I dislike pairing.", "Pair programming all day is my favourite way to work.", "paraphrase"),
        Pair("We migrated the API gateway to GraphQL in 2019.", "The API gateway never used GraphQL, it was always REST.", "words"),
        Pair("I reported directly to the CEO at Oceanic.", "At Oceanic there were four layers of management above me.", "paraphrase"),
    ),
)  # fmt: skip

_CANDIDATE_D = (
    "The {team} unit at {company} shipped {n} releases a year.",
    "{person} owned the {project} roadmap for {dur}.",
    "We tried {tech} for {dur} and then went back to {tech}.",
    "{customer} asked {company} for the {project} feature in {year}.",
    "Our {team} retro ran every {dur}, {n} people usually.",
    "{company} and {company} merged their {team} groups in {year}.",
    "I remember {person} presenting {project} to {customer}.",
    "There were {n} product managers at {company} overall.",
    "The {project} beta had {n} hundred testers for {dur}.",
    "{person} was promoted to head of {team} in {year}.",
    "We lost {customer} to a competitor in {year}, which hurt {company}.",
    "{tech} dashboards tracked the {project} funnel.",
)
_INTERVIEWER_D = (
    "How did the {project} roadmap come together at {company}?",
    "What did {customer} think of {project}?",
    "Who on the {team} side did you rely on?",
    "Why {tech}?",
    "What was {year} like at {company}?",
    "How did you and {person} split the work?",
)

SCRIPT_D = Script(
    "script D (held out, written after the final tuning)",
    Vocabulary(
        companies=("Dunder Mifflin", "Prestige Worldwide", "Sterling Cooper", "Bluth"),
        teams=("product", "design", "marketing", "sales", "research"),
        tech=("Amplitude", "Figma", "Jira", "Looker", "Mixpanel", "Notion"),
        people=("Pam", "Roger", "Joan", "Gob", "Ines"),
        projects=("pricing page", "onboarding flow", "loyalty program", "checkout redesign", "referral program"),
        customers=("Staples", "Lucky Strike", "Vance Refrigeration", "Sabre"),
        candidate=_CANDIDATE_D,
        interviewer=_INTERVIEWER_D,
    ),
    (
        Pair("I launched the loyalty program at Bluth in 2017.", "The loyalty program at Bluth launched in 2020, after I had left.", "words"),
        Pair("I've run product for about eight years now.", "This is my first product role; before it I was in sales.", "paraphrase"),
        Pair("My team at Sterling Cooper was four designers and two researchers.", "At Sterling Cooper I was the only designer, nobody else.", "words"),
        Pair("The referral program doubled our signups in one quarter.", "The referral program had no measurable effect on signups.", "words"),
        Pair("I have never used Figma, we always did wireframes on paper.", "I built our whole design system in Figma.", "words"),
        Pair("I'm based in Chicago and I'm not willing to relocate.", "I'd happily move to Berlin for this position.", "paraphrase"),
        Pair("Staples was our largest account by far.", "We only ever had a pilot with Staples, it never became a contract.", "words"),
        Pair("I report to the chief executive directly.", "My boss is a mid-level manager in marketing.", "paraphrase"),
        Pair("My bonus last year was twenty percent of salary.", "We don't get any variable pay at Dunder Mifflin.", "paraphrase"),
        Pair("The checkout redesign took two sprints.", "We spent most of a year redoing the checkout.", "paraphrase"),
        Pair("I was hired at Prestige Worldwide straight out of school.", "I joined Prestige Worldwide after ten years in consulting.", "words"),
        Pair("I speak to customers every single week.", "Honestly I rarely talk to users; research does that.", "paraphrase"),
    ),
)  # fmt: skip


__all__ = ["SCRIPT_A", "SCRIPT_B", "SCRIPT_C", "SCRIPT_D", "Interview", "Oracle", "Pair", "Script", "interview"]
