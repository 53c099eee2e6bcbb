"""The weekly digest's content: what a lead should read in under a minute, as plain data.

Pure: scorecard rows and plain facts in, a `Digest` out (`assemble_team`). Reading those
facts from the store lives in `digest_data`; Block Kit in `digest_blocks`; the chart in
`digest_chart`; posting in `digest_post`.

Decisions a reader should know:
- "Moved" and "steady" come from the one decision (`metrics.noise.judge`, via `ScoreRow.judgement`):
  a move is beyond noise against the team's usual level *and* at least the change metrics.yaml calls
  material; a slow drift (Mann-Kendall) counts too. Key metrics that are judged steady share one
  "steady" line, and those with too few answers one "too few to tell" line.
- A metric one of the post's steps is about is never listed as steady (the step says it is not).
- A team's week is quiet when nothing moved, no step is due and no done step was measured;
  a quiet team is one "all steady" line (plus how many answers await a call-back, if any).
- No individual agent is ever named: nothing here reads `agent_id`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from smartstep.advice.ranking import Advice
from smartstep.advice.repeats import RepeatedProblem
from smartstep.advice.topics import Topic
from smartstep.advice.verdicts import Outcome, Verdict
from smartstep.definitions import load_definitions
from smartstep.digest.growing import growing_json
from smartstep.metrics.noise import Judgement, settings
from smartstep.metrics.notes import Note, notes_in
from smartstep.metrics.scorecard import ScoreRow, format_value
from smartstep.metrics.values import History
from smartstep.weeks import shift_week

KEY_METRICS = ("csat", "nps", "ces", "first_reply_hours", "backlog", "fcr")
VALUE_METRIC = "time_to_customer_value_days"
VALUE_PARTS = (
    ("ttv_before_sale_days", "before sale"),
    ("ttv_after_sale_days", "after sale"),
    ("time_to_smile_days", "Time to Smile"),
)
MAX_MOVES = 3  # more than this and nobody reads it in a minute; the rest is counted
REPEAT_MIN = 5  # a problem solved by hand this often is worth an article


def short_name(metric: str) -> str:
    """`Customer satisfaction (CSAT)` -> `CSAT`: phones have narrow screens."""
    return load_definitions().get(metric).short


@dataclass(frozen=True)
class Move:
    """A metric the one decision calls news: moved from its usual level, or drifting."""

    metric: str
    value: float
    previous: float  # the usual level it moved from (for a drift: where the fitted line started)
    n: int | None
    good: bool | None  # None: a context metric, where either direction needs a human look
    weeks: int = 1  # the weeks judged together (1, or 4 pooled when one week has too few answers)
    basis: str = "week"  # week: against the one earlier week | usual: its usual level | drift: a slow drift
    over: int = 1  # how many earlier weeks the usual level (or the drift) rests on

    @classmethod
    def from_judgement(cls, judgement: Judgement) -> Move:
        assert judgement.value is not None and judgement.baseline is not None and judgement.change is not None
        if judgement.drifting and judgement.started is not None:
            previous, basis = judgement.started, "drift"
        else:
            previous, basis = judgement.baseline, "usual" if judgement.baseline_weeks > 1 else "week"
        return cls(judgement.metric, judgement.value, previous, judgement.n, judgement.good, judgement.weeks,
                   basis, judgement.baseline_weeks)  # fmt: skip

    @property
    def change(self) -> float:
        return self.value - self.previous

    @property
    def text(self) -> str:
        unit = load_definitions().get(self.metric).unit
        arrow = "↑" if self.change > 0 else "↓"
        verdict = "better" if self.good else "worse" if self.good is False else "worth a look"
        sample = (
            f", n {self.n}" if self.n is not None and load_definitions().get(self.metric).kind == "perception" else ""
        )
        value, previous = format_value(self.value, unit), format_value(self.previous, unit)
        pooled = f" over the last {self.weeks} weeks" if self.weeks > 1 else ""
        if self.basis == "drift":
            since = (
                f"{'up' if self.change > 0 else 'down'} over {settings().baseline_weeks} weeks, from about {previous}"
            )
        else:
            since = f"from {'a usual ' if self.basis == 'usual' else ''}{previous}{pooled}"
        return f"{short_name(self.metric)} {value} {arrow} {since} ({verdict}{sample})"


def outcome_line(outcome: Outcome) -> str:
    """A done step's outcome for the digest: the verdict and its numbers, or when it will be measured."""
    title = outcome.title or "A step"
    if outcome.verdict is Verdict.TOO_EARLY:
        return f"{title}: done in {outcome.done_week}, *too early* to tell: measured once {outcome.due} is in"
    return f"{title}: *{outcome.verdict.value}*: {outcome.numbers}"


