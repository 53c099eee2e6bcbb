"""The clock posts each channel's digest once a week: not twice after a restart, not twice when
two clocks run, once (not many times) after downtime, and the chart through Slack's upload flow.

Time is passed in: no test sleeps or waits for the scheduler.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from digest_support import UploadStub, at, flat_store, rules

from smartstep.db import open_db
from smartstep.digest.clock import run_due
from smartstep.digest.subscriptions import Subscription, save_subscription

# Mondays 09:00 in Berlin (UTC+1 in November) are 08:00 UTC: Nov 16 2026 is in 2026-W47.
SUB = Subscription("C1", None, weekday=0, time="09:00", timezone="Europe/Berlin", created_at="2026-10-01T00:00:00Z")
MONDAY = at("2026-11-16T08:30:00")


@pytest.fixture
def stub():
    server = UploadStub()
    yield server
    server.close()


@pytest.fixture
def store(db_path: Path, tmp_path: Path):
    db = open_db(db_path)
    flat_store(db, backlog_alpha=[40.0] * 13 + [150.0])
    save_subscription(db, SUB)
    db.close()
    return db_path, rules(tmp_path)


def run(path: Path, stub: UploadStub, ruleset, now, owner: str) -> list:
    db = open_db(path)  # a fresh connection each time: what a restarted process has
    try:
        return run_due(db, stub.client(), ruleset, now, owner=owner)
    finally:
        db.close()


def rows(path: Path) -> list[tuple]:
    db = open_db(path)
    try:
        return db.execute("SELECT channel, period, status, claimed_by FROM digests ORDER BY period").fetchall()
    finally:
        db.close()


def test_restarts_do_not_post_the_same_week_twice(store, stub) -> None:
    path, ruleset = store
    [first] = run(path, stub, ruleset, MONDAY, "clock-a")
    assert (first.status, first.week) == ("posted", "2026-W47")
    # The process restarts 5 minutes and then 2 hours later (well past the stale-claim window).
    for later in ("2026-11-16T08:35:00", "2026-11-16T10:30:00", "2026-11-22T20:00:00"):
        [again] = run(path, stub, ruleset, at(later), "clock-b")
        assert again.status == "taken"
    assert len(stub.calls_to("chat.postMessage")) == 1
    assert rows(path) == [("C1", "2026-W47", "posted", "clock-a")]


def test_two_clocks_racing_on_one_store_post_once(store, stub) -> None:
    path, ruleset = store
    results: dict[str, list] = {}
    start = threading.Barrier(2)

    def clock(name: str) -> None:
        start.wait()
        results[name] = run(path, stub, ruleset, MONDAY, name)

    threads = [threading.Thread(target=clock, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(r.status for found in results.values() for r in found)
    assert statuses == ["posted", "taken"]
    assert len(stub.calls_to("chat.postMessage")) == 1
    assert len(stub.calls_to("files.completeUploadExternal")) == 1


def test_downtime_is_caught_up_once_with_the_latest_week_only(store, stub) -> None:
    path, ruleset = store
    # Down from October to Thursday Nov 19: six Mondays were missed; only the latest is posted.
    [caught] = run(path, stub, ruleset, at("2026-11-19T12:00:00"), "clock-a")
    assert (caught.status, caught.week) == ("posted", "2026-W47")
    [same] = run(path, stub, ruleset, at("2026-11-19T12:01:00"), "clock-a")
    assert same.status == "taken"
    [following] = run(path, stub, ruleset, at("2026-11-23T08:00:00"), "clock-a")  # the next Monday, 09:00 Berlin
    assert (following.status, following.week) == ("posted", "2026-W48")
    assert [r[1] for r in rows(path)] == ["2026-W47", "2026-W48"]
    assert len(stub.calls_to("chat.postMessage")) == 2


def test_a_subscription_made_after_this_weeks_moment_waits_for_the_next(db_path, tmp_path, stub) -> None:
    db = open_db(db_path)
    flat_store(db, backlog_alpha=[40.0] * 13 + [150.0])
    save_subscription(db, Subscription("C2", None, created_at="2026-11-16T10:00:00Z"))  # Mondays 09:00 UTC
    db.close()
    assert run(db_path, stub, rules(tmp_path), at("2026-11-16T12:00:00"), "a") == []
    assert stub.calls_to("chat.postMessage") == []


def test_the_chart_goes_through_the_current_upload_api_into_the_digest_thread(store, stub) -> None:
    path, ruleset = store
    [result] = run(path, stub, ruleset, MONDAY, "clock-a")
    [message] = stub.calls_to("chat.postMessage")
    assert message["channel"] == "C1" and result.ts
    [asked] = stub.calls_to("files.getUploadURLExternal")
    [(where, data)] = stub.uploads
    assert where == "/upload/F1" and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int(asked["length"]) == len(data) and asked["filename"] == "smartstep-digest-2026-W46.png"
    [done] = stub.calls_to("files.completeUploadExternal")
    assert done["channel_id"] == "C1" and done["thread_ts"] == result.ts
    # The step in the post carries a logged advice id, so its buttons record feedback.
    buttons = [b for b in message["blocks"] if b["type"] == "actions" and b["block_id"].startswith("advice:")]
    [advice_id] = {e["value"] for b in buttons for e in b["elements"]}
    db = open_db(path)
    assert db.execute("SELECT rule_id, surface FROM advice WHERE id = ?", [advice_id]).fetchone() == (
        "test.backlog_high",
        "digest",
    )
    db.close()


def test_a_quiet_week_posts_one_line_or_nothing_as_subscribed(db_path, tmp_path, stub) -> None:
    db = open_db(db_path)
    flat_store(db)
    save_subscription(db, Subscription("CLINE", None, created_at="2026-10-01T00:00:00Z"))
    save_subscription(db, Subscription("CSKIP", None, quiet="skip", created_at="2026-10-01T00:00:00Z"))
    db.close()
    results = run(db_path, stub, rules(tmp_path), at("2026-11-16T10:00:00"), "a")
    assert sorted((r.channel, r.status) for r in results) == [("CLINE", "posted"), ("CSKIP", "skipped")]
    [message] = stub.calls_to("chat.postMessage")
    assert message["channel"] == "CLINE"
    assert [b["type"] for b in message["blocks"]] == ["header", "section"]
    assert "All steady" in message["blocks"][1]["text"]["text"]
    assert stub.uploads == []  # no chart for one line
    # The skipped week is settled too: a restart does not post it after all.
    assert run(db_path, stub, rules(tmp_path), at("2026-11-16T11:00:00"), "b")[1].status == "taken"


def test_smartstep_digest_posts_to_the_subscribed_channels(store, stub, monkeypatch) -> None:
    from click.testing import CliRunner

    from smartstep.cli import main

    path, _ = store
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", stub.api_url)
    result = CliRunner().invoke(main, ["--db", str(path), "digest"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("C1: posted the 2026-W46 digest (ts ")
    [message] = stub.calls_to("chat.postMessage")
    assert message["channel"] == "C1" and message["blocks"][0]["text"]["text"] == "Weekly digest · 2026-W46"
    assert len(stub.calls_to("files.completeUploadExternal")) == 1


def test_smartstep_clock_without_a_token_is_one_sentence(store, monkeypatch) -> None:
    from click.testing import CliRunner

    from smartstep.cli import main

    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["--db", str(store[0]), "clock"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "smartstep: SLACK_BOT_TOKEN is not set; the clock needs it to post digests"


def test_the_scheduler_runs_the_catch_up_at_start(store, stub) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from smartstep.digest.clock import start_clock
    from smartstep.settings import Settings

    path, _ = store
    settings = Settings(db_path=path, slack_bot_token="xoxb-test", slack_api_url=stub.api_url)
    scheduler = start_clock(settings, path, scheduler=BackgroundScheduler())
    try:
        posted = stub.wait_for("chat.postMessage", timeout=30)
    finally:
        scheduler.shutdown(wait=True)
    assert [m["channel"] for m in posted] == ["C1"]
    [(channel, _, status, _)] = rows(path)
    assert (channel, status) == ("C1", "posted")


def test_a_refused_post_is_retried_later_but_a_failed_chart_never_reposts(store, stub) -> None:
    path, ruleset = store
    stub.rate_limit["chat.postMessage"] = 1  # Slack refuses the first post (the test client does not retry)
    [failed] = run(path, stub, ruleset, MONDAY, "clock-a")
    assert failed.status == "failed" and stub.calls_to("chat.postMessage") == []
    [waiting] = run(path, stub, ruleset, at("2026-11-16T08:40:00"), "clock-b")  # within the 15-minute claim
    assert waiting.status == "taken"
    [retried] = run(path, stub, ruleset, at("2026-11-16T08:50:00"), "clock-b")
    assert retried.status == "posted"
    assert len(stub.calls_to("chat.postMessage")) == 1
    assert rows(path) == [("C1", "2026-W47", "posted", "clock-b")]


def test_a_chart_upload_failure_keeps_the_post_and_never_posts_it_again(db_path, tmp_path, stub) -> None:
    db = open_db(db_path)
    flat_store(db, backlog_alpha=[40.0] * 13 + [150.0])
    save_subscription(db, SUB)
    db.close()
    stub.rate_limit["files.getUploadURLExternal"] = 1
    [result] = run(db_path, stub, rules(tmp_path), MONDAY, "clock-a")
    assert result.status == "posted" and stub.uploads == []
    [again] = run(db_path, stub, rules(tmp_path), at("2026-11-16T12:00:00"), "clock-b")
    assert again.status == "taken"
    assert len(stub.calls_to("chat.postMessage")) == 1


def test_out_without_dry_run_is_a_usage_error(store, tmp_path) -> None:
    from click.testing import CliRunner

    from smartstep.cli import main

    result = CliRunner().invoke(main, ["--db", str(store[0]), "digest", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--out goes with --dry-run" in result.stderr
    assert not (tmp_path / "x").exists()
