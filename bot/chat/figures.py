"""Answers computed from the weekly metrics alone: a metric's value and trend, teams or periods
side by side, teams ranked, a team's overview and what changed. Pure: a `Frame` and the
`Context` in, an `Answer` out. Every "up", "down" and "too few to tell" comes from
`movement.read_change`, and only teams are ever ranked, never agents."""

from __future__ import annotations

from smartstep.chat.conversation import Answer, Context, Frame, Period
from smartstep.chat.movement import Reading, judged, min_sample, pooled, read_change, too_few, usual, window
from smartstep.definitions import load_definitions
from smartstep.metrics.noise import Judgement, too_few_words
from smartstep.metrics.notes import notes_in
from smartstep.metrics.scorecard import format_value, sparkline
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week, week_range

DEFAULT_WEEKS = 8
SIDE_BY_SIDE_WEEKS = 4  # teams compared and ranked on their last 4 weeks pooled: one week is mostly noise
OVERVIEW_METRICS = ("csat", "ces", "nps", "fcr", "first_reply_hours", "backlog", "time_to_smile_days")


def short(metric: str) -> str:
    """`Customer satisfaction (CSAT)` -> `CSAT`."""
    name = load_definitions().get(metric).name
    inner = name.split(" (")[-1].rstrip(")") if "(" in name else name
    return inner if inner.isupper() else name.split(" (")[0]


def show(value: MetricValue | None, metric: str) -> str:
    return "–" if value is None else format_value(value.value, load_definitions().get(metric).unit)


def sample(value: MetricValue) -> str:
    return "" if value.n is None else f" (n={value.n})"


def span(frame: Frame, context: Context, weeks: int = DEFAULT_WEEKS) -> Period:
    if frame.period is not None:
        return frame.period
    end = context.period or ""
    return Period(shift_week(end, -(weeks - 1)), end, f"last {weeks} weeks") if end else Period(end, end)


def describe_reading(reading: Reading, previous: MetricValue, metric: str) -> str:
    if reading.kind == "too_few":
        return f"too few cases to tell a change (fewer than {min_sample(metric)})"
    if reading.kind == "steady":
        return f"steady vs {previous.period} (within noise)"
    verdict = {True: "better", False: "worse", None: "worth a look"}[reading.good]
    return f"{reading.kind} {abs(reading.change):.1f} vs {previous.period} ({verdict})"


def judgement_words(judgement: Judgement, metric: str) -> str:
    """The one decision in words: against the team's usual level, or too few to tell."""
    unit = load_definitions().get(metric).unit
    usual = "" if judgement.baseline is None else format_value(judgement.baseline, unit)
    change = judgement.change
    if judgement.too_few:
        return f"{too_few_words(metric)} (a value needs {min_sample(metric)})"
    if judgement.moved and change is not None:
        verdict = {True: "better", False: "worse", None: "worth a look"}[judgement.good]
        return f"{judgement.direction} {abs(change):.1f} from a usual {usual} (beyond noise, {verdict})"
    if judgement.drifting and change is not None:
        return f"drifting {judgement.direction}: about {abs(change):.1f} over {judgement.baseline_weeks} weeks"
    if judgement.status == "no_history":
        return "no earlier weeks to compare"
    return f"steady (within noise of a usual {usual})"


def teams_of(frame: Frame, context: Context) -> tuple[str, ...]:
    return frame.teams or context.teams


def metric_answer(frame: Frame, context: Context) -> Answer:
    """One line per team and metric: value, change against the week before or "too few to
    tell", the sample, a sparkline over the weeks asked about, and those weeks against as many
    weeks before them."""
    period = span(frame, context)
    lines, data, items = [], [], []
    for metric in frame.metrics:
        lines.append(f"*{load_definitions().get(metric).name}*, {_period_words(period)}")
        for team in teams_of(frame, context):
            values = window(context.history, team, metric, shift_week(period.start, -1), period.end)
            shown = [v for v in values if v.period >= period.start] or values[-1:]
            if not shown:
                lines.append(f"• *{team}*: no {short(metric)} data up to {period.end}.")
                continue
            upto = [v for v in values if v.period <= shown[-1].period]
            judgement = judged(upto, metric) if len(upto) > 1 else None
            lines.append(f"• *{team}*: " + _metric_line(values, shown, metric, period, context, team, judgement))
            lines += _segment_lines(shown, frame.segments, metric)
            data.append(
                {
                    "team": team,
                    "metric": metric,
                    "period": shown[-1].period,
                    "values": [{"period": v.period, "value": v.value, "n": v.n} for v in shown],
                    "judgement": judgement.as_dict() if judgement is not None else None,
                }
            )
            items.append({"team": team, "metric": metric})
    lines += not_split_note(frame, any(line.startswith("    ") for line in lines))
    lines += noted(context, period.start, period.end, teams_of(frame, context))
    if context.note and frame.period is None:
        lines.append(f"_{context.note}_")
    basis = _basis(frame.metrics, data)
    return Answer("metric", "\n".join(lines), data=data, frame=frame, items=tuple(items), basis=basis)


