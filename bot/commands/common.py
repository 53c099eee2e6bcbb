"""What every command shares: the state the global options set up, and how JSON is printed.

Kept apart from `smartstep.cli` so commands never import the group that imports them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from smartstep.settings import Settings

if TYPE_CHECKING:  # the store library pulls in pandas: not worth it for `--help`
    from smartstep.db import Store


@dataclass
class CliState:
    settings: Settings
    as_of: datetime | None
    _db: Store | None = None

    def db(self) -> Store:
        """The store, opened (and migrated) on first use so `--help` never touches disk. A write that has
        to wait for another import says so on stderr while it waits."""
        if self._db is None:
            from smartstep.db import WaitNote, open_db

            self._db = open_db(self.settings.db_path)
            self._db.on_write_wait = WaitNote(self._db, lambda text: click.echo(f"smartstep: {text}", err=True))
        return self._db


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout: UTF-8, nothing else."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def segment_options(command: click.Command) -> click.Command:
    """--priority, --type, --tag, --sla: the cuts of the tickets a lead asks about."""
    for name, text in reversed(
        (
            ("priority", "Only tickets of this priority (e.g. urgent)."),
            ("type", "Only tickets of this type (e.g. incident)."),
            ("tag", "Only tickets with this tag."),
            ("sla", "Only tickets whose SLA was breached or met (the helpdesk's own outcome)."),
        )
    ):
        choice = click.Choice(["breached", "met"], case_sensitive=False) if name == "sla" else None
        command = click.option(f"--{name}", f"cut_{name}", type=choice, help=text)(command)
    return command


def cut_of(**options: str | None) -> dict[str, str]:
    return {name.removeprefix("cut_"): value for name, value in options.items() if value}


def say_period_note(state: CliState) -> None:
    """On stderr, why "now" is not the data's last week (a partial or straggler week skipped), so
    stdout stays the answer alone (JSON included)."""
    from smartstep.metrics.reader import period_note

    note = period_note(state.db(), state.as_of)
    if note:
        click.echo(f"smartstep: {note}", err=True)
