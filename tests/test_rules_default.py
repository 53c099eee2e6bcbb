"""The shipped rule base: clean under lint, every written example holds, and it covers the ground."""

from __future__ import annotations

from collections import Counter

from smartstep.advice.signals import signal_registry
from smartstep.definitions import CATEGORIES
from smartstep.rules.lint import lint, run_examples
from smartstep.rules.loader import default_rules_path


def test_default_rule_base_lints_clean_and_its_examples_pass() -> None:
    ruleset, problems = lint(default_rules_path(), signal_registry())
    assert [str(p) for p in problems] == []
    assert ruleset is not None
    ran, failures = run_examples(ruleset)
    assert [str(f) for f in failures] == []
    assert ran >= 2 * len(ruleset.rules)


def test_default_rule_base_covers_the_categories_and_stages() -> None:
    ruleset, _ = lint(default_rules_path(), signal_registry())
    assert ruleset is not None and len(ruleset.rules) >= 40
    per_category = Counter(r.category for r in ruleset.rules)
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 4
    staged = {r.requires.stage.min for r in ruleset.rules if r.requires.stage}
    assert len(staged) >= 3  # rules for several maturity stages
    assert len(ruleset.files) >= 5  # split by theme


def test_every_default_rule_has_a_few_one_line_steps() -> None:
    ruleset, _ = lint(default_rules_path(), signal_registry())
    for rule in ruleset.rules:
        assert 1 <= len(rule.steps) <= 5, rule.id
        assert all("\n" not in s and len(s) <= 200 for s in rule.steps), rule.id
