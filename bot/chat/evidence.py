"""Why a number moved: for CSAT, CES and NPS the driver analysis over the survey answers; for
other metrics the rule that fired on it (its evidence and playbook) and what the metrics that
push it did. Reads the store; called by the `why` skill."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from smartstep.chat.conversation import Answer, Frame
from smartstep.chat.figures import short, show
from smartstep.chat.movement import read_change, usual
from smartstep.chat.replies import explain_advice
from smartstep.definitions import load_definitions
from smartstep.metrics.reader import load_history

DRIVER_METRICS = ("csat", "ces", "nps")
PROBLEM_PREFIXES = (
    "show similar cases for",
    "show me similar cases for",
    "similar cases for",
    "similar cases about",
    "similar tickets for",
    "find past cases about",
    "search cases",
    "search:",
    "has anyone solved",
    "has anyone fixed",
    "how did we fix",
    "how did we solve",
    "find similar cases:",
    "similar cases:",
    "cases like",
)


def problem_text(text: str) -> str:
    """The problem itself, without "show similar cases for" and quotes around it."""
    lowered = text.lower()
    for prefix in PROBLEM_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.strip(" :?\"'“”")


def why_moved(db: sqlite_utils.Database, frame: Frame, ranked: Callable, as_of: datetime | None) -> Answer:
    metric = frame.metrics[0]
    team = frame.teams[0] if len(frame.teams) == 1 else None
    if metric in DRIVER_METRICS:
        return _drivers(db, frame, metric, team, as_of)
    run = ranked(frame, 50)
    fired = [a for a in run.advice if a.candidate.target == metric]
    fired = fired or [a for a in run.advice if any(e.metric == metric for e in a.candidate.evidence)]
    name = load_definitions().get(metric).name
    who = team or "your teams"
    lines = []
    if fired:
        lines.append(f"*Why {name} moved for {fired[0].candidate.team}*")
        lines.append(explain_advice(fired[0]))
    else:
        lines.append(f"No rule finds {name} out of its normal range for {who} in {run.period}.")
    upstream = [m.id for m in load_definitions().metrics.values() if metric in m.drives]
    if upstream and run.period:
        teams = [team] if team else sorted({a.candidate.team for a in fired[:1]}) or None
        history = load_history(db, teams=teams, metrics=upstream, until=run.period, weeks=16)
        moves = []
        for t, m in sorted(history):
            now, before = usual(history, t, m, run.period)
            if now is not None and before is not None:
                reading = read_change(now, before, m)
                if reading.moved:
                    moves.append(f"{t} {short(m)} {show(now, m)} (usual {show(before, m)})")
        if moves:
            lines.append(f"\nWhat pushes {short(metric)} (last 4 weeks against the 12 before): " + "; ".join(moves[:6]))
        else:
            names = ", ".join(short(m) for m in upstream)
            lines.append(f"\nWhat pushes {short(metric)} ({names}) stayed within its usual range.")
    data = [a.to_json() for a in fired[:1]]
    return Answer("why", "\n".join(lines), data=data, frame=frame)


def _drivers(db: sqlite_utils.Database, frame: Frame, metric: str, team: str | None, as_of: datetime | None) -> Answer:
    from smartstep.advice.pipeline import cached_on_data
    from smartstep.drivers.data import load_driver_report
    from smartstep.drivers.text import report_lines, report_to_dict

    def compute():
        return load_driver_report(db, metric, team=team, as_of=as_of)

    report = cached_on_data(db, ("chat-drivers", metric, team, as_of), compute)
    if report is None:
        return Answer("drivers", "There are no survey answers to analyse yet.", frame=frame)
    lines = report_lines(report)
    text = "*" + lines[0].strip() + "*\n" + "\n".join(line.strip() for line in lines[1:])
    return Answer("drivers", text, data=report_to_dict(report), frame=frame, basis=text)
