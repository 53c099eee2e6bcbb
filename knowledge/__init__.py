"""Similar solved cases: find the past tickets that already solved the problem in front of an agent."""

from smartstep.knowledge.cases import Case
from smartstep.knowledge.index import Hit, SimilarityIndex
from smartstep.knowledge.normalise import clean_text, redact
from smartstep.knowledge.search import (
    EMPTY_QUERY,
    IndexCache,
    SimilarCase,
    find_similar,
    find_similar_batch,
    looks_like_garbage,
)

__all__ = [
    "EMPTY_QUERY",
    "Case",
    "Hit",
    "IndexCache",
    "SimilarCase",
    "SimilarityIndex",
    "clean_text",
    "find_similar",
    "find_similar_batch",
    "looks_like_garbage",
    "redact",
]
