"""The rule base: YAML rules, their loader, and the engine that turns metrics into advice."""

from __future__ import annotations

import importlib
from typing import Any

# Public names, imported on first use: importing one submodule (say the pure index) never
# drags in the others (the store, SQLite).
_EXPORTS = {
    "Candidate": "smartstep.rules.engine",
    "check_rules": "smartstep.rules.loader",
    "default_rules_path": "smartstep.rules.loader",
    "evaluate": "smartstep.rules.engine",
    "Evaluation": "smartstep.rules.engine",
    "Evidence": "smartstep.rules.render",
    "Facts": "smartstep.rules.engine",
    "LastFired": "smartstep.rules.engine",
    "load_rules": "smartstep.rules.loader",
    "RuleBaseError": "smartstep.rules.loader",
    "RuleProblem": "smartstep.rules.loader",
    "RuleSet": "smartstep.rules.loader",
    "RuleWatcher": "smartstep.rules.watch",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
