"""`smartstep metrics`: the scorecard in the terminal or as JSON."""

from __future__ import annotations

import click
from rich.console import Console

from smartstep.commands.common import CliState, emit_json, say_period_note
from smartstep.commands.scorecard_table import render_scorecard
from smartstep.errors import UserError
from smartstep.metrics.noise import history_weeks
from smartstep.metrics.reader import current_period, known_teams, load_history
from smartstep.metrics.scorecard import build_scorecard, scorecard_json
from smartstep.names import resolve


@click.command("metrics")
@click.option("--team", help="Only this team.")
@click.option("--weeks", type=click.IntRange(min=1), default=12, show_default=True, help="Weeks of history to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the flat JSON list instead of tables.")
@click.pass_obj
def metrics_command(state: CliState, team: str | None, weeks: int, as_json: bool) -> None:
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
    history = load_history(db, teams=selected, until=period, weeks=weeks + history_weeks())
    rows = build_scorecard(history, period, selected, weeks=weeks)
    if as_json:
        emit_json(scorecard_json(rows))
        return
    Console().print(render_scorecard(rows, period))
