"""Rule files reload while the bot runs; a broken edit is reported and the last good base stays."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from smartstep.rules.loader import RuleProblem
from smartstep.rules.watch import RuleWatcher

RULE = """\
rules:
  - id: backlog.high
    title: {title}
    category: employee
    when: {{kind: threshold, metric: backlog, above: 100}}
    why: "Backlog {{backlog_value}} for {{team}}."
    steps: [Agree a cap on new work for two weeks.]
    impact: 3
    urgency: 3
    examples:
      - {{given: {{backlog: [120]}}, fires: true}}
"""


def write(path: Path, text: str, bump: int) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = time.time() + bump  # distinct mtimes even on coarse file systems
    os.utime(path, (stamp, stamp))


def test_broken_edit_is_reported_and_last_good_base_stays(tmp_path: Path) -> None:
    path = tmp_path / "backlog.yaml"
    write(path, RULE.format(title="Backlog is high"), 0)
    errors: list[list[RuleProblem]] = []
    reloads = []
    watcher = RuleWatcher(tmp_path, on_error=errors.append, on_reload=reloads.append)
    assert watcher.current is not None and watcher.current.get("backlog.high").title == "Backlog is high"
    assert watcher.check() is False  # nothing changed

    write(path, RULE.format(title="Backlog is high").replace("metric: backlog", "metric: backlgo"), 10)
    assert watcher.check() is False
    assert [str(p) for p in errors[-1]] == [f"{path}:5:37: unknown metric 'backlgo' — did you mean 'backlog'?"]
    assert watcher.current.get("backlog.high").title == "Backlog is high"  # still in force
    assert watcher.check() is False and len(errors) == 1  # reported once, not on every poll

    write(path, RULE.format(title="Backlog over the line"), 20)
    assert watcher.check() is True
    assert watcher.current.get("backlog.high").title == "Backlog over the line"
    assert len(reloads) == 2


def test_background_polling_picks_up_a_change(tmp_path: Path) -> None:
    path = tmp_path / "backlog.yaml"
    write(path, RULE.format(title="Backlog is high"), 0)
    reloaded = threading.Event()
    watcher = RuleWatcher(tmp_path, on_reload=lambda _: reloaded.set())
    reloaded.clear()  # the first load happened in the constructor
    watcher.start(interval=0.02)
    try:
        write(path, RULE.format(title="Backlog changed"), 10)
        assert reloaded.wait(timeout=10), "the polling thread never reloaded the edited file"
        assert watcher.current.get("backlog.high").title == "Backlog changed"
    finally:
        watcher.stop()


def test_a_file_caught_half_written_is_not_reported_as_broken(tmp_path: Path) -> None:
    path = tmp_path / "backlog.yaml"
    write(path, RULE.format(title="Backlog is high"), 0)
    errors: list[list[RuleProblem]] = []
    done = RULE.format(title="Backlog over the line")
    unfinished: list[str] = []

    def editor_finishes_saving(seconds: float) -> None:  # happens while the watcher gives the file time
        if unfinished:
            write(path, unfinished.pop(), 10)

    watcher = RuleWatcher(tmp_path, on_error=errors.append, sleep=editor_finishes_saving)
    path.write_text(done[: len(done) // 3], encoding="utf-8")  # an editor's save, caught midway
    unfinished.append(done)
    assert watcher.check() is False  # the half file moved while it was read: nothing reported yet
    assert watcher.check() is True and errors == []
    assert watcher.current.get("backlog.high").title == "Backlog over the line"
