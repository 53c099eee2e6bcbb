"""Answers that summarise: how a team (or every team) is doing, what changed in a week or since a
date, and what a metric means. Pure, like `figures`: a `Frame` and the `Context` in, an `Answer` out."""

from __future__ import annotations

from smartstep.chat.conversation import Answer, Context, Frame, Period
from smartstep.chat.figures import OVERVIEW_METRICS, noted, short, show, teams_of, worse_than_usual
from smartstep.chat.movement import pooled, read_change, too_few, window
from smartstep.definitions import load_definitions
from smartstep.weeks import shift_week, week_range

UNITS = {"%": "a percentage", "pts": "points from -100 to 100", "/7": "a 1–7 scale", "min": "minutes", "h": "hours"}
UNITS |= {"d": "days", "tickets": "a count of tickets"}
BETTER = {"higher": "higher is better", "lower": "lower is better", "context": "neither direction is good by itself"}


def overview_answer(frame: Frame, context: Context) -> Answer:
    """Per team: what is worse and better than usual, and the key numbers this week."""
    end = (frame.period.end if frame.period else None) or context.period or ""
    lines, data = [f"*How things stand, {end}* (last 4 weeks against the 12 before)"], []
    for team in teams_of(frame, context):
        moves = worse_than_usual(context, team, end)
        worse = [m for m in moves if m[3].good is False]
        better = [m for m in moves if m[3].good]
        lines.append(f"\n*{team}*")
        if worse:
            lines.append(
                "Worse than usual: "
                + "; ".join(f"{short(m)} {show(n, m)} (usual {show(b, m)})" for m, n, b, _ in worse[:4])
            )
        if better:
            lines.append(
                "Better than usual: "
                + "; ".join(f"{short(m)} {show(n, m)} (usual {show(b, m)})" for m, n, b, _ in better[:3])
            )
        if not worse and not better:
            lines.append("Nothing moved beyond noise against the usual level.")
        now = [(m, context.history.get((team, m), [])) for m in OVERVIEW_METRICS]
        key = [
            f"{short(m)} {show(v[-1], m)}" + (" (too few to tell)" if too_few(v[-1]) else "")
            for m, v in now
            if v and v[-1].period == end
        ]
        if key:
            lines.append("This week: " + " · ".join(key))
        data.append({"team": team, "worse": [m for m, *_ in worse], "better": [m for m, *_ in better]})
    if len(teams_of(frame, context)) == 1:
        lines.append(f'\nAsk "what should {teams_of(frame, context)[0]} do next?" for the steps that fit.')
    items = tuple({"team": d["team"]} for d in data)
    basis = (
        "Each metric's last 4 weeks pooled against the 12 weeks before; a difference counts only when it is "
        "beyond the noise of both samples, and never on fewer than 10 cases."
    )
    return Answer("overview", "\n".join(lines), data=data, frame=frame, items=items, basis=basis)


def changes_answer(frame: Frame, context: Context) -> Answer:
    """What moved beyond noise: a week against the week before, or a span against as many weeks before it."""
    now = context.period or ""
    period = frame.period or Period(now, now, "this week")
    length = len(week_range(period.start, period.end))
    before = Period(shift_week(period.start, -length), shift_week(period.start, -1))
    against = f"{before.end}" if before.single else f"the {length} weeks before"
    title = f"week {period.end}" if period.single else f"{period.start} to {period.end}"
    lines, data, few = [f"*What moved in {title}* (against {against}, beyond noise only)"], [], []
    for team in teams_of(frame, context):
        moved = []
        for metric in load_definitions().ids:
            a = pooled(window(context.history, team, metric, period.start, period.end))
            b = pooled(window(context.history, team, metric, before.start, before.end))
            if a is None or b is None:
                continue
            reading = read_change(a, b, metric)
            if reading.kind == "too_few":
                few.append(f"{team} {short(metric)}")
            elif reading.moved:
                moved.append((metric, a, b, reading))
        moved.sort(key=lambda m: (m[3].good is not False, m[0]))
        if moved:
            verdict = {True: "better", False: "worse", None: "worth a look"}
            parts = [f"{short(m)} {show(a, m)} from {show(b, m)} ({verdict[r.good]})" for m, a, b, r in moved[:5]]
            more = f" and {len(moved) - 5} more" if len(moved) > 5 else ""
            lines.append(f"• *{team}*: " + "; ".join(parts) + more)
        else:
            lines.append(f"• *{team}*: nothing moved beyond noise")
        data.append(
            {"team": team, "moved": [{"metric": m, "value": a.value, "previous": b.value} for m, a, b, _ in moved]}
        )
    if few:
        lines.append(
            f"Too few cases to tell: {', '.join(few[:6])}" + (f" and {len(few) - 6} more." if len(few) > 6 else ".")
        )
    lines += noted(context, period.start, period.end, teams_of(frame, context))
    basis = (
        f"{title} pooled against {against}; a move counts only when it is beyond the noise of both samples, "
        "never on fewer than 10 cases."
    )
    return Answer(
        "changes", "\n".join(lines), data=data, frame=frame, items=tuple({"team": d["team"]} for d in data), basis=basis
    )


def define_answer(frame: Frame) -> Answer:
    """What a metric is and how smartstep computes it, from `metrics.yaml`."""
    definitions = load_definitions()
    lines, data = [], []
    for metric in frame.metrics:
        d = definitions.get(metric)
        lines.append(f"*{d.name}* (`{d.id}`)")
        lines.append(d.definition)
        lines.append(
            f"How it is computed: per team and ISO week, in {UNITS.get(d.unit, d.unit)}; a week counts by "
            f"`{d.week_of}`; {BETTER[d.better]}."
        )
        if d.synonyms:
            lines.append("Also called: " + ", ".join(d.synonyms[:6]) + ".")
        if d.drives:
            lines.append("When it moves it pushes: " + ", ".join(short(m) for m in d.drives) + ".")
        lines.append("")
        data.append(
            {
                "metric": d.id,
                "name": d.name,
                "definition": d.definition,
                "unit": d.unit,
                "better": d.better,
                "week_of": d.week_of,
            }
        )
    return Answer(
        "define",
        "\n".join(lines).strip(),
        data=data,
        frame=frame,
        basis="From smartstep's metric definitions (metrics.yaml).",
    )
