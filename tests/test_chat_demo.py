"""The conversation on the demo organisation, with every skill over the real store: definitions,
improving a metric, the tickets behind a number, repeated problems, feedback in words, and the
help text's examples."""

from __future__ import annotations

from dataclasses import replace

import pytest
from demo_support import demo_with_history_path

from smartstep.advice.rule_inputs import load_rule_base
from smartstep.chat.context import load_context
from smartstep.chat.conversation import ConversationState
from smartstep.chat.engine import answer
from smartstep.chat.help import CAPABILITIES
from smartstep.chat.skills import build_skills
from smartstep.db import open_db
from smartstep.slack.blocks import answer_message

TICKET_URL = "https://acme.zendesk.com/agent/tickets/{id}"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("chat-demo") / "demo.db"
    source = open_db(demo_with_history_path())
    source.conn.execute(f"VACUUM INTO '{path}'")
    source.close()
    db = open_db(path)
    rules = load_rule_base(None)
    skills = build_skills(db, lambda: rules, user="U-lead", surface="test")
    yield db, replace(load_context(db), skills=skills), rules
    db.close()


def converse(context, *texts):
    state = ConversationState()
    return [answer(t, state, context) for t in texts], state


def feedback_count(db) -> int:
    return db.execute("SELECT count(*) FROM feedback").fetchone()[0]


def test_a_team_name_that_is_also_a_metric_synonym_is_the_team(store):
    _, context, _ = store
    (reply,), _ = converse(context, "csat for onboarding")
    assert reply.understood["teams"] == ["Onboarding"] and reply.understood["metrics"] == ["csat"]
    assert "Customer satisfaction" in reply.text and "Time to value" not in reply.text


def test_improve_gives_steps_whose_target_is_that_metric(store):
    db, context, rules = store
    (reply,), _ = converse(context, "how can Technical get CES back up?")
    assert reply.intent == "improve" and reply.understood["metrics"] == ["ces"]
    targets = {rules.get(a["rule_id"]).target for a in reply.data}
    assert targets == {"ces"}, [a["rule_id"] for a in reply.data]


def test_improve_gives_the_playbook_when_nothing_fires(store):
    _, context, rules = store
    (reply,), _ = converse(context, "how do we bring the reopen rate down for Billing")
    playbook = [r for r in rules.rules if r.target == "reopen_rate"]
    assert playbook and reply.intent == "improve"
    assert "Nothing about Reopen rate needs a step for Billing" in reply.text
    assert playbook[0].steps[0] in reply.text


def test_the_tickets_behind_a_drop_are_listed_with_links(store):
    db, context, _ = store
    (reply,), _ = converse(context, "list the tickets behind Technical's effort score")
    assert reply.intent == "tickets" and reply.data
    low = {
        r[0]
        for r in db.execute(
            "SELECT t.id FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE s.kind = 'ces' AND s.score <= 3 "
            "AND t.team = 'Technical' AND s.responded_at >= '2026-11-09' AND s.responded_at < '2026-11-16'"
        )
    }
    assert {r["id"] for r in reply.data} <= low and len(reply.data) == min(10, len(low))
    first = reply.data[0]["id"]
    assert f"`{first}`" in reply.text and first in reply.tickets  # the terminal shows the id
    slack_text = answer_message(reply, ticket_url=TICKET_URL)["blocks"][0]["text"]["text"]
    assert f"<https://acme.zendesk.com/agent/tickets/{first}|{first}>" in slack_text  # Slack links it


def test_the_oldest_open_tickets_are_the_backlog(store):
    db, context, _ = store
    (reply,), _ = converse(context, "which tickets have been open longest at Onboarding?")
    open_ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM tickets WHERE team = 'Onboarding' AND created_at < '2026-11-16' "
            "AND (solved_at IS NULL OR solved_at >= '2026-11-16') ORDER BY created_at LIMIT 10"
        )
    ]
    assert [r["id"] for r in reply.data] == open_ids


def test_repeated_problems_come_from_the_repeated_problem_finder(store):
    db, context, _ = store
    from smartstep.advice.repeats import find_repeated_problems

    found = find_repeated_problems(db, context.period)
    (reply, tickets), _ = converse(context, "repeated problems without an article", "show the tickets")
    assert found["Billing"].label in reply.text and str(found["Billing"].tickets) in reply.text
    groups = {team for team, p in found.items() if p.tickets >= 5}
    assert tickets.intent == "tickets" and {r["team"] for r in tickets.data} == groups
    assert any(found["Billing"].label == r["subject"] for r in tickets.data)


def test_feedback_only_from_explicit_words(store):
    db, context, _ = store
    before = feedback_count(db)
    (steps, thanks, cheers), state = converse(context, "what should Technical do next?", "thanks!", "great, cheers")
    assert thanks.understood["intent"] == "smalltalk" and cheers.understood["intent"] == "smalltalk"
    assert feedback_count(db) == before
    done = answer("we did the second one", state, context)
    assert done.understood["intent"] == "feedback"
    rating = db["feedback"].get((steps.data[1]["advice_id"], "U-lead"))
    assert rating["rating"] == "done"
    snooze = answer("snooze the first one", state, context)
    assert (
        snooze.intent == "feedback" and db["feedback"].get((steps.data[0]["advice_id"], "U-lead"))["rating"] == "snooze"
    )


def test_feedback_on_several_steps_asks_which_one(store):
    db, context, _ = store
    (steps, which), state = converse(context, "what should we do next?", "not useful")
    assert len(steps.data) > 1 and which.intent == "clarify"
    before = feedback_count(db)
    answer(which.options[1], state, context)
    assert feedback_count(db) == before + 1
    assert db["feedback"].get((steps.data[1]["advice_id"], "U-lead"))["rating"] == "down"


def test_a_ranking_names_teams_never_agents(store):
    db, context, _ = store
    (reply,), _ = converse(context, "which agents have the worst csat?")
    agents = {r[0] for r in db.execute("SELECT DISTINCT agent_id FROM tickets WHERE agent_id IS NOT NULL")}
    assert reply.intent == "ranking" and not any(a in reply.text for a in agents)
    assert set(context.teams) & set(reply.text.replace("*", " ").split())


@pytest.mark.parametrize("example", [e for _, examples in CAPABILITIES for e in examples])
def test_every_help_example_is_answered_on_the_demo(store, example):
    _, context, _ = store
    state = ConversationState()
    if example == "why?":
        answer("what should Billing do next?", state, context)
    reply = answer(example, state, context)
    assert reply.understood["intent"] not in ("clarify", "unknown") and reply.intent not in ("clarify", "unknown_team")
    assert "not switched on" not in reply.text and "no data" not in reply.text.lower()


def test_tickets_narrow_to_a_channel_and_metrics_say_they_are_per_team(store):
    db, context, _ = store
    (tickets, metric), _ = converse(context, "tickets behind Technical's CES on email", "csat for Billing on chat")
    emailed = {r[0] for r in db.execute("SELECT id FROM tickets WHERE channel = 'email' AND team = 'Technical'")}
    assert tickets.understood["channels"] == ["email"] and tickets.data
    assert {r["id"] for r in tickets.data} <= emailed
    assert metric.understood["channels"] == ["chat"] and "kept per team, not per chat" in metric.text
