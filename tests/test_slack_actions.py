"""Advice buttons and App Home over HTTP: clicks stored once per user, messages updated, Home published."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from slack_data import insert_advice
from slack_stub import SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db

MESSAGE_TS = "1700000500.000100"


def posted_advice(slack: SlackHarness) -> dict:
    """Two pieces of advice logged in the store, asked for by mention; returns the message the bot posted."""
    db = open_db(slack.db_path)
    insert_advice(db, "adv-A", "Tag the top contact reasons")
    insert_advice(db, "adv-B", "Add a refund macro")
    db.close()
    slack.event(
        {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> what should we do next?",
            "ts": "1700000400.000100",
            "channel": "C1",
        }
    )
    [message] = slack.stub.wait_for("chat.postMessage")
    return {**message, "ts": MESSAGE_TS}


def click(
    slack: SlackHarness, message: dict, advice_id: str, rating: str, user: str = "U1", ephemeral: bool = False
) -> int:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "container": {"type": "message", "message_ts": MESSAGE_TS, "channel_id": "C1", "is_ephemeral": ephemeral},
        "channel": {"id": "C1"},
        "message": message,
        "response_url": slack.stub.response_url("action"),
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": f"rate_{rating}",
                "block_id": f"advice:{advice_id}",
                "value": advice_id,
                "action_ts": "1700000600.1",
            }
        ],
    }
    if ephemeral:
        del payload["message"]["ts"]
    return slack.action(payload)[0]


def feedback_rows(slack: SlackHarness) -> list[tuple]:
    db = open_db(slack.db_path)
    rows = db.execute("SELECT advice_id, user, rating FROM feedback ORDER BY advice_id, user").fetchall()
    db.close()
    return rows


def rated_line(blocks: list[dict], advice_id: str) -> str | None:
    for i, block in enumerate(blocks):
        if block.get("block_id") == f"rated:{advice_id}":
            assert blocks[i - 1]["block_id"] == f"advice:{advice_id}"  # right under its buttons
            return block["elements"][0]["text"]
    return None


def test_mention_asking_what_next_gets_each_step_with_four_rating_buttons(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert {b["block_id"] for b in actions} == {"advice:adv-A", "advice:adv-B"}
    for block in actions:
        labels = [e["text"]["text"] for e in block["elements"]]
        assert labels == ["👍 Useful", "👎 Not useful", "✅ Done", "💤 Snooze", "More"]
        assert {e["value"] for e in block["elements"]} == {block["block_id"].removeprefix("advice:")}
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    # Phone-first: the step, then only the first line of why; the detail waits behind "More".
    assert "*1. Tag the top contact reasons*\nVolume rose 50% in a week." in sections
    assert "*2. Add a refund macro*\nVolume rose 50% in a week." in sections
    assert not any("More detail here" in s or "Write a macro" in s for s in sections)


def test_clicking_done_stores_feedback_and_updates_the_message(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    assert click(slack, message, "adv-A", "done") == 200
    [update] = slack.stub.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == ("C1", MESSAGE_TS)
    assert rated_line(update["blocks"], "adv-A") == "✅ recorded: done by <@U1>"
    assert rated_line(update["blocks"], "adv-B") is None
    assert feedback_rows(slack) == [("adv-A", "U1", "done")]


def test_double_click_keeps_one_record_and_a_second_rating_replaces_the_first(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(lambda _: click(slack, message, "adv-B", "up"), range(2))) == [200, 200]
    updates = slack.stub.wait_for("chat.update", count=2)
    assert len(updates) == 2 and slack.stub.calls_to("/response/action") == []  # both clicks handled, no error
    assert feedback_rows(slack) == [("adv-B", "U1", "up")]
    assert rated_line(updates[-1]["blocks"], "adv-B") == "👍 recorded: useful by <@U1>"
    click(slack, message, "adv-B", "snooze")
    updates = slack.stub.wait_for("chat.update", count=3)
    assert len(updates) == 3
    assert feedback_rows(slack) == [("adv-B", "U1", "snooze")]
    assert rated_line(updates[-1]["blocks"], "adv-B") == "💤 recorded: snoozed by <@U1>"


def test_two_people_rating_the_same_step_are_both_shown(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    click(slack, message, "adv-A", "up", user="U1")
    slack.stub.wait_for("chat.update")
    click(slack, message, "adv-A", "down", user="U2")
    updates = slack.stub.wait_for("chat.update", count=2)
    assert feedback_rows(slack) == [("adv-A", "U1", "up"), ("adv-A", "U2", "down")]
    assert (
        rated_line(updates[-1]["blocks"], "adv-A") == "👍 recorded: useful by <@U1> · 👎 recorded: not useful by <@U2>"
    )


def test_a_click_on_an_ephemeral_reply_replaces_it_through_the_response_url(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    click(slack, message, "adv-A", "done", ephemeral=True)
    [replaced] = slack.stub.wait_for("/response/action")
    assert replaced["replace_original"] is True
    assert rated_line(replaced["blocks"], "adv-A") == "✅ recorded: done by <@U1>"
    assert slack.stub.calls_to("chat.update") == []


def test_a_click_on_advice_that_no_longer_exists_is_refused_politely(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    started = time.monotonic()
    assert click(slack, message, "adv-gone", "up") == 200
    assert time.monotonic() - started < 1.0  # a failure after ack() must not hold the ack back
    [reply] = slack.stub.wait_for("/response/action")
    assert reply["text"] == "That advice is no longer in smartstep's store, so the click was not recorded."
    assert reply["response_type"] == "ephemeral"
    assert feedback_rows(slack) == []
    slack.settle()
    assert slack.stub.calls_to("chat.update") == []


def test_more_shows_evidence_and_playbook_to_the_clicker(slack: SlackHarness) -> None:
    message = posted_advice(slack)
    payload_message = dict(message)
    status = slack.action(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "container": {"type": "message", "message_ts": MESSAGE_TS},
            "message": payload_message,
            "response_url": slack.stub.response_url("more"),
            "trigger_id": "1.2.3",
            "actions": [{"type": "button", "action_id": "advice_more", "block_id": "advice:adv-A", "value": "adv-A"}],
        }
    )[0]
    assert status == 200
    [detail] = slack.stub.wait_for("/response/more")
    assert detail["response_type"] == "ephemeral"
    assert "Ticket volume (Billing, 2026-W46): 6, was 4" in detail["text"]
    assert "1. Tag the top three contact reasons\n2. Write a macro for the biggest one" in detail["text"]
    assert "More detail here." in detail["text"]


def test_app_home_shows_scorecard_placeholder_steps_and_recent_advice(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    insert_advice(db, "adv-A", "Tag the top contact reasons")
    db.close()
    slack.event({"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "home"})
    [publish] = slack.stub.wait_for("views.publish")
    assert publish["user_id"] == "U7"
    view = publish["view"]
    assert view["type"] == "home"
    texts = "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text"))
    assert "*Scorecard, 2026-W46*" in texts
    assert "*Billing*\n" in texts and "Ticket volume: 6" in texts
    # Six tickets after four is no news (Poisson noise), and a handful of tickets is too few to tell a median.
    assert "Ticket volume: 6 ↑" not in texts and "First reply time: _too few tickets to tell_" in texts
    # The real advisor's top step: Billing's survey response rate fell from ~30% to 13% (seed data).
    assert "1. *Fewer customers answer the survey — check pacing and fatigue* (Billing)" in texts
    assert "• Tag the top contact reasons (Billing, 2026-11-16)" in texts  # recent advice
    db = open_db(slack.db_path)
    assert db["advice"].count == 1  # opening Home shows the ranking without logging it as advice given
    db.close()


def test_the_messages_tab_opening_publishes_nothing(slack: SlackHarness) -> None:
    slack.event({"type": "app_home_opened", "user": "U7", "channel": "D7", "tab": "messages"})
    slack.settle()
    assert slack.stub.calls_to("views.publish") == []


def test_the_real_advisor_answers_a_mention_with_logged_advice_and_its_buttons_record(slack: SlackHarness) -> None:
    advisor = SlackHarness(slack.db_path, slack.stub)  # default skills: the shipped rule base and pipeline
    try:
        advisor.event(
            {
                "type": "app_mention",
                "user": "U3",
                "text": "<@UBOT> what should we do next for Billing?",
                "ts": "1700000700.000100",
                "channel": "C1",
            }
        )
        [message] = slack.stub.wait_for("chat.postMessage", timeout=15)
        actions = [b for b in message["blocks"] if b["type"] == "actions"]
        assert actions, message["text"]
        advice_id = actions[0]["block_id"].removeprefix("advice:")
        db = open_db(slack.db_path)
        row = db.execute("SELECT rule_id, team, surface FROM advice WHERE id = ?", [advice_id]).fetchone()
        db.close()
        # Billing's imported survey response rate fell from ~30% to 13%: the shipped rule for that fires.
        assert row == ("surveys.response_rate_falling", "Billing", "slack")
        assert "Fewer customers answer the survey" in message["blocks"][2]["text"]["text"]
        click(advisor, {**message, "ts": MESSAGE_TS}, advice_id, "done", user="U3")
        [update] = slack.stub.wait_for("chat.update")
        assert rated_line(update["blocks"], advice_id) == "✅ recorded: done by <@U3>"
        assert feedback_rows(slack) == [(advice_id, "U3", "done")]
    finally:
        advisor.close()


def test_concurrent_next_step_questions_are_all_answered(slack: SlackHarness) -> None:
    """Each run logs advice (a read, then a write): concurrent runs must not trip over SQLite's locks."""
    advisor = SlackHarness(slack.db_path, slack.stub)
    try:
        events = [
            {
                "type": "app_mention",
                "user": f"U{n}",
                "text": "<@UBOT> what should we do next for Billing?",
                "ts": f"1700000800.{n:06d}",
                "channel": "C1",
            }
            for n in range(6)
        ]
        with ThreadPoolExecutor(max_workers=6) as pool:
            assert list(pool.map(lambda e: advisor.event(e)[0], events)) == [200] * 6
        replies = slack.stub.wait_for("chat.postMessage", count=6, timeout=20)
        assert len(replies) == 6
        assert not [r["text"] for r in replies if r["text"].startswith("Sorry")]
        assert all(any(b["type"] == "actions" for b in r["blocks"]) for r in replies)
    finally:
        advisor.close()
