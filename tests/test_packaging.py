"""What `pip install` puts on a user's machine: one import name, the data files, no stray packages."""

from __future__ import annotations

from importlib.metadata import distribution

import pytest
from click.testing import CliRunner

from smartstep.cli import main

EDITABLE = any("__editable__" in str(f) for f in distribution("smartstep").files or [])
installed_only = pytest.mark.skipif(EDITABLE, reason="an editable install maps the source folders instead")


@installed_only
def test_every_installed_python_file_is_under_smartstep():
    files = distribution("smartstep").files or []
    tops = {f.parts[0] for f in files if f.suffix == ".py"}
    assert tops == {"smartstep"}, tops  # never a bare `bot`, `rules` or `knowledge` that could clash


@installed_only
def test_the_shipped_data_files_are_installed():
    names = {str(f) for f in distribution("smartstep").files or []}
    for expected in ("smartstep/data/metrics.yaml", "smartstep/data/intents.yaml", "smartstep/data/assessment.yaml"):
        assert expected in names
    assert any(n.startswith("smartstep/rules/default/") and n.endswith(".yaml") for n in names)


def test_every_command_has_help():
    for name in main.list_commands(None):
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage: main" in result.output or "Usage:" in result.output
