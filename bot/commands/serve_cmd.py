"""`smartstep serve`: the Slack app, in Socket Mode (local use) or over HTTP (hosting)."""

from __future__ import annotations

import logging

import click

from smartstep.commands.common import CliState
from smartstep.errors import UserError


@click.command("serve")
@click.option("--http", "http", is_flag=True, help="Serve HTTP at POST /slack/events even when SLACK_APP_TOKEN is set.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="HTTP port (default $PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP interface to listen on.")
@click.pass_obj
def serve_command(state: CliState, http: bool, port: int | None, host: str) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP."""
    from smartstep.slack.app import build_app

    settings = state.settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.slack_bot_token:
        raise UserError("SLACK_BOT_TOKEN is not set; copy the bot token (xoxb-…) from your Slack app's OAuth page")
    socket_mode = bool(settings.slack_app_token) and not http
    if not socket_mode and not settings.slack_signing_secret:
        raise UserError("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify that requests come from Slack")
    app = build_app(settings, settings.db_path, as_of=state.as_of, warm_up=True)
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        click.echo("smartstep: connecting to Slack in Socket Mode", err=True)
        SocketModeHandler(app, settings.slack_app_token).start()
        return
    from smartstep.slack.http_server import create_server, favour_acks

    favour_acks()
    server = create_server(app, host=host, port=port if port is not None else settings.port)
    click.echo(f"smartstep: serving POST /slack/events on {host}:{server.effective_port}", err=True)
    server.run()
