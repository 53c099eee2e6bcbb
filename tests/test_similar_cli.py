"""`smartstep similar` as users and scripts call it: shapes, exit codes, sentences."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from smartstep.cli import main


def ticket(id_, subject, resolution="", team="Core"):
    return {
        "id": id_,
        "created_at": "2026-03-01T09:00:00Z",
        "solved_at": "2026-03-03T09:00:00Z",
        "status": "solved",
        "team": team,
        "channel": "email",
        "product": "App",
        "subject": subject,
        "description": subject,
        "resolution": resolution,
    }


@pytest.fixture
def run(db, db_path):
    db["tickets"].insert_all(
        [
            ticket("A1", "Password reset link never arrives", "Removed the address from the bounce list."),
            ticket("A2", "Invoice charged VAT although we are exempt", "Added the VAT number.", team="Billing"),
            ticket("A3", "CSV export hangs at 99 percent", "Split the export by month."),
        ]
    )
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--db", str(db_path), "similar", *args])

    return invoke


def test_json_is_a_list_of_cases_with_the_promised_fields(run):
    result = run("reset link not arriving", "--json", "--k", "2")
    assert result.exit_code == 0, result.output
    cases = json.loads(result.stdout)
    assert cases[0]["id"] == "A1"
    assert {"id", "title", "score", "resolution", "team", "solved_at"} <= set(cases[0])
    assert {"why_matched", "seen_count", "duplicates"} <= set(cases[0])
    assert cases[0]["resolution"] == "Removed the address from the bounce list."


def test_team_filter_from_the_command_line(run):
    result = run("invoice VAT reset export", "--team", "Billing", "--json")
    assert [c["id"] for c in json.loads(result.stdout)] == ["A2"]


def test_text_output_names_the_case_and_its_fix(run):
    result = run("csv export stuck")
    assert result.exit_code == 0
    assert result.output.startswith("1. CSV export hangs at 99 percent  [A3, Core, solved 2026-03-03]")
    assert "resolution: Split the export by month." in result.output


def test_empty_query_fails_with_one_sentence(run):
    result = run("   ")
    assert result.exit_code == 1
    assert result.stderr == "smartstep: The query is empty: describe the problem in a few words.\n"


def test_garbage_query_returns_no_results_and_a_note(run):
    result = run("#### 12 !!", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert result.stderr == (
        "smartstep: That text has no words to match on (only symbols, numbers or very short fragments).\n"
    )


def test_batch_answers_every_line_in_order_as_json_lines(run, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "q1", "text": "VAT on invoice"}\n\n{"id": 2, "text": "pasword reset"}\n{"id": "q3", "text": ""}\n',
        encoding="utf-8",
    )
    result = run("--queries", str(queries), "--k", "1", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q1", 2, "q3"]
    assert [[c["id"] for c in r["results"]] for r in rows] == [["A2"], ["A1"], []]
    first = rows[0]["results"][0]
    assert {"id", "score", "title", "resolution", "duplicates"} <= set(first)
    assert first["title"] == "Invoice charged VAT although we are exempt"
    assert first["resolution"] == "Added the VAT number." and first["duplicates"] == []


def test_bad_jsonl_line_names_file_and_line(run, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": 1, "text": "vat"}\n{"id": 2, "txt": "oops"}\n', encoding="utf-8")
    result = run("--queries", str(queries), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f'smartstep: {queries}:2: expected an object with "id" and a string "text"\n'


def test_text_and_queries_together_is_a_usage_error(run, tmp_path):
    assert run("x", "--queries", str(tmp_path / "q.jsonl")).exit_code == 2
    assert run().exit_code == 2


def test_a_tickets_import_brings_the_saved_index_along(run, db, db_path, tmp_path):
    from smartstep.knowledge.cases import table_fingerprint
    from smartstep.knowledge.store import index_dir, load_case_index, saved_fingerprint

    assert run("password reset").exit_code == 0  # the index is now saved beside the store
    csv = tmp_path / "new.csv"
    csv.write_text(
        "id,created_at,solved_at,status,team,channel,product,subject,description,resolution\n"
        "A9,2026-03-04T09:00:00Z,2026-03-05T09:00:00Z,solved,Core,email,App,"
        "Badge scanner rejects QR codes,Door scanner refuses badges,Updated the firmware\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", "tickets", str(csv)])
    assert result.exit_code == 0, result.output
    assert "Similar-case index updated: 4 cases." in result.stderr
    # Saved for the store as it is now: the bot's next question loads it instead of catching up.
    assert saved_fingerprint(index_dir(db_path)) == table_fingerprint(db)
    assert "A9" in load_case_index(index_dir(db_path)).row_of
    found = json.loads(run("QR badge scanner", "--k", "1", "--json").output)
    assert [case["id"] for case in found] == ["A9"]


def test_without_a_saved_index_an_import_does_not_build_one(db, db_path, tmp_path):
    from smartstep.knowledge.store import index_dir

    csv = tmp_path / "new.csv"
    csv.write_text(
        "id,created_at,solved_at,status,team,channel,product,subject,description,resolution\n"
        "B1,2026-03-04T09:00:00Z,2026-03-05T09:00:00Z,solved,Core,email,App,Login loop,SSO loop,Cleared cookies\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", "tickets", str(csv)])
    assert result.exit_code == 0, result.output
    assert "Similar-case index" not in result.stderr and not index_dir(db_path).exists()
