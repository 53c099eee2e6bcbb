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


MERGED = """\
defaults: &defaults
  impact: 3
  urgency: 3
rules:
  - id: backlog.high
    <<: *defaults
    title: Backlog is high
    category: employee
    when: {kind: threshold, metric: backlog, above: 100}
    why: "Backlog {backlog_value} for {team}."
    steps: [Agree a cap on new work for two weeks.]
    examples:
      - {given: {backlog: [120]}, fires: true}
"""


class Recorder:
    """Collects what the watcher reports from its thread; each wait fails loudly after a timeout."""

    def __init__(self, fail_first_error: bool = False, fail_first_reload: bool = False) -> None:
        self.errors: list[list[str]] = []
        self.reloads: list[str] = []
        self.fail_first_error = fail_first_error
        self.fail_first_reload = fail_first_reload
        self.changed = threading.Condition()

    def on_error(self, problems: list[RuleProblem]) -> None:
        with self.changed:
            self.errors.append([str(p) for p in problems])
            self.changed.notify_all()
        if self.fail_first_error and len(self.errors) == 1:
            raise RuntimeError("the Slack client blew up while telling the admins")

    def on_reload(self, ruleset) -> None:
        with self.changed:
            self.reloads.append(ruleset.get("backlog.high").title)
            self.changed.notify_all()
        if self.fail_first_reload and len(self.reloads) == 1:
            raise RuntimeError("a reload listener failed")

    def wait(self, what: str, count: int, timeout: float = 10.0) -> None:
        with self.changed:
            done = self.changed.wait_for(lambda: len(getattr(self, what)) >= count, timeout=timeout)
        assert done, f"the watcher stopped: expected {count} {what}, got {getattr(self, what)}"


def test_merge_keys_while_serving_are_reported_and_a_later_good_edit_still_reloads(tmp_path: Path) -> None:
    path = tmp_path / "backlog.yaml"
    write(path, RULE.format(title="Backlog is high"), 0)
    seen = Recorder()
    watcher = RuleWatcher(tmp_path, on_error=seen.on_error, on_reload=seen.on_reload)
    watcher.start(interval=0.02)
    try:
        write(path, MERGED, 10)
        seen.wait("errors", 1)
        assert seen.errors == [[f"{path}:6:5: merge keys ('<<') are not allowed; write each rule's fields out"]]
        assert watcher.current.get("backlog.high").title == "Backlog is high"  # the last good base stays
        write(path, RULE.format(title="Backlog over the line"), 20)
        seen.wait("reloads", 2)
        assert watcher.current.get("backlog.high").title == "Backlog over the line"
    finally:
        watcher.stop()


def test_an_error_report_that_fails_does_not_stop_the_watching(tmp_path: Path, caplog) -> None:
    path = tmp_path / "backlog.yaml"
    write(path, RULE.format(title="Backlog is high"), 0)
    seen = Recorder(fail_first_error=True)
    watcher = RuleWatcher(tmp_path, on_error=seen.on_error, on_reload=seen.on_reload)
    watcher.start(interval=0.02)
    try:
        write(path, RULE.format(title="Backlog is high").replace("metric: backlog", "metric: backlgo"), 10)
        seen.wait("errors", 1)
        assert seen.errors == [[f"{path}:5:37: unknown metric 'backlgo' — did you mean 'backlog'?"]]
        write(path, RULE.format(title="Backlog over the line"), 20)
        seen.wait("reloads", 2)
        assert watcher.current.get("backlog.high").title == "Backlog over the line"
        assert "rule reload failed; still watching" in caplog.text
    finally:
        watcher.stop()


def test_a_reload_listener_that_fails_does_not_stop_the_watching(tmp_path: Path) -> None:
    path = tmp_path / "backlog.yaml"
    write(path, RULE.format(title="Backlog is high"), 0)
    seen = Recorder(fail_first_reload=True)
    watcher = RuleWatcher(tmp_path, on_error=seen.on_error)
    watcher.on_reload = seen.on_reload  # from the first reload while polling on
    watcher.start(interval=0.02)
    try:
        write(path, RULE.format(title="Backlog changed once"), 10)
        seen.wait("reloads", 1)
        write(path, RULE.format(title="Backlog changed twice"), 20)
        seen.wait("reloads", 2)
        assert seen.reloads == ["Backlog changed once", "Backlog changed twice"]
        assert seen.errors == []
    finally:
        watcher.stop()
