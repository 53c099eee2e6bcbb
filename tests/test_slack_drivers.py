""" "Why is CES down for Technical?" in Slack: the driver analysis in words, and a small bar chart."""

from __future__ import annotations

from demo_support import demo_db_path
from slack_stub import BOT_USER, SlackHarness, SlackStub

from smartstep.db import open_db


def test_a_driver_question_is_answered_with_the_drivers_and_a_bar_chart(tmp_path):
    path = tmp_path / "demo.db"
    source = open_db(demo_db_path())
    source.conn.execute(f"VACUUM INTO '{path}'")
    source.close()
    stub = SlackStub()
    harness = SlackHarness(path, stub)
    try:
        event = {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": "1700000001.000100",
            "text": f"<@{BOT_USER}> why is CES down for Technical?",
        }
        status, _ = harness.event(event)
        assert status == 200
        [reply] = stub.wait_for("chat.postMessage", timeout=60)
        assert reply["thread_ts"] == "1700000001.000100"
        assert "contacts to resolve" in reply["text"] and "CES" in reply["text"]
        [upload] = stub.wait_for("files.getUploadURLExternal", timeout=30)
        assert upload["filename"] == "drivers.png"
        [done] = stub.wait_for("files.completeUploadExternal", timeout=30)
        assert done.get("thread_ts") == "1700000001.000100"
        sent = [body for method, body in stub.calls if method.startswith("/upload/")]
        assert sent and sent[0]["png"]
    finally:
        harness.close()
        stub.close()
