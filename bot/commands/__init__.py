"""CLI commands, one module each; `COMMANDS` is what `smartstep.cli` registers."""

from __future__ import annotations

import click
from smartstep.commands.assess_cmd import assess_command
from smartstep.commands.chat_cmd import ask_command, chat_command
from smartstep.commands.clock_cmd import clock_command
from smartstep.commands.demo_cmd import demo_command
from smartstep.commands.digest_cmd import digest_command
from smartstep.commands.drivers_cmd import drivers_command
from smartstep.commands.feedback_cmd import feedback_command
from smartstep.commands.import_cmd import import_command
from smartstep.commands.metrics_cmd import metrics_command
from smartstep.commands.next_step_cmd import next_step_command
from smartstep.commands.rules_cmd import rules_command
from smartstep.commands.serve_cmd import serve_command
from smartstep.commands.similar_cmd import similar_command

COMMANDS: list[click.Command] = [
    feedback_command,
    assess_command,
    import_command,
    metrics_command,
    next_step_command,
    rules_command,
    similar_command,
    ask_command,
    chat_command,
    serve_command,
    demo_command,
    drivers_command,
    digest_command,
    clock_command,
]
