"""The engine: rules × every team's metric history → ranked candidate advice with evidence.

Pure: plain data in (history, current week, facts), frozen dataclasses out. Conditions are
evaluated for all teams at once; evidence objects are built only where a rule fired.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from smartstep.metric_values import History
from smartstep.rules.conditions import Result, evaluate_condition, lookback
from smartstep.rules.model import STAGES, Rule
from smartstep.rules.snapshot import NOISE_WEEKS, Snapshot, add_signals, build_snapshot
from smartstep.weeks import week_start

WORSE_MARGIN = 0.02  # a repeat inside the cooldown needs evidence at least this much stronger


@dataclass(frozen=True)
class Evidence:
    metric: str
    team: str
    value: float | None
    previous: float | None
    change: float | None
    period: str
    n: int | None = None
    label: str | None = None  # what a signal is about, e.g. the repeated problem's subject

    def as_dict(self) -> dict[str, Any]:
        keys = ("metric", "team", "value", "previous", "change", "period", "n")
        return {k: getattr(self, k) for k in keys} | ({"label": self.label} if self.label else {})


@dataclass(frozen=True)
class Candidate:
    rule_id: str
    team: str
    title: str
    category: str
    why: str
    steps: tuple[str, ...]
    score: float
    strength: float
    evidence: tuple[Evidence, ...]
    period: str
    audience: tuple[str, ...] = ("lead",)
    target: str | None = None


@dataclass(frozen=True)
class LastFired:
    """When a rule last fired for a team and how strong its evidence was then."""

    period: str
    strength: float


@dataclass(frozen=True)
class Facts:
    """Plain facts beyond metrics: maturity stage per dimension, and recent firings."""

    stages: Mapping[str, str] = field(default_factory=dict)
    last_fired: Mapping[tuple[str, str], LastFired] = field(default_factory=dict)
    signals: Mapping[tuple[str, str], tuple[float, str]] = field(default_factory=dict)  # (team, name) -> (value, label)


@dataclass(frozen=True)
class Evaluation:
    candidates: tuple[Candidate, ...]  # best first
    held_back: tuple[Candidate, ...] = ()  # fired, but inside their cooldown without worse evidence


def weeks_needed(rules: Iterable[Rule]) -> int:
    return max([NOISE_WEEKS, *(lookback(r.when) for r in rules)])


def evaluate(
    rules: Sequence[Rule],
    history: History,
    current: str,
    facts: Facts | None = None,
    teams: Iterable[str] | None = None,
) -> Evaluation:
    """Every rule against every team (or `teams`) as of ISO week `current`."""
    facts = facts or Facts()
    snap = build_snapshot(history, current, weeks_needed(rules), teams)
    add_signals(snap, facts.signals)
    return evaluate_snapshot(rules, snap, facts)


def evaluate_snapshot(rules: Sequence[Rule], snap: Snapshot, facts: Facts) -> Evaluation:
    fired: list[Candidate] = []
    for rule in rules:
        if not stage_allows(rule, facts.stages):
            continue
        fired += rule_candidates(rule, snap)
    keep, held = apply_cooldown(fired, {r.id: r for r in rules}, facts.last_fired, snap.periods[-1])
    keep.sort(key=lambda c: (-c.score, c.team, c.rule_id))
    return Evaluation(tuple(keep), tuple(held))


def stage_allows(rule: Rule, stages: Mapping[str, str]) -> bool:
    """A stage requirement holds only when the stage is known and inside the range."""
    need = rule.requires.stage
    if need is None:
        return True
    stage = stages.get(need.dimension)
    if stage not in STAGES:
        return False
    return STAGES.index(need.min) <= STAGES.index(stage) <= STAGES.index(need.max)


def rule_candidates(rule: Rule, snap: Snapshot) -> list[Candidate]:
    result = evaluate_condition(snap, rule.when)
    out = []
    for row in np.flatnonzero(result.fired):
        severity = 1.0 if result.severity is None else max(float(result.severity[row]), 0.0)
        strength = 0.25 + 0.75 * (1.0 - math.exp(-severity))
        evidence = tuple(_evidence(result, int(row), snap))
        out.append(
            Candidate(
                rule_id=rule.id,
                team=snap.teams[row],
                title=rule.title,
                category=rule.category,
                why=render_why(rule.why, snap.teams[row], snap.periods[-1], evidence),
                steps=tuple(rule.steps),
                score=round(rule.weight * strength, 4),
                strength=round(strength, 4),
                evidence=evidence,
                period=snap.periods[-1],
                audience=tuple(rule.audience),
                target=rule.target,
            )
        )
    return out


def _number(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


def _evidence(result: Result, row: int, snap: Snapshot) -> list[Evidence]:
    if result.negated or not result.fired[row]:
        return []
    out: list[Evidence] = []
    for arrays in result.evidence:
        value, previous = _number(arrays.value[row]), _number(arrays.previous[row])
        change = None if value is None or previous is None else round(value - previous, 4)
        column = -1 if arrays.period is None else int(arrays.period[row])
        n = arrays.n[row]
        count = None if math.isnan(n) else int(n)
        label = arrays.labels[row] if arrays.labels else None
        out.append(
            Evidence(arrays.metric, snap.teams[row], value, previous, change, snap.periods[column], count, label)
        )
    for child in result.children:
        out += _evidence(child, row, snap)
    return out


class _Number(float):
    """A number that prints tidily when the template gives no format."""

    def __format__(self, spec: str) -> str:
        if spec:
            return format(float(self), spec)
        return f"{float(self):.2f}".rstrip("0").rstrip(".") if abs(self) < 100 else f"{float(self):.0f}"


class _Missing:
    def __format__(self, spec: str) -> str:
        return "n/a"


class _Fields(dict):
    def __missing__(self, key: str) -> Any:
        return _Missing()


def template_values(team: str, period: str, evidence: Sequence[Evidence]) -> dict[str, Any]:
    values: dict[str, Any] = {"team": team, "period": period}
    for e in evidence:
        if f"{e.metric}_value" in values:
            continue
        fields = {"value": e.value, "previous": e.previous, "change": e.change, "n": e.n, "period": e.period}
        fields["label"] = e.label
        if e.change is not None:
            fields["abs_change"] = abs(e.change)
            if e.previous:
                fields["pct_change"] = 100.0 * e.change / abs(e.previous)
        for key, val in fields.items():
            if val is not None:
                values[f"{e.metric}_{key}"] = _Number(val) if isinstance(val, float | int) else val
    return values


def render_why(template: str, team: str, period: str, evidence: Sequence[Evidence]) -> str:
    """Fill the template with plain names only: the model refused attribute/index access and odd formats."""
    return template.format_map(_Fields(template_values(team, period, evidence)))


def apply_cooldown(
    candidates: list[Candidate],
    rules: Mapping[str, Rule],
    last_fired: Mapping[tuple[str, str], LastFired],
    current: str,
) -> tuple[list[Candidate], list[Candidate]]:
    """Hold back a repeat within the rule's cooldown unless its evidence got stronger.

    A firing in the current week is not a repeat: showing the same advice twice in one week
    (digest and a question) is the same advice.
    """
    keep, held = [], []
    now = week_start(current)
    for cand in candidates:
        last = last_fired.get((cand.rule_id, cand.team))
        if last is not None:
            days = (now - week_start(last.period)).days
            if 0 < days < rules[cand.rule_id].cooldown and cand.strength <= last.strength + WORSE_MARGIN:
                held.append(cand)
                continue
        keep.append(cand)
    return keep, held
