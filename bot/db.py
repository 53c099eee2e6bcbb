"""Opening the SQLite store: WAL, foreign keys, and forward-only schema migrations.

Every schema change is a new function registered on MIGRATIONS, never an edit of an old
one, so a store created by any earlier release upgrades in place when it is opened.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from smartstep.errors import UserError

MIGRATIONS = Migrations("smartstep")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["tickets"].create(
        {
            "id": str,
            "created_at": str,
            "first_reply_at": str,
            "solved_at": str,
            "status": str,
            "team": str,
            "channel": str,
            "product": str,
            "subject": str,
            "description": str,
            "resolution": str,
            "customer_id": str,
            "agent_id": str,
            "contacts": int,
            "reopens": int,
            "handle_minutes": float,
            "escalated_to": str,
            "escalated_at": str,
            "returned_at": str,
        },
        pk="id",
        not_null={"created_at", "status", "team"},
    )
    db["tickets"].create_index(["team", "created_at"])
    db["tickets"].create_index(["team", "solved_at"])
    db["tickets"].create_index(["customer_id"])
    db["surveys"].create(
        {
            "id": str,
            "ticket_id": str,
            "customer_id": str,
            "kind": str,
            "sent_at": str,
            "responded_at": str,
            "score": float,
            "comment": str,
        },
        pk="id",
        not_null={"kind", "sent_at"},
    )
    db["surveys"].create_index(["ticket_id"])
    db["surveys"].create_index(["customer_id"])
    db["customers"].create(
        {
            "id": str,
            "team": str,
            "segment": str,
            "first_contact_at": str,
            "first_value_before_sale_at": str,
            "signed_at": str,
            "first_value_after_sale_at": str,
            "renewed_at": str,
            "churned_at": str,
            "arr": float,
        },
        pk="id",
        not_null={"signed_at"},
    )
    db["imported_metrics"].create(
        {"team": str, "metric": str, "date": str, "value": float},
        pk=("team", "metric", "date"),
        not_null={"value"},
    )
    db["metric_values"].create(
        {
            "team": str,
            "metric": str,
            "period": str,
            "value": float,
            "n": int,
            "ci_lo": float,
            "ci_hi": float,
            "partial": int,
            "detail": str,
            "source": str,
        },
        pk=("team", "metric", "period"),
        not_null={"value", "source"},
        defaults={"partial": 0, "source": "computed"},
    )
    db["metric_values"].create_index(["metric", "period"])
    db["advice"].create(
        {
            "id": str,
            "rule_id": str,
            "team": str,
            "title": str,
            "why": str,
            "steps": str,
            "score": float,
            "evidence": str,
            "reasons": str,
            "period": str,
            "created_at": str,
            "surface": str,
        },
        pk="id",
        not_null={"rule_id", "team", "created_at"},
    )
    db["advice"].create_index(["rule_id", "team", "created_at"])
    db["feedback"].create(
        {"advice_id": str, "user": str, "rating": str, "comment": str, "at": str},
        pk=("advice_id", "user"),
        foreign_keys=[("advice_id", "advice", "id")],
        not_null={"rating", "at"},
    )
    db["outcomes"].create(
        {
            "advice_id": str,
            "metric": str,
            "team": str,
            "before": float,
            "after": float,
            "change": float,
            "verdict": str,
            "period_before": str,
            "period_after": str,
            "checked_at": str,
        },
        pk="advice_id",
        foreign_keys=[("advice_id", "advice", "id")],
    )
    db["digests"].create(
        {
            "channel": str,
            "period": str,
            "team": str,
            "status": str,
            "claimed_by": str,
            "claimed_at": str,
            "posted_at": str,
            "message_ts": str,
        },
        pk=("channel", "period"),
    )


@MIGRATIONS()
def m002_teams(db: sqlite_utils.Database) -> None:
    """Teams get a row of their own so per-team settings (time zone) have a home."""
    db["teams"].create({"name": str, "timezone": str}, pk="name", defaults={"timezone": "UTC"})
    db.execute("INSERT OR IGNORE INTO teams (name) SELECT DISTINCT team FROM tickets WHERE team IS NOT NULL")


@MIGRATIONS()
def m003_slack_events(db: sqlite_utils.Database) -> None:
    """Event ids the Slack app has handled, so a retried delivery never gets a second reply."""
    db["slack_events"].create({"event_id": str, "received_at": str}, pk="event_id", not_null={"received_at"})
    db["slack_events"].create_index(["received_at"])


@MIGRATIONS()
def m004_assessments(db: sqlite_utils.Database) -> None:
    """Capability assessment takes: kept, not overwritten, so a retake shows progress."""
    db["assessments"].create(
        {"id": int, "team": str, "answered_at": str, "user": str, "answers": str, "stages": str, "overall": int},
        pk="id",
        not_null={"team", "answered_at", "answers", "stages", "overall"},
    )
    db["assessments"].create_index(["team", "answered_at"])


@MIGRATIONS()
def m005_advice_tracking(db: sqlite_utils.Database) -> None:
    """Advice remembers its target metric, evidence strength and the past situations shown,
    so outcomes, cooldowns and "worked before" can be worked out later."""
    db["advice"].add_column("target", str)
    db["advice"].add_column("strength", float)
    db["advice"].add_column("situations", str)
    db["advice"].create_index(["team", "period"])


@MIGRATIONS()
def m006_digest_subscriptions(db: sqlite_utils.Database) -> None:
    """Weekly digest subscriptions (one per channel) and the call-backs leads record from the digest.

    A channel holds one subscription so one (channel, week) row in `digests` is one post.
    `callbacks` keeps which low survey answers someone has called back, so the digest stops
    listing them.
    """
    db["digest_subscriptions"].create(
        {
            "channel": str,
            "teams": str,  # JSON list of team names; NULL means every team
            "weekday": int,  # 0 = Monday
            "time": str,  # HH:MM in `timezone`
            "timezone": str,
            "quiet": str,  # "line": one "all steady" line in a quiet week; "skip": post nothing
            "created_by": str,
            "created_at": str,
        },
        pk="channel",
        not_null={"weekday", "time", "timezone", "quiet", "created_at"},
    )
    db["callbacks"].create(
        {"survey_id": str, "ticket_id": str, "user": str, "at": str},
        pk="survey_id",
        not_null={"at"},
    )


@MIGRATIONS()
def m007_survey_time_indexes(db: sqlite_utils.Database) -> None:
    """Incremental recomputes read surveys by the time they were sent or answered."""
    db["surveys"].create_index(["sent_at"], if_not_exists=True)
    db["surveys"].create_index(["responded_at"], if_not_exists=True)


@MIGRATIONS()
def m008_data_versions(db: sqlite_utils.Database) -> None:
    """A counter that moves whenever the tickets table changes, by any path and any connection, so
    readers with a cached view (the similar-case index) can check for changes with one row read."""
    db["data_versions"].create({"name": str, "version": int}, pk="name", not_null={"version"})
    db["data_versions"].insert({"name": "tickets", "version": 0})
    set_tickets_version_triggers(db, on=True)


@MIGRATIONS()
def m009_outcomes_against_counterfactual(db: sqlite_utils.Database) -> None:
    """Outcomes become a verdict against what would have happened anyway: the team's change over
    several weeks minus comparable teams' change and what followed earlier firings nobody acted
    on, with a 90% interval. Old rows (one week against one week) were derived data with a known
    bias (regression to the mean); they are dropped and measured again at the next check."""
    db["outcomes"].drop()
    db["outcomes"].create(
        {
            "advice_id": str,
            "metric": str,
            "team": str,
            "verdict": str,  # worked | no effect | worse | cannot tell (too early is never stored)
            "done_week": str,
            "period_before": str,  # first week of the window before the done week
            "period_after": str,  # last week of the window after it
            "before": float,  # the team's mean over the weeks before
            "after": float,  # and after
            "change": float,
            "teams_change": float,  # what comparable teams did over the same weeks, at this team's level
            "teams": str,  # JSON list of those teams
            "firings_change": float,  # what followed earlier firings of the rule that nobody acted on
            "firings": int,
            "effect": float,
            "lo": float,
            "hi": float,
            "p_better": float,  # how sure the effect went the good way (learning weighs by it)
            "unsettled": str,  # the week before acting that stood apart from the rest, if one did
            "reason": str,  # why it cannot tell, or a caveat
            "checked_at": str,
        },
        pk="advice_id",
        foreign_keys=[("advice_id", "advice", "id")],
        not_null={"metric", "team", "verdict", "done_week", "checked_at"},
    )


@MIGRATIONS()
def m010_notes(db: sqlite_utils.Database) -> None:
    """Notes that explain shifts (a release, an outage, a policy change, a step marked done), for
    one team or (team NULL) everyone, shown on charts, in the digest and inside verdict windows."""
    db["notes"].create(
        {
            "id": int,
            "day": str,  # YYYY-MM-DD
            "team": str,
            "text": str,
            "source": str,  # manual | done
            "advice_id": str,  # the step a "done" note is about
            "author": str,
            "created_at": str,
        },
        pk="id",
        not_null={"day", "text", "source", "created_at"},
    )
    db["notes"].create_index(["day"])
    db["notes"].create_index(["source", "advice_id"])


@MIGRATIONS()
def m011_ticket_segments(db: sqlite_utils.Database) -> None:
    """The fields leads cut by: priority, type, tags (comma-joined, lower case) and the helpdesk's own
    SLA outcome (1 breached, 0 met, NULL when the source has no SLA: the metric then uses the fixed rule)."""
    for column, kind in (("priority", str), ("type", str), ("tags", str), ("sla_breached", int)):
        db["tickets"].add_column(column, kind)


@MIGRATIONS()
def m012_sync_state(db: sqlite_utils.Database) -> None:
    """Helpdesk sync: per source its cursors, the metric weeks still to recompute and the last outcome,
    written in the same transaction as the rows a page brought, so a killed sync resumes exactly there.
    `sync_sla` keeps each synced ticket's SLA outcome, which Zendesk reports in its own event stream."""
    db["sync_state"].create(
        {
            "source": str,
            "cursors": str,  # JSON: stream -> cursor
            "pending": str,  # JSON: team -> earliest ISO week written but not yet recomputed
            "started_at": str,
            "last_success_at": str,
            "last_error": str,
            "lease_owner": str,
            "lease_until": str,
        },
        pk="source",
    )
    db["sync_sla"].create({"source": str, "ticket_id": str, "breached": int}, pk=("source", "ticket_id"))


