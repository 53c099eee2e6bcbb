"""`smartstep import`: what a person (or a script reading --json) sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartstep.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture
def run(tmp_path: Path):
    db_path = tmp_path / "store.db"

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--db", str(db_path), "import", *args], catch_exceptions=False)

    return invoke


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_text_summary(run, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02,open,Billing\nT2,2026-11-16,new,Ops\n")
    result = run("tickets", path)
    assert result.exit_code == 0
    assert result.output == (
        f"Imported tickets from {path}: 2 added, 0 updated, 0 rejected. "
        "Metrics recomputed for Billing from 2026-W45, Ops from 2026-W47.\n"
    )


def test_json_summary_is_the_only_thing_on_stdout(run, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02,open,Billing\nT2,2026-11-03,open,Ops\n")
    run("tickets", path)
    path = write(
        tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02,pending,Billing\nT2,2026-11-03,open,Ops\n"
    )
    result = run("tickets", path, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "kind": "tickets",
        "source": path,
        "added": 0,
        "updated": 1,
        "unchanged": 1,
        "rejected": 0,
        "errors": [],
        "since": {"Billing": "2026-W45"},
        "ratings": 0,
    }


def test_a_reimport_of_the_same_file_says_nothing_changed(run, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02,open,Billing\nT2,2026-11-16,new,Ops\n")
    run("tickets", path)
    result = run("tickets", path)
    assert result.exit_code == 0
    assert result.output == (
        f"Imported tickets from {path}: 0 added, 0 updated, 2 unchanged, 0 rejected."
        " No metric weeks needed recomputing.\n"
    )


def test_a_bad_row_fails_with_one_sentence_on_stderr_and_exit_1(run, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,created_at,status,team\nT1,2026-11-02,open,Billing\nT2,2026-11-31,open,Ops\n")
    result = run("tickets", path, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"smartstep: {path}:3: column 'created_at': '2026-11-31' is not an ISO-8601 time\n"
    assert "Traceback" not in result.output


def test_skip_bad_rows_lists_the_first_twenty(run, tmp_path: Path) -> None:
    bad = "".join(f"B{i},2026-11-02,lost,Billing\n" for i in range(25))
    path = write(tmp_path, "t.csv", "id,created_at,status,team\nG1,2026-11-02,open,Billing\n" + bad)
    result = run("tickets", path, "--skip-bad-rows")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Imported tickets from {path}: 1 added, 0 updated, 25 rejected.")
    assert lines[1] == "Rejected rows:"
    assert (
        lines[2]
        == f"  {path}:3: column 'status': 'lost' is not a ticket status (new, open, pending, on-hold, solved, closed)"
    )
    assert len([line for line in lines if line.startswith(f"  {path}:")]) == 20
    assert lines[-1] == "  ... and 5 more (see --json for the first 1000)."
    as_json = json.loads(run("tickets", path, "--skip-bad-rows", "--json").stdout)
    assert (as_json["rejected"], len(as_json["errors"])) == (25, 25)


def test_time_zone_and_preset_options(run, tmp_path: Path) -> None:
    result = run(
        "tickets", str(DATA / "freshdesk_tickets.csv"), "--preset", "freshdesk", "--tz", "Asia/Kolkata", "--json"
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["added"] == 3
    from smartstep.db import open_db

    db = open_db(tmp_path / "store.db")
    created = db.execute("SELECT created_at FROM tickets WHERE id = '501'").fetchone()[0]
    db.close()
    assert created == "2026-11-02T04:30:00Z"  # 10:00 in India (+05:30)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("agents", "x.csv"), "Invalid value for '{tickets|surveys|customers|metrics}'"),
        (("tickets", "x.csv", "--tz", "Mars/Olympus"), "'Mars/Olympus' is not a time zone"),
        (("tickets", "x.csv", "--preset", "jira"), "Invalid value for '--preset'"),
    ],
)
def test_usage_errors_exit_2(run, args: tuple[str, ...], needle: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
