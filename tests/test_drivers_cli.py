"""Driver analysis through the store and the `smartstep drivers` command, as a user runs it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from click.testing import CliRunner
from test_drivers import WEEKS, planted

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.drivers.data import load_answers, load_driver_report
from smartstep.imports.importers import import_records
from smartstep.weeks import format_time, week_end, week_start

CUSTOMERS = [
    {"id": "c1", "team": "Payments", "segment": "SMB", "signed_at": "2025-01-01T00:00:00Z"},
    {"id": "c2", "team": "Billing", "segment": "Enterprise", "signed_at": "2026-01-01T00:00:00Z"},
]


def _records(frame: pd.DataFrame, team: str, kind: str, prefix: str) -> tuple[list[dict], list[dict]]:
    """One ticket and one answered survey per row, created on the Tuesday of the row's week."""
    tickets, surveys = [], []
    for i, row in frame.iterrows():
        created = week_start(row["week"]) + timedelta(days=1, hours=9)
        escalated = bool(row["escalated"])
        escalated_at = created + timedelta(hours=1)
        tickets.append(
            {
                "id": f"{prefix}t{i}",
                "created_at": format_time(created),
                "first_reply_at": format_time(created + timedelta(hours=float(row["first_reply_hours"]))),
                "solved_at": format_time(created + timedelta(hours=float(row["resolution_hours"]))),
                "status": "solved",
                "team": team,
                "channel": row["channel"],
                "product": row["product"],
                "customer_id": "c1" if team == "Payments" else "c2",
                "contacts": int(row["contacts"]),
                "reopens": int(row["reopens"]),
                "handle_minutes": round(float(row["handle_minutes"]), 2),
                "escalated_to": "engineering" if escalated else "",
                "escalated_at": format_time(escalated_at) if escalated else "",
                "returned_at": format_time(escalated_at + timedelta(hours=float(row["escalation_hours"])))
                if escalated
                else "",
            }
        )
        surveys.append(
            {
                "id": f"{prefix}s{i}",
                "ticket_id": f"{prefix}t{i}",
                "kind": kind,
                "sent_at": format_time(created),
                "responded_at": format_time(created + timedelta(hours=2)),
                "score": float(row["score"]),
            }
        )
    return tickets, surveys


def write_org(db, payments: pd.DataFrame, billing: pd.DataFrame) -> None:
    """Payments: CES answers with planted drivers; Billing: a handful of answers; W26 complete."""
    p_tickets, p_surveys = _records(payments, "Payments", "ces", "p")
    b_tickets, b_surveys = _records(billing, "Billing", "ces", "b")
    sunday = {"id": "sunday", "created_at": format_time(week_end(WEEKS[-1]) - timedelta(hours=2))}
    sunday |= {"status": "open", "team": "Payments"}
    orphan = {"id": "orphan", "customer_id": "c2", "kind": "ces", "score": 2.0}
    orphan |= {"sent_at": "2026-03-03T10:00:00Z", "responded_at": "2026-03-03T11:00:00Z"}
    import_records(db, "customers", CUSTOMERS)
    import_records(db, "tickets", [*p_tickets, *b_tickets, sunday])
    import_records(db, "surveys", [*p_surveys, *b_surveys, orphan])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("drivers") / "s.db"
    db = open_db(path)
    write_org(db, planted(300, seed=21, contacts=-0.7), planted(20, seed=22))
    db.close()
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_answers_are_joined_to_their_ticket_and_customer_facts(store):
    db = open_db(store)
    answers = load_answers(db, "ces", WEEKS[0], WEEKS[-1]).set_index("survey_id")
    payments = planted(300, seed=21, contacts=-0.7)
    row, expected = answers.loc["ps7"], payments.loc[7]
    assert row["team"] == "Payments" and row["week"] == expected["week"]
    assert row["score"] == expected["score"] and row["contacts"] == expected["contacts"]
    assert row["first_reply_hours"] == pytest.approx(expected["first_reply_hours"], abs=1 / 3600)
    assert row["resolution_hours"] == pytest.approx(expected["resolution_hours"], abs=1 / 3600)
    escalated = payments.index[payments["escalated"]][0]
    assert answers.loc[f"ps{escalated}", "escalation_hours"] == pytest.approx(
        payments.loc[escalated, "escalation_hours"], abs=1 / 3600
    )
    # Tenure: answered on the Tuesday 11:00 of its week, customer c1 signed 2025-01-01.
    answered = week_start(expected["week"]) + timedelta(days=1, hours=11)
    signed = datetime(2025, 1, 1, tzinfo=UTC)
    assert row["tenure_days"] == pytest.approx((answered - signed).total_seconds() / 86400, abs=0.01)
    # A survey with no ticket takes its customer's team and is marked so.
    assert answers.loc["orphan", "team"] == "Billing" and not answers.loc["orphan", "has_ticket"]
    assert len(answers) == 321
    assert len(load_answers(db, "csat", WEEKS[0], WEEKS[-1])) == 0
    assert len(load_answers(db, "ces", WEEKS[0], WEEKS[0], team="Payments")) == len(
        payments[payments["week"] == WEEKS[0]]
    )


