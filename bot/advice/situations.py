"""Similarity over past situations: each team-week described by its metrics' levels and recent
changes (standardised), so "teams like yours, in weeks like this" can be found.

Pure: history and measured outcomes in, the most similar past situations per candidate out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from smartstep.advice.verdicts import Outcome, PastSituation
from smartstep.metrics.values import History
from smartstep.weeks import shift_week

CHANGE_WEEKS = 4


class SituationSpace:
    """Standardised level-and-change vectors for every team-week in a history."""

    def __init__(self, history: History) -> None:
        metrics = sorted({m for _, m in history})
        keys = sorted({(t, v.period) for (t, _), values in history.items() for v in values})
        self.index = {key: i for i, key in enumerate(keys)}
        self.vectors = np.zeros((len(keys), 2 * len(metrics)), dtype="float64")
        for column, metric in enumerate(metrics):
            self._fill(history, metric, column)
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        self.vectors /= np.where(norms == 0, 1, norms)

    def _fill(self, history: History, metric: str, column: int) -> None:
        levels, changes = {}, {}
        for (team, m), values in history.items():
            if m != metric:
                continue
            by_period = {v.period: v.value for v in values}
            for v in values:
                levels[(team, v.period)] = v.value
                earlier = by_period.get(shift_week(v.period, -CHANGE_WEEKS))
                if earlier is not None:
                    changes[(team, v.period)] = v.value - earlier
        for offset, data in ((0, levels), (1, changes)):
            if len(data) < 2:
                continue
            values = np.array(list(data.values()))
            spread = values.std() or 1.0
            centre = values.mean()
            for key, value in data.items():
                if key in self.index:
                    self.vectors[self.index[key], 2 * column + offset] = (value - centre) / spread

    def similarity(self, a: tuple[str, str], b: tuple[str, str]) -> float | None:
        """Cosine similarity mapped to 0..1; None when either week is unknown."""
        if a not in self.index or b not in self.index:
            return None
        cos = float(self.vectors[self.index[a]] @ self.vectors[self.index[b]])
        return (cos + 1) / 2


def similar_situations(
    space: SituationSpace,
    current: str,
    wanted: Iterable[tuple[str, str]],
    done: Sequence[Outcome],
    limit: int = 3,
) -> dict[tuple[str, str], tuple[PastSituation, ...]]:
    """For each (rule_id, team), the most similar earlier weeks (any team) where that rule's
    step was done and its outcome measured (verdicts that teach only: a `cannot tell` is no
    precedent)."""
    out = {}
    for rule_id, team in wanted:
        found = []
        for step in done:
            if step.rule_id != rule_id or step.period >= current or not step.verdict.teaches:
                continue
            score = space.similarity((team, current), (step.team, step.period))
            if score is None:
                continue
            found.append(PastSituation(step, score))
        found.sort(key=lambda s: (-s.similarity, s.period, s.team))
        if found:
            out[(rule_id, team)] = tuple(found[:limit])
    return out