@MIGRATIONS()
def m013_conversation_sessions(db: sqlite_utils.Database) -> None:
    """What each conversation remembers between questions (a Slack thread or DM, `ask --session`),
    so follow-ups keep their context across processes and restarts; and the Slack threads the bot
    started or answered, where a follow-up needs no new @mention."""
    db["chat_sessions"].create(
        {"key": str, "state": str, "updated_at": str}, pk="key", not_null={"state", "updated_at"}
    )
    db["chat_sessions"].create_index(["updated_at"])
    db["slack_threads"].create(
        {"channel": str, "thread_ts": str, "at": str}, pk=("channel", "thread_ts"), not_null={"at"}
    )
    db["slack_threads"].create_index(["at"])


@MIGRATIONS()
def m014_health_checks(db: sqlite_utils.Database) -> None:
    """One row per serving process that /healthz rewrites: proof that the store still takes a write."""
    db["health_checks"].create({"process": str, "checked_at": str}, pk="process", not_null={"checked_at"})


@MIGRATIONS()
def m015_topic_alert_channels_and_messages(db: sqlite_utils.Database) -> None:
    """Opt-in alert channels for new or growing topics, and the one Slack message each topic has in each
    channel (its ts), so a growing topic's message is updated in place and never posted twice. `tickets`
    keeps the topic's recent ticket ids: a topic is recognised in the next run by the tickets it shares."""
    db["alert_channels"].create(
        {"channel": str, "teams": str, "created_by": str, "created_at": str}, pk="channel", not_null={"created_at"}
    )
    db["topic_alerts"].create(
        {
            "channel": str,
            "topic": str,  # team + the earliest recent ticket id when first posted: the same in every process
            "team": str,
            "label": str,
            "tickets": str,  # JSON list of ticket ids
            "status": str,  # posting | open | settled
            "ts": str,
            "text": str,
            "posted_at": str,
            "updated_at": str,
        },
        pk=("channel", "topic"),
        not_null={"status", "updated_at"},
    )


