"""Similar solved cases: find the past tickets that already solved the problem in front of an agent."""

from __future__ import annotations

import importlib
from typing import Any

# Public names, imported on first use: importing one submodule (say the pure index) never
# drags in the others (the store, SQLite).
_EXPORTS = {
    "Case": "smartstep.knowledge.cases",
    "clean_text": "smartstep.knowledge.normalise",
    "EMPTY_QUERY": "smartstep.knowledge.search",
    "find_similar": "smartstep.knowledge.search",
    "find_similar_batch": "smartstep.knowledge.search",
    "Hit": "smartstep.knowledge.index",
    "IndexCache": "smartstep.knowledge.search",
    "looks_like_garbage": "smartstep.knowledge.search",
    "redact": "smartstep.knowledge.normalise",
    "SimilarCase": "smartstep.knowledge.search",
    "SimilarityIndex": "smartstep.knowledge.index",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return __all__