def note_line(note: Note) -> str:
    return f"{note.label} may explain a move above"


@dataclass(frozen=True)
class CallBack:
    """A very unhappy survey answer of the week that nobody has recorded calling back yet."""

    survey_id: str
    ticket_id: str | None
    kind: str  # nps | csat | ces
    score: float

    @property
    def text(self) -> str:
        what = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}[self.kind]
        where = f"ticket {self.ticket_id}" if self.ticket_id else f"survey {self.survey_id}"
        return f"{what} {self.score:.0f} on {where}"


@dataclass(frozen=True)
class ValueLine:
    """Time to Customer Value and its three parts (Klever's law) for the week."""

    total: float
    parts: tuple[tuple[str, float], ...]
    partial: bool
    previous: float | None
    moved: bool

    @property
    def text(self) -> str:
        parts = " + ".join(f"{label} {value:.1f} d" for label, value in self.parts)
        change = ""
        if self.previous is not None and self.moved:
            change = f" {'↑' if self.total > self.previous else '↓'} from a usual {self.previous:.1f} d"
        mark = " (a part had no data)" if self.partial else ""
        return f"Time to Customer Value {self.total:.1f} d{change} = {parts}{mark}"

    @property
    def short(self) -> str:
        """The steady week's form, for the steady line."""
        return f"Time to Customer Value {self.total:.1f} d"


@dataclass(frozen=True)
class TeamDigest:
    team: str
    period: str
    moves: tuple[Move, ...] = ()
    more_moves: int = 0
    steady: tuple[str, ...] = ()
    too_few: tuple[str, ...] = ()  # key metrics with too few answers (tickets) to tell
    outcomes: tuple[Outcome, ...] = ()
    notes: tuple[Note, ...] = ()  # dated within the weeks the moves span
    callbacks: tuple[CallBack, ...] = ()
    callbacks_total: int = 0
    repeated: RepeatedProblem | None = None
    value: ValueLine | None = None
    driver: str | None = None
    steps_due: int = 0

    @property
    def quiet(self) -> bool:
        measured = any(o.verdict is not Verdict.TOO_EARLY for o in self.outcomes)
        return not self.moves and not measured and not self.steps_due and not (self.value and self.value.moved)

    @property
    def steady_line(self) -> str:
        waiting = f" {self.callbacks_total} unhappy answer(s) await a call-back." if self.callbacks_total else ""
        return f"*{self.team}*: all steady in {self.period}: nothing moved beyond noise and no step is due.{waiting}"

    @property
    def repeat_line(self) -> str | None:
        if self.repeated is None or self.repeated.tickets < REPEAT_MIN:
            return None
        return f"Write up “{self.repeated.label}”: solved {self.repeated.tickets} times in 8 weeks, no article."

    def to_json(self) -> dict[str, Any]:
        repeated = None
        if self.repeated is not None and self.repeat_line is not None:
            repeated = {"label": self.repeated.label, "tickets": self.repeated.tickets, "text": self.repeat_line}
        value = None
        if self.value is not None:
            value = {"value": self.value.total, "parts": dict(self.value.parts), "partial": self.value.partial,
                     "previous": self.value.previous, "text": self.value.text}  # fmt: skip
        return {
            "team": self.team,
            "period": self.period,
            "quiet": self.quiet,
            "moved": [{**asdict(m), "change": m.change, "text": m.text} for m in self.moves],
            "more_moved": self.more_moves,
            "steady": list(self.steady),
            "too_few": list(self.too_few),
            "outcomes": [{**o.to_json(), "text": outcome_line(o)} for o in self.outcomes],
            "notes": [{**n.to_json(), "text": note_line(n)} for n in self.notes],
            "callbacks": [asdict(c) for c in self.callbacks],
            "callbacks_total": self.callbacks_total,
            "repeated_problem": repeated,
            "time_to_customer_value": value,
            "driver": self.driver,
            "steps_due": self.steps_due,
        }


