"""Nothing unverified acts: malformed signature headers are a plain 401, refused requests are logged
without their body, and requests the app does not handle are acknowledged (not 404, which Slack
retries). Signed requests to the real app under waitress; the Web API is the local stand-in."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

import pytest
from slack_stub import SlackHarness, seeded_fixture, sign, slack_fixture  # noqa: F401 (fixtures)

from smartstep.db import open_db

NOW = int(time.time())


def mention_body(channel: str = "CVICTIM", text: str = "ticket volume for Billing", ts: str = "1700000100.000100"):
    return json.dumps(
        {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{ts.replace('.', '')}",
            "event_time": NOW,
            "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": channel},
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
    )


def action_form(response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "channel": {"id": "CVICTIM"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "CVICTIM", "is_ephemeral": True},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": "rate_up", "value": "no-such-advice"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def command_form(response_url: str) -> str:
    form = {"command": "/smartstep", "text": "next", "user_id": "U1", "channel_id": "CVICTIM"}
    return urllib.parse.urlencode({**form, "response_url": response_url, "team_id": "T1"})


MALFORMED = {
    "letters for a timestamp": {"X-Slack-Request-Timestamp": "abc"},
    "a timestamp in exponent form": {"X-Slack-Request-Timestamp": "1e3"},
    "a 5,000-digit timestamp": {"X-Slack-Request-Timestamp": "9" * 5000},
    "a signed timestamp": {"X-Slack-Request-Timestamp": f"+{NOW}"},
    "a non-ASCII signature": {"X-Slack-Signature": "v0=é" + "0" * 63},
    "a signature without v0=": {"X-Slack-Signature": "0" * 64},
    "no signature": {"X-Slack-Signature": None},
    "no timestamp": {"X-Slack-Request-Timestamp": None},
    "no headers at all": {"X-Slack-Signature": None, "X-Slack-Request-Timestamp": None},
}


def fence(slack: SlackHarness) -> None:
    """A correctly signed mention after the probes: once its reply is in, anything the probes set off
    inside the server has happened too (they are handled in the request, or not at all)."""
    assert (
        slack.event(
            {"type": "app_mention", "user": "U1", "text": "<@UBOT> ticket volume", "ts": "9.1", "channel": "C1"}
        )[0]
        == 200
    )
    assert [r["channel"] for r in slack.stub.wait_for("chat.postMessage")] == ["C1"]


@pytest.mark.parametrize("headers", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_signature_header_is_a_plain_401_and_nothing_reaches_slack(
    slack: SlackHarness, headers: dict, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    victim = slack.stub.response_url("victim")
    probes = [
        (mention_body(), "application/json"),
        (action_form(victim), "application/x-www-form-urlencoded"),
        (command_form(victim), "application/x-www-form-urlencoded"),
    ]
    for body, content_type in probes:
        status, text = slack.post(body, content_type, headers=headers)
        assert (status, json.loads(text)) == (401, {"error": "invalid request"})
        assert slack.stub.calls == []  # no "Sorry, something went wrong" into CVICTIM, no POST to the response_url
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]  # no traceback flood
    fence(slack)
    assert slack.stub.calls_to("/response/victim") == []
    assert all(body.get("channel") != "CVICTIM" for _, body in slack.stub.calls)


CARD, EMAIL, WORDS = "4111 1111 1111 1111", "jane.doe@example.com", "please refund my order"


def refused_requests(slack: SlackHarness) -> list[tuple[str, str, dict, int]]:
    private = f"{WORDS}, card {CARD}, mail {EMAIL}"
    body = mention_body(text=private)
    return [
        (body, "application/json", {"X-Slack-Signature": sign(body, NOW, "wrong-secret")}, 401),
        (body, "application/json", {"X-Slack-Request-Timestamp": "abc"}, 401),
        (
            body,
            "application/json",
            {"X-Slack-Request-Timestamp": str(NOW - 3600), "X-Slack-Signature": sign(body, NOW - 3600)},
            401,
        ),
        ("{" + private, "application/json", {}, 400),  # signed, but not JSON
        (json.dumps({"type": "event_callback", "event": private}), "application/json", {}, 400),  # wrong shape
    ]


def test_refused_requests_are_logged_with_reason_and_request_id_never_the_body(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    import urllib.error
    import urllib.request

    caplog.set_level(logging.DEBUG)
    for body, content_type, headers, expected in refused_requests(slack):
        caplog.clear()
        stamp = NOW
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
            **headers,
        }
        request = urllib.request.Request(slack.url + "/slack/events", data=body.encode(), headers=all_headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == expected
        logged = caplog.text  # every record, formatted, with any traceback
        for secret in (CARD, EMAIL, WORDS, "4111"):
            assert secret not in logged
        request_id = refused.value.headers["X-Request-Id"]
        assert request_id
        [line] = [r.getMessage() for r in caplog.records if request_id in r.getMessage()]
        assert line.startswith(f"refused request {request_id}: ")


def test_a_proxys_request_id_is_kept_and_a_forged_one_replaced(slack: SlackHarness) -> None:
    import urllib.error
    import urllib.request

    def request_id(given: str) -> str:
        request = urllib.request.Request(slack.url + "/slack/events", data=b"{}", headers={"X-Request-Id": given})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        return refused.value.headers["X-Request-Id"]

    assert request_id("5f2b8c1e9a") == "5f2b8c1e9a"  # nginx's $request_id, say: log lines match the proxy's
    forged = request_id("x ERROR smartstep: fake log line " + "a" * 80)  # spaces, and longer than any proxy's id
    assert "fake" not in forged and len(forged) == 16


UNHANDLED = {
    "an event type nobody subscribed to": (
        json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event_id": "EvUnknown1",
                "event": {"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {}},
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            }
        ),
        "application/json",
    ),
    "a button from an older version": (
        urllib.parse.urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "block_actions",
                        "team": {"id": "T1"},
                        "user": {"id": "U1"},
                        "channel": {"id": "C1"},
                        "actions": [{"type": "button", "action_id": "retired_button", "value": "1"}],
                    }
                )
            }
        ),
        "application/x-www-form-urlencoded",
    ),
    "a modal nobody opened": (
        urllib.parse.urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "view_submission",
                        "team": {"id": "T1"},
                        "user": {"id": "U1"},
                        "view": {"id": "V9", "type": "modal", "callback_id": "old_form", "state": {"values": {}}},
                    }
                )
            }
        ),
        "application/x-www-form-urlencoded",
    ),
    "a shortcut": (
        urllib.parse.urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "shortcut",
                        "team": {"id": "T1"},
                        "user": {"id": "U1"},
                        "callback_id": "x",
                        "trigger_id": "1",
                    }
                )
            }
        ),
        "application/x-www-form-urlencoded",
    ),
}


@pytest.mark.parametrize("body, content_type", UNHANDLED.values(), ids=UNHANDLED.keys())
def test_a_signed_request_the_app_does_not_handle_is_acknowledged_not_404(
    slack: SlackHarness, body: str, content_type: str
) -> None:
    status, _ = slack.post(body, content_type)
    assert status == 200  # a 404 makes Slack retry the delivery, and after enough failures, disable the app
    fence(slack)


def submit(slack: SlackHarness, answered: int) -> tuple[int, str]:
    from smartstep.advice.assessment import questionnaire

    questions = questionnaire().questions
    values = {
        q.id: {"answer": {"type": "static_select", "selected_option": {"value": "3"}}} for q in questions[:answered]
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
    return slack.action(payload)


def test_an_assessment_with_missing_answers_stays_open_and_names_each_missing_question(slack: SlackHarness) -> None:
    from smartstep.advice.assessment import questionnaire

    questions = questionnaire().questions
    status, body = submit(slack, answered=10)
    assert status == 200
    response = json.loads(body)
    assert response["response_action"] == "errors"
    assert sorted(response["errors"]) == sorted(q.id for q in questions[10:])  # the input blocks' ids
    assert all(message.strip() for message in response["errors"].values())
    db = open_db(slack.db_path)
    assert db["assessments"].count == 0
    db.close()
    assert submit(slack, answered=len(questions)) == (200, "")  # complete: closes, scores, DMs
    [dm] = slack.stub.wait_for("chat.postMessage")
    assert dm["channel"] == "U5" and "Capability assessment (Billing)" in dm["text"]
