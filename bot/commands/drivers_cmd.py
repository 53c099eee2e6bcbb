"""`smartstep drivers`: what moves CSAT, CES and NPS for each team, in words or as JSON."""

from __future__ import annotations

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.drivers.data import SURVEY_METRICS, load_driver_report
from smartstep.drivers.text import report_lines, report_to_dict
from smartstep.errors import UserError
from smartstep.metrics.reader import known_teams
from smartstep.names import resolve
from smartstep.weeks import is_week


def _metric(name: str) -> str:
    try:
        return resolve(name, SURVEY_METRICS, "metric")
    except UserError as error:  # a bad option value is a usage error (exit 2)
        raise UserError(f"{error.message} (drivers works on csat, ces and nps)", exit_code=2) from None


@click.command("drivers")
@click.option("--team", help="Only this team (default: every team).")
@click.option("--metric", "metric_name", metavar="csat|ces|nps", help="Only this metric (default: all three).")
@click.option("--weeks", type=click.IntRange(min=1), default=26, show_default=True, help="Weeks of answers to use.")
@click.option("--since", metavar="WEEK", help="Compare driver weights from this ISO week on with the weeks before.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of reports instead of text.")
@click.pass_obj
def drivers_command(
    state: CliState, team: str | None, metric_name: str | None, weeks: int, since: str | None, as_json: bool
) -> None:
    """What actually moves CSAT, effort (CES) and NPS for each team, and how sure that is."""
    metrics = [_metric(metric_name)] if metric_name else list(SURVEY_METRICS)
    if since is not None and not is_week(since):
        raise UserError(f"--since '{since}' is not an ISO week like 2026-W18", exit_code=2)
    db = state.db()
    teams = known_teams(db)
    if not teams:
        raise UserError(
            f"{state.settings.db_path} holds no tickets yet; run 'smartstep import' or 'smartstep demo' first"
        )
    selected = [resolve(team, teams, "team")] if team else teams
    reports = [
        load_driver_report(db, metric, team=name, weeks=weeks, as_of=state.as_of, since=since)
        for name in selected
        for metric in metrics
    ]
    reports = [r for r in reports if r is not None]
    if as_json:
        emit_json([report_to_dict(r) for r in reports])
        return
    for report in reports:
        click.echo("\n".join(report_lines(report)) + "\n")
