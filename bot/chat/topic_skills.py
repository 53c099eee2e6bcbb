"""Skills about topics: "top contact reasons for Technical", "what are Billing's customers writing
about?", and the "New or growing" lines that "what's new this week?" adds to what moved. Each topic
names its tickets, so "show me the tickets behind it" lists them (linked with SMARTSTEP_TICKET_URL)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import sqlite_utils

from smartstep.advice.topics import TopicReport, load_topics
from smartstep.advice.topics_text import growth_line, topic_line
from smartstep.chat.conversation import Answer, ConversationState, Frame, Skill
from smartstep.chat.ticket_skills import ticket_ref
from smartstep.knowledge.replies import MARKDOWN

PER_TEAM = 5
NEW_WORDS = re.compile(r"\b(new|emerg\w*|grow\w*|spik\w*|trend\w*|rising|bug)\b", re.IGNORECASE)
BASIS = (
    "Tickets of the last 12 complete weeks grouped per team by the words they share (the similar-case index's "
    "cleaning and features). New or growing: the last 2 weeks beyond the topic's own trailing noise "
    "(negative binomial), at least 1.5 times its usual rate, from at least 5 customers; one customer with half "
    "of them is an account problem. Thresholds: bot/data/topics.yaml."
)


# Markdown with ticket ids as code; each surface escapes the text and links the ids the answer names.
CHAT_STYLE = replace(MARKDOWN, ref=ticket_ref)


def topic_report(db: sqlite_utils.Database, as_of: datetime | None) -> TopicReport:
    """`load_topics`, kept while the tickets and surveys are unchanged (it groups 12 weeks of tickets)."""
    from smartstep.advice.pipeline import cached_on_data

    return cached_on_data(db, ("chat-topics", as_of), lambda: load_topics(db, as_of=as_of))


def _item(topic) -> dict:
    return {"team": topic.team, "label": topic.label, "ticket_ids": list(topic.recent_ids or topic.ticket_ids)}


def topics_skill(db: sqlite_utils.Database, as_of: datetime | None) -> Skill:
    style = CHAT_STYLE

    def topics(frame: Frame, state: ConversationState) -> Answer:
        report = topic_report(db, as_of)
        if report.period is None:
            return Answer("topics", "There is no data yet: import some with `smartstep import`.", frame=frame)
        teams = frame.teams or tuple(sorted({t.team for t in report.topics}))
        growing = [t for t in report.topics if t.team in teams and (t.emerging or t.growth.status == "account problem")]
        lines = [f"*What customers write about, {len(report.weeks)} weeks to {report.period}*"]
        lines.append("*New or growing*")
        lines += [f"• {growth_line(t, style)}" for t in growing] or ["• nothing new or growing beyond noise"]
        shown = list(growing)
        if not NEW_WORDS.search(frame.text):
            lines.append("*Top contact reasons*")
            for team in teams:
                top = [t for t in report.topics if t.team == team and t not in growing][:PER_TEAM]
                lines += [topic_line(i, t, style) for i, t in enumerate(top, 1)]
                shown += top
        lines.append('Ask "show me the tickets behind it" for a topic\'s tickets.')
        items = tuple(_item(t) for t in shown)
        data = [t.to_json() for t in shown]
        tickets = tuple(str(i) for t in shown for i in (t.recent_ids or t.ticket_ids))
        return Answer("topics", "\n".join(lines), data=data, frame=frame, items=items, basis=BASIS, tickets=tickets)

    return topics


def new_topics_skill(db: sqlite_utils.Database, as_of: datetime | None) -> Skill:
    """The "New or growing" lines alone (empty text when nothing is), for "what's new this week?"."""
    style = CHAT_STYLE

    def new_topics(frame: Frame, state: ConversationState) -> Answer:
        report = topic_report(db, as_of)
        emerging = [t for t in report.emerging() if not frame.teams or t.team in frame.teams]
        if not emerging:
            return Answer("topics", "", frame=frame)
        text = "\n".join(["*New or growing topics*", *(f"• {growth_line(t, style)}" for t in emerging[:3])])
        shown = emerging[:3]
        tickets = tuple(str(i) for t in shown for i in (t.recent_ids or t.ticket_ids))
        data = [t.to_json() for t in shown]
        return Answer("topics", text, data=data, frame=frame, items=tuple(map(_item, shown)), tickets=tickets)

    return new_topics
