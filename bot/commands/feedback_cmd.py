"""`smartstep feedback`: record a rating from a script (`add`), and export every advice given with
every rating and outcome on it (`export`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smartstep.advice.feedback import RATINGS, record_rating
from smartstep.advice.log import feedback_records
from smartstep.commands.common import CliState, emit_json
from smartstep.commands.csv_out import write_csv
from smartstep.errors import UserError

CSV_FIELDS = ("advice_id", "rule_id", "team", "user", "rating", "comment", "at", "outcome")
CSV_OUTCOME = ("effect", "interval_lo", "interval_hi")
RULES_HELP = "Rule file or folder whose horizons say when a step is measured (default: the shipped base)."


@click.group("feedback")
def feedback_command() -> None:
    """Ratings and measured outcomes of the advice given."""


@feedback_command.command("add")
@click.argument("advice_id")
@click.argument("rating", type=click.Choice(RATINGS))
@click.option("--user", default="cli", show_default=True, help="Who rated it (a Slack user id, or any name).")
@click.option("--at", "at_text", metavar="TIME", help="When (ISO-8601 date or time; default now), for backfills.")
@click.option("--comment", help="A comment kept with the rating.")
@click.pass_obj
def add_command(
    state: CliState, advice_id: str, rating: str, user: str, at_text: str | None, comment: str | None
) -> None:
    """Record USER's RATING (up, down, done, snooze) of ADVICE_ID; a second rating by the same user
    updates it, exactly as the Slack buttons do."""
    from smartstep.weeks import parse_time

    at = None
    if at_text is not None:
        try:
            at = parse_time(at_text)
        except ValueError:
            raise UserError(f"--at: {at_text!r} is not a date or time like 2026-10-12 or 2026-10-12T09:30") from None
    new = record_rating(state.db(), advice_id, user, rating, comment=comment, at=at)
    click.echo(f"{'Recorded' if new else 'Updated'} {user}'s rating of {advice_id}: {rating}.")


@feedback_command.command("export")
@click.option("--json", "fmt", flag_value="json", default=True, help="JSON list (the default).")
@click.option("--csv", "fmt", flag_value="csv", help="CSV with one row per record; outcome is its verdict.")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path), help=RULES_HELP)
@click.pass_obj
def export_command(state: CliState, fmt: str, rules_path: Path | None) -> None:
    """Every advice given and every rating/outcome recorded on it (steps due are measured first)."""
    from smartstep.commands.outcomes_cmd import measure_due

    db = state.db()
    horizons = measure_due(state, rules_path)
    records = feedback_records(db, horizons)
    if fmt == "json":
        emit_json(records)
        return
    rows = []
    for record in records:
        outcome = record["outcome"] or {}
        lo, hi = outcome.get("interval") or (None, None)
        rows.append([*(record[f] for f in CSV_FIELDS[:-1]), outcome.get("verdict"), outcome.get("effect"), lo, hi])
    write_csv(sys.stdout, (*CSV_FIELDS, *CSV_OUTCOME), rows)
