"""Cuts of the tickets (priority, type, tag, SLA) in `metrics`, the metric reader, rules, `similar`
and driver analysis; figures checked against a count done by hand over the same rows."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.drivers.data import load_driver_report
from smartstep.imports.importers import import_csv
from smartstep.metrics.reader import load_history
from smartstep.rules.engine import evaluate
from smartstep.rules.lint import example_fires
from smartstep.rules.model import RuleFile

WEEKS = [f"2026-{m:02d}-{d:02d}" for m, d in ((9, 7), (9, 14), (9, 21), (9, 28), (10, 5), (10, 12))]


def build(path: Path, seed: int = 5, per_week: int = 40) -> list[dict]:
    """Six weeks of tickets; urgent ones are rated worse, and their SLA breaches more often."""
    rng = random.Random(seed)
    tickets, surveys = [], []
    for week, monday in enumerate(WEEKS):
        for i in range(per_week):
            tid = f"T{week}-{i}"
            priority = "urgent" if i % 4 == 0 else "normal"
            team = "Billing" if (i // 4) % 2 else "Technical"
            day = (date.fromisoformat(monday) + timedelta(days=i % 5)).isoformat()
            breached = int(rng.random() < (0.6 if priority == "urgent" else 0.1))
            tickets.append(
                {"id": tid, "created_at": f"{day}T09:00:00Z", "first_reply_at": f"{day}T10:00:00Z",
                 "solved_at": f"{day}T15:00:00Z", "status": "solved", "team": team,
                 "subject": f"{'invoice pdf blank' if i % 3 == 0 else 'password reset mail missing'} case {tid}",
                 "resolution": "Re-rendered the invoice." if i % 3 == 0 else "Resent the reset mail.",
                 "priority": priority.capitalize(), "type": "incident" if i % 3 else "question",
                 "tags": "vip refund" if i % 5 == 0 else "", "sla_breached": breached, "contacts": 1, "reopens": 0}
            )  # fmt: skip
            score = (2 if rng.random() < 0.5 else 5) if priority == "urgent" else (5 if rng.random() < 0.9 else 2)
            surveys.append(
                {"id": f"S{tid}", "ticket_id": tid, "kind": "csat", "sent_at": f"{day}T15:00:00Z",
                 "responded_at": f"{day}T16:00:00Z", "score": score}
            )  # fmt: skip
    for name, rows in (("tickets.csv", tickets), ("surveys.csv", surveys)):
        with (path / name).open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return [dict(t, score=s["score"]) for t, s in zip(tickets, surveys, strict=True)]


@pytest.fixture
def store(tmp_path: Path):
    rows = build(tmp_path)
    db = open_db(tmp_path / "store.db")
    import_csv(db, "tickets", tmp_path / "tickets.csv")
    import_csv(db, "surveys", tmp_path / "surveys.csv")
    yield db, rows, tmp_path / "store.db"
    db.close()


def by_hand(rows: list[dict], team: str, week_start: str, keep) -> tuple[float, int]:
    """CSAT (share of 4-5) of one team's answers in the week starting `week_start`, counted directly."""
    index = WEEKS.index(week_start)
    chosen = [r for r in rows if r["team"] == team and r["id"].startswith(f"T{index}-") and keep(r)]
    return 100.0 * sum(r["score"] >= 4 for r in chosen) / len(chosen), len(chosen)


def test_the_reader_cuts_csat_by_priority_like_a_count_by_hand(store) -> None:
    db, rows, _ = store
    history = load_history(db, where={"priority": "URGENT"})
    week = history[("Billing", "csat")][2]
    assert week.period == "2026-W39"
    assert (week.value, week.n) == pytest.approx(
        by_hand(rows, "Billing", WEEKS[2], lambda r: r["priority"] == "Urgent")
    )
    whole = load_history(db)[("Billing", "csat")][2]
    assert whole.n == 20 and week.n == 5  # every fourth ticket is urgent, and half of those are Billing's
    tagged = load_history(db, where={"tag": "vip"})[("Technical", "ticket_volume")]
    counted = [
        sum(1 for r in rows if r["team"] == "Technical" and r["id"].startswith(f"T{w}-") and "vip" in r["tags"])
        for w in range(6)
    ]
    assert [v.value for v in tagged] == counted


def test_the_breach_rate_of_a_cut_uses_the_helpdesks_flag(store) -> None:
    db, rows, _ = store
    history = load_history(db, where={"type": "question"})
    got = history[("Technical", "sla_breach_rate")][0]
    chosen = [r for r in rows if r["team"] == "Technical" and r["id"].startswith("T0-") and r["type"] == "question"]
    assert (got.value, got.n) == pytest.approx(
        (100.0 * sum(r["sla_breached"] for r in chosen) / len(chosen), len(chosen))
    )


