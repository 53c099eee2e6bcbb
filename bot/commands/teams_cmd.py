"""`smartstep teams`: the teams in the store and the time zone their weeks are counted in."""

from __future__ import annotations

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.db import write_transaction
from smartstep.errors import UserError
from smartstep.metrics.reader import known_teams
from smartstep.metrics.store import recompute
from smartstep.names import printable, resolve
from smartstep.weeks import time_zone


@click.group("teams", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the teams as JSON.")
@click.pass_context
def teams_command(ctx: click.Context, as_json: bool) -> None:
    """The teams and their time zones; `teams set-zone TEAM ZONE` changes where a team's weeks start."""
    if ctx.invoked_subcommand is not None:
        return
    state: CliState = ctx.obj
    db = state.db()
    zones = dict(db.execute("SELECT name, timezone FROM teams").fetchall())
    counts = dict(db.execute("SELECT team, count(*) FROM tickets GROUP BY team").fetchall())
    rows = [{"team": t, "timezone": zones.get(t) or "UTC", "tickets": counts.get(t, 0)} for t in known_teams(db)]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        db_path = state.settings.db_path
        raise UserError(f"{db_path} holds no teams yet; run 'smartstep import' or 'smartstep demo' first")
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table("team", "time zone", "tickets", title="Teams (weeks run Monday to Sunday in the team's zone)")
    for row in rows:
        table.add_row(Text(printable(row["team"])), row["timezone"], f"{row['tickets']:,}")  # Text: no markup
    Console().print(table)


@teams_command.command("set-zone")
@click.argument("team")
@click.argument("zone")
@click.pass_obj
def set_zone_command(state: CliState, team: str, zone: str) -> None:
    """Count TEAM's weeks in ZONE (an IANA name such as Europe/Berlin); its metrics are recomputed.

    A team working in Sydney closes its Sunday-evening tickets on Monday in UTC; counted in
    its own zone, they land in the week the team worked them. The zone and the recomputed
    metrics change in one transaction.
    """
    db = state.db()
    name = resolve(team, known_teams(db), "team")
    try:
        zone_name = time_zone(zone).key
    except ValueError as error:
        raise UserError(str(error)) from None
    with write_transaction(db):
        db.execute("INSERT OR IGNORE INTO teams (name) VALUES (?)", [name])
        db.execute("UPDATE teams SET timezone = ? WHERE name = ?", [zone_name, name])
        written = recompute(db)
    click.echo(f"{name}'s weeks now run Monday to Sunday in {zone_name}; metrics recomputed ({written:,} values).")
