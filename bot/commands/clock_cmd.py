"""`smartstep clock`: the schedules alone (weekly digests, helpdesk syncs), for a deployment whose web process
runs `serve --no-clock`. It must use the same store file: the same disk, not a copy."""

from __future__ import annotations

import logging

import click

from smartstep.commands.common import CliState
from smartstep.errors import UserError


@click.command("clock")
@click.pass_obj
def clock_command(state: CliState) -> None:
    """Post each digest subscription's weekly digest and sync the configured helpdesks on schedule (runs until
    stopped)."""
    from smartstep.db import open_db
    from smartstep.digest.clock import start_clock

    settings = state.settings
    if not settings.slack_bot_token and not settings.helpdesks:
        raise UserError("SLACK_BOT_TOKEN is not set; the clock needs it to post digests")
    if not settings.slack_bot_token:
        click.echo("smartstep: SLACK_BOT_TOKEN is not set: syncing helpdesks only, no digests", err=True)
    logging.basicConfig(level=logging.DEBUG if state.settings.debug else logging.INFO)
    open_db(state.settings.db_path).close()  # migrate once, before the scheduler's threads open it
    try:
        start_clock(settings, settings.db_path, digests=bool(settings.slack_bot_token))
    except (KeyboardInterrupt, SystemExit):
        click.echo("clock stopped", err=True)