_VERSION_EVENTS = ("INSERT", "UPDATE", "DELETE")


def set_tickets_version_triggers(db: sqlite_utils.Database, *, on: bool) -> None:
    """Create or drop the triggers that bump the tickets version. A bulk import drops them inside
    its transaction (a trigger per row costs about a third of a million-row load), bumps the
    version once, and creates them again before committing; DDL is transactional in SQLite."""
    for event in _VERSION_EVENTS:
        name = f"tickets_version_{event.lower()}"
        if on:
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON tickets BEGIN "
                "UPDATE data_versions SET version = version + 1 WHERE name = 'tickets'; END"
            )
        else:
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
    if on:
        db.execute("UPDATE data_versions SET version = version + 1 WHERE name = 'tickets'")


BUSY_TIMEOUT_MS = 5000
"""How long one statement waits inside SQLite for another connection's write lock."""
NOTE_AFTER = 2.0
"""A write still waiting for the lock after this many seconds says so (`on_write_wait`): the bot's own
writes take milliseconds, so only an import keeps another writer waiting that long."""
SLICE = 5.0
WRITE_WAIT = 60.0
"""How long, in all, a write transaction keeps asking for the write lock before giving up (seconds).
An import holds the lock from its first row to its commit: a minute or more for a big file."""