@dataclass(frozen=True)
class Digest:
    period: str | None
    teams: tuple[TeamDigest, ...]
    steps: tuple[Advice, ...] = ()
    history: History = field(default_factory=dict, compare=False, repr=False)  # for the chart
    notes: tuple[Note, ...] = field(default=(), compare=False, repr=False)  # marked on the chart
    growing: tuple[Topic, ...] = field(default=(), compare=False, repr=False)  # "New or growing" (digest.growing)

    @property
    def quiet(self) -> bool:
        return all(t.quiet for t in self.teams) and not self.steps and not self.growing

    @property
    def steady_line(self) -> str:
        """The whole post in a quiet week: one line."""
        teams = ", ".join(t.team for t in self.teams) or "every team"
        waiting = sum(t.callbacks_total for t in self.teams)
        tail = f" {waiting} unhappy answer(s) await a call-back." if waiting else ""
        return f"All steady in {self.period} for {teams}: nothing moved beyond noise and no step is due.{tail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "quiet": self.quiet,
            "teams": [t.to_json() for t in self.teams],
            "steps": [a.to_json() for a in self.steps],
            "new_or_growing": growing_json(self.growing),
        }


def _relative(move: Move) -> float:
    return abs(move.change) / max(abs(move.previous), abs(move.value), 1e-9)


def value_line(rows: dict[str, ScoreRow]) -> ValueLine | None:
    row = rows.get(VALUE_METRIC)
    if row is None:
        return None
    detail = row.latest.detail
    parts = tuple((label, float(detail.get(metric, 0.0))) for metric, label in VALUE_PARTS)
    judgement = row.judgement
    return ValueLine(row.latest.value, parts, row.latest.partial, judgement.baseline, judgement.moved)


def assemble_team(
    team: str,
    period: str,
    rows: list[ScoreRow],
    *,
    outcomes: tuple[Outcome, ...] = (),
    notes: tuple[Note, ...] = (),
    callbacks: tuple[CallBack, ...] = (),
    callbacks_total: int = 0,
    repeated: RepeatedProblem | None = None,
    driver: str | None = None,
    steps_due: int = 0,
    about: frozenset[str] = frozenset(),
) -> TeamDigest:
    """One team's part of the digest from its scorecard rows for `period` and plain facts.

    `about` names the metrics the post's steps for this team are about: never listed as steady."""
    definitions = load_definitions()
    by_metric = {r.metric: r for r in rows if r.team == team}
    moves = [
        Move.from_judgement(row.judgement)
        for metric, row in by_metric.items()
        if metric != VALUE_METRIC and row.judgement.news
    ]
    # Moves first, then drifts; within each, worse news first, biggest first.
    moves.sort(key=lambda m: (m.basis == "drift", {False: 0, None: 1, True: 2}[m.good], -_relative(m)))
    moved = {m.metric for m in moves}
    more = max(0, len(moves) - MAX_MOVES)
    moves = moves[:MAX_MOVES]
    quiet_keys = [m for m in KEY_METRICS if m in by_metric and m not in moved and m not in about]
    steady = tuple(
        f"{short_name(m)} {format_value(by_metric[m].latest.value, definitions.get(m).unit)}"
        for m in quiet_keys
        if by_metric[m].judgement.status == "steady"
    )
    too_few = tuple(short_name(m) for m in quiet_keys if by_metric[m].judgement.too_few)
    return TeamDigest(
        team=team,
        period=period,
        moves=tuple(moves),
        more_moves=more,
        steady=steady,
        too_few=too_few,
        outcomes=outcomes,
        callbacks=callbacks,
        callbacks_total=callbacks_total,
        repeated=repeated,
        value=value_line(by_metric),
        driver=driver,
        steps_due=steps_due,
        notes=_explaining(notes, moves, team, period),
    )


def _explaining(notes: tuple[Note, ...], moves: list[Move], team: str, period: str) -> tuple[Note, ...]:
    """The notes dated within the weeks the moves span (the weeks judged and the one before; a
    drift's whole window): what may explain them. None without a move."""
    if not moves:
        return ()
    span = max(m.over if m.basis == "drift" else m.weeks for m in moves)
    return notes_in(notes, shift_week(period, -span), period, team)
