"""`smartstep outcomes`: every step marked done and what became of it, measured against what
would have happened anyway (steps whose window has passed are measured first)."""

from __future__ import annotations

from pathlib import Path

import click

from smartstep.advice.outcomes import check_outcomes, load_outcomes
from smartstep.advice.rule_inputs import load_rule_base
from smartstep.commands.common import CliState, emit_json
from smartstep.metrics.reader import current_period, known_teams
from smartstep.names import resolve

RULES_HELP = "Rule file or folder whose horizons say when a step is measured (default: the shipped base)."


def measure_due(state: CliState, rules_path: Path | None) -> dict[str, int]:
    """Measure every done step whose window after has passed; the rule horizons used."""
    ruleset = load_rule_base(rules_path, state.settings.rules_path)
    horizons = {r.id: r.horizon_weeks for r in ruleset.rules}
    db = state.db()
    now = current_period(db, state.as_of)
    if now is not None:
        check_outcomes(db, now, horizons)
    return horizons


@click.command("outcomes")
@click.option("--team", help="Only this team's steps.")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path), help=RULES_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
@click.pass_obj
def outcomes_command(state: CliState, team: str | None, rules_path: Path | None, as_json: bool) -> None:
    """Every step marked done: worked, no effect, worse, too early or cannot tell, with the numbers."""
    db = state.db()
    horizons = measure_due(state, rules_path)
    name = resolve(team, known_teams(db), "team") if team is not None else None
    outcomes = load_outcomes(db, current_period(db, state.as_of), horizons, team=name)
    if as_json:
        emit_json([o.to_json() for o in outcomes])
        return
    if not outcomes:
        click.echo(f"No step has been marked done{f' for {name}' if name else ''} yet.")
        return
    for o in outcomes:
        click.echo(f"{o.period}  {o.team}  {o.title or o.rule_id} ({o.advice_id})")
        click.echo(f"    {o.text}")
