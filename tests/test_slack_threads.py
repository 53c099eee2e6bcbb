"""Follow-ups in a thread the bot answered need no new @mention: signed message.channels events to the
real Bolt app, with the local Web API stand-in recording what it posted. The bot answers only in its
own threads, never its own messages, never twice for a message that also mentions it, and leaves
messages to colleagues alone."""

from __future__ import annotations

import logging
import threading

import pytest
from slack_stub import SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db

THREAD = "1700000100.000100"


class Seen(logging.Handler):
    """Collects smartstep's Slack log lines; `wait` blocks until one contains the words (or fails)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.changed:
            self.lines.append(record.getMessage())
            self.changed.notify_all()

    def wait(self, *words: str, timeout: float = 30.0) -> str:
        with self.changed:
            found = self.changed.wait_for(
                lambda: next((line for line in self.lines if all(w in line for w in words)), None), timeout
            )
        assert found, f"no log line with {words}; saw {self.lines}"
        return found


@pytest.fixture
def seen():
    handler = Seen()
    logger = logging.getLogger("smartstep.slack")
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def mention(text: str, ts: str = THREAD) -> dict:
    return {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": "C1"}


def in_thread(text: str, ts: str, thread: str = THREAD, **extra) -> dict:
    event = {"type": "message", "channel_type": "channel", "user": "U1", "text": text, "ts": ts, "channel": "C1"}
    return {**event, "thread_ts": thread, **extra}


def started(slack: SlackHarness) -> dict:
    """A mention the bot answers in a thread: the thread is now the bot's."""
    slack.event(mention("ticket volume for Billing"))
    [first] = slack.stub.wait_for("chat.postMessage")
    assert first["thread_ts"] == THREAD
    return first


def test_a_follow_up_in_the_bots_thread_needs_no_mention(slack: SlackHarness) -> None:
    started(slack)
    assert slack.event(in_thread("and for Technical?", "1700000101.000100"))[0] == 200
    replies = slack.stub.wait_for("chat.postMessage", 2)
    follow = replies[1]
    assert follow["thread_ts"] == THREAD and follow["channel"] == "C1"
    assert "*Technical*: 2 in 2026-W46" in follow["text"] and "Billing" not in follow["text"]


def test_the_context_survives_a_restart_of_the_app(slack: SlackHarness) -> None:
    started(slack)
    again = SlackHarness(slack.db_path, slack.stub, skills=None)  # a new process on the same store
    try:
        again.event(in_thread("what about Technical?", "1700000102.000100"), event_id="EvAfterRestart")
        follow = slack.stub.wait_for("chat.postMessage", 2)[1]
        assert "*Technical*: 2 in 2026-W46" in follow["text"]
    finally:
        again.close()


def test_a_thread_the_bot_never_answered_is_left_alone(slack: SlackHarness, seen: Seen) -> None:
    slack.event(in_thread("and for Technical?", "1700000201.000100", thread="1700000200.000100"))
    seen.wait("1700000201.000100", "not a thread the bot started or answered")
    assert slack.stub.calls_to("chat.postMessage") == []


def test_a_message_to_a_colleague_in_the_bots_thread_gets_no_reply(slack: SlackHarness, seen: Seen) -> None:
    started(slack)
    slack.event(in_thread("<@U2> can you look at the Billing numbers?", "1700000103.000100"))
    seen.wait("1700000103.000100", "addressed to someone else")
    assert len(slack.stub.calls_to("chat.postMessage")) == 1


def test_a_follow_up_that_mentions_the_bot_is_answered_once(slack: SlackHarness, seen: Seen) -> None:
    started(slack)
    ts = "1700000104.000100"
    slack.event({**mention("and for Technical?", ts=ts), "thread_ts": THREAD})
    slack.event(in_thread("<@UBOT> and for Technical?", ts))  # Slack sends the same message as both events
    seen.wait(ts, "mentions the bot")
    replies = slack.stub.wait_for("chat.postMessage", 2)
    assert len(replies) == 2 and "*Technical*" in replies[1]["text"]


def test_the_bots_own_message_in_its_thread_gets_no_reply(slack: SlackHarness) -> None:
    started(slack)
    own = in_thread("ticket volume for Technical", "1700000105.000100", user="UBOT", bot_id="BBOT")
    assert slack.event(own)[0] == 200
    slack.event(in_thread("and for Technical?", "1700000106.000100"))  # a real follow-up after it
    replies = slack.stub.wait_for("chat.postMessage", 2)
    assert len(replies) == 2


def test_thanks_in_a_thread_is_not_answered_and_records_nothing(slack: SlackHarness, seen: Seen) -> None:
    started(slack)
    slack.event(in_thread("thanks!", "1700000107.000100"))
    seen.wait("1700000107.000100", "smalltalk")
    assert len(slack.stub.calls_to("chat.postMessage")) == 1
    db = open_db(slack.db_path)
    assert db["feedback"].count == 0
    db.close()


def test_a_reply_under_a_digest_the_bot_posted_is_a_follow_up(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    db["digests"].insert({"channel": "C1", "period": "2026-W46", "status": "posted", "message_ts": "1700000300.000100"})
    db.close()
    slack.event(in_thread("ticket volume for Technical", "1700000301.000100", thread="1700000300.000100"))
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "1700000300.000100" and "*Technical*: 2 in 2026-W46" in reply["text"]
