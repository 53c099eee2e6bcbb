"""The embedded demo organisation: two years of believable tickets, surveys and customers with
planted storylines. `smartstep.demo.STORYLINES` is the list a good advisor should find."""

from __future__ import annotations

import importlib
from typing import Any

# Public names, imported on first use: importing one submodule (say the pure index) never
# drags in the others (the store, SQLite).
_EXPORTS = {
    "build_demo": "smartstep.demo.build",
    "DemoData": "smartstep.demo.build",
    "DemoSummary": "smartstep.demo.build",
    "generate_demo": "smartstep.demo.build",
    "import_demo": "smartstep.demo.build",
    "store_kind": "smartstep.demo.build",
    "Storyline": "smartstep.demo.build",
    "STORYLINES": "smartstep.demo.build",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
