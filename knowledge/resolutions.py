"""How a group of folded cases was fixed: the most common resolutions, with how many cases each.

Cases with one subject are not always one fix ("Category 42 / Symptom 534" covers ten different
resolutions), so a folded group shows its fixes by count instead of the first one alone.
Resolutions are grouped when they say the same thing in other words (rapidfuzz token-set
ratio on the cleaned text), and each group is shown by its first, best-ranked wording.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

SAME_FIX = 80.0  # token-set ratio at which two write-ups count as one fix


def common_resolutions(texts: Sequence[str], limit: int = 3) -> list[tuple[str, int]]:
    """[(resolution, number of cases)] most common first, ties in ranking order; empty resolutions skipped."""
    written = [t for t in texts if t.strip()]
    if not written:
        return []
    keys = [default_process(t) for t in written]
    same = process.cdist(keys, keys, scorer=fuzz.token_set_ratio, dtype=np.uint8) >= SAME_FIX
    groups: list[list[int]] = []
    owner: dict[int, int] = {}
    for position in range(len(written)):
        match = next((owner[p] for p in np.flatnonzero(same[position, :position]).tolist() if p in owner), None)
        if match is None:
            owner[position] = len(groups)
            groups.append([position])
        else:
            groups[match].append(position)
    ranked = sorted(groups, key=lambda g: (-len(g), g[0]))
    return [(written[g[0]], len(g)) for g in ranked[:limit]]
