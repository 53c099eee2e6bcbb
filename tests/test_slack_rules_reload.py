"""While the bot runs, an edited rule file takes effect; a broken edit is sent to the admins and
the last good rule base stays in force."""

from __future__ import annotations

import os
import time

import pytest
from slack_stub import SlackStub

from smartstep.errors import UserError
from smartstep.settings import Settings
from smartstep.slack.app import watch_rules
from smartstep.slack.client import build_client

GOOD = """
rules:
  - id: test.backlog_high
    title: {title}
    category: employee
    when: {{kind: threshold, metric: backlog, above: 100}}
    why: "{{team}}: {{backlog_value:.0f}} open."
    steps: [Clear the oldest first.]
    impact: 3
    urgency: 3
    examples:
      - given: {{backlog: [150]}}
        fires: true
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    stamp = time.time() + 5  # a distinct modification time even on coarse file systems
    os.utime(path, (stamp, stamp))


@pytest.fixture
def stub():
    server = SlackStub()
    yield server
    server.close()


def settings_for(stub, rules_path):
    return Settings(
        rules_path=rules_path,
        slack_bot_token="xoxb-test",
        slack_api_url=stub.api_url,
        admins=frozenset({"UADMIN", "UBOSS"}),
    )


def test_an_edit_takes_effect_and_a_broken_one_is_reported_while_the_last_good_stays(tmp_path, stub):
    path = tmp_path / "rules.yaml"
    write(path, GOOD.format(title="Backlog is high"))
    settings = settings_for(stub, path)
    watcher = watch_rules(settings, build_client(settings), interval=3600)  # checked by hand below

    def current():
        return watcher.current

    assert current().get("test.backlog_high").title == "Backlog is high"

    write(path, GOOD.format(title="Backlog is far too high"))
    assert watcher.check() is True
    assert current().get("test.backlog_high").title == "Backlog is far too high"

    write(path, GOOD.format(title="Backlog is high").replace("metric: backlog", "metric: backlgo"))
    assert watcher.check() is False
    messages = stub.wait_for("chat.postMessage", count=2)
    assert sorted(m["channel"] for m in messages) == ["UADMIN", "UBOSS"]
    assert "was not applied; the last good rules stay in force" in messages[0]["text"]
    assert "unknown metric 'backlgo'" in messages[0]["text"] and "rules.yaml:" in messages[0]["text"]
    assert current().get("test.backlog_high").title == "Backlog is far too high"
    watcher.stop()


def test_a_broken_rule_base_at_start_refuses_to_serve_with_the_problem(tmp_path, stub):
    path = tmp_path / "rules.yaml"
    write(path, GOOD.format(title="Backlog is high").replace("impact: 3", "impact: 9"))
    settings = settings_for(stub, path)
    with pytest.raises(UserError, match="rules.yaml:"):
        watch_rules(settings, build_client(settings), interval=0.05)
