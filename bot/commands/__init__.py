"""CLI commands, one module each; `COMMANDS` is what `smartstep.cli` registers."""

from __future__ import annotations

import click

from smartstep.commands.metrics_cmd import metrics_command

COMMANDS: list[click.Command] = [metrics_command]
