"""The parse before an answer: names, periods and precedence where words collide."""

from __future__ import annotations

import pytest

from smartstep.chat.parse import parse
from smartstep.chat.vocabulary import vocabulary

NOW = "2026-W46"  # Monday 2026-11-09 to Sunday 2026-11-15
TEAMS = ("Billing", "Technical", "Onboarding", "Enterprise", "Workgroup 1", "Workgroup 2", "Workgroup 12")
TEAMS += ("Group 2", "Group 25", "Tier 2 EMEA")
NAMES = vocabulary(TEAMS, ("SMB", "Mid-market", "Enterprise"), ("Ledger", "Pulse API"), ("chat", "email", "phone"))


def p(text: str):
    return parse(text, NAMES, NOW)


@pytest.mark.parametrize(
    ("text", "teams", "metrics"),
    [
        # a known team beats the metric synonym "onboarding" (time to value after sale)
        ("satisfaction at onboarding", ("Onboarding",), ("csat",)),
        ("is onboarding's queue growing", ("Onboarding",), ("backlog",)),
        ("nps for enterprise vs onboarding", ("Enterprise", "Onboarding"), ("nps",)),
        # the longer name wins: "onboarding time" is the metric
        ("onboarding time for billing", ("Billing",), ("ttv_after_sale_days",)),
        # names with numbers and spaces, never confused with each other
        ("backlog of workgroup 2", ("Workgroup 2",), ("backlog",)),
        ("Workgroup 12 first response", ("Workgroup 12",), ("first_reply_hours",)),
        ("csat group 25 and group 2", ("Group 25", "Group 2"), ("csat",)),
        ("tier 2 emea reopens", ("Tier 2 EMEA",), ("reopen_rate",)),
        # typos and short forms
        ("csta for biling", ("Billing",), ("csat",)),
        ("nsp at tech", ("Technical",), ("nps",)),
        ("custmer satisfaction at enterprise", ("Enterprise",), ("csat",)),
        # everyday words that are one edit from a metric id stay words
        ("what for", (), ()),
        ("yes please", (), ()),
    ],
)
def test_teams_and_metrics(text, teams, metrics):
    parsed = p(text)
    assert (parsed.teams, parsed.metrics) == (teams, metrics)


def test_a_known_name_with_another_number_is_an_unknown_team_not_a_neighbour():
    parsed = p("volume for workgroup 9")
    assert parsed.teams == () and parsed.unknown_teams == ("Workgroup 9",)


def test_a_team_the_store_does_not_know_is_named_as_unknown():
    assert p("effort for the returns team").unknown_teams == ("Returns",)


def test_tickets_is_only_a_weak_name_for_ticket_volume():
    parsed = p("show me the tickets behind the ces drop")
    assert parsed.metrics == ("ces",) and parsed.weak_metrics == ()
    assert p("how many tickets?").weak_metrics == ("ticket_volume",)


def test_a_vague_word_lists_the_metrics_it_could_mean():
    assert set(p("what's the rate at billing").vague_metrics) >= {"reopen_rate", "escalation_rate"}


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("last week", "2026-W46", "2026-W46"),
        ("this week", "2026-W46", "2026-W46"),
        ("over the past 3 weeks", "2026-W44", "2026-W46"),
        ("the last twelve weeks", "2026-W35", "2026-W46"),
        ("in W41", "2026-W41", "2026-W41"),
        ("week 43", "2026-W43", "2026-W43"),
        ("2025-W50", "2025-W50", "2025-W50"),
        ("w50", "2025-W50", "2025-W50"),  # week 50 of this year is still to come: last year's
        ("since 2026-W30", "2026-W30", "2026-W46"),
        ("since august", "2026-W32", "2026-W46"),  # the first week whose Thursday is in August
        ("in september", "2026-W36", "2026-W40"),
        ("this month", "2026-W45", "2026-W46"),
        ("last month", "2026-W40", "2026-W44"),
        ("this quarter", "2026-W40", "2026-W46"),
        ("on 2026-10-21", "2026-W43", "2026-W43"),
        ("on the 3rd of november", "2026-W45", "2026-W45"),
        ("between W40 and W42", "2026-W40", "2026-W42"),
        ("2 weeks ago", "2026-W44", "2026-W44"),
    ],
)
def test_periods(text, start, end):
    periods = p(f"csat {text}").periods
    assert [(x.start, x.end) for x in periods] == [(start, end)]


def test_this_week_against_last_week_is_two_weeks():
    periods = p("backlog this week vs last week").periods
    assert [(x.start, x.end) for x in periods] == [("2026-W46", "2026-W46"), ("2026-W45", "2026-W45")]


def test_a_period_number_is_never_a_team_number():
    parsed = p("group 2 over the last 2 weeks")
    assert parsed.teams == ("Group 2",) and [(x.start, x.end) for x in parsed.periods] == [("2026-W45", "2026-W46")]


def test_segments_products_and_channels():
    parsed = p("csat of SMB customers on chat about Ledger")
    assert parsed.segments == ("SMB",) and parsed.channels == ("chat",) and parsed.products == ("Ledger",)
    assert p("can we chat about billing").channels == ()  # "chat" is a channel only next to a channel word


def test_ordinals():
    assert p("tell me about the second one").ordinal == 2
    assert p("#3").ordinal == 3
    assert p("2").ordinal == 2
    assert p("first reply time").ordinal is None


def test_a_name_where_a_team_would_be_is_an_unknown_team():
    assert p("what should payments do next?").unknown_teams == ("Payments",)
    assert p("how is Returns doing?").unknown_teams == ("Returns",)
    assert p("what should we do next?").unknown_teams == ()
    assert p("how is support doing?").unknown_teams == ()
