"""`smartstep metrics`: the scorecard in the terminal or as JSON, for all tickets or a cut of them."""

from __future__ import annotations

import click
from rich.console import Console

from smartstep.commands.common import CliState, cut_of, emit_json, say_period_note, segment_options
from smartstep.commands.scorecard_table import render_scorecard
from smartstep.errors import UserError
from smartstep.metrics.noise import history_weeks
from smartstep.metrics.reader import current_period, known_teams, load_history
from smartstep.metrics.scorecard import build_scorecard, scorecard_json
from smartstep.metrics.values import describe_where
from smartstep.names import resolve


@click.command("metrics")
@click.option("--team", help="Only this team.")
@click.option("--weeks", type=click.IntRange(min=1), default=12, show_default=True, help="Weeks of history to show.")
@segment_options
@click.option("--json", "as_json", is_flag=True, help="Print the flat JSON list instead of tables.")
@click.pass_obj
def metrics_command(state: CliState, team: str | None, weeks: int, as_json: bool, **cuts: str | None) -> None:
    """The scorecard: every metric per team per week, with change vs the previous week."""
    db = state.db()
    period = current_period(db, state.as_of)
    teams = known_teams(db)
    if period is None or not teams:
        raise UserError(
            f"{state.settings.db_path} holds no metrics yet; run 'smartstep import' or 'smartstep demo' first"
        )
    say_period_note(state)
    selected = [resolve(team, teams, "team")] if team else None
    where = cut_of(**cuts)
    history = load_history(db, teams=selected, until=period, weeks=weeks + history_weeks(), where=where or None)
    if where and not history:
        raise UserError(f"no tickets match {describe_where(where)}; check the spelling, or import or sync them first")
    rows = build_scorecard(history, period, selected, weeks=weeks)
    if as_json:
        emit_json([{**row, "segment": where} if where else row for row in scorecard_json(rows)])
        return
    if where:
        click.echo(f"Only tickets with {describe_where(where)}.")
    Console().print(render_scorecard(rows, period))
