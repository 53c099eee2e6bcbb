"""Freshness ("data as of …" on answers, /healthz), the in-process sync schedule, and `smartstep backup`
while the store is being written."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpdesk_data import load_zendesk, make_account
from helpdesk_stubs import ZendeskStub

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.imports.importers import import_csv
from smartstep.metrics.freshness import data_freshness, health_fields

ROOT = Path(__file__).resolve().parent.parent


def store_with_tickets(tmp_path: Path, last: str = "2026-11-20T10:00:00Z") -> Path:
    csv = tmp_path / "t.csv"
    csv.write_text(
        "id,created_at,solved_at,status,team\n"
        f"T1,2026-11-02T10:00:00Z,2026-11-03T10:00:00Z,solved,Billing\nT2,{last},,open,Billing\n",
        encoding="utf-8",
    )
    path = tmp_path / "store.db"
    db = open_db(path)
    import_csv(db, "tickets", csv)
    db.close()
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_fresh_data_says_nothing_old_data_says_as_of_and_stale_data_warns(tmp_path: Path) -> None:
    db = open_db(store_with_tickets(tmp_path))
    assert data_freshness(db, now=at("2026-11-20T20:00:00")).note() is None
    old = data_freshness(db, now=at("2026-11-22T12:00:00")).note()
    assert old == "_Data as of Fri 20 Nov 2026 10:00 UTC (2 days ago)._"
    stale = data_freshness(db, now=at("2026-11-27T10:00:00"), stale_after_hours=72)
    assert stale.stale and stale.note().startswith(":warning: Data as of Fri 20 Nov 2026 10:00 UTC (7 days ago).")
    assert "older than 3 days" in stale.note()


def test_a_successful_sync_that_found_nothing_still_counts_and_a_failing_one_is_named(tmp_path: Path) -> None:
    db = open_db(store_with_tickets(tmp_path))
    db["sync_state"].insert({"source": "zendesk", "last_success_at": "2026-11-26T09:00:00Z"})
    assert data_freshness(db, now=at("2026-11-26T10:00:00")).note() is None
    db["sync_state"].update("zendesk", {"last_error": "Zendesk refused the credentials (401 Unauthorized)"})
    note = data_freshness(db, now=at("2026-12-02T10:00:00")).note()
    assert "the last Zendesk sync failed: Zendesk refused the credentials (401 Unauthorized)" in note


def test_answers_carry_the_note_unless_asked_as_of_a_date(tmp_path: Path) -> None:
    path = store_with_tickets(tmp_path, last="2026-11-05T10:00:00Z")  # weeks before the machine's clock
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(path), "ask", "how is ticket volume?", "--json"])
    assert result.exit_code == 0, result.output
    assert "Data as of Thu 05 Nov 2026 10:00 UTC" in json.loads(result.stdout)["text"]
    dated = runner.invoke(main, ["--db", str(path), "--as-of", "2026-11-08", "ask", "how is ticket volume?", "--json"])
    assert "Data as of" not in json.loads(dated.stdout)["text"]


def test_healthz_reports_the_data_age_and_each_sync(tmp_path: Path) -> None:
    from slack_bolt import App

    from smartstep.slack.http_server import build_wsgi

    path = store_with_tickets(tmp_path)
    db = open_db(path)
    db["sync_state"].insert({"source": "freshdesk", "last_success_at": "2026-11-21T09:00:00Z", "last_error": None})
    db.close()
    app = App(token="xoxb-test", signing_secret="secret", token_verification_enabled=False)
    wsgi = build_wsgi(app, details=lambda: health_fields(path, 72))
    seen: list[str] = []
    body = b"".join(
        wsgi({"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz"}, lambda status, headers: seen.append(status))
    )
    report = json.loads(body)
    assert seen == ["200 OK"] and report["status"] == "ok"
    assert report["data_as_of"] == "2026-11-21T09:00:00Z"  # the sync is later than the newest ticket
    assert report["syncs"] == {
        "freshdesk": {"last_success_at": "2026-11-21T09:00:00Z", "last_error": None, "running": False}
    }
    assert report["data_age_hours"] > 0 and report["stale"] is True  # the machine's clock is past Nov 24
    assert health_fields(tmp_path / "missing" / "store.db")["data_error"]  # answers even without a store


def test_the_clock_syncs_the_configured_helpdesk_in_process(tmp_path: Path) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from smartstep.digest.clock import start_clock
    from smartstep.settings import Settings

    stub = ZendeskStub(page_size=10)
    facts = make_account(25)
    load_zendesk(stub, facts)
    path = tmp_path / "store.db"
    open_db(path).close()
    settings = Settings(
        db_path=path, zendesk_url=stub.url, zendesk_email="lead@example.com", zendesk_api_token="zd-token"
    )
    scheduler = start_clock(settings, path, scheduler=BackgroundScheduler(timezone=UTC), digests=False)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db = open_db(path)
            done = db.execute("SELECT last_success_at FROM sync_state WHERE source = 'zendesk'").fetchone()
            db.close()
            if done and done[0]:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the scheduled sync did not finish within 60 s")
    finally:
        scheduler.shutdown(wait=True)
        stub.close()
    db = open_db(path)
    assert db["tickets"].count == len(facts)  # a first sync reaches 180 days back: all of them
    db.close()


def test_backup_is_consistent_while_the_store_is_written(tmp_path: Path) -> None:
    path = store_with_tickets(tmp_path)
    stop = threading.Event()
    written = []

    def writer() -> None:
        db = open_db(path)
        n = 0
        while not stop.is_set() and n < 5000:
            with db.atomic():  # two rows per transaction: a consistent copy never has one without the other
                db.execute("INSERT INTO tickets (id, created_at, status, team) VALUES (?, ?, 'open', 'Ops')",
                           [f"W{n}a", "2026-11-20T10:00:00Z"])  # fmt: skip
                db.execute("INSERT INTO tickets (id, created_at, status, team) VALUES (?, ?, 'open', 'Ops')",
                           [f"W{n}b", "2026-11-20T10:00:00Z"])  # fmt: skip
            n += 1
            written.append(n)
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        copy = tmp_path / "backup.db"
        result = CliRunner().invoke(main, ["--db", str(path), "backup", str(copy), "--json"])
    finally:
        stop.set()
        thread.join(timeout=30)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    backup = sqlite3.connect(copy)
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    pairs = backup.execute("SELECT count(*) FROM tickets WHERE id LIKE 'W%'").fetchone()[0]
    assert pairs % 2 == 0 and pairs >= 40 and report["tickets"] == pairs + 2
    backup.close()
    assert not (tmp_path / "backup.db-wal").exists()
    again = CliRunner().invoke(main, ["--db", str(path), "backup", str(copy)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    # Restoring is putting the file back where SMARTSTEP_DB points: the copy is a working store.
    restored = CliRunner().invoke(main, ["--db", str(copy), "teams", "--json"])
    assert restored.exit_code == 0 and {t["team"] for t in json.loads(restored.stdout)} >= {"Billing", "Ops"}


def test_the_container_runs_unprivileged_with_the_store_on_a_volume() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["smartstep"]
    db_dir = str(Path(service["environment"]["SMARTSTEP_DB"]).parent)
    assert any(v.split(":")[1] == db_dir and v.split(":")[0] in compose["volumes"] for v in service["volumes"])
    assert 'VOLUME ["/data"]' in dockerfile and db_dir == "/data"
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and line[0] != "#"
    )
    assert procfile == {
        "web": "smartstep serve --http --port $PORT",
        "worker": "smartstep serve",
        "clock": "smartstep clock",
    }


def test_the_digest_says_how_old_its_data_is(tmp_path: Path) -> None:
    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.digest.post import render_digest

    db = open_db(store_with_tickets(tmp_path))
    rules = load_rule_base(None)
    fresh = render_digest(db, rules, log=False, chart=False, at=at("2026-11-20T12:00:00"))
    old = render_digest(db, rules, log=False, chart=False, at=at("2026-11-30T12:00:00"), stale_after_hours=24 * 14)
    texts = [b["elements"][0]["text"] for b in old.message["blocks"] if b["type"] == "context"]
    assert texts[0] == "_Data as of Fri 20 Nov 2026 10:00 UTC (10 days ago)._"
    assert not any("Data as of" in str(b) for b in fresh.message["blocks"])
