"""Alerts for new or growing topics: one Slack message per topic per alert channel, updated in place.

An admin opts a channel in (`/smartstep alerts here`). Each run (the clock, every ALERT_MINUTES) reads
the topics and, per channel, gives every emerging topic exactly one message: posted the first time
(the row is claimed in the store *before* posting, so two clocks never both post it), then edited
with `chat.update` as the topic grows, and marked settled once it no longer grows. A topic is
recognised from run to run by the tickets it shares with the one posted (grouping may word its
label differently as tickets arrive), so it is never posted twice. Account problems (one customer)
are not alerted: they are that account's trouble.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from slack_sdk import WebClient

from smartstep.advice.topics import Topic, load_topics
from smartstep.advice.topics_text import growth_line
from smartstep.digest.growing import slack_style
from smartstep.slack.blocks import escape, fallback
from smartstep.weeks import format_time

ALERT_MINUTES = 15
SAME_TOPIC = 0.3  # share of the posted topic's tickets a topic must hold to be the same topic
log = logging.getLogger("smartstep.digest.alerts")


@dataclass(frozen=True)
class AlertChannel:
    channel: str
    teams: tuple[str, ...] | None  # None: every team


def save_alert_channel(db: sqlite_utils.Database, channel: str, teams: Sequence[str] | None, user: str | None) -> None:
    with db.atomic():
        db["alert_channels"].upsert(
            {
                "channel": channel,
                "teams": json.dumps(list(teams)) if teams else None,
                "created_by": user,
                "created_at": format_time(datetime.now(UTC)),
            },
            pk="channel",
        )


def remove_alert_channel(db: sqlite_utils.Database, channel: str) -> bool:
    with db.atomic():
        found = bool(db["alert_channels"].count_where("channel = ?", [channel]))
        db.execute("DELETE FROM alert_channels WHERE channel = ?", [channel])
    return found


def alert_channels(db: sqlite_utils.Database) -> list[AlertChannel]:
    rows = db.execute("SELECT channel, teams FROM alert_channels ORDER BY channel").fetchall()
    return [AlertChannel(c, tuple(json.loads(t)) if t else None) for c, t in rows]


def alert_message(topic: Topic | None, previous_text: str, ticket_url: str | None, now: datetime) -> dict[str, Any]:
    """The message of one topic: its growth line with linked tickets; or, settled, the last line kept and marked."""
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    if topic is None:
        text = f":white_check_mark: No longer growing (as of {stamp}). Last seen: {previous_text}"
        return {"text": fallback(text), "blocks": [_section(text)]}
    line = growth_line(topic, slack_style(escape, ticket_url))
    text = f":rotating_light: *New or growing* · {line}"
    context = (
        f"Updated {stamp} · one message per topic, edited as it grows · `smartstep topics --team {escape(topic.team)}`"
    )
    blocks = [_section(text), {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]}]
    return {"text": fallback(escape(f"New or growing in {topic.team}: {topic.label}")), "blocks": blocks}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


@dataclass(frozen=True)
class AlertResult:
    channel: str
    topic: str
    action: str  # posted | updated | settled | unchanged | failed


def run_alerts(
    db: sqlite_utils.Database,
    client: WebClient,
    *,
    ticket_url: str | None = None,
    as_of: datetime | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[AlertResult]:
    """Post, update or settle every alert channel's topic messages; returns what was done."""
    channels = alert_channels(db)
    if not channels:
        return []
    emerging = load_topics(db, as_of=as_of).emerging()
    results = []
    for channel in channels:
        wanted = [t for t in emerging if channel.teams is None or t.team in channel.teams]
        results += _channel(db, client, channel.channel, wanted, ticket_url, now())
    return results


def _channel(
    db: sqlite_utils.Database, client: WebClient, channel: str, topics: list[Topic], url: str | None, at: datetime
) -> list[AlertResult]:
    rows = {r["topic"]: r for r in db.query("SELECT * FROM topic_alerts WHERE channel = ?", [channel])}
    seen: set[str] = set()
    out = []
    for topic in topics:
        key = _match(topic, rows, seen) or f"{topic.team}|{min(topic.recent_ids or topic.ticket_ids)}"
        seen.add(key)
        out.append(_show(db, client, channel, key, rows.get(key), topic, url, at))
    for key, row in rows.items():
        if key not in seen and row["status"] == "open" and row["ts"]:
            out.append(_show(db, client, channel, key, row, None, url, at))
    return out


def _match(topic: Topic, rows: dict[str, dict], taken: set[str]) -> str | None:
    """The posted topic this one continues: the same team, holding the largest share of its tickets."""
    ids = set(topic.recent_ids) | set(topic.ticket_ids)
    best, share = None, SAME_TOPIC
    for key, row in rows.items():
        posted = set(json.loads(row["tickets"] or "[]"))
        if key in taken or row["team"] != topic.team or not posted:
            continue
        overlap = len(posted & ids) / len(posted)
        if overlap >= share:
            best, share = key, overlap
    return best


def _show(db, client, channel: str, key: str, row: dict | None, topic: Topic | None, url, at: datetime) -> AlertResult:
    message = alert_message(topic, (row or {}).get("text") or "", url, at)
    text = message["blocks"][0]["text"]["text"]
    stamp = format_time(at)
    if row is None:
        if not _claim(db, channel, key, topic, stamp):  # another clock has it: it posts, this one does not
            return AlertResult(channel, key, "unchanged")
        try:
            ts = str(client.chat_postMessage(channel=channel, **message)["ts"])
        except Exception:
            log.exception("alert for %s in %s could not be posted; it will be retried", key, channel)
            db.execute("DELETE FROM topic_alerts WHERE channel = ? AND topic = ? AND ts IS NULL", [channel, key])
            return AlertResult(channel, key, "failed")
        _save(db, channel, key, topic, "open", text, stamp, ts=ts)
        return AlertResult(channel, key, "posted")
    if not row["ts"]:  # claimed by a run that is posting it (or died doing so): never post a second copy
        return AlertResult(channel, key, "unchanged")
    status = "open" if topic is not None else "settled"
    if row["text"] == text and row["status"] == status:
        return AlertResult(channel, key, "unchanged")
    try:
        client.chat_update(channel=channel, ts=row["ts"], **message)
    except Exception:
        log.exception("alert %s in %s could not be updated; it will be retried", key, channel)
        return AlertResult(channel, key, "failed")
    _save(db, channel, key, topic, status, text if topic is not None else row["text"], stamp)
    return AlertResult(channel, key, "updated" if topic is not None else "settled")


def _claim(db: sqlite_utils.Database, channel: str, key: str, topic: Topic | None, stamp: str) -> bool:
    assert topic is not None
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO topic_alerts (channel, topic, team, label, tickets, status, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'posting', ?) ON CONFLICT (channel, topic) DO NOTHING",
            [channel, key, topic.team, topic.label, json.dumps(list(topic.recent_ids)), stamp],
        )
        return cursor.rowcount == 1


def _save(db, channel: str, key: str, topic: Topic | None, status: str, text: str, stamp: str, ts: str | None = None):
    sets = ["status = ?", "text = ?", "updated_at = ?"]
    params: list[Any] = [status, text, stamp]
    if topic is not None:
        sets += ["label = ?", "tickets = ?"]
        params += [topic.label, json.dumps(list(topic.recent_ids))]
    if ts is not None:
        sets += ["ts = ?", "posted_at = ?"]
        params += [ts, stamp]
    with db.atomic():
        db.execute(
            f"UPDATE topic_alerts SET {', '.join(sets)} WHERE channel = ? AND topic = ?", [*params, channel, key]
        )
