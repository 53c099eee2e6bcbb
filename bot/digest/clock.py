"""The clock: posts each subscription's weekly digest on time, exactly once per (channel, week).

Every minute (APScheduler) `run_due(now)` looks at each subscription's *latest* scheduled
moment up to `now`. Before building anything it claims the (channel, week) row in `digests`
with one atomic INSERT .. ON CONFLICT, so a restarted process, or a second clock on the same
store, finds the row taken and posts nothing. After posting the row is marked posted with
the message ts.

- Catch-up: a clock that was down sees only the latest missed moment, so it posts that week
  once and never the older ones; a subscription made after its moment waits for the next one.
- A claim whose post failed (Slack error) or that was left behind by a crashed process is
  retaken after STALE_MINUTES. A crash between Slack accepting the post and the row being
  marked is the one window in which a week could be posted twice; we accept it over losing
  the week.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils
from slack_sdk import WebClient

from smartstep.digest.post import post_digest, render_digest
from smartstep.digest.subscriptions import Subscription, list_subscriptions
from smartstep.metrics.reader import current_period
from smartstep.rules.loader import RuleSet
from smartstep.weeks import format_time, iso_week, parse_time

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from smartstep.settings import Settings

STALE_MINUTES = 15
TICK_SECONDS = 60
log = logging.getLogger("smartstep.digest.clock")


@dataclass(frozen=True)
class PostResult:
    channel: str
    week: str
    status: str  # posted | skipped (quiet week, quiet=skip) | taken (another run has it) | failed
    ts: str | None = None


def clock_id() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


def latest_slot(sub: Subscription, now: datetime) -> datetime | None:
    """The latest moment up to `now` the subscription was due (UTC), or None if that was before
    the subscription existed."""
    zone = sub.zone
    local = now.astimezone(zone)
    hours, minutes = (int(x) for x in sub.time.split(":"))
    day = local.date() - timedelta(days=(local.weekday() - sub.weekday) % 7)
    slot = datetime.combine(day, time(hours, minutes), tzinfo=zone)
    if slot > local:
        slot -= timedelta(days=7)
    slot = slot.astimezone(UTC)
    return None if slot < parse_time(sub.created_at) else slot


def slot_week(sub: Subscription, slot: datetime) -> str:
    """The ISO week the slot falls in, in the subscriber's time zone: the key of "once a week"."""
    return iso_week(slot.astimezone(sub.zone))


def claim(db: sqlite_utils.Database, sub: Subscription, week: str, owner: str, now: datetime) -> bool:
    """Atomically take the (channel, week) row; False when another run holds or finished it."""
    stale = format_time(now - timedelta(minutes=STALE_MINUTES))
    teams = ",".join(sub.teams) if sub.teams else "all"
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO digests (channel, period, team, status, claimed_by, claimed_at) "
            "VALUES (?, ?, ?, 'claimed', ?, ?) ON CONFLICT (channel, period) DO UPDATE SET "
            "status = 'claimed', claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at "
            "WHERE digests.status IN ('claimed', 'failed') AND digests.claimed_at < ?",
            [sub.channel, week, teams, owner, format_time(now), stale],
        )
        return cursor.rowcount == 1


def finish(db: sqlite_utils.Database, channel: str, week: str, status: str, ts: str | None, now: datetime) -> None:
    with db.atomic():
        db.execute(
            "UPDATE digests SET status = ?, posted_at = ?, message_ts = ? WHERE channel = ? AND period = ?",
            [status, format_time(now) if status == "posted" else None, ts, channel, week],
        )


def run_due(
    db: sqlite_utils.Database,
    client: WebClient,
    ruleset: RuleSet,
    now: datetime,
    *,
    owner: str | None = None,
    at: Callable[[], datetime] | None = None,
    stale_after_hours: float = 72.0,
    ticket_url: str | None = None,
) -> list[PostResult]:
    """Post every subscription whose latest moment up to `now` has not been posted yet.

    `now` is passed in (never read from the wall clock here) so tests can move time freely.
    """
    owner = owner or clock_id()
    results = []
    for sub in list_subscriptions(db):
        slot = latest_slot(sub, now)
        if slot is None:
            continue
        week = slot_week(sub, slot)
        if not claim(db, sub, week, owner, now):
            results.append(PostResult(sub.channel, week, "taken"))
            continue
        results.append(_post_one(db, client, ruleset, sub, week, slot, now, stale_after_hours, ticket_url))
    return results


