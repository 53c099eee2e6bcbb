"""`smartstep next-step`: the ranked smartest next steps right now, best first (logged, so
ratings and outcomes can later be attached to each)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from smartstep.advice.pipeline import next_steps
from smartstep.advice.rule_inputs import NO_DATA, load_rule_base
from smartstep.chat.replies import advice_text
from smartstep.chat.terminal import mrkdwn_to_rich
from smartstep.commands.common import CliState, emit_json, say_period_note
from smartstep.errors import UserError
from smartstep.metrics.reader import current_period, known_teams
from smartstep.names import resolve


@click.command("next-step")
@click.option("--team", help="Only this team's next steps.")
@click.option("--k", "k", type=click.IntRange(min=1, max=100), default=5, show_default=True, help="How many steps.")
@click.option(
    "--rules", "rules_path", type=click.Path(path_type=Path), help="Rule file or folder (default: the shipped base)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@click.pass_obj
def next_step_command(state: CliState, team: str | None, k: int, rules_path: Path | None, as_json: bool) -> None:
    """The smartest next steps right now, with the evidence behind each."""
    ruleset = load_rule_base(rules_path, state.settings.rules_path)
    db = state.db()
    if current_period(db, state.as_of) is None:
        raise UserError(NO_DATA)
    teams = [resolve(team, known_teams(db), "team")] if team is not None else None
    say_period_note(state)
    run = next_steps(db, ruleset, teams=teams, k=k, surface="cli", as_of=state.as_of)
    if as_json:
        emit_json([a.to_json() for a in run.advice])
    else:
        Console().print(mrkdwn_to_rich(advice_text(run.advice, run.period, team)), highlight=False)
