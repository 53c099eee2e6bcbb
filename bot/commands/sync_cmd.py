"""`smartstep sync zendesk|freshdesk`: pull what changed in the helpdesk since the last run."""

from __future__ import annotations

import sys

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.imports.sync import SOURCES, build_source
from smartstep.imports.sync.run import SyncSummary, parse_since, run_sync


@click.command("sync")
@click.argument("helpdesk", type=click.Choice(SOURCES, case_sensitive=False))
@click.option(
    "--since",
    metavar="DATE",
    help="Read from this date (first run: default 180 days back; later runs continue from the saved cursor).",
)
@click.option(
    "--no-comments",
    "no_comments",
    is_flag=True,
    help="Do not read ticket comments (faster; similar cases then lack new resolutions).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def sync_command(state: CliState, helpdesk: str, since: str | None, no_comments: bool, as_json: bool) -> None:
    """Sync tickets, CSAT ratings and SLA outcomes from Zendesk or Freshdesk (credentials from the environment)."""
    source = build_source(helpdesk.lower(), state.settings, comments=not no_comments)
    start = parse_since(since)
    db = state.db()
    try:
        if sys.stderr.isatty() and not as_json:
            summary = _with_progress(db, source, start)
        else:
            summary = run_sync(db, source, since=start)
    finally:
        source.close()
    if as_json:
        emit_json(summary.to_dict())
    else:
        click.echo(describe(summary))


def _with_progress(db, source, start) -> SyncSummary:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=Console(stderr=True),
                  transient=True) as bar:  # fmt: skip
        task = bar.add_task(f"{source.name}: connecting")

        def advance(stream: str, seen: int) -> None:
            if stream == "recompute":
                bar.update(task, description=f"{source.name}: recomputing the weeks touched")
                return
            words = {"tickets": "tickets", "deleted": "deleted tickets", "ratings": "CSAT ratings", "sla": "SLA events"}
            bar.update(task, description=f"{source.name}: {seen:,} {words.get(stream, stream)} read")

        return run_sync(db, source, since=start, progress=advance)


def describe(summary: SyncSummary) -> str:
    """The paragraph a person reads after a sync."""
    name = summary.source.capitalize()
    text = (
        f"Synced {name}: {summary.added:,} tickets added, {summary.updated:,} updated, {summary.deleted:,} deleted, "
        f"{summary.ratings:,} CSAT ratings, {summary.rejected:,} rejected."
    )
    if summary.started_from:
        text += f" Read from {summary.started_from[:10]}."
    if summary.since:
        text += " Metrics recomputed for " + ", ".join(f"{t} from {w}" for t, w in summary.since.items()) + "."
    else:
        text += " No metric weeks needed recomputing."
    if summary.rate_limited_seconds:
        text += f" Waited {summary.rate_limited_seconds:.0f} s for {name}'s rate limit."
    lines = [text, *(f"Note: {note}" for note in summary.notes)]
    if summary.errors:
        lines += ["Rejected rows:", *(f"  {e}" for e in summary.errors[:20])]
    if summary.cases is not None:
        lines.append(f"Similar-case index updated: {summary.cases:,} cases.")
    return "\n".join(lines)