def _post_one(
    db: sqlite_utils.Database,
    client: WebClient,
    ruleset: RuleSet,
    sub: Subscription,
    week: str,
    slot: datetime,
    now: datetime,
    stale_after_hours: float = 72.0,
    ticket_url: str | None = None,
) -> PostResult:
    try:
        # The data's own "now" unless the data runs past the slot (then report as of the slot).
        as_of = slot if (current_period(db, slot) or "") < (current_period(db) or "") else None
        rendered = render_digest(
            db,
            ruleset,
            teams=sub.teams,
            as_of=as_of,
            at=now,
            stale_after_hours=stale_after_hours,
            ticket_url=ticket_url,
        )
        if rendered.digest.quiet and sub.quiet == "skip":
            finish(db, sub.channel, week, "skipped", None, now)
            return PostResult(sub.channel, week, "skipped")
        ts = post_digest(client, sub.channel, rendered, lambda ts: finish(db, sub.channel, week, "posted", ts, now))
    except Exception:
        log.exception("digest for %s, week %s failed before posting; it will be retried", sub.channel, week)
        finish(db, sub.channel, week, "failed", None, now)
        return PostResult(sub.channel, week, "failed")
    log.info("posted the %s digest to %s (ts %s)", week, sub.channel, ts)
    return PostResult(sub.channel, week, "posted", ts)


def start_clock(
    settings: Settings, db_path: str | Path, *, scheduler: BaseScheduler | None = None, digests: bool = True
) -> BaseScheduler:
    """The schedules of one deployment: the weekly digests (checked every minute, caught up at once) and
    the helpdesk syncs (every SMARTSTEP_SYNC_EVERY, the first right away). Blocks by default; `serve`
    passes a background scheduler to run them next to the Slack app."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = scheduler or BlockingScheduler(timezone=UTC)
    if digests:
        _add_digests(scheduler, settings, db_path)
        _add_alerts(scheduler, settings, db_path)
    if settings.helpdesks:
        from smartstep.imports.sync.schedule import sync_configured

        scheduler.add_job(
            sync_configured,
            IntervalTrigger(minutes=settings.sync_every_minutes, timezone=UTC),
            args=(settings, db_path),
            next_run_time=datetime.now(UTC),
            id="helpdesk-sync",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        log.info("syncing %s every %g minutes", ", ".join(settings.helpdesks), settings.sync_every_minutes)
    scheduler.start()
    return scheduler


def _add_digests(scheduler: BaseScheduler, settings: Settings, db_path: str | Path) -> None:
    from apscheduler.triggers.interval import IntervalTrigger

    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.db import open_db
    from smartstep.slack.client import build_client

    client = build_client(settings)
    ruleset = load_rule_base(None, settings.rules_path)
    owner = clock_id()

    def tick() -> None:
        db = open_db(db_path)
        try:
            run_due(
                db,
                client,
                ruleset,
                datetime.now(UTC),
                owner=owner,
                stale_after_hours=settings.stale_after_hours,
                ticket_url=settings.ticket_url,
            )
        finally:
            db.close()

    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=TICK_SECONDS, timezone=UTC),
        next_run_time=datetime.now(UTC),
        id="digests",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=TICK_SECONDS,
    )
    log.info("clock %s started: checking digest subscriptions every %d s", owner, TICK_SECONDS)


def _add_alerts(scheduler: BaseScheduler, settings: Settings, db_path: str | Path) -> None:
    """New or growing topics to the opted-in alert channels, every ALERT_MINUTES (digest.alerts)."""
    from apscheduler.triggers.interval import IntervalTrigger

    from smartstep.db import open_db
    from smartstep.digest.alerts import ALERT_MINUTES, run_alerts
    from smartstep.slack.client import build_client

    client = build_client(settings)

    def tick() -> None:
        db = open_db(db_path)
        try:
            run_alerts(db, client, ticket_url=settings.ticket_url)
        except Exception:  # a failed run is retried on the next tick; the clock keeps going
            log.exception("topic alerts failed; retrying in %d minutes", ALERT_MINUTES)
        finally:
            db.close()

    scheduler.add_job(
        tick,
        IntervalTrigger(minutes=ALERT_MINUTES, timezone=UTC),
        next_run_time=datetime.now(UTC),
        id="topic-alerts",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
