"""`smartstep serve`: the Slack app, in Socket Mode (local use) or over HTTP (hosting), with the digest and
helpdesk-sync schedules running in the same process, so one process on one disk is a whole deployment."""

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
@click.pass_obj
def serve_command(state: CliState, http: bool, port: int | None, host: str, no_clock: bool) -> None:
    """Run the Slack app (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP) with the weekly digests and
    the helpdesk syncs on schedule."""
    from smartstep.slack.app import build_app

    settings = state.settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.slack_bot_token:
        raise UserError("SLACK_BOT_TOKEN is not set; copy the bot token (xoxb-…) from your Slack app's OAuth page")
    socket_mode = bool(settings.slack_app_token) and not http
    if not socket_mode and not settings.slack_signing_secret:
        raise UserError("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify that requests come from Slack")
    app = build_app(settings, settings.db_path, as_of=state.as_of, warm_up=True)
    schedules = None if no_clock else _start_schedules(settings)
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            click.echo("smartstep: connecting to Slack in Socket Mode", err=True)
            SocketModeHandler(app, settings.slack_app_token).start()
            return
        from smartstep.metrics.freshness import health_fields
        from smartstep.slack.http_server import create_server, favour_acks

        favour_acks()
        server = create_server(
            app,
            host=host,
            port=port if port is not None else settings.port,
            health=lambda: health_fields(settings.db_path, settings.stale_after_hours),
        )
        click.echo(f"smartstep: serving POST /slack/events on {host}:{server.effective_port}", err=True)
        server.run()
    finally:
        if schedules is not None:
            schedules.shutdown(wait=False)


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
