"""Reload the rule base when its files change on disk while the bot runs.

A broken edit is reported through `on_error` (the Slack layer tells the admins) and the last
good rule base stays in force, so a typo in one rule never silences the advisor. Nothing that
goes wrong while checking (a bug, a callback that fails) ends the watching: it is logged,
reported like a broken edit, and the next change to the files is looked at as usual.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from smartstep.rules.files import rule_files
from smartstep.rules.loader import RuleProblem, RuleSet, check_rules

log = logging.getLogger("smartstep.rules")
Stamp = tuple[tuple[str, int, int], ...]


def stamp(paths: Sequence[Path]) -> Stamp:
    """What the files look like now: names, sizes and modification times."""
    out = []
    for path in rule_files(list(paths)):
        try:
            info = path.stat()
        except OSError:
            continue
        out.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(out)


class RuleWatcher:
    """Holds the current RuleSet; `check()` reloads it when the files changed."""

    def __init__(
        self,
        paths: Path | Sequence[Path],
        *,
        on_error: Callable[[list[RuleProblem]], None] | None = None,
        on_reload: Callable[[RuleSet], None] | None = None,
        signals: Mapping[str, str] | None = None,
        settle: float = 0.1,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        """`settle` is how long a file caught mid-save is given to finish before it counts as broken;
        `sleep` waits that long (tests pass their own to make the wait an event, not a race)."""
        self.paths = [paths] if isinstance(paths, Path) else list(paths)
        self.signals = dict(signals or {})
        self.settle = settle
        self._sleep = sleep
        self.on_error = on_error
        self.on_reload = on_reload
        self._stamp: Stamp | None = None
        self._current: RuleSet | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.check()

    @property
    def current(self) -> RuleSet | None:
        """The last good rule base (None only if it has never loaded)."""
        return self._current

    def check(self) -> bool:
        """Reload if anything changed; True when a new rule base took effect."""
        with self._lock:
            now = stamp(self.paths)
            if now == self._stamp:
                return False
            try:
                ruleset, problems = check_rules(self.paths, self.signals)
            except Exception as error:  # a bug must not end the reloads: report it like a broken edit
                log.exception("checking the rule files failed")
                ruleset, problems = None, [self._internal_problem(error)]
            errors = [p for p in problems if p.severity == "error"]
            if ruleset is None or errors:
                if not self._still(now):  # read mid-save (an editor truncates, then writes): look again
                    return False
                self._stamp = now
                if self.on_error is not None:
                    self.on_error(errors or problems)
                return False
            self._stamp = now
            self._current = ruleset
        if self.on_reload is not None:
            self.on_reload(ruleset)
        return True

    def _internal_problem(self, error: Exception) -> RuleProblem:
        where = str(self.paths[0]) if self.paths else "<rules>"
        return RuleProblem(where, 1, 1, f"the rule files could not be checked (internal error: {type(error).__name__})")

    def _still(self, seen: Stamp) -> bool:
        """True when the files have not moved since `seen`: only a finished edit is reported as broken."""
        self._sleep(self.settle)
        return stamp(self.paths) == seen

    def start(self, interval: float = 2.0) -> threading.Thread:
        """Poll in a daemon thread until `stop()`; polling needs no extra dependency."""

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.check()
                except Exception:  # e.g. on_error or on_reload failed: log it and keep watching
                    log.exception("rule reload failed; still watching %s", ", ".join(map(str, self.paths)))

        thread = threading.Thread(target=loop, name="rule-watcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
