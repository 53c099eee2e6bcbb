"""The rule base: YAML rules, their loader, and the engine that turns metrics into advice."""

from smartstep.rules.engine import Candidate, Evaluation, Facts, LastFired, evaluate
from smartstep.rules.loader import RuleBaseError, RuleProblem, RuleSet, check_rules, default_rules_path, load_rules
from smartstep.rules.render import Evidence
from smartstep.rules.watch import RuleWatcher

__all__ = [
    "Candidate",
    "Evaluation",
    "Evidence",
    "Facts",
    "LastFired",
    "RuleBaseError",
    "RuleProblem",
    "RuleSet",
    "RuleWatcher",
    "check_rules",
    "default_rules_path",
    "evaluate",
    "load_rules",
]
