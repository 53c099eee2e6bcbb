"""`smartstep teams` and `teams set-zone`: where a team's weeks start, and metrics that follow it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from smartstep.cli import main

HEADER = "id,created_at,solved_at,status,team,channel,product,subject,description,resolution\n"


@pytest.fixture
def run(db_path, tmp_path):
    rows = [  # Sunday evening in UTC is Monday morning in Sydney (UTC+11 in March)
        f"S{i},2026-03-08T20:{i:02d}:00Z,2026-03-08T21:00:00Z,solved,Sydney,email,App,Login,Cannot log in,Reset\n"
        for i in range(3)
    ]
    billing = "2026-03-04T10:00:00Z,2026-03-04T12:00:00Z,solved,Billing,email,App,VAT,VAT wrong,Fixed\n"
    rows += [f"B{i},{billing}" for i in range(2)]
    csv = tmp_path / "tickets.csv"
    csv.write_text(HEADER + "".join(rows), encoding="utf-8")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--db", str(db_path), *args])

    assert invoke("import", "tickets", str(csv)).exit_code == 0
    return invoke


def volume(db, team):
    rows = db.execute(
        "SELECT period, value FROM metric_values WHERE metric = 'ticket_volume' AND team = ? AND value > 0 ORDER BY 1",
        [team],
    ).fetchall()
    return dict(rows)


def test_teams_lists_each_team_with_its_zone(run):
    listed = json.loads(run("teams", "--json").output)
    assert listed == [
        {"team": "Billing", "timezone": "UTC", "tickets": 2},
        {"team": "Sydney", "timezone": "UTC", "tickets": 3},
    ]


def test_a_team_zone_moves_its_tickets_into_the_week_it_worked_them(run, db):
    assert volume(db, "Sydney") == {"2026-W10": 3.0}
    result = run("teams", "set-zone", "sydney", "Australia/Sydney")
    assert result.exit_code == 0, result.output
    assert "Sydney's weeks now run Monday to Sunday in Australia/Sydney" in result.output
    assert volume(db, "Sydney") == {"2026-W11": 3.0}
    assert volume(db, "Billing") == {"2026-W10": 2.0}  # other teams keep UTC
    assert {"team": "Sydney", "timezone": "Australia/Sydney", "tickets": 3} in json.loads(run("teams", "--json").output)


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("Sydny", "Australia/Sydney"), "unknown team 'Sydny' — did you mean 'Sydney'?"),
        (("Sydney", "Mars/Olympus"), "'Mars/Olympus' is not a time zone like Europe/Berlin or UTC"),
    ],
)
def test_a_bad_team_or_zone_is_one_sentence_and_changes_nothing(run, db, args, sentence):
    before = db.execute("SELECT * FROM metric_values ORDER BY 1, 2, 3").fetchall()
    result = run("teams", "set-zone", *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"smartstep: {sentence}"
    assert db.execute("SELECT * FROM metric_values ORDER BY 1, 2, 3").fetchall() == before
    assert dict(db.execute("SELECT name, timezone FROM teams").fetchall())["Sydney"] == "UTC"
