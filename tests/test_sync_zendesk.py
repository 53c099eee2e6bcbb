"""`smartstep sync zendesk` against a stand-in of Zendesk's API: first sync, incremental sync, rate
limits, a wrong token, a kill mid-sync; the metrics always equal those of the same data as CSV."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpdesk_data import GROUPS, load_zendesk, make_account, write_zendesk_csvs
from helpdesk_stubs import ZendeskStub, iso

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.imports.importers import import_csv
from smartstep.imports.sync.run import run_sync
from smartstep.imports.sync.zendesk import ZendeskSource

SINCE = "2026-09-01"
EXPORT = "/api/v2/incremental/tickets/cursor.json"


@pytest.fixture
def stub():
    server = ZendeskStub(page_size=7)
    yield server
    server.close()


def source(stub: ZendeskStub, token: str = "zd-token") -> ZendeskSource:
    return ZendeskSource(stub.url, "lead@example.com", token)


def env(stub: ZendeskStub, token: str = "zd-token") -> dict[str, str]:
    return {"ZENDESK_URL": stub.url, "ZENDESK_EMAIL": "lead@example.com", "ZENDESK_API_TOKEN": token}


def sync(db, stub: ZendeskStub, **kwargs):
    src = source(stub)
    try:
        return run_sync(db, src, **kwargs)
    finally:
        src.close()


def metrics(db) -> list[tuple]:
    return db.execute(
        "SELECT team, metric, period, round(value, 6), n FROM metric_values ORDER BY team, metric, period"
    ).fetchall()


def through_csv(facts, tmp_path: Path) -> list[tuple]:
    folder = tmp_path / "csv"
    folder.mkdir(exist_ok=True)
    tickets, surveys = write_zendesk_csvs(facts, folder)
    db = open_db(folder / "csv.db")
    import_csv(db, "tickets", tickets)
    import_csv(db, "surveys", surveys)
    try:
        return metrics(db)
    finally:
        db.close()


def test_a_first_sync_brings_every_ticket_rating_and_sla_outcome(stub, tmp_path: Path) -> None:
    from smartstep.imports.sync.run import parse_since

    facts = make_account()
    load_zendesk(stub, facts)
    db = open_db(tmp_path / "store.db")
    summary = sync(db, stub, since=parse_since(SINCE))
    assert (summary.added, summary.updated, summary.deleted, summary.rejected) == (len(facts), 0, 0, 0)
    assert summary.ratings == sum(1 for f in facts if f.rating)
    assert db["tickets"].count == len(facts)
    assert stub.calls(EXPORT) == -(-len(facts) // 7)  # every page of 7, then end_of_stream
    solved = next(f for f in facts if f.status == "solved" and f.group)
    row = db["tickets"].get(str(solved.id))
    assert row["team"] == GROUPS[solved.group]
    assert row["resolution"] == solved.agent_comments[-1]  # the last public agent comment, not the internal note
    assert row["description"] == solved.description
    assert row["solved_at"] == iso(solved.solved)
    flags = {str(f.id): {"met": 0, "breached": 1}.get(f.sla or "") for f in facts}
    assert {r["id"]: r["sla_breached"] for r in db["tickets"].rows} == flags
    assert metrics(db) == through_csv(facts, tmp_path)
    state = db.execute("SELECT pending, last_success_at, lease_owner FROM sync_state").fetchone()
    assert state[0] == "{}" and state[1] is not None and state[2] is None


def test_an_incremental_sync_reads_only_changes_and_recomputes_only_the_weeks_touched(stub, tmp_path: Path) -> None:
    from smartstep.imports.sync.run import parse_since

    facts = make_account()
    load_zendesk(stub, facts)
    db = open_db(tmp_path / "store.db")
    sync(db, stub, since=parse_since(SINCE))
    latest = max(f.updated for f in facts)
    before = dict(
        ((team, metric, period), rowid)
        for rowid, team, metric, period in db.execute("SELECT rowid, team, metric, period FROM metric_values")
    )
    # Later: one open ticket is solved, one ticket is deleted, a new ticket arrives, a rating comes in.
    opened = next(f for f in facts if f.status == "open" and f.group == 360001)
    opened.status, opened.solved, opened.updated = "solved", latest + 3600, latest + 4000
    opened.agent_comments = ["Reset the password and confirmed the login works."]
    opened.rating, opened.rated_at = "good", latest + 5000
    gone = next(f for f in facts if f.solved and f.group == 360001 and f is not opened)
    gone.deleted, gone.updated = True, latest + 4100
    new = make_account(1, seed=9)[0]
    new.id, new.created, new.updated, new.group = 5000, latest + 4200, latest + 4200, 360001
    facts.append(new)
    load_zendesk(stub, facts)
    stub.requests.clear()
    summary = sync(db, stub)
    assert (summary.added, summary.updated, summary.deleted) == (1, 1, 1)
    assert summary.ratings >= 1
    first_export = next(r for r in stub.requests if r.startswith(EXPORT))
    assert "cursor=" in first_export and "start_time" not in first_export  # continued, not started over
    assert db["tickets"].count == len(facts) - 1 and str(gone.id) not in {r["id"] for r in db["tickets"].rows}
    assert db["tickets"].get(str(opened.id))["resolution"] == "Reset the password and confirmed the login works."
    # Billing's earliest touched week is the deleted ticket's; Technical was not touched at all.
    assert set(summary.since) == {"Billing"}
    assert metrics(db) == through_csv(facts, tmp_path)
    untouched = [
        key for key, rowid in before.items() if key[0] == "Technical" and key[1] != "time_to_customer_value_days"
    ]
    after = dict(
        ((team, metric, period), rowid)
        for rowid, team, metric, period in db.execute("SELECT rowid, team, metric, period FROM metric_values")
    )
    assert untouched and all(after.get(key) == before[key] for key in untouched)  # never rewritten


def test_a_rate_limit_and_a_503_mid_way_are_waited_out(stub, tmp_path: Path) -> None:
    from smartstep.imports.sync.run import parse_since

    facts = make_account()
    load_zendesk(stub, facts)
    stub.rate_limit = {EXPORT: {3}, "/api/v2/satisfaction_ratings.json": {1}}
    stub.unavailable = {EXPORT: {5}}  # and one 503 from a helpdesk restarting: asked again, not fatal
    db = open_db(tmp_path / "store.db")
    summary = sync(db, stub, since=parse_since(SINCE))
    assert stub.refused == [EXPORT, f"503 {EXPORT}", "/api/v2/satisfaction_ratings.json"]
    assert summary.rate_limited_seconds >= 2  # Retry-After: 1, twice
    assert db["tickets"].count == len(facts)
    assert metrics(db) == through_csv(facts, tmp_path)


def test_a_wrong_token_is_one_sentence_and_changes_nothing(stub, tmp_path: Path) -> None:
    load_zendesk(stub, make_account(5))
    path = tmp_path / "store.db"
    open_db(path).close()
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["--db", str(path), "sync", "zendesk", "--since", SINCE], env=env(stub, "wrong"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "ZENDESK_API_TOKEN" in result.stderr and "401" in result.stderr
    assert "Traceback" not in result.output
    db = open_db(path)
    assert db["tickets"].count == 0 and db["sync_state"].count == 0
    db.close()
    assert path.read_bytes() == before


def test_missing_settings_name_the_variable(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "sync", "zendesk"], env={"ZENDESK_URL": ""})
    assert result.exit_code == 1 and "ZENDESK_SUBDOMAIN is not set" in result.stderr


def test_a_sync_killed_mid_way_loses_and_duplicates_nothing_on_the_rerun(stub, tmp_path: Path) -> None:
    facts = make_account()
    load_zendesk(stub, facts)
    stub.hold_at = (EXPORT, 3)  # the third page never answers: the process is killed waiting for it
    path = tmp_path / "store.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "smartstep", "--db", str(path), "sync", "zendesk", "--since", SINCE, "--json"],
        env={**os.environ, **env(stub)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert stub.held.wait(timeout=60), "the sync never reached the third page"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    db = open_db(path)
    assert db["tickets"].count == 14  # exactly the two pages committed before the kill
    assert db.execute("SELECT pending FROM sync_state").fetchone()[0] != "{}"  # their weeks await a recompute
    db.close()
    stub.hold_at, stub.requests = None, []
    stub.release.set()
    result = CliRunner().invoke(main, ["--db", str(path), "sync", "zendesk", "--json"], env=env(stub))
    assert result.exit_code == 0, result.output
    assert "cursor=" in next(r for r in stub.requests if r.startswith(EXPORT))  # resumed at the saved cursor
    db = open_db(path)
    assert db["tickets"].count == len(facts)
    assert (
        db.execute("SELECT count(*), count(DISTINCT id) FROM surveys").fetchone()
        == (sum(1 for f in facts if f.rating),) * 2
    )
    assert metrics(db) == through_csv(facts, tmp_path)
    db.close()


def test_sync_prints_a_summary_and_json(stub, tmp_path: Path) -> None:
    import json

    facts = make_account(10)
    load_zendesk(stub, facts)
    path = str(tmp_path / "store.db")
    result = CliRunner().invoke(main, ["--db", path, "sync", "zendesk", "--since", SINCE], env=env(stub))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Synced Zendesk: {len(facts)} tickets added, 0 updated, 0 deleted")
    result = CliRunner().invoke(main, ["--db", path, "sync", "zendesk", "--json"], env=env(stub))
    data = json.loads(result.stdout)
    assert (data["source"], data["added"], data["deleted"]) == ("zendesk", 0, 0)
    assert {"updated", "ratings", "rejected", "since", "notes", "rate_limited_seconds"} <= set(data)


def test_the_saved_case_index_follows_a_sync_with_new_fixes_and_deletions(stub, tmp_path: Path) -> None:
    import json

    from smartstep.imports.sync.run import parse_since

    facts = make_account()
    load_zendesk(stub, facts)
    path = tmp_path / "store.db"
    db = open_db(path)
    sync(db, stub, since=parse_since(SINCE))
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(path), "similar", "exports problem", "--json"]).exit_code == 0  # saves it
    solved = [f for f in facts if f.solved]
    gone = solved[0]
    gone.deleted, gone.updated = True, max(f.updated for f in facts) + 60
    fixed = next(f for f in facts if f.status == "open")
    fixed.status, fixed.solved, fixed.updated = "solved", gone.updated + 60, gone.updated + 120
    fixed.subject = "Webhook signature mismatch after key rotation"
    fixed.agent_comments = ["Re-synced the signing key; webhooks verify again."]
    load_zendesk(stub, facts)
    summary = sync(db, stub)
    assert summary.cases == len(solved)  # one case more (fixed), one less (deleted)
    found = json.loads(
        runner.invoke(main, ["--db", str(path), "similar", "webhook signature mismatch", "--json"]).stdout
    )
    assert found[0]["id"] == str(fixed.id)
    assert found[0]["resolution"] == "Re-synced the signing key; webhooks verify again."
    ids = {case["id"] for case in json.loads(runner.invoke(main, ["--db", str(path), "similar", gone.subject,
                                                                 "--k", "50", "--json"]).stdout)}  # fmt: skip
    assert str(gone.id) not in ids
