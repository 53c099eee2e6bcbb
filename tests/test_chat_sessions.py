"""`smartstep ask --session ID`: a conversation held across separate calls, kept in the store and
forgotten a day after its last question; `--json` says what each question was understood as."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from test_cli_metrics import TICKETS

from smartstep.chat.conversation import PUBLIC_INTENTS, ConversationState, Frame
from smartstep.chat.sessions import load_session, save_session
from smartstep.cli import main
from smartstep.db import open_db


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS.replace("Technical", "Workgroup 2"), encoding="utf-8")
    db = tmp_path / "s.db"
    assert CliRunner().invoke(main, ["--db", str(db), "import", "tickets", str(path)]).exit_code == 0
    return db


def ask(store, text, *options):
    result = CliRunner().invoke(main, ["--db", str(store), "ask", text, "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ask_json_says_what_it_understood(store):
    reply = ask(store, "ticket volume for workgroup 2 last 4 weeks")
    understood = reply["understood"]
    assert understood["intent"] == "metric" and understood["intent"] in PUBLIC_INTENTS
    assert understood["teams"] == ["Workgroup 2"] and understood["metrics"] == ["ticket_volume"]
    assert (understood["period"]["start"], understood["period"]["end"]) == ("2026-W43", "2026-W46")
    assert understood["compare"] is None
    assert {"intent", "text", "data", "options"} <= set(reply)


def test_a_session_keeps_the_context_between_calls(store):
    ask(store, "ticket volume for billing", "--session", "review")
    follow = ask(store, "and for workgroup 2?", "--session", "review")
    assert follow["understood"]["teams"] == ["Workgroup 2"] and follow["understood"]["metrics"] == ["ticket_volume"]
    assert "Billing" not in follow["text"]
    alone = ask(store, "and for workgroup 2?")  # no session: nothing to follow up on
    assert alone["understood"]["metrics"] == []


def test_sessions_are_separate(store):
    ask(store, "ticket volume for billing", "--session", "a")
    ask(store, "backlog for billing", "--session", "b")
    assert ask(store, "and for workgroup 2?", "--session", "a")["understood"]["metrics"] == ["ticket_volume"]
    assert ask(store, "and for workgroup 2?", "--session", "b")["understood"]["metrics"] == ["backlog"]


def test_a_session_is_forgotten_a_day_after_its_last_question(tmp_path):
    db = open_db(tmp_path / "s.db")
    state = ConversationState(frame=Frame("metric", teams=("Billing",), metrics=("csat",)), kind="metric")
    start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    save_session(db, "cli:x", state, now=start)
    assert load_session(db, "cli:x", now=start + timedelta(hours=23)).frame == state.frame
    assert load_session(db, "cli:x", now=start + timedelta(hours=25)).frame is None
    save_session(db, "cli:y", ConversationState(), now=start + timedelta(hours=25))
    assert db["chat_sessions"].count == 1  # the expired one was dropped


def test_a_bad_session_id_is_one_clear_sentence(store):
    result = CliRunner().invoke(main, ["--db", str(store), "ask", "csat", "--session", " "])
    assert result.exit_code == 1 and "--session" in result.stderr and "Traceback" not in result.output


def test_tickets_link_to_the_helpdesk_when_its_url_is_set(store):
    env = {"SMARTSTEP_TICKET_URL": "https://acme.zendesk.com/agent/tickets/"}
    result = CliRunner().invoke(
        main, ["--db", str(store), "ask", "which tickets are still open at workgroup 2?", "--json"], env=env
    )
    reply = json.loads(result.stdout)
    assert reply["understood"]["intent"] == "tickets" and [r["id"] for r in reply["data"]] == ["t4", "t5"]
    assert "`t4`" in reply["text"]  # the terminal shows ids; Slack makes them links
    assert reply["tickets"][0] == {"id": "t4", "url": "https://acme.zendesk.com/agent/tickets/t4"}
    plain = ask(store, "which tickets are still open at workgroup 2?")
    assert "`t4`" in plain["text"] and "https://" not in plain["text"]
