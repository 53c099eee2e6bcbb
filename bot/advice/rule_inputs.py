"""Everything the rule engine needs, read from the store: history, "now", and plain facts.

The engine is pure; this is its one door to the database, shared by `next-step`,
`rules explain` and the advisor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

from smartstep.advice.log import last_fired
from smartstep.advice.signals import signal_registry
from smartstep.definitions import load_definitions
from smartstep.errors import UserError
from smartstep.metrics.reader import current_period, known_teams, load_history
from smartstep.metrics.values import History, segment_metric, where_key
from smartstep.rules.engine import Facts, weeks_needed
from smartstep.rules.loader import RuleSet, default_rules_path, load_rules
from smartstep.rules.model import STAGES, Rule, condition_cuts, condition_metrics

NO_DATA = "the store has no metric data yet; import data or run `smartstep demo` first"


@dataclass(frozen=True)
class RuleInputs:
    history: History
    current: str
    facts: Facts
    teams: tuple[str, ...]


def load_rule_base(path: Path | None, settings_path: Path | None = None) -> RuleSet:
    """The rule base from --rules, else SMARTSTEP_RULES (via settings), else the shipped one."""
    chosen = path or settings_path or default_rules_path()
    if not chosen.exists():
        raise UserError(f"rule path '{chosen}' does not exist")
    return load_rules(chosen, signal_registry())


def load_rule_inputs(db: sqlite_utils.Database, rules: Sequence[Rule], as_of: datetime | None = None) -> RuleInputs:
    current = current_period(db, as_of)
    if current is None:
        raise UserError(NO_DATA)
    history = load_history(db, until=current, weeks=weeks_needed(rules))
    if not history:
        raise UserError(NO_DATA)
    facts = Facts(
        stages=load_stages(db),
        last_fired=last_fired(db, current),
        signals=load_signals(db, current, rules, as_of),
        segments=load_segments(db, current, rules),
    )
    return RuleInputs(history, current, facts, tuple(known_teams(db)))


def load_segments(db: sqlite_utils.Database, current: str, rules: Sequence[Rule]) -> History:
    """The series over the cuts of the tickets that `where:` conditions read, computed only for those."""
    cuts = {where_key(w): w for r in rules for w in condition_cuts(r.when)}
    out: History = {}
    for where in cuts.values():
        history = load_history(db, until=current, weeks=weeks_needed(rules), where=where)
        out.update({(team, segment_metric(metric, where)): values for (team, metric), values in history.items()})
    return out


def load_stages(db: sqlite_utils.Database) -> dict[str, str]:
    """The organisation's maturity stage per dimension from its latest assessment, if any."""
    from smartstep.advice.assessment import current_stage

    if "assessments" not in db.table_names():
        return {}
    profile = current_stage(db, "all")
    if profile is None:
        return {}
    return {dim: STAGES[stage - 1] for dim, stage in profile.stages.items() if 1 <= stage <= len(STAGES)}


def signal_names(rules: Sequence[Rule]) -> set[str]:
    """The signals some rule looks at: only those are worth computing."""
    metrics = load_definitions().metrics
    return {name for r in rules for name in condition_metrics(r.when) if name not in metrics}


def load_signals(
    db: sqlite_utils.Database, current: str, rules: Sequence[Rule], as_of: datetime | None = None
) -> dict[tuple[str, str], tuple[float, str]]:
    """Per-team numbers from outside the metrics, computed only when a rule uses them."""
    wanted = signal_names(rules)
    out: dict[tuple[str, str], tuple[float, str]] = {}
    if "repeated_problem" in wanted:
        from smartstep.advice.repeats import repeated_problem_signals

        out.update(repeated_problem_signals(db, current))
    if "emerging_topic" in wanted:
        from smartstep.advice.topics import emerging_topic_signals

        out.update(emerging_topic_signals(db, as_of))
    if any(name.startswith("driver_") for name in wanted):
        from smartstep.drivers.data import load_driver_signals

        drivers = load_driver_signals(db, known_teams(db), as_of=as_of)
        out.update({key: value for key, value in drivers.items() if key[1] in wanted})
    return out
