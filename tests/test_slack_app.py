"""The Slack app over HTTP the way Slack calls it: signed Events API requests to the real app under
waitress, with a local stand-in for Slack's Web API recording what the app called."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_stub import SECRET, SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)


def mention(text: str, ts: str = "1700000100.000100", **extra: str) -> dict:
    return {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": "C1", **extra}


def dm(text: str, ts: str = "1700000200.000100") -> dict:
    return {"type": "message", "channel_type": "im", "user": "U1", "text": text, "ts": ts, "channel": "D1"}


def test_mention_with_a_metric_question_gets_the_number_in_a_thread(slack: SlackHarness) -> None:
    status, _ = slack.event(mention("ticket volume for Billing"))
    assert status == 200
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert reply["channel"] == "C1"
    assert reply["thread_ts"] == "1700000100.000100"  # answered in a thread, not in the channel
    # Billing created 6 tickets in 2026-W46 (Nov 9-15), 3 in W44: read off the seed data.
    assert "*Billing*: 6 in 2026-W46" in reply["text"]
    assert reply["blocks"][0]["type"] == "section"


def test_mention_inside_a_thread_replies_in_that_thread(slack: SlackHarness) -> None:
    slack.event(mention("ticket volume for Technical", ts="1700000300.000200", thread_ts="1700000000.000001"))
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "1700000000.000001"
    assert "*Technical*: 2 in 2026-W46" in reply["text"]


def test_direct_message_metric_question_is_answered_in_the_dm(slack: SlackHarness) -> None:
    status, _ = slack.event(dm("how many tickets did Billing get?"))
    assert status == 200
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert reply["channel"] == "D1"
    assert "thread_ts" not in reply  # a DM is a conversation already
    assert "6 in 2026-W46" in reply["text"]


def test_the_bots_own_dm_edits_and_channel_chatter_get_no_reply(slack: SlackHarness) -> None:
    own = {**dm("ticket volume"), "user": "UBOT", "bot_id": "BBOT"}
    edit = {**dm("ticket volume"), "subtype": "message_changed"}
    in_a_channel = {**dm("ticket volume"), "channel_type": "channel", "channel": "C9"}  # not addressed to us
    assert slack.event(own)[0] == 200
    assert slack.event(edit)[0] == 200
    assert slack.event(in_a_channel)[0] == 200
    slack.settle()
    assert slack.stub.calls_to("chat.postMessage") == []


def test_a_retried_event_gets_exactly_one_reply(slack: SlackHarness) -> None:
    event = mention("ticket volume for Billing")
    assert slack.event(event, event_id="EvRETRY1")[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert slack.event(event, event_id="EvRETRY1", headers=retry)[0] == 200
    assert slack.event(event, event_id="EvRETRY1", headers={**retry, "X-Slack-Retry-Num": "2"})[0] == 200
    slack.settle()  # every delivery has been fully handled: a wrongly processed retry would have posted
    assert len(slack.stub.calls_to("chat.postMessage")) == 1


def test_bad_signature_is_refused_with_401_and_no_call_to_slack(slack: SlackHarness) -> None:
    status, body = slack.event(mention("ticket volume"), secret="not-the-secret")
    assert status == 401
    assert json.loads(body) == {"error": "invalid request"}
    slack.settle()
    assert slack.stub.calls == []


def test_a_replay_older_than_five_minutes_is_refused(slack: SlackHarness) -> None:
    stale = int(time.time()) - 6 * 60  # correctly signed, but 6 minutes old
    status, _ = slack.event(mention("ticket volume"), timestamp=stale)
    assert status == 401
    fresh_enough = int(time.time()) - 4 * 60
    assert slack.event(mention("ticket volume", ts="1700000400.000100"), timestamp=fresh_enough)[0] == 200
    assert len(slack.stub.wait_for("chat.postMessage")) == 1


def test_a_rate_limited_reply_is_retried_after_retry_after_and_delivered(slack: SlackHarness) -> None:
    slack.stub.rate_limit["chat.postMessage"] = 1
    slack.event(mention("ticket volume for Billing"))
    replies = slack.stub.wait_for("chat.postMessage", timeout=8)
    assert slack.stub.refused == ["chat.postMessage"]
    assert len(replies) == 1
    assert "6 in 2026-W46" in replies[0]["text"]


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("{not json", "application/json"),
        ("", "application/json"),
        ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/json"),
        ('{"type": "event_callback", "event": "not an object"}', "application/json"),
        ("payload=" + '{"type": "view_submission", "view": {"id": "V1"}}', "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_get_a_4xx_and_the_server_keeps_serving(slack: SlackHarness, body, content_type) -> None:
    status, _ = slack.post(body, content_type)
    assert 400 <= status < 500
    assert slack.event(mention("ticket volume for Billing"))[0] == 200
    assert len(slack.stub.wait_for("chat.postMessage")) == 1


def test_huge_and_odd_text_gets_a_friendly_reply_not_a_crash(slack: SlackHarness) -> None:
    odd = "💥\u0000<script>&amp;" + "ticket " * 20000 + "\u202e"
    assert slack.event(mention(odd))[0] == 200
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert reply["text"]
    assert all(len(b["text"]["text"]) <= 3000 for b in reply["blocks"] if b["type"] == "section")
    assert "Traceback" not in reply["text"]


def test_a_burst_of_twenty_concurrent_requests_is_queued_not_reset(slack: SlackHarness) -> None:
    events = [mention("ticket volume for Billing", ts=f"1700001000.{n:06d}") for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda e: slack.event(e)[0], events))
    assert statuses == [200] * 20
    replies = slack.stub.wait_for("chat.postMessage", count=20, timeout=10)
    assert sorted(r["thread_ts"] for r in replies) == sorted(e["ts"] for e in events)


def test_health_check_and_unknown_paths(slack: SlackHarness) -> None:
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(slack.url + "/healthz", timeout=5) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(slack.url + "/slack/events", timeout=5)  # GET
    assert error.value.code == 405
    assert slack.post("{}", "application/json", path="/elsewhere")[0] == 404
    assert SECRET  # the harness signs with the secret the app was built with


def test_a_failing_mention_gets_a_friendly_reply_in_its_thread_and_serving_continues(slack: SlackHarness) -> None:
    import sqlite3

    broken = sqlite3.connect(slack.db_path)
    broken.execute("ALTER TABLE metric_values RENAME TO metric_values_gone")
    broken.commit()
    slack.event(mention("ticket volume for Billing", ts="1700000900.000100"))
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "1700000900.000100"
    assert reply["text"].startswith("Sorry, something went wrong on my side")
    broken.execute("ALTER TABLE metric_values_gone RENAME TO metric_values")
    broken.commit()
    broken.close()
    slack.event(mention("ticket volume for Billing"))
    assert "6 in 2026-W46" in slack.stub.wait_for("chat.postMessage", count=2)[-1]["text"]


def test_the_working_on_it_cue_shows_only_when_an_answer_is_slow() -> None:
    from smartstep.slack.listeners.replies import with_cue

    cues: list[str] = []
    cued = threading.Event()

    def cue() -> None:
        cues.append("cue")
        cued.set()

    assert with_cue(lambda: "fast", cue, after=5) == ("fast", False)
    assert cues == []  # the timer is cancelled when the answer is ready: it can never fire later
    slow = with_cue(lambda: "slow" if cued.wait(timeout=10) else "cue never came", cue, after=0.05)
    assert slow == ("slow", True) and cues == ["cue"]


def test_a_retry_reaching_a_restarted_process_still_gets_no_second_reply(slack: SlackHarness) -> None:
    event = mention("ticket volume for Billing")
    slack.event(event, event_id="EvRESTART")
    slack.stub.wait_for("chat.postMessage")
    restarted = SlackHarness(slack.db_path, slack.stub)  # a new process's memory, the same store
    try:
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        assert restarted.event(event, event_id="EvRESTART", headers=retry)[0] == 200
        restarted.settle()
        assert len(slack.stub.calls_to("chat.postMessage")) == 1
    finally:
        restarted.close()


def test_a_metric_answer_offers_a_chart_that_is_uploaded_into_its_thread(slack: SlackHarness) -> None:
    slack.event(mention("ticket volume for Billing", ts="1700000950.000100"))
    [reply] = slack.stub.wait_for("chat.postMessage")
    [button] = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "📈 Chart"
    assert json.loads(button["value"]) == {
        "metric": "ticket_volume",
        "teams": ["Billing"],
        "period": "2026-W46",
        "weeks": 3,
    }
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "container": {
            "type": "message",
            "message_ts": "1700000999.000100",
            "channel_id": "C1",
            "thread_ts": "1700000950.000100",
            "is_ephemeral": False,
        },
        "message": {**reply, "ts": "1700000999.000100"},
        "response_url": slack.stub.response_url("chart"),
        "actions": [
            {"type": "button", "action_id": "metric_chart", "block_id": "metric_chart", "value": button["value"]}
        ],
    }
    assert slack.action(payload)[0] == 200
    [complete] = slack.stub.wait_for("files.completeUploadExternal", timeout=15)
    assert complete["channel_id"] == "C1" and complete["thread_ts"] == "1700000950.000100"
    [asked] = slack.stub.calls_to("files.getUploadURLExternal")
    assert asked["filename"] == "ticket_volume-2026-W46.png" and int(asked["length"]) > 1000
    [uploaded] = slack.stub.calls_to("/upload/F1")
    assert uploaded["png"] is True


def test_a_tampered_chart_button_gets_a_polite_refusal(slack: SlackHarness) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1"},
        "response_url": slack.stub.response_url("chart"),
        "actions": [{"type": "button", "action_id": "metric_chart", "value": '{"metric": "rm -rf", "teams": []}'}],
    }
    assert slack.action(payload)[0] == 200
    [reply] = slack.stub.wait_for("/response/chart")
    assert reply["text"] == "That chart button is broken; ask the question again."
    assert slack.stub.calls_to("files.getUploadURLExternal") == []