def noted(context: Context, first: str, last: str, teams: tuple[str, ...]) -> list[str]:
    """The notes of those weeks (a release, an outage, a step done) that may explain a move."""
    inside = [n for n in notes_in(context.notes, first, last) if any(n.applies_to(t) for t in teams)]
    return ["_Noted in these weeks:_ " + "; ".join(n.label for n in inside)] if inside else []


def not_split_note(frame: Frame, segments_shown: bool) -> list[str]:
    """Weekly metrics are kept per team: say so when the question named a channel, product or a
    segment the metric is not split by, instead of silently answering for everything."""
    named = [*frame.channels, *frame.products, *(() if segments_shown else frame.segments)]
    if not named:
        return []
    narrow = [*frame.channels, *frame.products]
    hint = f' "show the tickets behind …" can narrow to {", ".join(narrow)}.' if narrow else ""
    return [f"_Weekly metrics are kept per team, not per {', '.join(named)}: these are the teams' figures.{hint}_"]


def _metric_line(
    values, shown, metric: str, period: Period, context: Context, team: str, judgement: Judgement | None
) -> str:
    unit = load_definitions().get(metric).unit
    latest = shown[-1]
    if judgement is not None and judgement.too_few:  # no number with an arrow on too few cases
        pooled_n = f", {judgement.n} in the last {judgement.weeks} weeks" if judgement.weeks > 1 else ""
        return (
            f"{too_few_words(metric)} in {latest.period} (n={latest.n} this week{pooled_n}; "
            f"a value needs {min_sample(metric)})"
        )
    text = f"{show(latest, metric)} in {latest.period}"
    if latest.n is not None:
        low, high = latest.ci or (0.0, 0.0)
        interval = f", 90% CI {format_value(low, unit)}–{format_value(high, unit)}" if latest.ci else ""
        text += f" (n={latest.n}{interval})"
    if judgement is not None:
        text += ", " + judgement_words(judgement, metric)
    if len(shown) > 1:
        text += f"; {len(shown)} weeks ago {show(shown[0], metric)} `{sparkline([v.value for v in shown])}`"
    length = len(week_range(period.start, period.end))
    if length >= 4:  # the weeks asked about against as many weeks before them: the trend
        now = pooled(shown)
        earlier = pooled(
            window(context.history, team, metric, shift_week(period.start, -length), shift_week(period.start, -1))
        )
        if now is not None and earlier is not None:
            reading = read_change(now, earlier, metric)
            verdict = (
                "too few cases to tell"
                if reading.kind == "too_few"
                else "no change beyond noise"
                if reading.kind == "steady"
                else _verdict(reading)
            )
            text += (
                f". Over these {length} weeks {show(now, metric)} against {show(earlier, metric)} before ({verdict})"
            )
    return text


def _segment_lines(shown, segments: tuple[str, ...], metric: str) -> list[str]:
    """A segment's own values where the metric is split by segment (time to value)."""
    out = []
    for segment in segments:
        series = [(v.period, v.detail[segment]) for v in shown if segment in v.detail]
        if not series:
            continue
        unit = load_definitions().get(metric).unit
        text = f"    {segment}: {format_value(series[-1][1], unit)} in {series[-1][0]}"
        if len(series) > 1:
            text += (
                f"; {len(series)} weeks ago {format_value(series[0][1], unit)} `{sparkline([x for _, x in series])}`"
            )
        out.append(text + " (the segment's share of the sample is not kept, so no verdict on noise)")
    return out


def _period_words(period: Period) -> str:
    if period.single:
        return f"week {period.end}"
    if period.text.startswith("last "):
        return f"{period.text} ({period.start} to {period.end})"
    return f"{period.start} to {period.end}"


