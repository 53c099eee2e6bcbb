"""`smartstep similar` as users and scripts call it: shapes, exit codes, sentences."""

from __future__ import annotations

import json
import re

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


@pytest.fixture
def queue(db, db_path):
    """A queue where one problem came in under reply and urgency prefixes, fixed two different ways,
    next to a signature-heavy ticket about something else."""
    rows = [
        ticket("S1", "Sync never finishes", "Cleared the sync cache."),
        ticket("S2", "URGENT: Sync never finishes", "Cleared the sync cache"),
        ticket("S3", "[Action needed] Sync never finishes", "Reinstalled the desktop agent."),
        ticket("S4", "Re: Sync never finishes", "Cleared the sync cache!"),
        ticket("L1", "Locked out after password change", "Unlocked the account from the admin panel."),
        ticket("F1", "Firewall blocks the webhook IPs", "Allow-listed our webhook IP range."),
    ]
    rows[0]["description"] = (
        "The desktop sync spins forever.\n\nThanks!\n--\nAccounts Payable | Brightwell Schools\n"
        "T: +1 415 555 0123\nap@brightwell-schools.example\n\nSent from my iPhone"
    )
    db["tickets"].insert_all(rows)

    def invoke(*args):
        return CliRunner().invoke(main, ["--db", str(db_path), "similar", *args])

    return invoke


def test_prefixed_variants_of_one_problem_fold_into_one_result_with_their_fixes_by_count(queue):
    result = queue("sync never finishes", "--k", "3", "--json")
    found = json.loads(result.stdout)
    assert [c["id"] for c in found].count("S1") + sum("S1" in c["duplicates"] for c in found) == 1
    group = next(c for c in found if {c["id"], *c["duplicates"]} == {"S1", "S2", "S3", "S4"})
    assert group["title"] == "Sync never finishes" and group["seen_count"] == 4
    fixes = {f["text"].rstrip(".!"): f["count"] for f in group["resolutions"]}  # worded as its best-ranked case
    assert fixes == {"Cleared the sync cache": 3, "Reinstalled the desktop agent": 1}
    text = queue("sync never finishes", "--k", "1").stdout
    assert "seen 4 times" in text
    assert re.search(
        r"Fixed by “Cleared the sync cache[.!]?” in 3 cases, by “Reinstalled the desktop agent\.” in 1", text
    )


def test_a_signature_does_not_make_a_login_question_match_that_customers_tickets(queue):
    found = json.loads(queue("I can't log in to my account", "--json").stdout)
    assert found[0]["id"] == "L1"
    assert all(c["id"] != "S1" and "S1" not in c["duplicates"] for c in found)


def test_nothing_close_says_so_and_shows_the_nearest_as_loosely_related(queue):
    result = queue("customer can't reset password", "--json")
    found = json.loads(result.stdout)
    assert found and not any(c["close"] for c in found)
    assert result.stderr == "smartstep: Nothing close to this has been solved before.\n"
    text = queue("customer can't reset password").stdout
    assert text.startswith("Nothing close to this has been solved before.\nLoosely related:\n1. ")


def test_close_matches_are_shown_without_the_notice(queue):
    result = queue("firewall blocks webhook IPs", "--json")
    assert json.loads(result.stdout)[0]["close"] is True and result.stderr == ""
    assert queue("firewall blocks webhook IPs").stdout.startswith("1. Firewall blocks the webhook IPs  [F1, Core,")


def test_batch_results_list_the_cases_folded_into_each(queue, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "text": "sync never finishes"}\n', encoding="utf-8")
    rows = [json.loads(line) for line in queue("--queries", str(queries), "--k", "1", "--json").stdout.splitlines()]
    (only,) = rows[0]["results"]
    assert {only["id"], *only["duplicates"]} == {"S1", "S2", "S3", "S4"}
    assert only["title"] == "Sync never finishes" and only["resolution"].startswith("Cleared the sync cache")
