"""Outcomes of advice marked done, measured after the rule's horizon; past situations; export."""

from __future__ import annotations

import json

from candidates import candidate
from click.testing import CliRunner

from smartstep.advice.feedback import record_rating
from smartstep.advice.log import done_steps, feedback_records, load_learning, log_advice
from smartstep.advice.outcomes import check_outcomes
from smartstep.advice.ranking import Advice
from smartstep.advice.situations import SituationSpace, similar_situations
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week

START = "2026-W30"


def store_values(db, team: str, metric: str, values: list[float], n: int = 400) -> None:
    half = 1.645 * 1.3 / n**0.5  # a 90% interval for a mean of n answers with spread 1.3, as stored
    rows = [
        {
            "team": team,
            "metric": metric,
            "period": shift_week(START, i),
            "value": v,
            "n": n,
            "source": "computed",
            "ci_lo": v - half,
            "ci_hi": v + half,
        }
        for i, v in enumerate(values)
    ]
    db["metric_values"].insert_all(rows, pk=("team", "metric", "period"), replace=True)


def advise(db, team: str, rule: str, period: str, target: str = "ces") -> str:
    made = candidate(rule, team, 0.7, metric=target, value=4.9, previous=5.3, period=period, n=300, title="Cut effort")
    counter = iter(range(1000))
    [logged] = log_advice(db, [Advice(made, 0.7)], "test", make_id=lambda: f"adv-{team}-{rule}-{next(counter)}")
    return logged.advice_id


def test_done_step_that_moved_the_metric_is_recorded_as_improved_with_numbers(db):
    # CES 4.9 when advised in W31; 5.6 three weeks later, with 400 answers a week: a real rise.
    store_values(db, "Technical", "ces", [5.0, 4.9, 5.0, 5.3, 5.6, 5.6])
    advice_id = advise(db, "Technical", "customer.effort", "2026-W31")
    record_rating(db, advice_id, "U1", "done")
    [outcome] = check_outcomes(db, "2026-W35", {"customer.effort": 3})
    assert (outcome.before, outcome.after, outcome.verdict) == (4.9, 5.6, "improved")
    assert (outcome.period_before, outcome.period_after) == ("2026-W31", "2026-W34")
    assert db["outcomes"].get(advice_id)["verdict"] == "improved"


def test_done_step_with_no_real_movement_is_no_change_and_a_worse_one_is_worse(db):
    store_values(db, "Billing", "ces", [5.0, 5.0, 5.01, 5.0, 4.99, 5.0], n=30)
    store_values(db, "Enterprise", "ces", [5.5, 5.5, 5.3, 5.0, 4.6, 4.6])
    quiet = advise(db, "Billing", "customer.effort", "2026-W31")
    worse = advise(db, "Enterprise", "customer.effort", "2026-W31")
    for advice_id in (quiet, worse):
        record_rating(db, advice_id, "U1", "done")
    verdicts = {o.team: o.verdict for o in check_outcomes(db, "2026-W35", {"customer.effort": 3})}
    assert verdicts == {"Billing": "no change", "Enterprise": "worse"}


def test_nothing_is_measured_before_the_horizon_or_without_done(db):
    store_values(db, "Technical", "ces", [5.0, 4.9, 5.0, 5.3])
    early = advise(db, "Technical", "customer.effort", "2026-W31")
    record_rating(db, early, "U1", "done")
    assert check_outcomes(db, "2026-W33", {"customer.effort": 3}) == []  # horizon is W34
    only_liked = advise(db, "Billing", "customer.effort", "2026-W20")
    record_rating(db, only_liked, "U1", "up")
    assert check_outcomes(db, "2026-W40", {"customer.effort": 3}) == []
    assert db["outcomes"].count == 0


