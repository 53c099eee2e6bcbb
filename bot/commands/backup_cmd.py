"""`smartstep backup PATH`: a consistent copy of the store, taken while the bot keeps serving.

SQLite's online backup API copies the database page by page under a read transaction, so the
copy is the store as of one moment even while syncs, imports and Slack answers write to it (a
plain file copy of a WAL database can miss the latest commits or catch half of one). The copy
is written next to PATH and renamed into place, so PATH is never a half-written file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from smartstep.commands.common import CliState, emit_json
from smartstep.errors import UserError

PAGES_PER_STEP = 4096  # ~16 MB at a time, so writers are held up for milliseconds, not the whole copy


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print what was copied as JSON.")
@click.pass_obj
def backup_command(state: CliState, path: Path, force: bool, as_json: bool) -> None:
    """Copy the store to PATH consistently, even while `smartstep serve` is running."""
    source = state.settings.db_path
    if not source.is_file():
        raise UserError(f"there is no store at {source} to back up")
    if path.exists() and not force:
        raise UserError(f"{path} already exists; choose a new name or add --force to replace it")
    if path.resolve() == source.resolve():
        raise UserError("the backup must not be the store itself")
    if not path.parent.is_dir():
        raise UserError(f"the folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
            tickets = dst.execute("SELECT count(*) FROM tickets").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise UserError(f"the copy did not pass SQLite's check ({check}); the store may be damaged")
    os.replace(partial, path)
    summary = {"backup": str(path), "store": str(source), "bytes": path.stat().st_size, "tickets": tickets}
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"Backed up {source} to {path}: {summary['bytes']:,} bytes, {tickets:,} tickets, checked.")
