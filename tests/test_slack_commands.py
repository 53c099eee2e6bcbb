"""`/smartstep` over HTTP: acknowledged at once, answered through the response_url, failures friendly."""

from __future__ import annotations

import sqlite3
import time

from slack_data import insert_advice
from slack_stub import SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)
from smartstep.db import open_db

RESPONSE = "/response/cmd"


def ask(slack: SlackHarness, text: str, user: str = "U1") -> dict:
    before = len(slack.stub.calls_to(RESPONSE))
    started = time.monotonic()
    status, body = slack.command(text, user=user)
    assert status == 200 and body == ""  # the ack is empty; the answer follows separately
    assert time.monotonic() - started < 3.0
    replies = slack.stub.wait_for(RESPONSE, count=before + 1)
    assert len(replies) == before + 1, f"no reply to /smartstep {text}"
    return replies[-1]


def test_help_and_empty_command_list_every_subcommand(slack: SlackHarness) -> None:
    for text in ("help", ""):
        reply = ask(slack, text)
        assert reply["response_type"] == "ephemeral"
        for sub in ("next", "metrics", "similar", "why", "assess", "digest", "help"):
            assert f"`/smartstep {sub}" in reply["text"]


def test_unknown_subcommand_says_so_and_shows_help(slack: SlackHarness) -> None:
    reply = ask(slack, "frobnicate now")
    assert reply["text"].startswith("I don't know `/smartstep frobnicate`.")
    assert "`/smartstep next [team]`" in reply["text"]


def test_metrics_without_a_question_shows_this_weeks_scorecard(slack: SlackHarness) -> None:
    reply = ask(slack, "metrics")
    assert reply["text"].startswith("*Scorecard, 2026-W46*")
    # Billing: 6 tickets in W46 after 4 in W45; Technical: 2 after 2.
    billing = reply["text"].split("*Billing*")[1].split("*Technical*")[0]
    assert "Ticket volume: 6 ↑2.0" in billing
    assert "Ticket volume: 2 →0.0" in reply["text"].split("*Technical*")[1]


def test_metrics_with_a_question_answers_it(slack: SlackHarness) -> None:
    reply = ask(slack, "metrics ticket volume for Technical")
    assert "*Technical*: 2 in 2026-W46" in reply["text"]


def test_next_renders_advice_with_rating_buttons(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    insert_advice(db, "adv-1", "Tag the top contact reasons")
    db.close()
    reply = ask(slack, "next Billing")
    [actions] = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["adv-1"] * 5
    assert "Tag the top contact reasons" in reply["blocks"][2]["text"]["text"]


def test_digest_changes_are_for_admins_only(slack: SlackHarness) -> None:
    assert ask(slack, "digest add #support Monday 09:00", user="U1")["text"].startswith("Only smartstep admins")
    assert not ask(slack, "digest add #support Monday 09:00", user="UADMIN")["text"].startswith("Only")
    assert not ask(slack, "digest", user="U1")["text"].startswith("Only")  # listing is for everyone


def test_a_failing_command_gets_a_friendly_message_and_the_app_keeps_serving(slack: SlackHarness) -> None:
    broken = sqlite3.connect(slack.db_path)
    broken.execute("ALTER TABLE metric_values RENAME TO metric_values_gone")
    broken.commit()
    reply = ask(slack, "metrics")
    assert reply["text"].startswith("Sorry, something went wrong on my side")
    assert "Traceback" not in reply["text"] and "sqlite" not in reply["text"].lower()
    broken.execute("ALTER TABLE metric_values_gone RENAME TO metric_values")
    broken.commit()
    broken.close()
    assert "*Technical*: 2 in 2026-W46" in ask(slack, "metrics ticket volume for Technical")["text"]