def test_outcomes_feed_learning_and_worked_before(db):
    store_values(db, "Technical", "ces", [5.0, 4.9, 5.0, 5.3, 5.6, 5.6])
    store_values(db, "Billing", "ces", [5.1, 4.8, 4.9, 5.0, 5.0, 4.8])
    done = advise(db, "Technical", "customer.effort", "2026-W31")
    record_rating(db, done, "U1", "done")
    check_outcomes(db, "2026-W35", {"customer.effort": 3})
    learning = load_learning(db, "2026-W35", {"customer.effort": 14})
    assert learning.by_rule["customer.effort"].worked == 1
    steps = done_steps(db, {"customer.effort": 3})
    history = {
        (t, "ces"): [
            MetricValue(t, "ces", r["period"], r["value"], n=r["n"])
            for r in db.query("SELECT * FROM metric_values WHERE team = ? ORDER BY period", [t])
        ]
        for t in ("Technical", "Billing")
    }
    found = similar_situations(SituationSpace(history), "2026-W35", {("customer.effort", "Billing")}, steps)
    [past] = found[("customer.effort", "Billing")]
    assert (past.team, past.period, past.verdict) == ("Technical", "2026-W31", "improved")
    assert past.outcome == "CES 4.9/7 → 5.6/7 within 3 weeks (improved)"


def test_snooze_keeps_advice_quiet_for_the_cooldown(db):
    advice_id = advise(db, "Billing", "customer.effort", "2026-W31")
    record_rating(db, advice_id, "U1", "snooze")
    assert ("customer.effort", "Billing") in load_learning(db, "2026-W32", {"customer.effort": 14}).snoozed
    assert ("customer.effort", "Billing") not in load_learning(db, "2026-W34", {"customer.effort": 14}).snoozed


def test_a_second_click_updates_the_users_rating(db):
    advice_id = advise(db, "Billing", "customer.effort", "2026-W31")
    assert record_rating(db, advice_id, "U1", "up") is True
    assert record_rating(db, advice_id, "U1", "down", comment="not for us") is False
    assert db["feedback"].count == 1
    assert db["feedback"].get((advice_id, "U1"))["rating"] == "down"


def test_feedback_export_json_and_csv(db_path, db):
    store_values(db, "Technical", "ces", [5.0, 4.9, 5.0, 5.3, 5.6, 5.6])
    rated = advise(db, "Technical", "customer.effort", "2026-W31")
    unrated = advise(db, "Billing", "customer.effort", "2026-W31")
    record_rating(db, rated, "U1", "done", comment="ran the call-backs")
    record_rating(db, rated, "U2", "up")
    check_outcomes(db, "2026-W35", {"customer.effort": 3})
    records = feedback_records(db)
    assert [(r["advice_id"], r["user"], r["rating"]) for r in records] == [
        (rated, "U1", "done"),
        (rated, "U2", "up"),
        (unrated, None, None),
    ]
    assert records[0]["outcome"]["verdict"] == "improved" and records[0]["comment"] == "ran the call-backs"

    from smartstep.cli import main

    result = CliRunner().invoke(main, ["--db", str(db_path), "feedback", "export", "--json"])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.stdout)
    assert set(exported[0]) >= {"advice_id", "rule_id", "team", "user", "rating", "comment", "at", "outcome"}
    csv_out = CliRunner().invoke(main, ["--db", str(db_path), "feedback", "export", "--csv"]).stdout
    header, first = csv_out.splitlines()[:2]
    assert header.startswith("advice_id,rule_id,team,user,rating,comment,at,outcome")
    assert first.startswith(f"{rated},customer.effort,Technical,U1,done,ran the call-backs,")
    assert first.endswith(",improved")


def test_a_rating_waits_for_another_writer_instead_of_failing(db_path, db):
    import threading
    import time

    from smartstep.db import open_db, write_transaction

    advice_id = advise(db, "Billing", "customer.effort", "2026-W31")
    holding, done = threading.Event(), threading.Event()

    def hold_the_write_lock():
        other = open_db(db_path)  # another connection, as the clock or a second worker has
        with write_transaction(other):
            other["feedback"].insert(
                {"advice_id": advice_id, "user": "U2", "rating": "up", "at": "2026-08-01T00:00:00Z"}
            )
            holding.set()
            time.sleep(0.5)
        other.close()
        done.set()

    thread = threading.Thread(target=hold_the_write_lock)
    thread.start()
    holding.wait(5)
    assert record_rating(db, advice_id, "U1", "done") is True  # waited for the other writer, then wrote
    thread.join()
    assert done.is_set()
    assert {r["user"] for r in db["feedback"].rows} == {"U1", "U2"}
