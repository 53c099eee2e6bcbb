"""`smartstep serve` refuses to start without what Slack needs, in one sentence and exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from smartstep.cli import main


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)


def test_serve_without_a_bot_token_says_what_to_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "serve"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "smartstep: SLACK_BOT_TOKEN is not set; copy the bot token (xoxb-…) from your Slack app's OAuth page"
    )


def test_http_mode_without_a_signing_secret_is_refused(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "serve", "--http"], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "smartstep: SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify that requests come from Slack"
    )
