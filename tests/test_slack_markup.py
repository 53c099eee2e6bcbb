"""Nobody can make the bot broadcast or post a disguised link: every piece of user or ticket text the
bot posts (answers to mentions and DMs, similar cases, App Home, the digest, the assessment result)
has Slack's control characters escaped. Signed requests to the real app; what was posted is read
back from the local Web API stand-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from digest_support import UploadStub, at, flat_store, put, rules
from slack_data import insert_advice
from slack_stub import SlackHarness, SlackStub, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db
from smartstep.slack.markup import escape, plain_text

BROADCASTS = ("<!channel>", "<!here>", "<!everyone>")
LINK = "<https://evil.example|invoice>"
TITLE = f"<!here> Refund not received {LINK}"
RESOLUTION = "<!everyone> Re-sent the refund & told them <support> was on it"


def strings(value: Any) -> list[str]:
    """Every string in a recorded Web API call, blocks sent as a JSON string included."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return strings(json.loads(value))
        except ValueError:
            pass
    return [value] if isinstance(value, str) else []


def assert_no_markup_from_input(stub: SlackStub) -> str:
    """Nothing posted carries a broadcast, a link or a stray mention; returns all posted text."""
    posted = [s for _, body in stub.calls for s in strings(body)]
    for text in posted:
        for broadcast in BROADCASTS:
            assert broadcast not in text
        assert "<https://" not in text and "<mailto:" not in text
    assert not [body for _, body in stub.calls if "link_names" in body or body.get("parse") == "full"]
    return "\n".join(posted)


def add_hostile_case(path: Path) -> None:
    db = open_db(path)
    db["tickets"].insert(
        {
            "id": "EVIL-<!channel>",
            "created_at": "2026-11-02T10:00:00Z",
            "first_reply_at": "2026-11-02T11:00:00Z",
            "solved_at": "2026-11-03T10:00:00Z",
            "status": "solved",
            "team": "Billing",
            "subject": TITLE,
            "description": "The refund for my order was not received after two weeks",
            "resolution": RESOLUTION,
        }
    )
    db.close()


def test_a_mention_that_echoes_the_question_and_a_ticket_posts_no_broadcast_or_link(slack: SlackHarness) -> None:
    add_hostile_case(slack.db_path)
    advisor = SlackHarness(slack.db_path, slack.stub)  # the real skills: similar cases from the store
    try:
        question = f"<@UBOT> show similar cases for refund not received <!channel> {LINK} &lt;b&gt;"
        event = {"type": "app_mention", "user": "U1", "text": question, "ts": "1700000100.000100", "channel": "C1"}
        assert advisor.event(event)[0] == 200
        [reply] = slack.stub.wait_for("chat.postMessage", timeout=15)
    finally:
        advisor.close()
    posted = assert_no_markup_from_input(slack.stub)
    # Shown, not dropped: the question and the ticket read as typed, escaped once.
    assert "refund not received @channel invoice (https://evil.example) &lt;b&gt;" in reply["text"]
    assert "@here Refund not received invoice (https://evil.example)" not in posted  # ticket text is not Slack markup
    assert escape(TITLE) in reply["text"]
    assert "Re-sent the refund &amp; told them" in reply["text"]  # (the case index drops tag-like words itself)


def test_a_direct_message_and_the_slash_command_escape_what_they_echo(slack: SlackHarness) -> None:
    add_hostile_case(slack.db_path)
    advisor = SlackHarness(slack.db_path, slack.stub)
    try:
        text = f"show similar cases for <!everyone> zzqx {LINK}"  # no case matches: the question is echoed
        dm = {"type": "message", "channel_type": "im", "user": "U1", "text": text, "ts": "1.1", "channel": "D1"}
        assert advisor.event(dm)[0] == 200
        [reply] = slack.stub.wait_for("chat.postMessage", timeout=15)
        assert advisor.command(f"similar refund not received <!here> {LINK}")[0] == 200
        [answer] = slack.stub.wait_for("/response/cmd", timeout=15)
    finally:
        advisor.close()
    assert_no_markup_from_input(slack.stub)
    assert "@everyone zzqx invoice (https://evil.example)" in reply["text"]
    assert "refund not received @here invoice (https://evil.example)" in answer["text"]
    assert escape(TITLE) in answer["text"] and escape("EVIL-<!channel>") in answer["text"]


