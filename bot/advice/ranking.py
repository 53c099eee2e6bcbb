"""Ranking candidate advice: the rule base's score, adjusted by what leads said about each step
and by whether it moved the numbers when it was done before.

Pure: candidates and plain learning facts in, `Advice` out. Priors keep one thumbs-down from
burying a rule, and a small bonus for rarely shown rules keeps them in rotation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from smartstep.advice.reasons import (
    LeadVotes,
    MoreSymptoms,
    NewForTeam,
    Reason,
    StageFit,
    Symptom,
    TrackRecord,
    WorkedBefore,
    reason_json,
)
from smartstep.advice.verdicts import PastSituation, Verdict
from smartstep.rules.engine import Candidate

USEFUL_PRIOR = 2.0  # pseudo-votes for and against usefulness before any rating
WORKED_PRIOR = 1.0  # pseudo-outcomes either way before any measured outcome
TEAM_SHRINK = 4.0  # how many team votes it takes to outweigh the rule's record across teams
STAGE_FIT = 1.15  # a step written for the team's maturity stage


@dataclass(frozen=True)
class Track:
    """What is known about a rule's advice (for one team, or across all teams).

    `worked` and `failed` are certainty-weighted (a verdict counts by how sure it is; a `cannot
    tell` counts nothing); `wins` and `measured` are the plain counts a lead reads."""

    shown: int = 0
    up: int = 0
    down: int = 0
    done: int = 0
    worked: float = 0.0
    failed: float = 0.0
    wins: int = 0
    measured: int = 0

    def __add__(self, other: Track) -> Track:
        return Track(*(a + b for a, b in zip(self.counts, other.counts, strict=True)))

    def __sub__(self, other: Track) -> Track:
        return Track(*(max(a - b, 0) for a, b in zip(self.counts, other.counts, strict=True)))

    @property
    def counts(self) -> tuple[float, ...]:
        return (self.shown, self.up, self.down, self.done, self.worked, self.failed, self.wins, self.measured)


@dataclass(frozen=True)
class Learning:
    by_team: Mapping[tuple[str, str], Track] = field(default_factory=dict)  # (rule_id, team)
    by_rule: Mapping[str, Track] = field(default_factory=dict)
    snoozed: frozenset[tuple[str, str]] = frozenset()  # (rule_id, team) asked to stay quiet


@dataclass(frozen=True)
class Advice:
    candidate: Candidate
    score: float
    why_ranked: tuple[Reason, ...] = ()  # kept as data; `reasons` renders them for people
    similar_situations: tuple[PastSituation, ...] = ()
    advice_id: str | None = None
    drivers: tuple[dict[str, Any], ...] = ()  # what drives the target survey metric for this team
    symptoms: tuple[str, ...] = ()  # metrics of the related steps folded into this one

    @property
    def metrics(self) -> frozenset[str]:
        """Every metric this step is about: its target, its evidence, and the symptoms folded into it."""
        c = self.candidate
        return frozenset({*(m for m in (c.target,) if m), *(e.metric for e in c.evidence), *self.symptoms})

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it ranked where it did, in words."""
        return tuple(r.text for r in self.why_ranked)

    def to_json(self) -> dict[str, Any]:
        """The advice shape in docs/interface.md (stable fields first)."""
        c = self.candidate
        return {
            "advice_id": self.advice_id,
            "rule_id": c.rule_id,
            "team": c.team,
            "title": c.title,
            "why": c.why,
            "steps": list(c.steps),
            "score": round(self.score, 4),
            "evidence": [e.as_dict() for e in c.evidence],
            "similar_situations": [s.as_dict() for s in self.similar_situations],
            "category": c.category,
            "period": c.period,
            "target": c.target,
            "reasons": list(self.reasons),
            "ranking": [reason_json(r) for r in self.why_ranked],
            "drivers": list(self.drivers),
        }


def _share(good: float, bad: float, prior_share: float, prior_weight: float) -> float:
    return (good + prior_share * prior_weight) / (good + bad + prior_weight)


def usefulness(team: Track, rule: Track) -> float:
    """Share of leads finding it useful (a done counts as useful), shrunk toward the rule's
    record in the other teams, which is itself shrunk toward 50%."""
    others = rule - team
    across = _share(others.up + others.done, others.down, 0.5, 2 * USEFUL_PRIOR)
    return _share(team.up + team.done, team.down, across, TEAM_SHRINK)


def success(team: Track, rule: Track, situations: Sequence[PastSituation]) -> float:
    """How often the step moved its metric: this team's own record, the most similar past
    situations weighted by similarity, and other teams' raw record only as a soft prior (their
    weeks may have looked nothing like this one). Every outcome counts by how sure its verdict is."""
    others = rule - team
    across = 0.5 + 0.5 * (_share(others.worked, others.failed, 0.5, 2 * WORKED_PRIOR) - 0.5)
    weighted_good = sum(s.similarity * s.outcome.success for s in situations)
    weighted_bad = sum(s.similarity * s.outcome.failure for s in situations)
    return _share(team.worked + weighted_good, team.failed + weighted_bad, across, TEAM_SHRINK)