def test_metrics_priority_shows_only_that_cut(store) -> None:
    _, rows, path = store
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(path), "metrics", "--priority", "urgent", "--team", "Billing", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    csat = [r for r in data if r["metric"] == "csat" and r["period"] == "2026-W41"]
    assert csat and csat[0]["segment"] == {"priority": "urgent"}
    assert (csat[0]["value"], csat[0]["n"]) == pytest.approx(
        by_hand(rows, "Billing", WEEKS[4], lambda r: r["priority"] == "Urgent"), abs=1e-4
    )
    text = runner.invoke(main, ["--db", str(path), "metrics", "--priority", "urgent"])
    assert text.exit_code == 0 and text.stdout.startswith("Only tickets with urgent priority.")
    nothing = runner.invoke(main, ["--db", str(path), "metrics", "--priority", "ugrent"])
    assert nothing.exit_code == 1 and "no tickets match ugrent priority" in nothing.stderr


RULE = """
rules:
  - id: customer.urgent_csat_low
    title: Urgent tickets leave customers unhappy
    category: customer
    when: {kind: threshold, metric: csat, below: 70, min_n: 3, where: {priority: urgent}}
    why: "{team}: CSAT for urgent tickets was {csat_value:.0f}%."
    steps: [Review this week's urgent tickets that were rated 1-2.]
    impact: 4
    urgency: 4
    examples:
      - given: {csat: [80, 60]}
        n: 10
        fires: true
      - given: {csat: [80, 90]}
        n: 10
        fires: false
"""


def test_a_rule_with_where_reads_the_cut_and_says_so(tmp_path: Path) -> None:
    """On enough urgent answers for CSAT's minimum sample (80 per team and week): below it the rule
    would rightly say nothing."""
    import yaml

    from smartstep.advice.rule_inputs import load_rule_inputs

    rows = build(tmp_path, per_week=640)
    db = open_db(tmp_path / "store.db")
    import_csv(db, "tickets", tmp_path / "tickets.csv")
    import_csv(db, "surveys", tmp_path / "surveys.csv")
    rule = RuleFile.model_validate(yaml.safe_load(RULE)).rules[0]
    assert all(example_fires(rule, e) == e.fires for e in rule.examples)
    inputs = load_rule_inputs(db, [rule])
    assert inputs.current == "2026-W41"  # the data ends on a Friday: the week before is the last complete one
    fired = {c.team: c for c in evaluate([rule], inputs.history, inputs.current, inputs.facts).candidates}
    urgent = {
        team: by_hand(rows, team, WEEKS[4], lambda r: r["priority"] == "Urgent") for team in ("Billing", "Technical")
    }
    assert set(fired) == {team for team, (value, _) in urgent.items() if value < 70}
    assert fired  # the seed makes at least one team's urgent CSAT low
    for team, candidate in fired.items():
        value, n = urgent[team]
        evidence = candidate.evidence[0]
        assert (evidence.value, evidence.n, evidence.label) == (pytest.approx(value, abs=1e-3), n, "urgent priority")
        assert candidate.why == f"{team}: CSAT for urgent tickets was {value:.0f}%."


@pytest.mark.parametrize(
    ("where", "message"),
    [({"priorty": "urgent"}, "'where' cannot cut tickets by 'priorty' — did you mean 'priority'?"),
     ({"sla": "late"}, "'where: sla' is 'breached' or 'met', not 'late'")],
)  # fmt: skip
def test_a_wrong_where_is_refused_in_words(tmp_path: Path, where: dict, message: str) -> None:
    from smartstep.advice.signals import signal_registry
    from smartstep.rules.loader import RuleBaseError, load_rules

    text = RULE.replace("where: {priority: urgent}", "where: " + json.dumps(where))
    (tmp_path / "r.yaml").write_text(text)
    with pytest.raises(RuleBaseError) as raised:
        load_rules(tmp_path / "r.yaml", signal_registry())
    assert message in str(raised.value)


def test_similar_cuts_by_priority(store) -> None:
    _, rows, path = store
    result = CliRunner().invoke(
        main, ["--db", str(path), "similar", "invoice pdf blank", "--priority", "urgent", "--k", "50", "--json"]
    )
    assert result.exit_code == 0, result.output
    found = {case["id"] for case in json.loads(result.stdout)}
    urgent = {r["id"] for r in rows if r["priority"] == "Urgent"}
    assert found and found <= urgent


def test_priority_and_sla_are_driver_factors(store) -> None:
    db, _, _ = store
    report = load_driver_report(db, "csat", team="Billing", weeks=6, resamples=50)
    factors = {d.factor: d for d in report.drivers}
    assert {"priority", "sla"} <= set(factors)
    top = report.drivers[0]
    assert top.factor in ("priority", "sla")  # urgent tickets were rated worse, and they breach more
    assert (
        factors["priority"].group == "urgent priority tickets" or factors["priority"].group == "normal priority tickets"
    )
