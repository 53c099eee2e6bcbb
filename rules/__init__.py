"""The rule base: YAML rules, their loader, and the engine that turns metrics into advice."""

from smartstep.rules.loader import RuleProblem, RuleSet, load_rules

__all__ = ["RuleProblem", "RuleSet", "load_rules"]