def test_advice_titles_and_team_names_in_answers_and_app_home_are_escaped(slack: SlackHarness) -> None:
    db = open_db(slack.db_path)
    insert_advice(db, "adv-X", f"<!channel> Pay {LINK}", team="<!everyone> Ops")
    db.close()
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> what next?", "ts": "1.2", "channel": "C1"}
    assert slack.event(event)[0] == 200
    [reply] = slack.stub.wait_for("chat.postMessage")
    assert slack.event({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"})[0] == 200
    [home] = slack.stub.wait_for("views.publish")
    posted = assert_no_markup_from_input(slack.stub)
    assert escape(f"<!channel> Pay {LINK}") in json.dumps(reply["blocks"])
    assert escape("<!everyone> Ops") in json.dumps(home["view"])
    assert "&lt;!channel&gt; Pay" in posted


def test_an_assessment_for_a_hostile_team_name_reports_it_escaped(slack: SlackHarness) -> None:
    from smartstep.advice.assessment import questionnaire

    values = {q.id: {"answer": {"selected_option": {"value": "2"}}} for q in questionnaire().questions}
    team = f"<!here> {LINK}"  # private_metadata from an altered or old form
    view = {"id": "V1", "type": "modal", "callback_id": "assessment", "private_metadata": team}
    payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U5"}, "view": view}
    payload["view"]["state"] = {"values": values}
    assert slack.action(payload) == (200, "")
    [dm] = slack.stub.wait_for("chat.postMessage")
    assert_no_markup_from_input(slack.stub)
    assert f"Capability assessment ({escape(team)})" in dm["text"]


def test_the_digest_escapes_imported_team_names(db_path: Path, tmp_path: Path) -> None:
    from smartstep.digest.clock import run_due
    from smartstep.digest.subscriptions import Subscription, save_subscription

    night = f"<!channel> Night {LINK}"
    db = open_db(db_path)
    flat_store(db, backlog_alpha=[40.0] * 13 + [150.0])  # Alpha moves; Beta and Night are steady
    put(db, night, "backlog", [40.0] * 14)
    save_subscription(db, Subscription("C1", None, created_at="2026-10-01T00:00:00Z"))
    stub = UploadStub()
    try:
        [result] = run_due(db, stub.client(), rules(tmp_path), at("2026-11-16T10:00:00"), owner="a")
        assert result.status == "posted"
        assert_no_markup_from_input(stub)
        [message] = stub.calls_to("chat.postMessage")
        assert escape(night) in json.dumps(message["blocks"])
    finally:
        stub.close()
        db.close()


def test_plain_text_reads_slack_markup_as_the_words_typed() -> None:
    assert plain_text("<!here> a &lt; b &amp;&amp; c &gt; d") == "@here a < b && c > d"
    assert plain_text("ask <@U123|ana> in <#C9|billing>") == "ask @ana in #billing"
    assert plain_text("see <https://x.example/a?b=1&amp;c=2|the doc> or <https://y.example>") == (
        "see the doc (https://x.example/a?b=1&c=2) or https://y.example"
    )
    assert plain_text("<!subteam^S1|@support> <!date^1392734382^{date}|Feb 18>") == "@support Feb 18"
    assert escape(plain_text("&lt;!channel&gt;")) == "&lt;!channel&gt;"  # typed literally: still harmless


def test_tickets_an_answer_names_link_to_the_helpdesk_and_ticket_text_still_cannot_link(slack: SlackHarness) -> None:
    """SMARTSTEP_TICKET_URL makes the ids an answer shows into links, added after escaping: a subject
    that spells out a link of its own stays text."""
    add_hostile_case(slack.db_path)
    url = "https://acme.zendesk.com/agent/tickets/{id}"
    advisor = SlackHarness(slack.db_path, slack.stub, ticket_url=url)
    try:
        question = "<@UBOT> show similar cases for refund not received"
        event = {"type": "app_mention", "user": "U1", "text": question, "ts": "1700000200.000100", "channel": "C1"}
        assert advisor.event(event)[0] == 200
        [reply] = slack.stub.wait_for("chat.postMessage", timeout=15)
    finally:
        advisor.close()
    ticket = escape("EVIL-<!channel>")
    assert f"<https://acme.zendesk.com/agent/tickets/EVIL-%3C%21channel%3E|{ticket}>" in reply["text"]
    assert escape(TITLE) in reply["text"]  # the subject's own link is still text
    assert "<https://evil.example" not in reply["text"] and "<!channel>" not in reply["text"]
