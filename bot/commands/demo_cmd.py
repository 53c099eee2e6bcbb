"""`smartstep demo`: build the embedded demo organisation, show a short tour, open the chat."""

from __future__ import annotations

import sys

import click

from smartstep.commands.common import CliState
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
    from smartstep.demo.build import build_demo, store_kind

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
    history = _plant_history(state, seed)
    cases = _index_cases(state)
    click.echo(f"Similar-case index: {cases:,} solved cases, ready for `smartstep similar`.")
    click.echo(
        f"Earlier advice: {history.advice} steps advised over the past year, {history.ratings} rated by the "
        f"leads, {history.outcomes} measured after they were done."
    )
    click.echo("Something is going wrong in every team; ask the advisor what, and why.\n")
    _show_scorecard(state)
    _show_next_steps(state)
    if not no_chat and sys.stdin is not None and sys.stdin.isatty():
        from smartstep.commands.chat_cmd import run_chat

        run_chat(state)
    else:
        click.echo('\nNext: `smartstep chat`, `smartstep metrics --team Technical`, or `smartstep ask "how is CES?"`.')


def _show_scorecard(state: CliState) -> None:
    """The latest week's scorecard, with four weeks of sparkline behind each number."""
    from rich.console import Console

    from smartstep.commands.scorecard_table import render_scorecard
    from smartstep.metrics.reader import current_period, load_history
    from smartstep.metrics.scorecard import build_scorecard

    db = state.db()
    period = current_period(db, state.as_of)
    if period is None:
        return
    rows = build_scorecard(load_history(db, until=period, weeks=8), period)
    Console().print(render_scorecard(rows, period))


def _plant_history(state: CliState, seed: int):
    """Earlier advice, ratings and measured outcomes, so learning shows from the first question."""
    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.demo.history import plant_advice_history
    from smartstep.metrics.reader import current_period

    db = state.db()
    rules = load_rule_base(None, state.settings.rules_path)
    return plant_advice_history(db, rules, current_period(db, state.as_of), seed=seed)


def _show_next_steps(state: CliState) -> None:
    """The top step for each team right now (logged like any other advice)."""
    from rich.console import Console

    from smartstep.advice.pipeline import next_steps
    from smartstep.advice.rule_inputs import load_rule_base
    from smartstep.chat.replies import advice_summary
    from smartstep.chat.terminal import mrkdwn_to_rich

    run = next_steps(
        state.db(),
        load_rule_base(None, state.settings.rules_path),
        k=1,
        per_team=True,
        surface="demo",
        as_of=state.as_of,
    )
    console = Console()
    console.print(f"\n[bold]Smartest next step per team, {run.period}[/bold]")
    console.print(mrkdwn_to_rich(advice_summary(run.advice)), highlight=False)


def _index_cases(state: CliState) -> int:
    """Build the similar-case index now, beside the store, so the first question is instant."""
    from smartstep.knowledge import IndexCache

    return len(IndexCache().get(state.db()).ids)
