"""The advice pipeline and the conversation's skills end to end on the demo organisation,
with its year of earlier advice: storylines in each team's top 3, learning visible, and the
questions a lead asks answered from the same store."""

from __future__ import annotations

import json
import shutil

import pytest
from demo_support import demo_with_history
from test_rules_storylines import MATCHING_RULE

from smartstep.advice.pipeline import next_steps
from smartstep.advice.rule_inputs import load_rule_base
from smartstep.chat.engine import ConversationState, answer
from smartstep.db import open_db
from smartstep.demo import STORYLINES


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A copy of the shared demo store with the demo's advice history planted, as `smartstep demo` does."""
    path = tmp_path_factory.mktemp("advisor-demo") / "demo.db"
    planted_path, history = demo_with_history()  # the demo with its advice history, planted once per session
    source = open_db(planted_path)
    source.conn.execute(f"VACUUM INTO '{path}'")
    source.close()
    db = open_db(path)
    rules = load_rule_base(None)
    yield db, rules, history
    db.close()


@pytest.fixture
def fresh(store, tmp_path):
    """A private copy for a test that writes."""
    db, rules, _ = store
    path = tmp_path / "copy.db"
    db.conn.execute(f"VACUUM INTO '{path}'")
    copy = open_db(path)
    yield copy, rules
    copy.close()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_demo_history_has_ratings_and_measured_outcomes(store):
    db, _, history = store
    assert history.advice >= 30 and history.ratings >= 20 and history.outcomes >= 10
    verdicts = [r["verdict"] for r in db.query("SELECT verdict FROM outcomes")]
    assert set(verdicts) <= {"worked", "no effect", "worse", "cannot tell"} and verdicts


def test_the_demo_where_nothing_responds_to_steps_yields_almost_no_worked_verdicts(store):
    """The demo's metrics never respond to a step being done: a `worked` there is a false alarm."""
    db, _, _ = store
    verdicts = [r["verdict"] for r in db.query("SELECT verdict FROM outcomes")]
    assert len(verdicts) >= 20
    assert verdicts.count("worked") <= 0.1 * len(verdicts), verdicts
    assert verdicts.count("worse") <= 0.1 * len(verdicts), verdicts


@pytest.mark.parametrize("story", STORYLINES, ids=lambda s: s.key)
def test_each_storylines_step_is_in_its_teams_top_3(fresh, story):
    db, rules = fresh
    run = next_steps(db, rules, teams=[story.team], k=3, surface="test")
    assert MATCHING_RULE[story.key] in [a.candidate.rule_id for a in run.advice], [
        (a.candidate.rule_id, round(a.score, 3), a.reasons) for a in run.advice
    ]
    assert all(a.advice_id for a in run.advice)  # logged, so buttons and "why?" can refer to it


def test_rankings_explain_themselves_with_the_history(fresh):
    db, rules = fresh
    run = next_steps(db, rules, k=3, per_team=True, surface="test")
    reasons = [r for a in run.advice for r in a.reasons]
    assert any("found this useful" in r for r in reasons), reasons


def test_a_lead_conversation_on_the_demo(fresh):
    from dataclasses import replace

    from smartstep.chat.context import load_context
    from smartstep.chat.skills import build_skills

    db, rules = fresh
    context = replace(load_context(db), skills=build_skills(db, lambda: rules, user="U-lead", surface="test"))
    thread = ConversationState()

    steps = answer("what should Technical do next?", thread, context)
    assert steps.intent == "next_steps"
    assert steps.data[0]["team"] == "Technical"
    assert "customer.effort_hidden_by_csat" in [a["rule_id"] for a in steps.data]

    why = answer("why?", thread, context)
    assert why.intent == "why" and f"Rule `{steps.data[0]['rule_id']}`" in why.text
    assert "n=" in why.text  # every piece of evidence with its sample

    worked = answer("that worked, thanks", thread, context)
    assert worked.intent == "feedback" and "marked done" in worked.text
    rating = db["feedback"].get((steps.data[0]["advice_id"], "U-lead"))
    assert rating["rating"] == "done"

    drivers = answer("why is CES down for Technical?", thread, context)
    assert drivers.intent == "drivers" and drivers.understood["intent"] == "why"
    assert drivers.data["drivers"][0]["factor"] == "contacts", json.dumps(drivers.data)[:500]

    cases = answer("show similar cases for invoice pdf comes out blank", thread, context)
    assert cases.intent == "similar" and cases.data
    assert cases.data[0]["team"] == "Billing" and "pdf" in cases.data[0]["title"].lower()


def test_a_step_about_effort_carries_what_drives_effort(fresh):
    db, rules = fresh
    run = next_steps(db, rules, teams=["Technical"], k=3, surface="test")
    effort = next(a for a in run.advice if a.candidate.rule_id == "customer.effort_hidden_by_csat")
    assert effort.drivers and effort.drivers[0]["factor"] == "contacts" and effort.drivers[0]["metric"] == "ces"
    assert any(r.startswith("driver: Technical: contacts to resolve explains") for r in effort.reasons), effort.reasons
    assert effort.to_json()["drivers"][0]["factor"] == "contacts"
