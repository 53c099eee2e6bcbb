"""`/smartstep digest` and the digest's "Called back" button, sent to the real app the way Slack sends them."""

from __future__ import annotations

import json

from slack_stub import SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db

RESPONSE = "/response/cmd"


def ask(slack: SlackHarness, text: str, user: str = "U1", channel: str = "C1") -> str:
    before = len(slack.stub.calls_to(RESPONSE))
    status, body = slack.command(text, user=user, channel=channel)
    assert status == 200 and body == ""
    replies = slack.stub.wait_for(RESPONSE, count=before + 1)
    assert len(replies) == before + 1, f"no reply to /smartstep {text}"
    return replies[-1]["text"]


def subscriptions(slack: SlackHarness) -> list[tuple]:
    db = open_db(slack.db_path)
    try:
        return db.execute(
            "SELECT channel, teams, weekday, time, timezone, quiet, created_by FROM digest_subscriptions"
        ).fetchall()
    finally:
        db.close()


def test_admin_subscribes_the_channel_anyone_lists_and_admin_removes(slack: SlackHarness) -> None:
    reply = ask(slack, "digest subscribe billing friday 16:30 Europe/Berlin skip", user="UADMIN", channel="C9")
    assert reply == "Subscribed: <#C9>: Billing, Fridays at 16:30 Europe/Berlin (a quiet week posts nothing)."
    assert subscriptions(slack) == [("C9", '["Billing"]', 4, "16:30", "Europe/Berlin", "skip", "UADMIN")]
    listed = ask(slack, "digest list", user="U1")
    assert "• <#C9>: Billing, Fridays at 16:30 Europe/Berlin" in listed
    assert ask(slack, "digest remove", user="UADMIN", channel="C9") == (
        "This channel will no longer get the weekly digest."
    )
    assert subscriptions(slack) == []


def test_defaults_are_all_teams_monday_nine_utc_one_line_when_quiet(slack: SlackHarness) -> None:
    assert ask(slack, "digest subscribe", user="UADMIN") == (
        "Subscribed: <#C1>: all teams, Mondays at 09:00 UTC (a quiet week posts one line)."
    )


def test_non_admins_are_refused_politely_and_nothing_changes(slack: SlackHarness) -> None:
    reply = ask(slack, "digest subscribe all monday 09:00", user="U1")
    assert reply.startswith("Only smartstep admins (SMARTSTEP_ADMINS) can change digest subscriptions")
    assert ask(slack, "digest remove", user="U1").startswith("Only smartstep admins")
    assert subscriptions(slack) == []


def test_an_unknown_time_zone_or_team_is_named_and_nothing_is_saved(slack: SlackHarness) -> None:
    reply = ask(slack, "digest subscribe monday 09:00 Mars/Olympus", user="UADMIN")
    assert reply.startswith("unknown time zone 'Mars/Olympus'; use a name like Europe/Berlin")
    reply = ask(slack, "digest subscribe Payments", user="UADMIN")
    assert reply.startswith("unknown team or word 'Payments' (known teams: Billing, Technical)")
    assert subscriptions(slack) == []


def test_called_back_button_records_the_call_back_once(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    db["surveys"].insert({"id": "S1", "ticket_id": "Bil-0", "kind": "nps", "sent_at": "2026-11-10T10:00:00Z",
                          "responded_at": "2026-11-10T11:00:00Z", "score": 3})  # fmt: skip
    db.close()
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "ULEAD"},
        "api_app_id": "A1",
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1700000500.000100", "channel_id": "C1"},
        "message": {"ts": "1700000500.000100", "text": "digest", "blocks": []},
        "response_url": slack.stub.response_url("action"),
        "trigger_id": "1.2.3",
        "actions": [{"type": "button", "action_id": "digest_called_back_0", "block_id": "callbacks:Billing",
                     "value": "S1", "action_ts": "1700000600.1"}],
    }  # fmt: skip
    for _ in range(2):
        assert slack.action(payload)[0] == 200
    notes = slack.stub.wait_for("chat.postEphemeral", count=2)
    assert notes[0]["user"] == "ULEAD" and "called back" in notes[0]["text"]
    slack.settle()
    db = open_db(slack.db_path)
    assert db.execute("SELECT survey_id, ticket_id, user FROM callbacks").fetchall() == [("S1", "Bil-0", "ULEAD")]
    db.close()


def test_list_them_shows_the_unhappy_answers_with_a_called_back_button_each_to_the_clicker(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    for sid, score in (("S1", 3), ("S2", 1)):
        db["surveys"].insert({"id": sid, "ticket_id": "Bil-0", "kind": "nps" if sid == "S1" else "csat",
                              "sent_at": "2026-11-10T10:00:00Z", "responded_at": "2026-11-10T11:00:00Z",
                              "score": score})  # fmt: skip
    db.close()
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "ULEAD"},
        "api_app_id": "A1",
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": "1700000500.000100", "channel_id": "C1"},
        "message": {"ts": "1700000500.000100", "text": "digest", "blocks": []},
        "response_url": slack.stub.response_url("action"),
        "trigger_id": "1.2.3",
        "actions": [{"type": "button", "action_id": "digest_list_callbacks", "block_id": "callbacks:Billing",
                     "value": "2026-W46|Billing", "action_ts": "1700000600.1"}],
    }  # fmt: skip
    assert slack.action(payload)[0] == 200
    (note,) = slack.stub.wait_for("chat.postEphemeral", count=1)
    assert note["user"] == "ULEAD" and "2 unhappy answer(s) await a call-back" in note["text"]
    blocks = json.loads(note["blocks"]) if isinstance(note["blocks"], str) else note["blocks"]
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert sorted(b["value"] for b in buttons) == ["S1", "S2"]
    assert all(b["action_id"].startswith("digest_called_back_") for b in buttons)
