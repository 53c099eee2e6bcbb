"""`rules lint`, `rules test` and `rules explain`: checking a rule base and saying what a rule means."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from smartstep.definitions import load_definitions
from smartstep.metrics.values import History, MetricValue, describe_where, segment_metric
from smartstep.rules import model as m
from smartstep.rules.engine import Facts, evaluate
from smartstep.rules.loader import RuleProblem, RuleSet, check_rules
from smartstep.weeks import shift_week

EXAMPLE_TEAM = "example"
EXAMPLE_WEEK = "2026-W26"  # any week works: examples are relative to "now"


def lint(paths: Path | Iterable[Path], signals: Mapping[str, str]) -> tuple[RuleSet | None, list[RuleProblem]]:
    """Schema problems plus warnings about rules whose examples prove little."""
    ruleset, problems = check_rules(paths, signals)
    if ruleset is not None:
        for rule in ruleset.rules:
            src = ruleset.sources[rule.id]
            outcomes = {e.fires for e in rule.examples}
            if outcomes != {True, False}:
                missing = "one that fires" if True not in outcomes else "one that does not fire"
                problems.append(
                    RuleProblem(src.path, src.line, src.col, f"rule '{rule.id}' has no example {missing}", "warning")
                )
    return ruleset, sorted(problems)


def example_history(example: m.Example, current: str = EXAMPLE_WEEK) -> History:
    """The example's weekly values as a history ending at `current` (the last value is now)."""
    history: History = {}
    teams = {EXAMPLE_TEAM: example.given, **example.others}
    for team, series in teams.items():
        for metric, values in series.items():
            start = len(values) - 1
            parts = example.details.get(metric, {}) if team == EXAMPLE_TEAM else {}
            history[(team, metric)] = [
                MetricValue(
                    team,
                    metric,
                    shift_week(current, i - start),
                    float(v),
                    n=example.n,
                    detail={part: series[i] for part, series in parts.items() if i < len(series)},
                )
                for i, v in enumerate(values)
                if v is not None
            ]
    return history


def example_fires(rule: m.Rule, example: m.Example) -> bool:
    signals = {(EXAMPLE_TEAM, name): (value, "an example problem") for name, value in example.signals.items()}
    history = example_history(example)
    # An example's values are the series its conditions read: over a `where:` cut, that cut's series.
    segments = {
        (team, segment_metric(metric, where)): values
        for where in m.condition_cuts(rule.when)
        for (team, metric), values in history.items()
    }
    facts = Facts(stages=dict(example.stage), signals=signals, segments=segments)
    result = evaluate([rule], history, EXAMPLE_WEEK, facts)
    return any(c.team == EXAMPLE_TEAM for c in result.candidates)


def run_examples(ruleset: RuleSet) -> tuple[int, list[RuleProblem]]:
    """Run every example; return how many ran and a problem for each that failed."""
    ran, failures = 0, []
    for rule in ruleset.rules:
        src = ruleset.sources[rule.id]
        for i, example in enumerate(rule.examples):
            ran += 1
            if example_fires(rule, example) != example.fires:
                line, col = src.examples[i] if i < len(src.examples) else (src.line, src.col)
                label = f" ({example.name})" if example.name else ""
                expected = "to fire but it did not" if example.fires else "not to fire but it did"
                failures.append(
                    RuleProblem(src.path, line, col, f"rule '{rule.id}' example {i + 1}{label}: expected {expected}")
                )
    return ran, failures


def _metric(name: str) -> str:
    return load_definitions().get(name).name if name in load_definitions().metrics else name


def _size(c: Any) -> str:
    if getattr(c, "by", None) is not None:
        return f" by at least {c.by:g}"
    if getattr(c, "by_percent", None) is not None:
        return f" by at least {c.by_percent:g}%"
    return ""


def _guard(c: Any) -> str:
    parts = []
    if getattr(c, "min_n", 0):
        parts.append(f"weeks with fewer than {c.min_n} answers ignored")
    if getattr(c, "min_total_n", 0):
        parts.append(f"at least {c.min_total_n} answers in all")
    return f" ({'; '.join(parts)})" if parts else ""


