"""`smartstep demo`: build the embedded demo organisation, show a short tour, open the chat."""

from __future__ import annotations

import sys

import click
from smartstep.cli import CliState
from smartstep.errors import UserError


@click.command("demo")
@click.option("--no-chat", is_flag=True, help="Build and show the tour, but do not open the chat.")
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Seed: the same seed builds the same organisation."
)
@click.option("--force", is_flag=True, help="Replace a store that holds data other than the demo.")
@click.option("--scale", type=click.FloatRange(0.05, 1.0), default=1.0, hidden=True)
@click.pass_obj
def demo_command(state: CliState, no_chat: bool, seed: int, force: bool, scale: float) -> None:
    """Build the demo organisation (2 years, 4 teams, ~40,000 tickets) into the store, then chat."""
    from smartstep.demo import build_demo, store_kind

    db, path = state.db(), state.settings.db_path
    if store_kind(db) == "other" and not force:
        raise UserError(
            f"{path} already holds tickets, surveys or customers that are not the demo's; "
            "use another --db, or add --force to replace them with the demo"
        )
    click.echo(f"Building the demo organisation (seed {seed}) into {path} ...", err=True)
    summary = build_demo(db, seed=seed, scale=scale)
    teams = ", ".join(f"{team} {summary.tickets_by_team[team]:,}" for team in summary.teams)
    click.echo(
        f"Demo organisation ready in {summary.seconds:.1f} s: {len(summary.teams)} teams, 104 weeks "
        f"({summary.first_week} to {summary.last_week}), {summary.tickets:,} tickets ({teams}), "
        f"{summary.surveys:,} surveys, {summary.customers:,} customers."
    )
    click.echo("Something is going wrong in every team; ask the advisor what, and why.\n")
    _show_scorecard(state)
    if not no_chat and sys.stdin is not None and sys.stdin.isatty():
        from smartstep.commands.chat_cmd import run_chat

        run_chat(state)
    else:
        click.echo('\nNext: `smartstep chat`, `smartstep metrics --team Technical`, or `smartstep ask "how is CES?"`.')


def _show_scorecard(state: CliState) -> None:
    """The latest week's scorecard, with four weeks of sparkline behind each number."""
    from rich.console import Console
    from smartstep.metric_values import current_period, load_history
    from smartstep.scorecard import build_scorecard, render_scorecard

    db = state.db()
    period = current_period(db, state.as_of)
    if period is None:
        return
    rows = build_scorecard(load_history(db, until=period, weeks=8), period)
    Console().print(render_scorecard(rows, period))
