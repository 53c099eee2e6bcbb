"""What every command shares: the state the global options set up, and how JSON is printed.

Kept apart from `smartstep.cli` so commands never import the group that imports them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click

from smartstep.db import Store, WaitNote
from smartstep.settings import Settings


@dataclass
class CliState:
    settings: Settings
    as_of: datetime | None
    _db: Store | None = None

    def db(self) -> Store:
        """The store, opened (and migrated) on first use so `--help` never touches disk. A write that has
        to wait for another import says so on stderr while it waits."""
        if self._db is None:
            from smartstep.db import open_db

            self._db = open_db(self.settings.db_path)
            self._db.on_write_wait = WaitNote(self._db, lambda text: click.echo(f"smartstep: {text}", err=True))
        return self._db


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout: UTF-8, nothing else."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
