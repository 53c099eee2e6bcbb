"""Small teams in an organisation-wide list of steps.

A workgroup with one ticket a week swings wildly in every percentage, so without a guard it tops
the organisation's list on a backlog going from 1 to 5. Here a team that is a small fraction of the
organisation never takes a top place on a small absolute change; its own list is unaffected.
Pure: advice and weekly volumes in, reordered advice out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from smartstep.advice.ranking import Advice, primary_metric

SMALL_TEAM_SHARE = 0.05  # a team with less than this share of the organisation's tickets...
SMALL_TEAM_OF_MEDIAN = 0.25  # ...and less than this share of the median team's is a small team
SMALL_CHANGE = 10  # tickets (or answers): a step resting on fewer is a small absolute change...
SMALL_CHANGE_SHARE = 0.02  # ...as is one under this share of the organisation's weekly tickets
TOP_PLACES = 3  # the places a small team never takes on a small change


def team_volumes(history: Mapping[tuple[str, str], Sequence[Any]], period: str, weeks: int = 4) -> dict[str, float]:
    """Mean tickets a week per team over the last `weeks` weeks up to `period` (from `ticket_volume`)."""
    out = {}
    for (team, metric), values in history.items():
        if metric == "ticket_volume":
            recent = [v.value for v in values if v.period <= period][-weeks:]
            if recent:
                out[team] = float(np.mean(recent))
    return out


def at_stake(item: Advice) -> float | None:
    """How many tickets (answers) the step's main evidence is about: the change itself for counts,
    the changed share of the sample for percentages, the whole sample for times and scores; a
    signal's own count. None when the evidence does not say."""
    from smartstep.definitions import load_definitions

    definitions = load_definitions()
    metric = primary_metric(item)
    evidence = next((e for e in item.candidate.evidence if e.metric == metric), None)
    if evidence is None or evidence.value is None:
        return None
    if metric not in definitions.metrics:
        return abs(evidence.value)  # a signal: its value counts tickets
    unit = definitions.get(metric).unit
    if unit == "tickets":
        return None if evidence.change is None else abs(evidence.change)
    if evidence.n is None:
        return None
    if unit == "%" and evidence.change is not None:
        return abs(evidence.change) / 100 * evidence.n
    return float(evidence.n)


def _stake(item: Advice, volumes: Mapping[str, float]) -> float:
    """The tickets at stake, never more than the team's own tickets in two weeks (a team with 2
    tickets a week cannot have a change of 30 tickets, whatever its percentages say)."""
    stake = at_stake(item)
    cap = 2 * volumes.get(item.candidate.team, 0.0)
    return cap if stake is None else min(stake, cap)


def small_team(team: str, volumes: Mapping[str, float]) -> bool:
    """A small fraction of the organisation: under 5% of its tickets and a quarter of the median team."""
    total = sum(volumes.values())
    if team not in volumes or total <= 0 or len(volumes) < 2:
        return False
    median = float(np.median(list(volumes.values())))
    return volumes[team] < SMALL_TEAM_SHARE * total and volumes[team] < SMALL_TEAM_OF_MEDIAN * median


def keep_small_changes_out_of_the_top(
    ranked: Sequence[Advice], volumes: Mapping[str, float], places: int = TOP_PLACES
) -> list[Advice]:
    """An organisation-wide list where a small team never takes one of the first `places` places on
    a small absolute change (a backlog of 1 going to 5 is not the organisation's #2 step): such a
    step moves behind the others, and out of the list if there are too few others to fill the top."""
    others, held = split_small_changes(ranked, volumes)
    return others + held if len(others) >= places else others


def split_small_changes(ranked: Sequence[Advice], volumes: Mapping[str, float]) -> tuple[list[Advice], list[Advice]]:
    """(the rest, small teams' steps on small changes), each in the order given."""
    small = max(SMALL_CHANGE, SMALL_CHANGE_SHARE * sum(volumes.values()))
    held = [a for a in ranked if small_team(a.candidate.team, volumes) and _stake(a, volumes) < small]
    return [a for a in ranked if a not in held], held