class Store(sqlite_utils.Database):
    """The store: a sqlite-utils Database that also knows how long its writes wait for another writer.

    `write_wait` bounds `write_transaction`'s wait for the write lock; `on_write_wait(seconds)` is
    told each time the wait goes on (the CLI prints a note; the Slack app logs it).
    """

    write_wait: float = WRITE_WAIT
    on_write_wait: Callable[[float], None] | None = None


class StoreBusy(UserError):
    """Another connection (an import, almost always) held the write lock for longer than this one waits."""

    def __init__(self, path: str, waited: float | None = None) -> None:
        waiting = f" (waited {waited:.0f} s for it)" if waited is not None else ""
        super().__init__(
            f"another import is still writing to {path}{waiting}; nothing was changed, try again when it has finished"
        )
        self.path = path
        self.waited = waited


def open_db(path: str | Path, *, migrate: bool = True, write_wait: float = WRITE_WAIT) -> Store:
    """Open (creating if needed) the store with WAL and foreign keys on, and bring its schema up to date."""
    db = Store(str(path))
    db.write_wait = write_wait
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        MIGRATIONS.apply(db)
    return db


class WaitNote:
    """What a write waiting for another import says (to `say`): once when the wait starts, then every
    half minute, so a queued import or a bot reply is seen to wait, not to hang."""

    EVERY = 30.0

    def __init__(self, db: Store, say: Callable[[str], None]) -> None:
        self.db, self.say = db, say
        self._next = self._last = 0.0

    def __call__(self, waited: float) -> None:
        if waited < self._last:  # a new wait on the same connection
            self._next = 0.0
        self._last = waited
        if waited < self._next:
            return
        if self._next == 0.0:
            limit = f"{self.db.write_wait:.0f} s"
            self.say(f"another import is writing to {_db_file(self.db)}; waiting for it to finish (up to {limit}) ...")
        else:
            self.say(f"still waiting for the other import ({waited:.0f} s so far) ...")
        self._next = (waited // self.EVERY + 1) * self.EVERY


def is_busy(error: BaseException) -> bool:
    """Whether an SQLite error means "another connection holds the lock" (SQLITE_BUSY and its variants)."""
    return isinstance(error, sqlite3.OperationalError) and (getattr(error, "sqlite_errorcode", 0) & 0xFF) == 5


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A transaction that takes the write lock up front (BEGIN IMMEDIATE), waiting for it if need be.

    A write that first reads (is this rating new? which rows exist?) in a deferred transaction
    fails at once with "database is locked" if another connection wrote in between; starting
    as a writer makes it wait its turn instead. While another writer (an import) keeps the
    lock, the wait goes on, reported to `on_write_wait`, until the store's `write_wait` is used
    up; then `StoreBusy` says so in one sentence and nothing was written.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(db)
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


def _begin_immediate(db: sqlite_utils.Database) -> None:
    """Take the write lock, asking SQLite in slices (its busy handler waits within each) so the wait can be
    reported as it goes and ends at `write_wait`; the connection's usual busy timeout is restored after."""
    wait = getattr(db, "write_wait", WRITE_WAIT)
    started = time.monotonic()
    slice_ = NOTE_AFTER
    try:
        while True:
            left = started + wait - time.monotonic()
            db.conn.execute(f"PRAGMA busy_timeout = {int(max(0.0, min(left, slice_)) * 1000)}")
            attempt = time.monotonic()
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                # BUSY_SNAPSHOT: a read still open on this connection saw an older store; waiting cannot help.
                if not is_busy(error) or error.sqlite_errorcode == sqlite3.SQLITE_BUSY_SNAPSHOT:
                    raise
            if time.monotonic() - attempt < 0.05 < left:  # refused without SQLite's own wait: do not spin
                time.sleep(0.1)
            waited = time.monotonic() - started
            if waited >= wait:
                raise StoreBusy(_db_file(db), waited) from None
            note = getattr(db, "on_write_wait", None)
            if note is not None:
                note(waited)
            slice_ = SLICE
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _db_file(db: sqlite_utils.Database) -> str:
    rows = db.execute("PRAGMA database_list").fetchall()
    return next((str(row[2]) for row in rows if row[1] == "main" and row[2]), "the store")


def open_memory_db() -> Store:
    """An in-memory store with the full schema, for tests and throwaway work."""
    db = Store(memory=True)
    db.execute("PRAGMA foreign_keys = ON")
    MIGRATIONS.apply(db)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    """How many migrations this store has had applied: its schema version."""
    return len(MIGRATIONS.applied(db))


def latest_schema_version() -> int:
    return len(MIGRATIONS._migrations)
