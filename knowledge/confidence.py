"""When a top hit is the same problem and when it is only loosely related: calibrated score floors.

Scores run on different scales for a few words ("billed twice": one shared rare word already
scores high) and for a whole ticket (many words, each a small share), so each band has its
own floor. Both were set by bench/calibrate_similar.py on the tune half of our labelled set
and the public GitBugs dev split: the 10th percentile of the scores of right top hits, so the
"nothing close" notice hides a right answer at most about one time in ten (bench/RESULTS.md
has the figures). Rerun that script after changing the index's weighting.
"""

from __future__ import annotations

from smartstep.knowledge.queries import is_short

CLOSE_MATCH = {"short": 0.36, "long": 0.145}


def close_floor(query: str) -> float:
    return CLOSE_MATCH["short" if is_short(query) else "long"]