def rank(
    candidates: Sequence[Candidate],
    learning: Learning,
    situations: Mapping[tuple[str, str], Sequence[PastSituation]] | None = None,
    stage_fit: frozenset[str] = frozenset(),
    k: int | None = None,
) -> list[Advice]:
    """Best first. Each learned multiplier stays within 0.5-1.5, so evidence still leads the order."""
    situations = situations or {}
    ranked = []
    for cand in candidates:
        key = (cand.rule_id, cand.team)
        if key in learning.snoozed:
            continue
        team, rule = learning.by_team.get(key, Track()), learning.by_rule.get(cand.rule_id, Track())
        past = tuple(situations.get(key, ()))
        useful, worked = usefulness(team, rule), success(team, rule, past)
        explore = 1 + 0.1 / (1 + team.shown)  # a rule seldom shown to this team gets a look now and then
        fit = STAGE_FIT if cand.rule_id in stage_fit else 1.0
        score = cand.score * (0.5 + useful) * (0.5 + worked) * explore * fit
        ranked.append(Advice(cand, score, _reasons(team, rule, past, fit > 1, useful, worked), past))
    ranked.sort(key=lambda a: (-a.score, a.candidate.team, a.candidate.rule_id))
    return ranked[:k] if k else ranked


def _reasons(
    team: Track, rule: Track, past: Sequence[PastSituation], fits: bool, useful: float, worked: float
) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    here = bool(team.up + team.done + team.down)
    pool = team if here else rule
    votes = pool.up + pool.done + pool.down
    if votes:
        reasons.append(LeadVotes(pool.up + pool.done, votes, here, useful))
    if rule.measured:
        reasons.append(TrackRecord(rule.wins, rule.measured, worked))
    improved = [s for s in past if s.verdict is Verdict.WORKED]
    if improved:
        reasons.append(WorkedBefore(improved[0]))
    if fits:
        reasons.append(StageFit())
    if team.shown == 0:
        reasons.append(NewForTeam())
    return tuple(reasons)


SYMPTOM_CORRELATION = 0.6  # linked metrics moving this closely together over the window tell one story
SYMPTOM_WEEKS = 10


def fold_symptoms(advice: Sequence[Advice], series: Mapping[tuple[str, str], Sequence[float]]) -> list[Advice]:
    """Fold a step into a better-ranked step for the same team when both are about the same
    metric, or about metrics where one drives the other (metrics.yaml `drives`) and that have
    moved together lately: a growing backlog and the Time to Smile it causes are one story with
    a symptom, not two steps."""
    from smartstep.definitions import load_definitions

    definitions = load_definitions()
    kept: list[Advice] = []
    for item in advice:
        team, mine = item.candidate.team, _primary(item)
        host = next(
            (
                k
                for k in kept
                if k.candidate.team == team
                and _same_story(
                    mine, _primary(k), series.get((team, mine), ()), series.get((team, _primary(k)), ()), definitions
                )
            ),
            None,
        )
        if host is None:
            kept.append(item)
            continue
        folded = (*host.symptoms, *(m for m in item.metrics if m not in host.symptoms))
        kept[kept.index(host)] = replace(host, why_ranked=_add_symptom(host.why_ranked, item, mine), symptoms=folded)
    return kept


MAX_SYMPTOMS_NAMED = 3


def _add_symptom(reasons: tuple[Reason, ...], item: Advice, metric: str) -> tuple[Reason, ...]:
    named = sum(1 for r in reasons if isinstance(r, Symptom))
    if named < MAX_SYMPTOMS_NAMED:
        return (*reasons, Symptom(metric, item.candidate.title))
    more = next((r.count for r in reasons if isinstance(r, MoreSymptoms)), 0)
    return (*[r for r in reasons if not isinstance(r, MoreSymptoms)], MoreSymptoms(more + 1))


def primary_metric(item: Advice) -> str:
    """The metric a step is mainly about: its target, else its first evidence."""
    return _primary(item)


def _primary(item: Advice) -> str:
    c = item.candidate
    return c.target or (c.evidence[0].metric if c.evidence else "")


def _same_story(a: str, b: str, xs: Sequence[float], ys: Sequence[float], definitions: Any) -> bool:
    if a == b:
        return True
    if not definitions.linked(a, b):
        return False
    n = min(len(xs), len(ys), SYMPTOM_WEEKS)
    if n < 6:
        return False
    x, y = np.asarray(xs[-n:], dtype=float), np.asarray(ys[-n:], dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 6 or x[ok].std() == 0 or y[ok].std() == 0:
        return False
    return abs(float(np.corrcoef(x[ok], y[ok])[0, 1])) >= SYMPTOM_CORRELATION


def with_ids(advice: Sequence[Advice], ids: Sequence[str]) -> list[Advice]:
    return [replace(a, advice_id=i) for a, i in zip(advice, ids, strict=True)]
