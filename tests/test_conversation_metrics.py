"""The conversation engine answers metric questions: typos, synonyms, teams, periods."""

from __future__ import annotations

import pytest

from smartstep.chat.engine import Context, ConversationState, answer, find_metric, find_weeks
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week

NOW = "2026-W46"


def history():
    out = {}
    for team, base in (("Billing", 80.0), ("Technical", 90.0)):
        values = []
        for i in range(12):
            period = shift_week(NOW, i - 11)
            values.append(MetricValue(team, "csat", period, base + i, n=200, ci=(base + i - 3, base + i + 3)))
        out[(team, "csat")] = values
        out[(team, "ces")] = [MetricValue(team, "ces", shift_week(NOW, i - 3), 5.0, n=3) for i in range(4)]
    wobble = [5.1, 5.0, 5.2, 4.9, 5.1, 5.0, 5.1, 4.9, 5.0, 5.2, 5.0, 5.1, 4.9]
    out[("Billing", "ces")] = [
        MetricValue("Billing", "ces", shift_week(NOW, i - 12), v, n=80, ci=(v - 0.2, v + 0.2))
        for i, v in enumerate(wobble)
    ]
    return out


@pytest.fixture
def context():
    return Context(history=history(), teams=("Billing", "Technical"), period=NOW)


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("how is CSAT trending?", "csat"),
        ("how is csta doing", "csat"),
        ("what's our effort score", "ces"),
        ("time to first response for billing", "first_reply_hours"),
        ("how big is the backlog", "backlog"),
        ("net promoter score?", "nps"),
        ("klever's law", "time_to_customer_value_days"),
    ],
)
def test_metric_names_typos_and_synonyms(text, metric):
    assert find_metric(text) == metric


def test_periods():
    assert find_weeks("csat over the last 4 weeks") == (4, None)
    assert find_weeks("csat in 2026-W40") == (8, "2026-W40")


def test_metric_question_for_a_team_names_value_change_and_sample(context):
    reply = answer("how is CSAT trending for billing?", ConversationState(), context)
    assert reply.intent == "metric"
    assert "Billing" in reply.text and "Technical" not in reply.text
    assert "91.0% in 2026-W46" in reply.text and "n=200" in reply.text
    assert reply.data[0]["team"] == "Billing" and len(reply.data[0]["values"]) == 8


def test_a_change_within_noise_is_called_steady(context):
    reply = answer("effort for billing", ConversationState(), context)
    assert "4.9/7 in 2026-W46" in reply.text and "steady (within noise of a usual 5.0/7)" in reply.text
    assert reply.data[0]["judgement"]["status"] == "steady"


def test_three_answers_a_week_are_too_few_to_tell_and_show_no_number(context):
    reply = answer("effort for technical", ConversationState(), context)
    line = reply.text.splitlines()[1]
    assert "too few answers to tell" in line and "5.0" not in line and "↑" not in line and "↓" not in line
    assert reply.data[0]["judgement"]["status"] == "too_few"


def test_without_a_team_every_team_answers(context):
    reply = answer("csat?", ConversationState(), context)
    assert "Billing" in reply.text and "Technical" in reply.text


def test_unclear_question_gets_options_not_a_guess(context):
    reply = answer("what about the thing from yesterday", ConversationState(), context)
    assert reply.intent == "clarify"
    assert len(reply.options) >= 2 and "not sure" in reply.text


def test_help(context):
    assert answer("help", ConversationState(), context).intent == "help"


def test_why_after_a_metric_answer_explains_definition_and_sample(context):
    state = ConversationState()
    answer("csat for billing", state, context)
    reply = answer("why?", state, context)
    assert reply.intent == "why"
    assert "top-2-box" in reply.text and "Billing n=200" in reply.text


def test_why_before_anything_asks_for_a_question_first(context):
    assert "Ask me something first" in answer("why?", ConversationState(), context).text


def test_a_skill_the_caller_injects_answers_its_intent(context):
    from dataclasses import replace

    from smartstep.chat.engine import Answer

    seen = {}

    def advise(text, team, metric, state):
        seen.update(team=team)
        return Answer("next_steps", f"steps for {team}")

    with_skill = replace(context, skills={"next_steps": advise})
    reply = answer("what should technical do next?", ConversationState(), with_skill)
    assert reply.text == "steps for Technical" and seen == {"team": "Technical"}


def test_huge_or_odd_text_does_not_crash(context):
    reply = answer("csat " + "🙂" * 50_000 + " \x00\x1b[2J", ConversationState(), context)
    assert reply.intent in {"metric", "clarify"}
