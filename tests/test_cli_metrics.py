"""`smartstep metrics`, `ask` and the CLI's error contract, driven as a user would."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from smartstep.cli import main

TICKETS = """id,created_at,first_reply_at,solved_at,status,team,contacts,reopens,handle_minutes
t1,2026-11-02T10:00:00Z,2026-11-02T12:00:00Z,2026-11-03T10:00:00Z,solved,Billing,1,0,10
t2,2026-11-03T10:00:00+01:00,,2026-11-04T10:00:00Z,solved,Billing,2,0,20
t3,2026-11-09T10:00:00Z,,2026-11-15T10:00:00Z,solved,Billing,1,0,30
t4,2026-11-10T10:00:00Z,,,open,Technical,,,
t5,2026-11-15T09:00:00Z,,,open,Technical,,,
"""
# t5 lands on Sunday 2026-11-15, so 2026-W46 is the latest complete week.


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", "tickets", str(path)])
    assert result.exit_code == 0, result.output
    return db


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_metrics_json_is_a_flat_list_with_previous_and_change(store):
    result = run("--db", store, "metrics", "--team", "Billing", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    volume = {r["period"]: r for r in rows if r["metric"] == "ticket_volume"}
    assert volume["2026-W45"]["value"] == 2 and volume["2026-W45"]["previous"] is None
    documented = ("team", "metric", "period", "value", "n", "previous", "change")
    assert {k: volume["2026-W46"][k] for k in documented} == {
        "team": "Billing",
        "metric": "ticket_volume",
        "period": "2026-W46",
        "value": 1,
        "n": 1,
        "previous": 2,
        "change": -1,
    }
    # 2 -> 1 ticket is Poisson noise, not a move; a share of 1-2 solved tickets is too few to tell.
    assert volume["2026-W46"]["status"] == "steady" and volume["2026-W46"]["baseline"] == 2
    fcr = {r["period"]: r for r in rows if r["metric"] == "fcr"}
    assert fcr["2026-W46"]["status"] == "too_few" and fcr["2026-W46"]["note"] == "too few tickets to tell"
    assert {r["team"] for r in rows} == {"Billing"}
    assert all(set(r) >= {"team", "metric", "period", "value", "n", "previous", "change"} for r in rows)


def test_metrics_table_shows_each_team_and_the_noise_legend(store):
    result = run("--db", store, "metrics", "--weeks", "4")
    assert result.exit_code == 0, result.output
    assert "Billing · 2026-W46" in result.output and "Technical · 2026-W46" in result.output
    assert "Ticket volume" in result.output and "within noise" in result.output
    assert "too few tickets to tell" in " ".join(result.output.split())


def test_unknown_team_is_one_sentence_with_a_suggestion(store):
    result = run("--db", store, "metrics", "--team", "Biling")
    assert result.exit_code == 1
    assert result.stderr.strip() == "smartstep: unknown team 'Biling' — did you mean 'Billing'?"


def test_empty_store_says_what_to_do(tmp_path):
    result = run("--db", tmp_path / "empty.db", "metrics")
    assert result.exit_code == 1
    assert "holds no metrics yet; run 'smartstep import' or 'smartstep demo' first" in result.stderr


def test_a_file_that_is_not_sqlite_is_refused_without_traceback(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not a database", encoding="utf-8")
    result = run("--db", bogus, "metrics")
    assert result.exit_code == 1
    assert "cannot use this SQLite store" in result.stderr and "Traceback" not in result.output


def test_ask_answers_with_the_same_engine_as_chat(store):
    result = run("--db", store, "ask", "ticket volume for billing", "--json")
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout)
    assert reply["intent"] == "metric" and reply["data"][0]["team"] == "Billing"


def test_chat_reads_questions_until_end_of_input(store):
    result = CliRunner().invoke(main, ["--db", str(store), "chat"], input="backlog for technical\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Technical" in result.output and "Backlog" in result.output
