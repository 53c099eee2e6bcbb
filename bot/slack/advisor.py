"""The advisor's skills as the Slack app uses them, and a rule base that follows its files: shared by
the app's own process and its answer workers, so both answer with the same skills over the same rules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from smartstep.advice.signals import signal_registry
from smartstep.chat.engine import Skill
from smartstep.rules.loader import RuleSet
from smartstep.rules.watch import RuleWatcher
from smartstep.settings import Settings
from smartstep.slack.services import SkillFactory, TopSteps

if TYPE_CHECKING:
    from smartstep.knowledge import IndexCache

log = logging.getLogger("smartstep.slack")


def advisor_skills(
    settings: Settings, rules: Callable[[], RuleSet], as_of: datetime | None = None, cases: IndexCache | None = None
) -> tuple[SkillFactory, TopSteps]:
    """The same skills `smartstep chat` has, with advice logged as given in Slack to the asking user;
    and the App Home's top steps, which are not logged (opening Home is not being advised)."""
    from smartstep.advice.pipeline import next_steps
    from smartstep.chat.skills import build_skills

    def factory(db: sqlite_utils.Database, user: str) -> dict[str, Skill]:
        return build_skills(db, rules, user=user, surface="slack", as_of=as_of, cases=cases)

    def top_steps(db: sqlite_utils.Database) -> list[dict[str, Any]]:
        run = next_steps(db, rules(), k=5, surface="slack", as_of=as_of, log=False)
        return [advice.to_json() for advice in run.advice]

    return factory, top_steps


def check_rule_problems(path: Path) -> list:
    from smartstep.rules.loader import check_rules

    _, problems = check_rules(path, signal_registry())
    return [p for p in problems if p.severity == "error"] or problems


def followed_rules(settings: Settings, interval: float = 2.0) -> Callable[[], RuleSet]:
    """The rule base in force, reloaded when its files change; a broken edit is only logged here (the
    app's own process tells the admins, once)."""
    from smartstep.rules.loader import RuleBaseError, default_rules_path

    path = settings.rules_path or default_rules_path()
    watcher = RuleWatcher(
        path, on_error=lambda problems: log.info("rule edit not applied: %s", problems[:3]), signals=signal_registry()
    )
    if watcher.current is None:
        raise RuleBaseError(check_rule_problems(path))
    watcher.start(interval)
    return lambda: watcher.current
