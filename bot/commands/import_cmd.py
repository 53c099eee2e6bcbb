"""`smartstep import KIND FILE.csv`: load a CSV into the store, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.imports.importers import ImportSummary, import_csv
from smartstep.imports.presets import PRESETS
from smartstep.imports.schema import KINDS
from smartstep.weeks import time_zone

if TYPE_CHECKING:
    import sqlite_utils

ERRORS_SHOWN = 20
IMPORT_WAIT = 600.0  # an import queued behind another waits up to ten minutes for it by default


def _zone(ctx: click.Context, param: click.Parameter, value: str | None) -> ZoneInfo | None:
    if value is None:
        return None
    try:
        return time_zone(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--preset",
    type=click.Choice(list(PRESETS), case_sensitive=False),
    default="generic",
    show_default=True,
    help="Column mapping: the documented shapes (generic; docs/interface.md) or a Zendesk/Freshdesk ticket export.",
)
@click.option("--skip-bad-rows", is_flag=True, help="Reject bad rows (and list them) instead of stopping.")
@click.option(
    "--tz", "zone", callback=_zone, metavar="ZONE", help="Time zone for times without an offset (default UTC)."
)
@click.option(
    "--wait",
    type=click.FloatRange(0),
    default=IMPORT_WAIT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another import that is writing to the store before giving up.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def import_command(
    state: CliState,
    kind: str,
    file: Path,
    preset: str,
    skip_bad_rows: bool,
    zone: ZoneInfo | None,
    wait: float,
    as_json: bool,
) -> None:
    """Import tickets, surveys, customers or metrics from FILE.csv; re-importing an id updates it."""
    db = state.db()
    db.write_wait = wait
    if sys.stderr.isatty() and file.is_file():
        summary = _with_progress(db, kind, file, preset, skip_bad_rows, zone)
    else:
        summary = import_csv(db, kind, file, preset=preset, skip_bad_rows=skip_bad_rows, tz=zone)
    if as_json:
        emit_json(summary.to_dict())
    else:
        click.echo(describe(summary))
    if kind == "tickets" and (summary.added or summary.updated):
        _update_case_index(db)


def _update_case_index(db: sqlite_utils.Database) -> None:
    """Follow the import in the saved similar-case index now, so the next agent's question does not wait
    for it (at a million cases that is seconds). The import is committed either way."""
    from smartstep.knowledge.search import update_saved_index

    try:
        cases = update_saved_index(db)
    except Exception as error:  # noqa: BLE001 - the import is saved; the index catches up on the next search
        click.echo(f"The import is saved; the similar-case index will catch up on the next search ({error}).", err=True)
        return
    if cases is not None:
        click.echo(f"Similar-case index updated: {cases:,} cases.", err=True)


def _with_progress(
    db: sqlite_utils.Database, kind: str, file: Path, preset: str, skip: bool, zone: ZoneInfo | None
) -> ImportSummary:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    total = file.stat().st_size

    def advance(done: int) -> None:
        label = "recomputing metrics" if done >= total else f"importing {file.name}"
        bar.update(task, completed=done, description=label)

    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"importing {file.name}", total=total)
        return import_csv(db, kind, file, preset=preset, skip_bad_rows=skip, tz=zone, progress=advance)


def describe(summary: ImportSummary) -> str:
    """The one-paragraph summary a person reads after an import."""
    unchanged = f"{summary.unchanged:,} unchanged, " if summary.unchanged else ""
    text = (
        f"Imported {summary.kind} from {summary.source}: {summary.added:,} added, "
        f"{summary.updated:,} updated, {unchanged}{summary.rejected:,} rejected."
    )
    if summary.ratings:
        text += f" {summary.ratings:,} CSAT ratings taken from the export's satisfaction column."
    if summary.since:
        weeks = ", ".join(f"{team} from {week}" for team, week in summary.since.items())
        text += f" Metrics recomputed for {weeks}."
    else:
        text += " No metric weeks needed recomputing."
    lines = [text]
    if summary.errors:
        lines.append("Rejected rows:")
        lines.extend(f"  {message}" for message in summary.errors[:ERRORS_SHOWN])
        if summary.rejected > ERRORS_SHOWN:
            lines.append(f"  ... and {summary.rejected - ERRORS_SHOWN:,} more (see --json for the first 1000).")
    return "\n".join(lines)