def test_report_from_the_store_finds_the_planted_driver(store):
    report = load_driver_report(open_db(store), "ces", team="Payments", weeks=26)
    assert (report.first_week, report.last_week, report.n) == (WEEKS[0], WEEKS[-1], 300)
    assert report.stable_drivers[0].factor == "contacts" and report.stable_drivers[0].effect < 0


def test_cli_json_is_a_list_of_reports_with_stable_and_unstable_drivers(store):
    result = run("--db", store, "drivers", "--team", "payments", "--metric", "CES", "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert set(report) >= {"team", "metric", "first_week", "last_week", "n", "needed", "explained", "summary"}
    assert set(report) >= {"drivers", "unstable", "changes", "since", "min_answers"}
    assert (report["team"], report["metric"], report["n"], report["needed"]) == ("Payments", "ces", 300, 0)
    top = report["drivers"][0]
    assert top["factor"] == "contacts" and top["stable"] is True
    assert set(top) >= {"label", "share", "share_ci", "explained", "effect", "group", "n_group", "text"}
    assert top["text"].startswith(top["group"] + " score CES ") and top["text"].endswith(" lower than the rest")
    assert all(d["stable"] is False for d in report["unstable"])


def test_cli_all_teams_and_metrics_and_the_need_more_message(store):
    result = run("--db", store, "drivers", "--json")
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert [(r["team"], r["metric"]) for r in reports] == [
        (team, metric) for team in ("Billing", "Payments") for metric in ("csat", "nps", "ces")
    ]
    billing = run("--db", store, "drivers", "--team", "Billing", "--metric", "ces")
    assert billing.exit_code == 0
    assert (
        "Billing has 20 CES answers tied to tickets in 2026-W01..2026-W26; "
        "driver analysis needs at least 60, so 40 more answers." in billing.output
    )


def test_cli_text_names_drivers_in_plain_words(store):
    result = run("--db", store, "drivers", "--team", "Payments", "--metric", "ces", "--weeks", "26")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Payments · CES · 2026-W01..2026-W26 · 300 answers")
    assert "contacts to resolve" in result.output and "score CES" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--team", "Paymnts"], 1, "smartstep: unknown team 'Paymnts' — did you mean 'Payments'?\n"),
        (
            ["--metric", "aht"],
            2,
            "smartstep: unknown metric 'aht'; known metrics: csat, nps, ces (drivers works on csat, ces and nps)\n",
        ),
        (["--since", "week 18"], 2, "smartstep: --since 'week 18' is not an ISO week like 2026-W18\n"),
    ],
)
def test_cli_errors_are_one_sentence(store, args, code, message):
    result = run("--db", store, "drivers", *args)
    assert result.exit_code == code
    assert result.stderr == message and result.stdout == ""


def test_cli_on_an_empty_store_says_what_to_do(tmp_path):
    result = run("--db", tmp_path / "empty.db", "drivers")
    assert result.exit_code == 1
    assert result.stderr == (
        f"smartstep: {tmp_path / 'empty.db'} holds no tickets yet; run 'smartstep import' or 'smartstep demo' first\n"
    )


def test_demo_effort_storyline_shows_contacts_as_the_ces_driver():
    """Technical's planted story: effort gets worse because tickets need more contacts.

    The demo's rows go straight into the tables (no metric recompute: the analysis reads only
    tickets, surveys and customers), at 0.2 scale to keep the test quick.
    """
    from smartstep.db import open_memory_db
    from smartstep.demo import STORYLINES, generate_demo

    data = generate_demo(7, scale=0.2)
    db = open_memory_db()
    with db.atomic():
        db["customers"].insert_all(data.customers)
        db["tickets"].insert_all(data.tickets)
        db["surveys"].insert_all(data.surveys)
    story = next(s for s in STORYLINES if s.team == "Technical" and s.metric == "ces")
    report = load_driver_report(db, "ces", team="Technical", weeks=26, since=story.start_week)
    top = report.stable_drivers[0]
    assert top.factor == "contacts" and re.fullmatch(r"tickets needing [2-9]\+ contacts", top.group)
    assert top.effect < -0.5


def test_driver_signals_from_the_store(store):
    from smartstep.drivers.data import load_driver_signals

    signals = load_driver_signals(open_db(store), ["Payments", "Billing"])
    share, label = signals[("Payments", "driver_ces_contacts")]
    assert share > 50 and label.startswith("tickets needing ") and label.endswith(" lower than the rest")
    assert ("Payments", "driver_csat_contacts") not in signals  # no CSAT answers: no value
    assert not any(team == "Billing" for team, _ in signals)  # 20 answers: too few
