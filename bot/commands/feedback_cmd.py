"""`smartstep feedback export`: every advice given and every rating and outcome on it."""

from __future__ import annotations

import sys

import click

from smartstep.advice.log import feedback_records
from smartstep.commands.common import CliState, emit_json
from smartstep.commands.csv_out import write_csv

CSV_FIELDS = ("advice_id", "rule_id", "team", "user", "rating", "comment", "at", "outcome")


@click.group("feedback")
def feedback_command() -> None:
    """Ratings and measured outcomes of the advice given."""


@feedback_command.command("export")
@click.option("--json", "fmt", flag_value="json", default=True, help="JSON list (the default).")
@click.option("--csv", "fmt", flag_value="csv", help="CSV with one row per record; outcome is its verdict.")
@click.pass_obj
def export_command(state: CliState, fmt: str) -> None:
    """Every advice given and every rating/outcome recorded on it."""
    records = feedback_records(state.db())
    if fmt == "json":
        emit_json(records)
        return
    rows = (
        [*(record[f] for f in CSV_FIELDS[:-1]), record["outcome"]["verdict"] if record["outcome"] else None]
        for record in records
    )
    write_csv(sys.stdout, CSV_FIELDS, rows)
