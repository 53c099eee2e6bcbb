"""`smartstep topics`: what customers write about, per team and week, and what is new or growing."""

from __future__ import annotations

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.errors import UserError


@click.command("topics")
@click.option("--team", help="Only this team's topics.")
@click.option(
    "--weeks",
    type=click.IntRange(min=3, max=52),
    default=None,
    help="Complete weeks of tickets to group (default 12, data/topics.yaml); the last 2 are 'now'.",
)
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Topics listed per team.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of topics, emerging first.")
@click.pass_obj
def topics_command(state: CliState, team: str | None, weeks: int | None, limit: int, as_json: bool) -> None:
    """Topics of recent tickets with their weekly trend; new or growing ones first, account problems apart."""
    from smartstep.advice.topics import load_topics
    from smartstep.advice.topics_text import topics_text
    from smartstep.metrics.reader import known_teams

    db = state.db()
    if team is not None:
        match = next((t for t in known_teams(db) if t.casefold() == team.casefold()), None)
        if match is None:
            raise UserError(f"unknown team '{team}' (known teams: {', '.join(known_teams(db)) or 'none yet'})")
        team = match
    report = load_topics(db, team=team, weeks=weeks, as_of=state.as_of)
    if report.period is None:
        raise UserError("the store has no tickets yet; import some or run `smartstep demo` first")
    shown = _per_team(report.topics, limit)
    if as_json:
        emit_json([t.to_json() for t in shown])
        return
    click.echo(topics_text(report, shown))


def _per_team(topics, limit: int) -> list:
    """Every emerging topic and account problem, then each team's biggest topics up to `limit`."""
    count: dict[str, int] = {}
    out = []
    for topic in topics:
        if topic.growth.growing and topic.growth.status != "growing among few customers":
            out.append(topic)
            continue
        if count.get(topic.team, 0) < limit:
            out.append(topic)
            count[topic.team] = count.get(topic.team, 0) + 1
    return out
