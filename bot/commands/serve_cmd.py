"""`smartstep serve`: the Slack app, in Socket Mode (local use) or over HTTP (hosting), with the
weekly digests and the helpdesk syncs on schedule in the same process unless `--no-clock`."""

from __future__ import annotations

import logging

import click

from smartstep.commands.common import CliState
from smartstep.errors import UserError


@click.command("serve")
@click.option("--http", "http", is_flag=True, help="Serve HTTP at POST /slack/events even when SLACK_APP_TOKEN is set.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="HTTP port (default $PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP interface to listen on.")
@click.option(
    "--no-clock",
    "no_clock",
    is_flag=True,
    help="Do not post digests or sync helpdesks from this process (run `smartstep clock` on the same disk instead).",
)
@click.option("--create", is_flag=True, help="Make a new, empty store when none exists at --db / SMARTSTEP_DB.")
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Processes that answer questions (default: one per core, at most 4; 0 answers in this process).",
)
@click.pass_obj
def serve_command(
    state: CliState, http: bool, port: int | None, host: str, no_clock: bool, create: bool, workers: int | None
) -> None:
    """Run the Slack app (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP) with the weekly digests and
    the helpdesk syncs on schedule."""
    from smartstep.db import open_db
    from smartstep.slack.app import build_app
    from smartstep.slack.health import StoreFile
    from smartstep.slack.workers import AnswerWorkers, WorkerSetup, default_count

    settings = state.settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.slack_bot_token:
        raise UserError("SLACK_BOT_TOKEN is not set; copy the bot token (xoxb-…) from your Slack app's OAuth page")
    socket_mode = bool(settings.slack_app_token) and not http
    if not socket_mode and not settings.slack_signing_secret:
        raise UserError("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify that requests come from Slack")
    if not settings.db_path.exists() and not create:
        # A store that vanished (a lost volume, a wrong path) must not be replaced by an empty one unnoticed.
        raise UserError(
            f"{settings.db_path} does not exist; check --db or SMARTSTEP_DB, or pass --create for a new, empty store"
        )
    open_db(settings.db_path).close()
    store = StoreFile(settings.db_path, settings.min_free_mb)
    count = default_count() if workers is None else workers
    pool = AnswerWorkers(WorkerSetup(settings, settings.db_path, store, state.as_of), count) if count else None
    stop_on_sigterm()
    schedules = None
    try:
        app = build_app(settings, settings.db_path, as_of=state.as_of, warm_up=True, store=store, workers=pool)
        schedules = None if no_clock else _start_schedules(settings)
        answering = f"{count} answer worker(s)" if count else "answers in this process"
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            click.echo(f"smartstep: connecting to Slack in Socket Mode ({answering})", err=True)
            SocketModeHandler(app, settings.slack_app_token).start()
            return
        from smartstep.metrics.freshness import health_fields
        from smartstep.slack.http_server import create_server, favour_acks

        favour_acks()
        server = create_server(
            app,
            health=store.problems,
            details=lambda: health_fields(settings.db_path, settings.stale_after_hours),
            host=host,
            port=port if port is not None else settings.port,
        )
        listening = getattr(server, "effective_listen", None) or [(host, server.effective_port)]
        where = ", ".join(f"{h}:{p}" for h, p in listening)
        click.echo(f"smartstep: serving POST /slack/events and GET /healthz on {where} ({answering})", err=True)
        server.run()
    finally:
        if schedules is not None:
            schedules.shutdown(wait=False)
        if pool is not None:
            pool.close()


def stop_on_sigterm() -> None:
    """A platform stops a process with SIGTERM: exit through SystemExit, so waitress closes its sockets
    and the answer workers are stopped rather than left behind."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def _start_schedules(settings):  # -> BackgroundScheduler
    """The digest clock and the helpdesk syncs on a background thread of this process."""
    from datetime import UTC

    from apscheduler.schedulers.background import BackgroundScheduler

    from smartstep.digest.clock import start_clock

    scheduler = start_clock(settings, settings.db_path, scheduler=BackgroundScheduler(timezone=UTC, daemon=True))
    synced = (
        f"; syncing {', '.join(settings.helpdesks)} every {settings.sync_every_minutes:g} min"
        if settings.helpdesks
        else ""
    )
    click.echo(f"smartstep: posting digests on schedule{synced}", err=True)
    return scheduler
