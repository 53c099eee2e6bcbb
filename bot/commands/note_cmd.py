"""`smartstep note`: notes that explain shifts (a release, an outage, a pricing or policy change),
shown on charts, beside the digest's moves and inside the verdicts whose window they fall in."""

from __future__ import annotations

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.metrics.note_store import add_note, list_notes, parse_day, remove_note
from smartstep.metrics.reader import known_teams
from smartstep.names import resolve


@click.group("note")
def note_command() -> None:
    """Notes that explain shifts: add, list, remove."""


@note_command.command("add")
@click.argument("text", nargs=-1, required=True)
@click.option("--team", help="The team it concerns (default: the whole organisation).")
@click.option("--at", "at_text", metavar="DATE", help="The day it happened, 2026-10-12 (default: today).")
@click.option("--user", help="Who wrote it.")
@click.pass_obj
def add_command(state: CliState, text: tuple[str, ...], team: str | None, at_text: str | None, user: str | None):
    """Record that TEXT happened (quotes optional: `note add Release 4.2 shipped --team Billing`)."""
    db = state.db()
    name = resolve(team, known_teams(db), "team") if team is not None else None
    day = parse_day(at_text) if at_text is not None else None
    note = add_note(db, " ".join(text), team=name, day=day, author=user)
    click.echo(f"Note {note.id} for {note.team or 'every team'} on {note.day.isoformat()}: {note.text}")


@note_command.command("list")
@click.option("--team", help="This team's notes and the organisation-wide ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the notes as JSON.")
@click.pass_obj
def list_command(state: CliState, team: str | None, as_json: bool) -> None:
    """Every note, oldest first (with the ones steps marked done wrote by themselves)."""
    db = state.db()
    name = resolve(team, known_teams(db), "team") if team is not None else None
    notes = list_notes(db, name)
    if as_json:
        emit_json([n.to_json() for n in notes])
        return
    if not notes:
        click.echo("No notes yet: `smartstep note add TEXT [--team T] [--at DATE]`.")
    for n in notes:
        click.echo(f"{n.id:>5}  {n.day.isoformat()}  {n.team or 'every team':<14} {n.text}")


@note_command.command("remove")
@click.argument("note_id", type=int)
@click.pass_obj
def remove_command(state: CliState, note_id: int) -> None:
    """Delete note NOTE_ID (a note a done step wrote goes when the step is no longer marked done)."""
    note = remove_note(state.db(), note_id)
    click.echo(f"Removed note {note.id}: {note.text}")
