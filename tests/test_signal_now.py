"""Which week is "now": the latest week with representative volume. An extract whose bulk ends in
spring with a trickle of tickets months later answers for the spring, and says so."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.metrics.reader import choose_period
from smartstep.weeks import iso_week

BULK_START = datetime(2026, 1, 5, 9)  # a Monday (2026-W02)
BULK_WEEKS = 20  # 30 tickets a week through 2026-W21
STRAGGLER = datetime(2026, 11, 15, 10)  # a Sunday, 2026-W46: two late tickets


def csv_text() -> str:
    lines = ["id,created_at,first_reply_at,solved_at,status,team"]
    for week in range(BULK_WEEKS):
        for i in range(30):
            created = BULK_START + timedelta(weeks=week, hours=5 * i)
            solved = created + timedelta(hours=20)
            lines.append(f"B{week}-{i},{created:%Y-%m-%dT%H:%M:%SZ},,{solved:%Y-%m-%dT%H:%M:%SZ},solved,Desk")
    for i in range(2):
        lines.append(f"S{i},{STRAGGLER + timedelta(minutes=i):%Y-%m-%dT%H:%M:%SZ},,,open,Desk")
    return "\n".join(lines) + "\n"


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(csv_text(), encoding="utf-8")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", "tickets", str(path)])
    assert result.exit_code == 0, result.output
    return db


def test_a_straggler_week_is_skipped_and_named(store) -> None:
    bulk_end = iso_week(BULK_START + timedelta(weeks=BULK_WEEKS - 1))
    now = choose_period(open_db(store))
    assert now.period == bulk_end == "2026-W21"
    assert now.note == "2026-W46 holds 2 tickets against a usual 30; answering for 2026-W21 — use --as-of to choose"


def test_the_cli_says_so_on_stderr_and_answers_for_the_representative_week(store) -> None:
    result = CliRunner().invoke(main, ["--db", str(store), "metrics", "--json"])
    assert result.exit_code == 0, result.output
    assert "2026-W46 holds 2 tickets against a usual 30; answering for 2026-W21" in result.stderr
    periods = {r["period"] for r in json.loads(result.stdout)}
    assert max(periods) == "2026-W21"


def test_as_of_asks_for_the_straggler_week_and_gets_it(store) -> None:
    result = CliRunner().invoke(main, ["--db", str(store), "--as-of", "2026-11-15", "metrics", "--json"])
    assert result.exit_code == 0, result.output
    assert "holds" not in result.stderr
    assert max(r["period"] for r in json.loads(result.stdout)) == "2026-W46"


def test_the_note_reaches_a_metric_answer(store) -> None:
    result = CliRunner().invoke(main, ["--db", str(store), "ask", "ticket volume?", "--json"])
    assert result.exit_code == 0, result.output
    assert "answering for 2026-W21" in json.loads(result.stdout)["text"]
