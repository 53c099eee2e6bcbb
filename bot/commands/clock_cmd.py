"""`smartstep clock`: the Procfile's `clock:` process that posts the weekly digests."""

from __future__ import annotations

import logging

import click

from smartstep.commands.common import CliState
from smartstep.errors import UserError


@click.command("clock")
@click.pass_obj
def clock_command(state: CliState) -> None:
    """Post each digest subscription's weekly digest on schedule (runs until stopped)."""
    from smartstep.db import open_db
    from smartstep.digest.clock import start_clock

    if not state.settings.slack_bot_token:
        raise UserError("SLACK_BOT_TOKEN is not set; the clock needs it to post digests")
    logging.basicConfig(level=logging.DEBUG if state.settings.debug else logging.INFO)
    open_db(state.settings.db_path).close()  # migrate once, before the scheduler's threads open it
    try:
        start_clock(state.settings, state.settings.db_path)
    except (KeyboardInterrupt, SystemExit):
        click.echo("clock stopped", err=True)