def describe(c: Any, indent: int = 0, signals: Mapping[str, str] | None = None) -> list[str]:
    """A condition in plain words, one line per condition, groups indented."""
    pad = "  " * indent
    if isinstance(c, m.AllOf | m.AnyOf):
        kids = c.all if isinstance(c, m.AllOf) else c.any
        head = "all of these hold:" if isinstance(c, m.AllOf) else "at least one of these holds:"
        return [pad + head] + [line for k in kids for line in describe(k, indent + 1, signals)]
    if isinstance(c, m.NotOf):
        return [pad + "this does NOT hold:"] + describe(c.not_, indent + 1, signals)
    return [pad + "- " + _leaf(c, signals or {}) + _guard(c)]


def _leaf(c: Any, signals: Mapping[str, str]) -> str:
    text = _leaf_text(c, signals)
    part = getattr(c, "part", None)
    if part:
        name = "the time outside support" if part == "outside_support" else f"the {part} part"
        text = text.replace(_metric(c.metric), f"{_metric(c.metric)} ({name})", 1)
    where = getattr(c, "where", None)
    if where:
        text += f", counting only tickets with {describe_where(where)}"
    return text


def _leaf_text(c: Any, signals: Mapping[str, str]) -> str:
    d = getattr(c, "direction", "")
    if isinstance(c, m.Threshold):
        side, line = ("above", c.above) if c.above is not None else ("below", c.below)
        return f"{_metric(c.metric)} is {side} {line:g} this week"
    if isinstance(c, m.Change):
        smooth = f" (means of {c.smooth} weeks)" if c.smooth > 1 else ""
        return f"{_metric(c.metric)} {d} over {c.weeks} weeks{_size(c)}{smooth}"
    if isinstance(c, m.Trend):
        noise = f"clearing the noise ({c.min_t:g} standard errors)"
        return f"{_metric(c.metric)} {d} steadily over the last {c.weeks} weeks{_size(c)}, {noise}"
    if isinstance(c, m.VersusTeams):
        return f"{_metric(c.metric)} {d} against the median of the other teams{_size(c)} (needs {c.min_teams}+ teams)"
    if isinstance(c, m.VersusBaseline):
        before = f"the {c.baseline_weeks} weeks before{_size(c)}"
        return f"{_metric(c.metric)} over the last {c.recent_weeks} weeks {d} against {before}"
    if isinstance(c, m.Diverging):
        worse = f"{_metric(c.worsening)} worsens by at least {c.by:g}"
        window = f"(the last {c.weeks} weeks against the {c.baseline_weeks} before)"
        return f"{_metric(c.steady)} holds within {c.within:g} while {worse} {window}"
    if isinstance(c, m.Signal):
        side, line = ("above", c.above) if c.above is not None else ("below", c.below)
        return f"{signals.get(c.name, c.name)} is {side} {line:g}"
    if isinstance(c, m.Freshness):
        return f"{_metric(c.metric)} has a value from the last {c.max_age_weeks + 1} week(s)"
    return str(c)


def explain_rule(rule: m.Rule, signals: Mapping[str, str] | None = None) -> list[str]:
    """The rule in plain words: what it looks for, why it matters, what to do."""
    lines = [f"{rule.id}: {rule.title}", f"Category: {rule.category}; for: {', '.join(rule.audience)}"]
    lines.append(
        f"Impact {rule.impact}/5, urgency {rule.urgency}/5; repeats for a team at most every {rule.cooldown} days"
        " unless the evidence gets stronger."
    )
    if rule.requires.stage:
        s = rule.requires.stage
        lines.append(f"Only for organisations whose {s.dimension} maturity is between {s.min} and {s.max}.")
    described = describe(rule.when, signals=signals)
    lines.append("Fires when " + described[0].lstrip("- "))
    lines += described[1:]
    lines.append(f"Why (template): {rule.why}")
    lines.append("Steps:")
    lines += [f"  {i}. {step}" for i, step in enumerate(rule.steps, 1)]
    return lines