def _basis(metrics: tuple[str, ...], data: list[dict]) -> str:
    lines = []
    for metric in metrics:
        d = load_definitions().get(metric)
        samples = ", ".join(
            f"{r['team']} n={r['values'][-1]['n']}" for r in data if r["metric"] == metric and r["values"][-1]["n"]
        )
        line = f"*{d.name}*: {d.definition} A week counts by its `{d.week_of}`."
        lines.append(line + (f" Latest samples: {samples}." if samples else ""))
    minimum = ", ".join(f"{short(m)} {min_sample(m)}" for m in metrics if min_sample(m))
    lines.append(
        "A week is compared with the team's usual level (the median of the 12 weeks before); a change is called a "
        "move only when it is beyond the noise of the samples and of the team's own week-to-week wobble, and big "
        "enough to act on. Below the minimum sample the last 4 weeks are judged together, and below it even then "
        "the answer is that there are too few to tell" + (f" (minimum: {minimum})." if minimum else ".")
    )
    return "\n".join(lines)


def compare_answer(frame: Frame, context: Context) -> Answer:
    if frame.compare == "periods" and frame.periods:
        return _compare_periods(frame, context)
    period = span(frame, context, SIDE_BY_SIDE_WEEKS)
    lines, data = [], []
    for metric in frame.metrics:
        definition = load_definitions().get(metric)
        rows = []
        for team in teams_of(frame, context):
            value = pooled(window(context.history, team, metric, period.start, period.end))
            rows.append((team, value))
        known = [(t, v) for t, v in rows if v is not None]
        ranked = sorted(known, key=lambda r: r[1].value, reverse=definition.better != "lower")
        lines.append(f"*{definition.name}*, {_period_words(period)}")
        lines += [
            f"• *{t}*: {show(v, metric)}{sample(v)}" + (" — too few to tell" if too_few(v) else "") for t, v in ranked
        ]
        lines += [f"• *{t}*: no data" for t, v in rows if v is None]
        if len(ranked) >= 2:
            (a, va), (b, vb) = ranked[0], ranked[1]
            reading = read_change(va, vb, metric)
            word = "better" if definition.better != "context" else "higher"
            if reading.kind == "too_few":
                lines.append(f"Too few cases to tell whether {a} and {b} really differ.")
            elif reading.moved:
                lines.append(f"{a} is {word} than {b}, beyond noise.")
            else:
                lines.append(f"{a} and {b} do not differ beyond noise.")
        data += [{"team": t, "metric": metric, "period": period.end, "value": v.value, "n": v.n} for t, v in known]
    teams = tuple(t for t, _ in ((d["team"], 0) for d in data))
    items = tuple({"team": t} for t in dict.fromkeys(teams))
    return Answer("compare", "\n".join(lines), data=data, frame=frame, items=items, basis=_basis(frame.metrics, []))


def _compare_periods(frame: Frame, context: Context) -> Answer:
    first, second = frame.periods[0], frame.periods[-1]
    if first == second:  # one period named: against the same number of weeks up to now, or just before it
        length = len(week_range(first.start, first.end))
        now = context.period or first.end
        if first.end < now:
            first, second = Period(shift_week(now, -(length - 1)), now, f"the last {length} weeks"), first
        else:
            second = Period(shift_week(first.start, -length), shift_week(first.start, -1), "the weeks before")
    lines, data = [], []
    for metric in frame.metrics:
        lines.append(
            f"*{load_definitions().get(metric).name}*: {first.text or _period_words(first)} vs "
            f"{second.text or _period_words(second)}"
        )
        for team in teams_of(frame, context):
            a = pooled(window(context.history, team, metric, first.start, first.end))
            b = pooled(window(context.history, team, metric, second.start, second.end))
            if a is None or b is None:
                lines.append(f"• *{team}*: no data for one of the two periods")
                continue
            reading = read_change(a, b, metric)
            text = f"{show(a, metric)}{sample(a)} vs {show(b, metric)}{sample(b)}"
            if reading.kind == "too_few":
                text += " — too few cases to tell"
            elif reading.kind == "steady":
                text += " — no change beyond noise"
            else:
                text += f" — {reading.kind} {abs(reading.change):.1f} ({_verdict(reading)})"
            lines.append(f"• *{team}*: {text}")
            data.append({"team": team, "metric": metric, "first": a.value, "second": b.value, "reading": reading.kind})
    return Answer("compare", "\n".join(lines), data=data, frame=frame, basis=_basis(frame.metrics, []))


