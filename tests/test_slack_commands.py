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
    # Billing: 6 tickets in W46 after 4 in W45 (Poisson noise, not a move); Technical: 2 after 2.
    billing = reply["text"].split("*Billing*")[1].split("*Technical*")[0]
    assert "Ticket volume: 6 · steady" in billing
    assert "Ticket volume: 2 · steady" in reply["text"].split("*Technical*")[1]
    assert "First reply time: _too few tickets to tell_" in billing


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


def test_assess_opens_a_modal_with_every_question(slack: SlackHarness) -> None:
    status, _ = slack.command("assess Billing")
    assert status == 200
    [opened] = slack.stub.wait_for("views.open")
    assert opened["trigger_id"] == "1.2.3"
    view = opened["view"]
    assert (view["type"], view["callback_id"], view["private_metadata"]) == ("modal", "assessment", "Billing")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 14
    for block in inputs:
        options = block["element"]["options"]
        assert [o["value"] for o in options] == ["1", "2", "3", "4", "5"]
        assert all(len(o["text"]["text"]) <= 75 for o in options)  # Slack refuses longer option text
    slack.settle()
    assert slack.stub.calls_to(RESPONSE) == []  # the modal is the answer; no extra message


def submit_assessment(slack: SlackHarness, stage: int) -> None:
    from smartstep.advice.assessment import questionnaire

    values = {
        q.id: {"answer": {"type": "static_select", "selected_option": {"value": str(stage)}}}
        for q in questionnaire().questions
    }
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U5"},
        "api_app_id": "A1",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "assessment",
            "private_metadata": "Billing",
            "state": {"values": values},
        },
    }
    status, body = slack.action(payload)
    assert (status, body) == (200, "")  # an empty ack closes the modal


def test_submitting_the_assessment_stores_it_and_sends_the_stages_with_progress(slack: SlackHarness) -> None:
    submit_assessment(slack, 3)
    [first] = slack.stub.wait_for("chat.postMessage")
    assert first["channel"] == "U5"  # a DM to whoever took it
    # Every answer at stage 3: each dimension is stage 3 ("Professional"), and so is the whole.
    assert first["text"].startswith("*Capability assessment (Billing)*: overall *Professional* (stage 3 of 5)")
    assert "• Measurement: Professional (3)" in first["text"]
    submit_assessment(slack, 4)
    second = slack.stub.wait_for("chat.postMessage", count=2)[-1]
    assert "overall *Proactive* (stage 4 of 5)" in second["text"]
    assert "• Process: Proactive (4), up 1 since" in second["text"]
    db = open_db(slack.db_path)
    assert db.execute("SELECT team, user, overall FROM assessments ORDER BY id").fetchall() == [
        ("Billing", "U5", 3),
        ("Billing", "U5", 4),
    ]
    db.close()


def test_similar_without_text_explains_how_and_with_text_lists_solved_cases(slack: SlackHarness) -> None:
    assert ask(slack, "similar")["text"] == (
        "Describe the problem after the command, e.g. `/smartstep similar refund not received`."
    )
    reply = ask(slack, "similar Technical question")
    assert reply["text"].startswith("*Solved cases like* _Technical question_")
    assert "[Tec-" in reply["text"] and ", Technical, solved " in reply["text"]  # the seed's solved Technical tickets


def test_why_after_next_explains_the_advice_with_its_rule(slack: SlackHarness) -> None:
    advisor = SlackHarness(slack.db_path, slack.stub)  # the real advisor and rule base
    try:
        first = ask(advisor, "next Billing")
        assert "Fewer customers answer the survey" in first["text"]
        why = ask(advisor, "why")
        assert "surveys.response_rate_falling" in why["text"]
        assert "survey_response_rate for Billing in 2026-W46: 13.0" in why["text"]  # the seed's last week
    finally:
        advisor.close()


def test_a_note_from_slack_is_stored_with_its_team_date_and_author(slack: SlackHarness) -> None:
    reply = ask(slack, "note Release 4.2 changed the invoice page billing 2026-10-12", user="ULEAD")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Noted for Billing on 2026-10-12: “Release 4.2 changed the invoice page”")
    everyone = ask(slack, "note Status page outage for two hours", user="ULEAD")
    assert everyone["text"].startswith("Noted for every team on ")
    db = open_db(slack.db_path)
    rows = [(r["team"], r["day"], r["text"], r["author"]) for r in db.query("SELECT * FROM notes ORDER BY id")]
    db.close()
    assert rows[0] == ("Billing", "2026-10-12", "Release 4.2 changed the invoice page", "ULEAD")
    assert rows[1][0] is None and rows[1][2] == "Status page outage for two hours"
    listed = ask(slack, "note")
    assert "Release 4.2 changed the invoice page" in listed["text"] and "Status page outage" in listed["text"]


def test_a_note_with_a_bad_date_is_refused_in_one_sentence_and_nothing_is_stored(slack: SlackHarness) -> None:
    reply = ask(slack, "note Release 4.2 Billing 2026-13-45")
    assert reply["text"].startswith("the date: '2026-13-45' is not a date like 2026-10-12.")
    db = open_db(slack.db_path)
    assert db["notes"].count == 0
    db.close()
