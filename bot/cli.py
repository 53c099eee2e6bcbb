"""The `smartstep` command line: parse, call one service, print text or JSON. No logic here.

Each command lives in `smartstep.commands.<name>`; this module owns the group, the global
options, and the rule that a user error is one sentence on stderr with exit code 1.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from smartstep.commands.common import CliState
from smartstep.errors import UserError
from smartstep.settings import Settings


class SmartstepGroup(click.Group):
    """Loads each command's module on first use, and turns UserError into the one-sentence
    message and exit code the interface promises."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from smartstep.commands import COMMANDS

        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from one-line summaries, without importing any command."""
        from smartstep.commands import SUMMARIES

        rows = [(name, SUMMARIES.get(name) or self._short_help(ctx, name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str) -> str:
        command = self.get_command(ctx, name)
        return command.get_short_help_str(formatter_width(ctx)) if command is not None else ""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from smartstep.commands import COMMANDS

        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as error:
            click.echo(f"smartstep: {error}", err=True)
            ctx.exit(error.exit_code)
        except sqlite3.DatabaseError as error:
            state = ctx.obj
            where = state.settings.db_path if isinstance(state, CliState) else "the store"
            from smartstep.db import StoreBusy, is_busy  # only on this path: the store library loads pandas

            if is_busy(error):  # a write outside write_transaction met another import's lock
                click.echo(f"smartstep: {StoreBusy(str(where))}", err=True)
            else:
                click.echo(f"smartstep: {where}: cannot use this SQLite store ({error})", err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            state = ctx.obj
            if isinstance(state, CliState) and state.settings.debug:
                raise
            click.echo(
                f"smartstep: internal error ({type(error).__name__}: {error}); "
                "set SMARTSTEP_DEBUG=1 to see the traceback and please report it",
                err=True,
            )
            ctx.exit(1)


def formatter_width(ctx: click.Context) -> int:
    return max((ctx.terminal_width or 80) - 20, 30)


@click.group(cls=SmartstepGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SMARTSTEP_DB",
    default="smartstep.db",
    show_default=True,
    help="The SQLite store.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="Answer as of this date instead of the latest complete week in the data.",
)
@click.version_option(package_name="smartstep")
@click.pass_context
def main(ctx: click.Context, db_path: Path, as_of: str | None) -> None:
    """smartstep: the smartest next step for your support team, and why."""
    from smartstep.weeks import parse_time

    moment = None
    if as_of:
        try:
            moment = parse_time(as_of)
        except ValueError:
            raise click.BadParameter(f"{as_of!r} is not a date like 2026-11-23", param_hint="--as-of") from None
    ctx.obj = CliState(settings=Settings.from_env(db_path=db_path), as_of=moment)
    ctx.call_on_close(lambda: ctx.obj._db.close() if ctx.obj._db is not None else None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