def _verdict(reading: Reading) -> str:
    return {True: "better", False: "worse", None: "worth a look"}[reading.good]


def ranking_answer(frame: Frame, context: Context) -> Answer:
    """Teams ordered on one metric, or by how many of their metrics are worse than usual."""
    if not frame.metrics:
        return _struggling(frame, context)
    metric = frame.metrics[0]
    definition = load_definitions().get(metric)
    period = span(frame, context, SIDE_BY_SIDE_WEEKS)
    values = [
        (t, pooled(window(context.history, t, metric, period.start, period.end))) for t in teams_of(frame, context)
    ]
    usable = [(t, v) for t, v in values if v is not None and not too_few(v)]
    direction = frame.direction or "worst"
    if direction in ("worst", "best") and definition.better != "context":
        worst_first = (direction == "worst") == (definition.better == "higher")
        usable.sort(key=lambda r: r[1].value, reverse=not worst_first)
    else:
        usable.sort(key=lambda r: r[1].value, reverse=direction in ("worst", "highest"))
    heading = {"worst": "worst first", "best": "best first", "highest": "highest first", "lowest": "lowest first"}
    lines = [f"*Teams by {definition.name}*, {_period_words(period)} ({heading.get(direction, 'worst first')})"]
    lines += [f"{i}. *{t}*: {show(v, metric)}{sample(v)}" for i, (t, v) in enumerate(usable, start=1)]
    few = [t for t, v in values if v is not None and too_few(v)]
    if few:
        lines.append(f"Too few cases to rank: {', '.join(few)}.")
    if definition.better == "context":
        lines.append(f"Higher {short(metric)} is not better or worse by itself; it needs a look at what it bought.")
    if len(usable) >= 2:
        reading = read_change(usable[0][1], usable[1][1], metric)
        if not reading.moved:
            lines.append(f"{usable[0][0]} and {usable[1][0]} do not differ beyond noise.")
    if "agent" in frame.text.lower():
        lines.append("I compare teams and their processes, never individual agents.")
    items = tuple({"team": t} for t, _ in usable)
    data = [{"team": t, "metric": metric, "value": v.value, "n": v.n} for t, v in usable]
    return Answer("ranking", "\n".join(lines), data=data, frame=frame, items=items, basis=_basis((metric,), []))


def worse_than_usual(context: Context, team: str, end: str) -> list[tuple[str, MetricValue, MetricValue, Reading]]:
    """Metrics whose last 4 weeks are beyond noise from the 12 before, worst news first."""
    out = []
    for metric in load_definitions().ids:
        now, before = usual(context.history, team, metric, end)
        if now is None or before is None:
            continue
        reading = read_change(now, before, metric)
        if reading.moved:
            out.append((metric, now, before, reading))
    return sorted(out, key=lambda r: (r[3].good is not False, -abs(r[3].change) / (abs(r[2].value) or 1)))


def _struggling(frame: Frame, context: Context) -> Answer:
    end = (frame.period.end if frame.period else None) or context.period or ""
    scored = []
    for team in teams_of(frame, context):
        moves = worse_than_usual(context, team, end)
        scored.append((team, [m for m in moves if m[3].good is False], [m for m in moves if m[3].good]))
    best = frame.direction == "best"
    scored.sort(key=lambda s: (len(s[2]) - len(s[1])) if best else (len(s[1]) - len(s[2])), reverse=True)
    lines = [
        f"*Teams by how many metrics are {'better' if best else 'worse'} than usual* "
        "(last 4 weeks against the 12 before)"
    ]
    for i, (team, worse, better) in enumerate(scored, start=1):
        named = ", ".join(
            f"{short(m)} {show(n, m)} (usual {show(b, m)})" for m, n, b, _ in (better if best else worse)[:3]
        )
        count = len(better) if best else len(worse)
        lines.append(f"{i}. *{team}*: {count} {'better' if best else 'worse'}" + (f" — {named}" if named else ""))
    lines.append('Ask "what should <team> do next?" for the steps that fit.')
    items = tuple({"team": t} for t, _, _ in scored)
    return Answer(
        "ranking",
        "\n".join(lines),
        data=[{"team": t, "worse": len(w), "better": len(b)} for t, w, b in scored],
        frame=frame,
        items=items,
        basis="Each metric's last 4 weeks pooled against the 12 weeks before, "
        "counted only when the difference is beyond the noise of both samples.",
    )
