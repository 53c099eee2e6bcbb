"""/healthz tells the truth about the store (deleted, replaced, read-only, out of space: 503 with the
reason), a click that cannot be recorded says so to the clicker, and `serve` does not quietly start
on an empty store where the real one vanished. The real app over HTTP; real files, real mounts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from slack_data import insert_advice
from slack_stub import SECRET, SlackHarness, SlackStub, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db


def health(slack: SlackHarness) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(slack.url + "/healthz", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def click_useful(slack: SlackHarness, advice_id: str = "adv-H") -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "container": {"type": "message", "message_ts": "1700000500.000100", "channel_id": "C1"},
        "channel": {"id": "C1"},
        "message": {"ts": "1700000500.000100", "text": "advice", "blocks": []},
        "response_url": slack.stub.response_url("click"),
        "actions": [{"type": "button", "action_id": "rate_up", "block_id": f"advice:{advice_id}", "value": advice_id}],
    }
    assert slack.action(payload)[0] == 200


def assert_click_not_recorded(slack: SlackHarness) -> None:
    click_useful(slack)
    [told] = slack.stub.wait_for("/response/click")
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False
    assert "not recorded" in told["text"] or "nothing was read or recorded" in told["text"]
    assert slack.stub.calls_to("chat.update") == []  # the message does not pretend it was


def with_advice(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    insert_advice(db, "adv-H", "Tag the top contact reasons")
    db.close()


def test_a_healthy_store_is_ok_and_each_check_is_a_real_committed_write(slack: SlackHarness) -> None:
    status, report = health(slack)
    assert (status, json.loads(report)["status"]) == (200, "ok")
    db = open_db(slack.db_path)
    [(first,)] = db.execute("SELECT checked_at FROM health_checks").fetchall()
    db.close()
    assert health(slack)[0] == 200
    db = open_db(slack.db_path)
    [(second,)] = db.execute("SELECT checked_at FROM health_checks").fetchall()  # one row per process
    db.close()
    assert second >= first


def test_a_deleted_store_fails_health_and_a_click_is_refused_not_lost(slack: SlackHarness) -> None:
    with_advice(slack)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{slack.db_path}{suffix}").unlink(missing_ok=True)
    status, reason = health(slack)
    assert status == 503 and str(slack.db_path) in reason and "deleted" in reason
    assert_click_not_recorded(slack)
    assert not slack.db_path.exists()  # and no empty store was made in its place


def test_a_store_replaced_under_the_running_app_fails_health(slack: SlackHarness, tmp_path: Path) -> None:
    shutil.copy(slack.db_path, tmp_path / "other.db")
    os.replace(tmp_path / "other.db", slack.db_path)  # a restore over the live file: a different inode
    status, reason = health(slack)
    assert status == 503 and "replaced" in reason


def test_too_little_free_space_fails_health(slack: SlackHarness) -> None:
    free_mb = shutil.disk_usage(slack.db_path.parent).free // (1024 * 1024)
    slack.store.min_free_mb = free_mb + 1024  # as if SMARTSTEP_MIN_FREE_MB were set above what is left
    status, reason = health(slack)
    assert status == 503 and "MB free" in reason


@contextmanager
def small_disk(tmp_path: Path, size: str) -> Iterator[Path]:
    """A real, separate filesystem (tmpfs) of `size`, unmounted afterwards; needs root."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root")
    where = tmp_path / "disk"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def harness_on(directory: Path, seeded: Path) -> SlackHarness:
    path = directory / "smartstep.db"
    source = open_db(seeded)
    source.conn.execute(f"VACUUM INTO '{path}'")
    source.close()
    harness = SlackHarness(path, SlackStub())
    harness.store.min_free_mb = 1  # as SMARTSTEP_MIN_FREE_MB=1 would: these disks are small on purpose
    return harness


def test_a_read_only_store_fails_health_and_a_click_says_it_was_not_recorded(seeded: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path, "16m") as disk:
        slack = harness_on(disk, seeded)
        try:
            with_advice(slack)
            assert health(slack)[0] == 200
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            status, reason = health(slack)
            assert status == 503 and "does not take a write" in reason
            assert_click_not_recorded(slack)
        finally:
            slack.close()
            slack.stub.close()


def test_a_full_disk_fails_health(seeded: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path, "8m") as disk:
        slack = harness_on(disk, seeded)
        try:
            assert health(slack)[0] == 200
            with open(disk / "filler", "wb") as filler:  # fill the disk to the last byte
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
                except OSError:
                    pass
            status, reason = health(slack)
            assert status == 503 and "MB free" in reason
        finally:
            slack.close()
            slack.stub.close()


def serve(db: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SMARTSTEP_DB": str(db)}
    env.pop("SLACK_APP_TOKEN", None)
    command = [sys.executable, "-m", "smartstep", "serve", "--http", "--host", "127.0.0.1", "--port", "0", *extra]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def test_serve_refuses_a_missing_store_and_makes_one_only_with_create(tmp_path: Path) -> None:
    db = tmp_path / "gone.db"
    refused = serve(db)
    _, err = refused.communicate(timeout=60)
    assert refused.returncode == 1
    assert err.strip().splitlines()[-1].startswith(f"smartstep: {db} does not exist")
    assert not db.exists()
    created = serve(db, "--create", "--workers", "0")  # (workers are another test's business)
    try:
        assert created.stderr is not None
        line = ""
        while "serving" not in line:
            line = created.stderr.readline()
            assert line, "smartstep serve --create stopped before serving"
        port = re.search(r"127\.0\.0\.1:(\d+)", line).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert (response.status, json.loads(response.read())["status"]) == (200, "ok")
        assert db.exists()
    finally:
        created.terminate()
        created.wait(timeout=30)
