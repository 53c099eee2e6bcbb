"""How a group of folded cases was fixed: the most common resolutions, with how many cases each.

Cases with one subject are not always one fix ("Category 42 / Symptom 534" covers ten different
resolutions), so a folded group shows its fixes by count instead of the first one alone.
Resolutions are grouped when they say the same thing in other words (rapidfuzz token-set
ratio on the cleaned text), and each group is shown by its first, best-ranked wording.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

SAME_FIX = 80.0  # token-set ratio at which two write-ups count as one fix


def common_resolutions(texts: Sequence[str], limit: int = 3) -> list[tuple[str, int]]:
    """[(resolution, number of cases)] most common first, ties in ranking order; empty resolutions skipped.

    Each write-up is compared with the groups found so far, not with every other write-up: a
    group of 60 folded cases has a handful of fixes, so that is a few hundred comparisons, not 3,600.
    """
    groups: list[tuple[str, list[str]]] = []  # (key of the first wording, wordings)
    for text in texts:
        key = default_process(text)
        if not key:
            continue
        found = process.extractOne(key, [g[0] for g in groups], scorer=fuzz.token_set_ratio, score_cutoff=SAME_FIX)
        if found is None:
            groups.append((key, [text]))
        else:
            groups[found[2]][1].append(text)
    ranked = sorted(range(len(groups)), key=lambda i: (-len(groups[i][1]), i))
    return [(groups[i][1][0], len(groups[i][1])) for i in ranked[:limit]]
