"""The digest's "New or growing" section: at most three topics that grew beyond their own noise across
enough customers this fortnight (`advice.topics`), each with its numbers and the tickets behind it.
Account problems (one customer) are not listed: they are that account's trouble, not the team's news."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlite_utils

from smartstep.advice.topics import Topic, load_topics
from smartstep.advice.topics_text import growth_line
from smartstep.knowledge.replies import PLAIN, Style
from smartstep.settings import ticket_address

MAX_LINES = 3
TITLE = "New or growing"


def growing_topics(
    db: sqlite_utils.Database, teams: Sequence[str] | None, as_of: datetime | None = None
) -> tuple[Topic, ...]:
    """The biggest emerging topics of `teams` (None: every team), at most MAX_LINES."""
    report = load_topics(db, as_of=as_of)
    return tuple(t for t in report.emerging() if teams is None or t.team in teams)[:MAX_LINES]


def growing_json(topics: Sequence[Topic]) -> list[dict[str, Any]]:
    return [{**t.to_json(), "text": growth_line(t, PLAIN)} for t in topics]


def growing_text(topics: Sequence[Topic], style: Style) -> str | None:
    """The section as mrkdwn (or plain) text, or None when nothing is new or growing."""
    if not topics:
        return None
    return "\n".join([style.bold(TITLE), *(f"• {growth_line(t, style)}" for t in topics)])


def slack_style(escape, ticket_url: str | None) -> Style:
    """Customer-written text escaped; ticket ids linked to the helpdesk when SMARTSTEP_TICKET_URL is set."""
    from smartstep.knowledge.replies import slack_style as base

    def ref(ticket_id: str) -> str:
        if not ticket_url:
            return f"`{escape(ticket_id)}`"
        return f"<{ticket_address(ticket_url, ticket_id)}|{escape(ticket_id)}>"

    return replace(base(escape), ref=ref)
