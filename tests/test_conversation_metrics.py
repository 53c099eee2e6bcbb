"""The conversation engine on plain data: metric questions, follow-ups, comparisons, rankings,
definitions, unknown teams, small talk and clarifying questions."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from smartstep.chat.conversation import Answer, Context, ConversationState
from smartstep.chat.engine import answer
from smartstep.definitions import load_definitions
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week

NOW = "2026-W46"


def history():
    """CSAT for three teams over 20 weeks (Billing 70+i, Technical 77+i with 200 answers a week,
    Group 25 on 2 answers a week); CES flat at 5.0 on 3 answers."""
    out = {}
    for team, base, n in (("Billing", 70.0, 200), ("Technical", 77.0, 200), ("Group 25", 60.0, 2)):
        values = []
        for i in range(20):
            period = shift_week(NOW, i - 19)
            values.append(MetricValue(team, "csat", period, base + i, n=n, ci=(base + i - 3, base + i + 3)))
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
    return Context(history=history(), teams=("Billing", "Group 25", "Technical"), period=NOW)


def ask(context, *texts):
    state = ConversationState()
    return [answer(t, state, context) for t in texts]


def test_a_team_name_with_a_number_gets_its_own_numbers_and_the_too_few_rule(context):
    (reply,) = ask(context, "how is csat for group 25?")
    assert reply.understood["teams"] == ["Group 25"] and reply.understood["metrics"] == ["csat"]
    assert "Group 25" in reply.text and "Billing" not in reply.text and "Technical" not in reply.text
    assert "too few" in reply.text and "n=2" in reply.text


def test_a_metric_question_names_value_change_and_sample(context):
    (reply,) = ask(context, "how is CSAT trending for billing?")
    assert reply.intent == "metric" and "89.0% in 2026-W46" in reply.text and "n=200" in reply.text
    assert reply.data[0]["team"] == "Billing" and len(reply.data[0]["values"]) == 8


def test_follow_ups_keep_what_the_thread_settled(context):
    first, second, third = ask(context, "csat for billing", "and for Technical?", "what about the last 12 weeks?")
    assert second.understood["teams"] == ["Technical"] and second.understood["metrics"] == ["csat"]
    assert "Billing" not in second.text
    assert third.understood["teams"] == ["Technical"] and third.understood["period"]["start"] == "2026-W35"
    assert len(third.data[0]["values"]) == 12


def test_a_change_within_noise_is_called_steady(context):
    reply = answer("effort for billing", ConversationState(), context)
    assert "4.9/7 in 2026-W46" in reply.text and "steady (within noise of a usual 5.0/7)" in reply.text
    assert reply.data[0]["judgement"]["status"] == "steady"


def test_three_answers_a_week_are_too_few_to_tell_and_show_no_number(context):
    reply = answer("effort for technical", ConversationState(), context)
    line = reply.text.splitlines()[1]
    assert "too few answers to tell" in line and "5.0" not in line and "↑" not in line and "↓" not in line
    assert reply.data[0]["judgement"]["status"] == "too_few"


def test_comparing_two_teams_shows_both_and_says_whether_they_differ(context):
    (reply,) = ask(context, "compare csat between Billing and Technical")
    assert reply.understood["compare"] == "teams" and set(reply.understood["teams"]) == {"Billing", "Technical"}
    assert "Billing" in reply.text and "Technical" in reply.text
    assert "Technical is better than Billing, beyond noise" in reply.text  # 94.5 vs 87.5 on 800 answers each


def test_comparing_periods(context):
    (reply,) = ask(context, "csat for billing this month vs 3 months ago")  # 11.5 points on 400 and 200 answers
    assert reply.understood["compare"] == "periods"
    assert "up" in reply.text and "better" in reply.text


def test_ranking_orders_teams_and_keeps_too_few_apart(context):
    (reply,) = ask(context, "which team has the worst csat")
    assert reply.intent == "ranking"
    assert reply.text.index("Billing") < reply.text.index("Technical")
    assert "Too few cases to rank: Group 25" in reply.text


def test_a_ranking_of_agents_talks_about_teams(context):
    (reply,) = ask(context, "who are the best agents on csat")
    assert reply.intent == "ranking" and "never individual agents" in reply.text


def test_define_answers_from_the_metric_definitions(context):
    (reply,) = ask(context, "what is FCR?")
    definition = load_definitions().get("fcr")
    assert reply.understood["intent"] == "define" and definition.definition in reply.text
    assert definition.week_of in reply.text


def test_an_unknown_team_is_said_so_with_the_closest_names_and_no_numbers(context):
    (reply,) = ask(context, "csat for group 52")
    assert reply.understood["unknown_teams"] == ["Group 52"] and reply.understood["teams"] == []
    assert "Group 52" in reply.text and "Group 25" in reply.text
    assert "%" not in reply.text  # no other team's numbers


def test_thanks_is_small_talk_and_leaves_the_thread_as_it_was(context):
    state = ConversationState()
    answer("csat for billing", state, context)
    before = json.dumps(state.to_dict(), sort_keys=True)
    reply = answer("thanks!", state, context)
    assert reply.understood["intent"] == "smalltalk" and json.dumps(state.to_dict(), sort_keys=True) == before


def test_a_vague_question_gets_options_that_are_real_questions(context):
    state = ConversationState()
    reply = answer("how long does it take?", state, context)
    assert reply.intent == "clarify" and len(reply.options) >= 2
    for option in reply.options:
        assert answer(option, ConversationState(), context).intent not in ("clarify", "unknown"), option
    picked = answer("1", state, context)
    assert picked.intent == "metric" and picked.understood["metrics"]


def test_help_lists_everything_with_examples(context):
    (reply,) = ask(context, "what can you do?")
    for capability in ("next steps", "why", "similar", "tickets", "compare", "improve", "feedback", "help"):
        assert capability in reply.text.lower(), capability


def test_state_survives_a_round_trip_through_json(context):
    state = ConversationState()
    answer("csat for billing last 4 weeks", state, context)
    copy = ConversationState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert copy == state
    assert answer("and for technical?", copy, context).understood["period"]["start"] == "2026-W43"


def test_a_skill_the_caller_injects_gets_the_understood_frame(context):
    seen = {}

    def advise(frame, state):
        seen.update(teams=frame.teams)
        return Answer("next_steps", f"steps for {frame.teams[0]}", frame=frame)

    reply = answer(
        "what should technical do next?", ConversationState(), replace(context, skills={"next_steps": advise})
    )
    assert reply.text == "steps for Technical" and seen == {"teams": ("Technical",)}


def test_huge_or_odd_text_does_not_crash(context):
    reply = answer("csat " + "🙂" * 50_000 + " \x00\x1b[2J", ConversationState(), context)
    assert reply.understood["intent"] in {"metric", "clarify", "unknown"}


def test_gibberish_is_not_a_confident_guess(context):
    (reply,) = ask(context, "zxqv blorp 7734 ??")
    assert reply.understood["intent"] == "unknown"
