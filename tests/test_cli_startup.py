"""`smartstep --help` starts fast because listing the commands imports none of them: each command's
one-line summary is kept in `smartstep.commands.SUMMARIES`. These tests keep that list true."""

from __future__ import annotations

import subprocess
import sys

import click

from smartstep.cli import main
from smartstep.commands import COMMANDS, SUMMARIES


def test_every_command_has_a_summary_equal_to_its_own_help() -> None:
    ctx = click.Context(main)
    assert set(SUMMARIES) == set(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None
        assert SUMMARIES[name] == command.get_short_help_str(limit=1000), name


def test_help_imports_no_command_and_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from smartstep.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'numpy', 'sklearn', 'scipy', 'sqlite_utils', 'slack_bolt', 'matplotlib')\n"
        "commands = [m for m in sys.modules if m.startswith('smartstep.commands.')]\n"
        "commands = [m for m in commands if m != 'smartstep.commands.common']\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in heavy] + commands\n"
        "print(sorted(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
