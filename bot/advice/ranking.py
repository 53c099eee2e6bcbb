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

from smartstep.rules.engine import Candidate

USEFUL_PRIOR = 2.0  # pseudo-votes for and against usefulness before any rating
WORKED_PRIOR = 1.0  # pseudo-outcomes either way before any measured outcome
TEAM_SHRINK = 4.0  # how many team votes it takes to outweigh the rule's record across teams
STAGE_FIT = 1.15  # a step written for the team's maturity stage


@dataclass(frozen=True)
class Track:
    """What is known about a rule's advice (for one team, or across all teams)."""

    shown: int = 0
    up: int = 0
    down: int = 0
    done: int = 0
    worked: int = 0
    failed: int = 0  # measured after being done: no change or worse

    def __add__(self, other: Track) -> Track:
        return Track(*(a + b for a, b in zip(self.counts, other.counts, strict=True)))

    def __sub__(self, other: Track) -> Track:
        return Track(*(max(a - b, 0) for a, b in zip(self.counts, other.counts, strict=True)))

    @property
    def counts(self) -> tuple[int, ...]:
        return (self.shown, self.up, self.down, self.done, self.worked, self.failed)


@dataclass(frozen=True)
class PastSituation:
    """A similar earlier team-week where this step was done, and what followed."""

    team: str
    period: str
    metric: str
    before: float
    after: float
    verdict: str  # improved | no change | worse
    weeks: int
    similarity: float

    @property
    def outcome(self) -> str:
        from smartstep.definitions import load_definitions
        from smartstep.metrics.scorecard import format_value

        d = load_definitions().get(self.metric)
        short = d.name.split(" (")[-1].rstrip(")") if "(" in d.name else d.name
        return (
            f"{short} {format_value(self.before, d.unit)} → {format_value(self.after, d.unit)} "
            f"within {self.weeks} weeks ({self.verdict})"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "period": self.period,
            "outcome": self.outcome,
            "verdict": self.verdict,
            "similarity": round(self.similarity, 3),
        }


@dataclass(frozen=True)
class Learning:
    by_team: Mapping[tuple[str, str], Track] = field(default_factory=dict)  # (rule_id, team)
    by_rule: Mapping[str, Track] = field(default_factory=dict)
    snoozed: frozenset[tuple[str, str]] = frozenset()  # (rule_id, team) asked to stay quiet


@dataclass(frozen=True)
class Advice:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...] = ()
    similar_situations: tuple[PastSituation, ...] = ()
    advice_id: str | None = None
    drivers: tuple[dict[str, Any], ...] = ()  # what drives the target survey metric for this team
    symptoms: tuple[str, ...] = ()  # metrics of the related steps folded into this one

    @property
    def metrics(self) -> frozenset[str]:
        """Every metric this step is about: its target, its evidence, and the symptoms folded into it."""
        c = self.candidate
        return frozenset({*(m for m in (c.target,) if m), *(e.metric for e in c.evidence), *self.symptoms})

    def to_json(self) -> dict[str, Any]:
        """The advice shape in INTERFACE.md (stable fields first)."""
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
    weeks may have looked nothing like this one)."""
    others = rule - team
    across = 0.5 + 0.5 * (_share(others.worked, others.failed, 0.5, 2 * WORKED_PRIOR) - 0.5)
    weighted_good = sum(s.similarity for s in situations if s.verdict == "improved")
    weighted_bad = sum(s.similarity for s in situations if s.verdict != "improved")
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
) -> tuple[str, ...]:
    reasons = []
    votes = team.up + team.done + team.down
    pool, whose = (team, "leads here") if votes else (rule, "leads in other teams")
    votes = pool.up + pool.done + pool.down
    if votes:
        direction = "ranked up" if useful > 0.5 else "ranked down" if useful < 0.5 else "neutral"
        reasons.append(f"{direction}: {pool.up + pool.done} of {votes} {whose} found this useful")
    measured = rule.worked + rule.failed
    if measured:
        reasons.append(f"worked {rule.worked} of {measured} times it was done")
    improved = [s for s in past if s.verdict == "improved"]
    if improved:
        best = improved[0]
        reasons.append(f"worked before: {best.team}, {best.period} — {best.outcome}")
    if fits:
        reasons.append("fits the team's maturity stage")
    if team.shown == 0:
        reasons.append("new for this team")
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
        kept[kept.index(host)] = replace(
            host, reasons=_add_symptom(host.reasons, item, mine, definitions), symptoms=folded
        )
    return kept


MAX_SYMPTOMS_NAMED = 3


def _add_symptom(reasons: tuple[str, ...], item: Advice, metric: str, definitions: Any) -> tuple[str, ...]:
    named = [r for r in reasons if r.startswith("also shows in ")]
    if len(named) >= MAX_SYMPTOMS_NAMED:
        rest = [r for r in reasons if r.startswith("and ") and r.endswith("more related signs")]
        more = int(rest[0].split()[1]) + 1 if rest else 1
        return (*[r for r in reasons if r not in rest], f"and {more} more related signs")
    name = definitions.get(metric).name if metric in definitions.metrics else metric
    return (*reasons, f"also shows in {name}: {item.candidate.title[0].lower()}{item.candidate.title[1:]}")


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
