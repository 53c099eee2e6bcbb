"""On the demo organisation, every planted storyline is found: its rule is in that team's top 3.

The demo store is the session's shared one (`demo_support`, built once for every module that
needs it); the rules run through the same inputs `next-step` uses and only read the store.
"""

from __future__ import annotations

import pytest

demo = pytest.importorskip("smartstep.demo")

from demo_support import demo_db_path  # noqa: E402

from smartstep.advice.rule_inputs import load_rule_inputs  # noqa: E402
from smartstep.advice.signals import signal_registry  # noqa: E402
from smartstep.db import open_db  # noqa: E402
from smartstep.rules.engine import evaluate  # noqa: E402
from smartstep.rules.loader import default_rules_path, load_rules  # noqa: E402

# The rule a lead would want for each planted story (demo_plan.STORYLINES).
MATCHING_RULE = {
    "effort_rising": "customer.effort_hidden_by_csat",
    "smile_climbing": "smile.escalations_sitting",
    "survey_fatigue": "surveys.response_rate_falling",
    "backlog_growing": "capacity.backlog_growing",
    "repeated_no_article": "knowledge.repeated_problem_no_article",
    "ttv_slipping": "onboarding.ttv_after_sale_slipping",
}


@pytest.fixture(scope="module")
def ranked():
    db = open_db(demo_db_path())
    rules = load_rules(default_rules_path(), signal_registry()).rules
    inputs = load_rule_inputs(db, rules)
    result = evaluate(rules, inputs.history, inputs.current, inputs.facts)
    db.close()
    return result.candidates


def test_every_storyline_has_a_matching_rule() -> None:
    assert {s.key for s in demo.STORYLINES} == set(MATCHING_RULE)


@pytest.mark.parametrize("story", demo.STORYLINES, ids=lambda s: s.key)
def test_storyline_rule_is_in_its_teams_top_3(ranked, story) -> None:
    top = [c for c in ranked if c.team == story.team][:3]
    assert MATCHING_RULE[story.key] in [c.rule_id for c in top], [(c.rule_id, c.score) for c in top]
    found = next(c for c in top if c.rule_id == MATCHING_RULE[story.key])
    if story.metric is not None:
        # the evidence names the storyline's metric and shows it moving the planted (worse) way
        evidence = next(e for e in found.evidence if e.metric == story.metric)
        assert (evidence.change > 0) == (story.direction == "up"), evidence
    assert found.why.startswith(story.team)


def test_repeated_problem_names_the_planted_problem(ranked) -> None:
    billing = next(c for c in ranked if c.team == "Billing" and c.rule_id == MATCHING_RULE["repeated_no_article"])
    label = billing.evidence[0].label.lower()
    assert "invoice" in label and ("pdf" in label or "blank" in label)
    assert billing.evidence[0].value >= 20
