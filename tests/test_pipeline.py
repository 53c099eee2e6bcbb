"""The one advice pipeline on a real store: candidates ranked, logged with ids, cooled down,
snoozed, measured after being done, and learned from."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from smartstep.advice.feedback import record_rating
from smartstep.advice.pipeline import next_steps
from smartstep.rules.loader import load_rules
from smartstep.weeks import shift_week

RULES = """
rules:
  - id: test.backlog_high
    title: Backlog is above what the team can clear
    category: employee
    when: {kind: threshold, metric: backlog, above: 100}
    why: "{team}: {backlog_value:.0f} tickets are open."
    steps: [Clear the oldest first.]
    impact: 4
    urgency: 4
    cooldown: 14
    target: backlog
    horizon_weeks: 2
    examples:
      - given: {backlog: [150]}
        fires: true
  - id: test.volume_high
    title: Ticket volume is high
    category: business
    when: {kind: threshold, metric: ticket_volume, above: 50}
    why: "{team}: {ticket_volume_value:.0f} tickets this week."
    steps: [Find the biggest driver of contacts.]
    impact: 2
    urgency: 2
    examples:
      - given: {ticket_volume: [80]}
        fires: true
"""
FIRST = "2026-W30"


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return load_rules(path)


def put(db, team: str, metric: str, values: list[float], start: str = FIRST) -> None:
    rows = [
        {"team": team, "metric": metric, "period": shift_week(start, i), "value": v, "source": "computed"}
        for i, v in enumerate(values)
    ]
    db["metric_values"].insert_all(rows, pk=("team", "metric", "period"), replace=True)


@pytest.fixture
def store(db):
    put(db, "Billing", "backlog", [120, 130, 140, 150, 150, 150, 100, 60, 50, 50])
    put(db, "Billing", "ticket_volume", [80] * 10)
    put(db, "Technical", "backlog", [20] * 10)
    return db


def week(i: int):
    """Sunday noon of the i-th week: that week is then the latest complete one."""
    from datetime import timedelta

    from smartstep.weeks import week_start

    return week_start(shift_week(FIRST, i)) + timedelta(days=6, hours=12)


def test_advice_is_ranked_logged_and_carries_ids(store, rules):
    run = next_steps(store, rules, k=5, as_of=week(3))
    assert run.period == "2026-W33"
    assert [a.candidate.rule_id for a in run.advice] == ["test.backlog_high", "test.volume_high"]
    assert all(a.advice_id for a in run.advice)
    logged = store["advice"].get(run.advice[0].advice_id)
    assert logged["rule_id"] == "test.backlog_high" and logged["team"] == "Billing" and logged["period"] == "2026-W33"
    assert json.loads(logged["evidence"])[0]["value"] == 150
    assert "Technical" not in {a.candidate.team for a in run.advice}


def test_repeat_within_cooldown_is_held_back_unless_worse(store, rules):
    next_steps(store, rules, as_of=week(3))
    again = next_steps(store, rules, as_of=week(4))  # a week later, evidence no stronger
    assert "test.backlog_high" not in [a.candidate.rule_id for a in again.advice]
    same_week = next_steps(store, rules, as_of=week(3))  # asking twice in one week repeats it
    assert "test.backlog_high" in [a.candidate.rule_id for a in same_week.advice]


def test_snoozed_step_stays_quiet(store, rules):
    first = next_steps(store, rules, as_of=week(3))
    record_rating(store, first.advice[1].advice_id, "U1", "snooze")
    later = next_steps(store, rules, as_of=week(3))
    assert "test.volume_high" not in [a.candidate.rule_id for a in later.advice]


def test_done_step_is_measured_after_its_horizon_and_shown_as_worked_before(store, rules):
    from datetime import timedelta

    first = next_steps(store, rules, as_of=week(5))  # backlog 150 in W35
    record_rating(store, first.advice[0].advice_id, "U1", "done", at=week(5) + timedelta(days=1))  # done in W36
    next_steps(store, rules, as_of=week(7))
    assert store["outcomes"].count == 0  # W37 is in, W38 is not: too early for a 2-week horizon
    next_steps(store, rules, as_of=week(8))  # W32-W35 averaged 147.5 open; W37-W38 55, while Technical held at 20
    outcome = store["outcomes"].get(first.advice[0].advice_id)
    assert (outcome["before"], outcome["after"], outcome["verdict"]) == (147.5, 55, "worked")
    assert outcome["effect"] == pytest.approx(-92.5) and outcome["hi"] < 0
    # Technical now has the same problem: the step that worked for Billing is cited.
    put(store, "Technical", "backlog", [20, 20, 20, 20, 20, 20, 20, 20, 130, 140], FIRST)
    later = next_steps(store, rules, teams=["Technical"], as_of=week(9))
    [advice] = [a for a in later.advice if a.candidate.rule_id == "test.backlog_high"]
    assert advice.similar_situations and advice.similar_situations[0].team == "Billing"
    assert any(r.startswith("worked 1 of 1 times") for r in advice.reasons)


def test_next_step_command_logs_and_prints_interface_json(db_path, store, rules, tmp_path):
    from smartstep.cli import main

    rules_file = tmp_path / "rules.yaml"
    result = CliRunner().invoke(
        main, ["--db", str(db_path), "--as-of", "2026-08-16", "next-step", "--json", "--rules", str(rules_file)]
    )
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert advice[0]["rule_id"] == "test.backlog_high" and advice[0]["advice_id"].startswith("adv-")
    assert store["advice"].count == len(advice)
