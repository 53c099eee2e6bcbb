"""Topics where people see them: the demo's invoice-PDF cluster, the digest's "New or growing", the chat,
the rule signal, and Slack's markup and links for customer-written text."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from demo_support import demo_with_history_path
from planted_topics import scenario, write

from smartstep.advice.emerging import Growth
from smartstep.advice.topics import Score, Topic, load_topics
from smartstep.advice.topics_text import growth_line
from smartstep.db import open_db
from smartstep.demo.catalogue import BILLING
from smartstep.digest.growing import slack_style
from smartstep.metrics.store import recompute
from smartstep.slack.blocks import escape


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory):
    planted, problems = scenario(7)
    path = tmp_path_factory.mktemp("surfaces") / "planted.db"
    db = open_db(path)
    write(db, planted)
    recompute(db)
    db.conn.commit()
    db.close()
    return path, problems


def test_the_demo_invoice_pdf_cluster_is_a_billing_topic():
    """Ground truth from the demo's catalogue (its subject templates), not from the grouping."""
    invoice = next(p for p in BILLING if p.key == "invoice_pdf_blank")
    patterns = [re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(s)) + "$", re.I) for s in invoice.subjects]
    db = open_db(demo_with_history_path())
    subjects = dict(db.execute("SELECT id, subject FROM tickets WHERE team = 'Billing'").fetchall())
    report = load_topics(db, team="Billing")
    topic = next(t for t in report.topics if "pdf" in t.label.lower() and "blank" in t.label.lower())
    assert topic.team == "Billing"
    assert topic.label == "Invoice PDF download shows blank page"
    matched = [any(p.search(subjects[i]) for p in patterns) for i in topic.ticket_ids]
    assert sum(matched) >= 0.8 * len(matched)  # the rest: the same subjects with a typo (the demo plants them)
    assert topic.tickets >= 25 and sum(w.tickets for w in topic.weekly) == topic.tickets
    assert not topic.emerging  # 3-5 a week for 12 weeks: a steady repeated problem, not a new one


def test_digest_has_a_new_or_growing_section_with_linked_tickets(planted_store):
    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.digest.post import render_digest

    path, problems = planted_store
    db = open_db(path)
    url = "https://acme.zendesk.com/agent/tickets/{id}"
    rendered = render_digest(db, load_rule_base(None), log=False, chart=False, ticket_url=url)
    growing = rendered.digest.to_json()["new_or_growing"]
    assert 1 <= len(growing) <= 3
    assert growing[0]["team"] == "Platform" and "backup job" in growing[0]["label"]
    sections = [b["text"]["text"] for b in rendered.message["blocks"] if b.get("type") == "section"]
    section = next(s for s in sections if s.startswith("*New or growing*"))
    first_id = growing[0]["ticket_ids"][0]
    assert f"<https://acme.zendesk.com/agent/tickets/{first_id}|{first_id}>" in section
    assert "PLA-BIGCO" not in section  # the account problem is not the team's news


def test_emerging_topic_signal_fires_the_rule_for_its_team(planted_store):
    from smartstep.advice.pipeline import next_steps
    from smartstep.advice.rule_inputs import load_rule_base

    path, _ = planted_store
    run = next_steps(open_db(path), load_rule_base(None), teams=["Platform"], k=5, log=False)
    step = next(a for a in run.advice if a.candidate.rule_id == "emerging.new_problem_spreading")
    assert "backup job" in step.candidate.why and step.candidate.team == "Platform"
    assert any("engineering" in s for s in step.candidate.steps)
    payments = next_steps(open_db(path), load_rule_base(None), teams=["Payments"], k=10, log=False)
    assert all(a.candidate.rule_id != "emerging.new_problem_spreading" for a in payments.advice)


def ask(path, text: str, session: str) -> dict:
    from click.testing import CliRunner

    from smartstep.cli import main

    result = CliRunner().invoke(main, ["--db", str(path), "ask", text, "--json", "--session", session])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_chat_whats_new_top_contact_reasons_and_the_tickets_behind_it(planted_store):
    path, _ = planted_store
    new = ask(path, "what's new this week?", "s1")
    assert new["intent"] == "changes"
    assert "New or growing topics" in new["text"] and "backup job shows a blank page" in new["text"]
    reasons = ask(path, "top contact reasons for Payments", "s2")
    assert reasons["intent"] == "topics" and reasons["understood"]["teams"] == ["Payments"]
    assert "Top contact reasons" in reasons["text"] and "Platform:" not in reasons["text"]
    writing = ask(path, "what are Platform's customers writing about?", "s3")
    assert writing["intent"] == "topics" and "backup job" in writing["text"]
    tickets = ask(path, "show me the tickets behind it", "s3")
    assert tickets["intent"] == "tickets"
    assert {row["team"] for row in tickets["data"]} == {"Platform"} and len(tickets["data"]) >= 20


def _topic(label: str, team: str = "Platform") -> Topic:
    growth = Growth("emerging", 12, 9, 0.0, 4, None, True)
    none = Score(None, 0)
    return Topic(label, (), team, 12, 9, (), growth, none, none, none, ("T-1", "T-2"), ("T-2", "T-1"))


def test_slack_lines_escape_customer_text_and_link_ticket_ids():
    topic = _topic("Export fails <!channel> & <https://evil.example|click>")
    line = growth_line(topic, slack_style(escape, "https://acme.zendesk.com/agent/tickets/{id}"))
    assert "<!channel>" not in line and "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in line
    assert "<https://acme.zendesk.com/agent/tickets/T-2|T-2>" in line
    plain = growth_line(replace(topic, team="Billing"), slack_style(escape, None))
    assert "`T-2`, `T-1`" in plain  # ids without a helpdesk address: shown, not linked


def test_the_tickets_behind_an_emerging_topic_step_are_its_tickets(planted_store):
    path, problems = planted_store
    steps = ask(path, "what should Platform do next?", "e1")
    assert steps["data"][0]["rule_id"] == "emerging.new_problem_spreading"
    behind = ask(path, "show me the tickets behind it", "e1")
    assert behind["intent"] == "tickets" and "backup job shows a blank page" in behind["text"]
    assert len(behind["data"]) >= 20 and all(row["team"] == "Platform" for row in behind["data"])
