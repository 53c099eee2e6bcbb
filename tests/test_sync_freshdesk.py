"""`smartstep sync freshdesk` against a stand-in of Freshdesk's API: Link-header pages and the 300-page
cap, deleted tickets, ratings, rate limits and a wrong key; metrics equal the same data as CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpdesk_data import GROUPS, load_freshdesk, make_account, write_freshdesk_csvs
from helpdesk_stubs import FreshdeskStub, iso

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.imports.importers import import_csv
from smartstep.imports.sync.freshdesk import FreshdeskSource
from smartstep.imports.sync.run import parse_since, run_sync

SINCE = parse_since("2026-09-01")
TICKETS = "/api/v2/tickets"


@pytest.fixture
def stub():
    server = FreshdeskStub()
    yield server
    server.close()


def sync(db, stub: FreshdeskStub, **kwargs):
    src = FreshdeskSource(
        stub.url, "fd-key", page_size=kwargs.pop("page_size", 100), max_page=kwargs.pop("max_page", 300)
    )
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
    tickets, surveys = write_freshdesk_csvs(facts, folder)
    db = open_db(folder / "csv.db")
    import_csv(db, "tickets", tickets)
    import_csv(db, "surveys", surveys)
    try:
        return metrics(db)
    finally:
        db.close()


def test_a_first_sync_follows_link_pages_and_keeps_priority_sla_and_resolutions(stub, tmp_path: Path) -> None:
    facts = make_account()
    load_freshdesk(stub, facts)
    db = open_db(tmp_path / "store.db")
    summary = sync(db, stub, since=SINCE, page_size=6)
    assert (summary.added, summary.deleted, summary.rejected) == (len(facts), 0, 0)
    assert summary.ratings == sum(1 for f in facts if f.rating in ("good", "bad"))
    assert stub.calls(TICKETS) >= -(-len(facts) // 6) + 1  # every Link page, then the deleted list
    solved = next(f for f in facts if f.status == "solved" and f.group)
    row = db["tickets"].get(str(solved.id))
    assert (row["team"], row["status"], row["solved_at"]) == (GROUPS[solved.group], "solved", iso(solved.solved))
    assert row["resolution"] == solved.agent_comments[-1] and row["contacts"] == len(solved.agent_comments)
    assert row["priority"] == {"normal": "medium", None: "low"}.get(solved.priority, solved.priority)
    assert metrics(db) == through_csv(facts, tmp_path)


def test_past_the_page_cap_the_list_is_asked_again_from_the_last_update(stub, tmp_path: Path) -> None:
    facts = make_account(25)
    load_freshdesk(stub, facts)
    stub.MAX_PAGE = 3  # the real cap is 300 pages; the client is told the same limit
    db = open_db(tmp_path / "store.db")
    summary = sync(db, stub, since=SINCE, page_size=4, max_page=3)
    assert summary.added == len(facts) and db["tickets"].count == len(facts)
    fresh_starts = [
        r for r in stub.requests if r.startswith(TICKETS + "?") and "&page=" not in r and "deleted" not in r
    ]
    assert len(fresh_starts) == 3  # 25 tickets, 4 a page, 3 pages a list: the list is asked for three times
    assert metrics(db) == through_csv(facts, tmp_path)


def test_an_incremental_sync_updates_deletes_and_adds(stub, tmp_path: Path) -> None:
    facts = make_account()
    load_freshdesk(stub, facts)
    db = open_db(tmp_path / "store.db")
    sync(db, stub, since=SINCE)
    latest = max(f.updated for f in facts)
    opened = next(f for f in facts if f.status == "open" and f.group == 360002)
    opened.status, opened.solved, opened.updated = "solved", latest + 3600, latest + 3700
    opened.agent_comments = ["Rotated the API key; the export works again."]
    opened.rating, opened.rated_at = "bad", max(latest, *(f.rated_at or 0 for f in facts)) + 5000
    gone = next(f for f in facts if f.solved and f.group == 360002 and f is not opened)
    gone.deleted, gone.updated = True, latest + 3800
    load_freshdesk(stub, facts)
    stub.requests.clear()
    summary = sync(db, stub)
    assert (summary.added, summary.updated, summary.deleted) == (0, 1, 1)
    assert summary.ratings == 1
    first = next(r for r in stub.requests if r.startswith(TICKETS + "?"))
    assert "updated_since=" + iso(latest - 1).replace(":", "%3A") in first  # from the saved cursor, a second early
    assert db["tickets"].get(str(opened.id))["resolution"] == "Rotated the API key; the export works again."
    assert str(gone.id) not in {r["id"] for r in db["tickets"].rows}
    assert set(summary.since) == {"Technical"}
    assert metrics(db) == through_csv(facts, tmp_path)


def test_a_rate_limit_is_waited_out(stub, tmp_path: Path) -> None:
    facts = make_account(12)
    load_freshdesk(stub, facts)
    stub.rate_limit = {TICKETS: {2}}
    db = open_db(tmp_path / "store.db")
    summary = sync(db, stub, since=SINCE, page_size=5)
    assert stub.refused == [TICKETS] and summary.rate_limited_seconds >= 1
    assert db["tickets"].count == len(facts)


def test_a_wrong_key_is_one_sentence_and_changes_nothing(stub, tmp_path: Path) -> None:
    load_freshdesk(stub, make_account(5))
    path = tmp_path / "store.db"
    result = CliRunner().invoke(
        main,
        ["--db", str(path), "sync", "freshdesk", "--since", "2026-09-01"],
        env={"FRESHDESK_URL": stub.url, "FRESHDESK_API_KEY": "not-the-key"},
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "FRESHDESK_API_KEY" in result.stderr
    db = open_db(path)
    assert db["tickets"].count == 0 and db["sync_state"].count == 0
    db.close()
