"""Topic alerts in Slack: `/smartstep alerts here` through the real app, and each emerging topic as ONE
message that `chat.update` keeps current as it grows, against a local stand-in for Slack's Web API."""

from __future__ import annotations

import pytest
from planted_topics import scenario, write
from slack_sdk import WebClient
from slack_stub import SlackHarness, SlackStub, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db
from smartstep.digest.alerts import alert_channels, run_alerts, save_alert_channel

URL = "https://acme.zendesk.com/agent/tickets/{id}"


@pytest.fixture
def store(tmp_path):
    planted, problems = scenario(7)
    db = open_db(tmp_path / "alerts.db")
    write(db, planted)
    return db, planted, problems


@pytest.fixture
def stub():
    server = SlackStub()
    yield server
    server.close()


def client(stub: SlackStub) -> WebClient:
    return WebClient(token="xoxb-test", base_url=stub.api_url)


def more_tickets(db, planted, key: str, count: int) -> None:
    """`count` more tickets of the planted problem, from new customers, in the last week."""
    source = next(r for r in planted.rows if planted.truth[r["id"]] == key)
    rows = []
    for i in range(count):
        row = dict(source, id=f"MORE-{i:03d}", customer_id=f"LATE-{i}", created_at=f"2026-11-1{i % 5}T10:00:00Z")
        rows.append(row)
    with db.conn:
        db["tickets"].insert_all(rows)


def test_an_emerging_topic_is_posted_once_then_updated_in_place_as_it_grows(store, stub):
    db, planted, problems = store
    save_alert_channel(db, "CALERT", None, "UADMIN")
    first = run_alerts(db, client(stub), ticket_url=URL)
    posts = stub.calls_to("chat.postMessage")
    assert [r.action for r in first] == ["posted"] and len(posts) == 1
    text = posts[0]["blocks"][0]["text"]["text"]
    assert "backup job shows a blank page" in text and "from 20 customers" in text
    assert "<https://acme.zendesk.com/agent/tickets/P-" in text
    assert "PLA-BIGCO" not in text  # the account problem is not alerted
    ts = db.execute("SELECT ts FROM topic_alerts WHERE channel = 'CALERT'").fetchone()[0]

    again = run_alerts(db, client(stub), ticket_url=URL)
    assert [r.action for r in again] == ["unchanged"] and stub.calls_to("chat.update") == []

    more_tickets(db, planted, problems["new"].key, 12)
    grown = run_alerts(db, client(stub), ticket_url=URL)
    assert [r.action for r in grown] == ["updated"]
    updates = stub.calls_to("chat.update")
    assert len(updates) == 1 and updates[0]["ts"] == ts and updates[0]["channel"] == "CALERT"
    assert "from 32 customers" in updates[0]["blocks"][0]["text"]["text"]
    assert len(stub.calls_to("chat.postMessage")) == 1  # never posted again


def test_a_topic_that_stops_growing_is_marked_settled_in_the_same_message(store, stub):
    db, planted, problems = store
    save_alert_channel(db, "CALERT", ["Platform"], "UADMIN")
    run_alerts(db, client(stub))
    ids = [i for i, key in planted.truth.items() if key == problems["new"].key]
    with db.conn:
        db.execute(f"DELETE FROM tickets WHERE id IN ({','.join('?' * len(ids))})", ids)
    settled = run_alerts(db, client(stub))
    assert [r.action for r in settled] == ["settled"]
    update = stub.calls_to("chat.update")[-1]
    assert "No longer growing" in update["blocks"][0]["text"]["text"]
    assert [r.action for r in run_alerts(db, client(stub))] == []  # settled: nothing more to say
    assert len(stub.calls_to("chat.postMessage")) == 1


def test_a_failed_post_is_retried_and_never_doubled(store, stub):
    db, _, _ = store
    save_alert_channel(db, "CALERT", None, "UADMIN")
    stub.rate_limit["chat.postMessage"] = 99  # Slack keeps refusing: the claim is released
    broken = WebClient(token="xoxb-test", base_url=stub.api_url)  # no retry handlers: the error surfaces
    assert [r.action for r in run_alerts(db, broken)] == ["failed"]
    assert db.execute("SELECT count(*) FROM topic_alerts").fetchone()[0] == 0
    stub.rate_limit["chat.postMessage"] = 0
    assert [r.action for r in run_alerts(db, broken)] == ["posted"]
    assert [r.action for r in run_alerts(db, broken)] == ["unchanged"]


def test_teams_filter_keeps_other_teams_topics_out(store, stub):
    db, _, _ = store
    save_alert_channel(db, "CPAY", ["Payments"], "UADMIN")
    assert run_alerts(db, client(stub)) == []
    assert stub.calls_to("chat.postMessage") == []


RESPONSE = "/response/cmd"


def command(slack: SlackHarness, text: str, user: str, channel: str = "C7") -> str:
    before = len(slack.stub.calls_to(RESPONSE))
    status, body = slack.command(text, user=user, channel=channel)
    assert status == 200 and body == ""
    replies = slack.stub.wait_for(RESPONSE, count=before + 1)
    assert len(replies) == before + 1, f"no reply to /smartstep {text}"
    return replies[-1]["text"]


def test_alerts_here_and_off_are_for_admins(slack: SlackHarness) -> None:
    refused = command(slack, "alerts here", user="U1")
    assert "Only smartstep admins" in refused
    assert alert_channels(open_db(slack.db_path)) == []
    on = command(slack, "alerts here billing", user="UADMIN")
    assert on.startswith("Topic alerts on in this channel for Billing")
    channels = alert_channels(open_db(slack.db_path))
    assert [(c.channel, c.teams) for c in channels] == [("C7", ("Billing",))]
    assert "<#C7>: Billing" in command(slack, "alerts", user="U1")
    unknown = command(slack, "alerts here Nowhere", user="UADMIN")
    assert "unknown team 'Nowhere'" in unknown
    assert command(slack, "alerts off", user="UADMIN") == "Topic alerts are off in this channel."
    assert alert_channels(open_db(slack.db_path)) == []
