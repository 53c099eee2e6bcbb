"""The rule language as pydantic models: the schema every rule file is validated against.

Conditions are data, one model per kind, joined in a discriminated union so that an
unknown kind or a misplaced field is reported where it is written. Adding a kind (the
driver analysis will add one) means one model here and one evaluator in the engine.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from smartstep.definitions import load_definitions, load_maturity
from smartstep.metrics.values import SEGMENT_FIELDS, segment_metric
from smartstep.names import did_you_mean
from smartstep.rules.scales import change_fits_scale, examples_on_scale, threshold_on_scale

STAGES = load_maturity().stages  # "chaos" .. "invisible", from data/assessment.yaml
DIMENSIONS = load_maturity().dimensions
AUDIENCES = ("lead", "agent", "exec")
_SAFE_SPEC = re.compile(r"^[+\- ]?(\.\d)?[fg%]?$")
EVIDENCE_FIELDS = ("value", "previous", "change", "abs_change", "pct_change", "n", "period", "threshold", "lately")
# Words that would make a rule grade an individual instead of guiding a team.
_GRADING = re.compile(
    r"\b(worst|slowest|weakest|lowest[- ]scoring|bottom|underperforming)\s+(\d+\s+)?agents?\b"
    r"|\bagent\s+(leaderboard|league table|ranking)s?\b|\bname\s+and\s+shame\b|\bshame\b",
    re.IGNORECASE,
)


def _check_metric(name: str) -> str:
    ids = load_definitions().ids
    if name not in ids:
        raise PydanticCustomError(
            "unknown_metric", "unknown metric '{name}'{hint}", {"name": name, "hint": did_you_mean(name, ids)}
        )
    return name


def _guide_dont_grade(text: str) -> str:
    found = _GRADING.search(text)
    if found:
        raise PydanticCustomError(
            "grading",
            "'{words}' grades individuals — guide, don't grade: write advice about the team and its process",
            {"words": found.group(0)},
        )
    return text


MetricId = Annotated[str, AfterValidator(_check_metric)]
Text = Annotated[str, AfterValidator(_guide_dont_grade)]
Direction = Literal["up", "down", "worsens", "improves"]


class _Strict(BaseModel):
    # NaN and infinities compare false (or true) with everything: a rule on one fires never or always.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_where(where: dict[str, str] | None) -> dict[str, str] | None:
    if where is None:
        return None
    tidy = {}
    for name, value in where.items():
        if name not in SEGMENT_FIELDS:
            raise PydanticCustomError(
                "where_field",
                "'where' cannot cut tickets by '{name}'{hint}",
                {"name": name, "hint": did_you_mean(name, list(SEGMENT_FIELDS))},
            )
        text = str(value).strip().lower()
        if name == "sla" and text not in ("breached", "met"):
            raise PydanticCustomError(
                "where_value", "'where: sla' is 'breached' or 'met', not '{value}'", {"value": value}
            )
        tidy[name] = text
    return tidy


# `where: {priority: urgent}` looks at the metric over the matching tickets only.
Where = Annotated[
    dict[str, Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^:@,=]+$")]] | None,
    AfterValidator(_check_where),
]


class _MetricCondition(_Strict):
    metric: MetricId
    part: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_-]*$",
        description="one part of a split metric, e.g. a department of Time to Smile, or 'outside_support'",
    )
    min_n: int = Field(0, ge=0, description="weeks whose sample is smaller than this are ignored")
    where: Where = Field(None, description="a cut of the tickets: priority, type, tag, channel, product, sla")

    def __hash__(self) -> int:  # `where` is a dict; conditions are cached by value
        return hash((type(self), self.model_dump_json()))


def _needs_direction_sense(metric: str, direction: str) -> None:
    if direction in ("worsens", "improves") and load_definitions().get(metric).better == "context":
        raise PydanticCustomError(
            "context_direction",
            "'{direction}' needs a metric with a better direction, "
            "but '{metric}' depends on context — use 'up' or 'down'",
            {"direction": direction, "metric": metric},
        )


class Threshold(_MetricCondition):
    """The latest value is above or below a fixed line."""

    kind: Literal["threshold"]
    above: float | None = None
    below: float | None = None

    @field_validator("above", "below")
    @classmethod
    def _on_scale(cls, value: float | None, info: ValidationInfo) -> float | None:
        return threshold_on_scale(value, info.data.get("metric"))

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.above is None) == (self.below is None):
            raise PydanticCustomError("one_bound", "a threshold needs exactly one of 'above' or 'below'")
        return self


class _Sized(_MetricCondition):
    direction: Direction
    by: float | None = Field(None, ge=0, description="at least this much, in the metric's unit")
    by_percent: float | None = Field(None, ge=0, description="at least this many percent of the earlier value")

    @field_validator("by")
    @classmethod
    def _fits_scale(cls, value: float | None, info: ValidationInfo) -> float | None:
        """A change wider than the metric's whole range can never happen."""
        return change_fits_scale(value, info.data.get("metric"))

    @model_validator(mode="after")
    def _sense(self) -> _Sized:
        _needs_direction_sense(self.metric, self.direction)
        if self.by is not None and self.by_percent is not None:
            raise PydanticCustomError("one_size", "give 'by' or 'by_percent', not both")
        return self


class Change(_Sized):
    """The value now against the value `weeks` earlier (each a mean of `smooth` weeks)."""

    kind: Literal["change"]
    weeks: int = Field(ge=1, le=104)
    smooth: int = Field(1, ge=1, le=13)


class Trend(_Sized):
    """A least-squares slope over the last `weeks` weeks, trusted only on enough answers."""

    kind: Literal["trend"]
    weeks: int = Field(ge=3, le=104)
    min_total_n: int = Field(0, ge=0)
    min_t: float = Field(2.0, ge=0, description="how many standard errors the slope must clear")


class VersusTeams(_Sized):
    """The latest value against the median of the other teams that week."""

    kind: Literal["versus_teams"]
    min_teams: int = Field(3, ge=1)


class VersusBaseline(_Sized):
    """The mean of the last `recent_weeks` against the mean of the `baseline_weeks` before."""

    kind: Literal["versus_baseline"]
    recent_weeks: int = Field(4, ge=1, le=52)
    baseline_weeks: int = Field(13, ge=2, le=104)
    min_total_n: int = Field(0, ge=0, description="answers needed in the recent weeks together")
    min_t: float = Field(2.0, ge=0, description="how many standard errors the difference must clear")


class Diverging(_Strict):
    """One metric holds steady while another worsens: the gap one number alone would hide.

    Both compare the mean of the last `weeks` weeks with the `baseline_weeks` before, which
    copes with a step change as well as a slide.
    """

    kind: Literal["diverging"]
    steady: MetricId
    within: float = Field(ge=0, description="the steady metric's mean moves by at most this much")
    worsening: MetricId
    by: float = Field(gt=0, description="the other metric's mean worsens by at least this much")
    weeks: int = Field(ge=1, le=52)
    baseline_weeks: int = Field(13, ge=2, le=104)
    min_n: int = Field(0, ge=0)
    min_t: float = Field(2.0, ge=0, description="how many standard errors the worsening must clear")
    where: Where = Field(None, description="a cut of the tickets both metrics are read over")

    def __hash__(self) -> int:
        return hash((type(self), self.model_dump_json()))

    @model_validator(mode="after")
    def _sense(self) -> Diverging:
        _needs_direction_sense(self.worsening, "worsens")
        return self


class Freshness(_Strict):
    """The metric has a value no older than `max_age_weeks` (0 = this week)."""

    kind: Literal["freshness"]
    metric: MetricId
    max_age_weeks: int = Field(ge=0, le=104)


def _check_signal(name: str, info: ValidationInfo) -> str:
    """Signal names come from the registry the caller passes as validation context
    (`{"signals": {name: meaning}}`), so the rule language knows no producer of signals."""
    known = (info.context or {}).get("signals") or {}
    if name not in known:
        raise PydanticCustomError(
            "unknown_metric", "unknown signal '{name}'{hint}", {"name": name, "hint": did_you_mean(name, list(known))}
        )
    return name


class Signal(_Strict):
    """A per-team number the caller computes beyond metrics (from the case index, driver analysis)."""

    kind: Literal["signal"]
    name: Annotated[str, AfterValidator(_check_signal)]
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Signal:
        if (self.above is None) == (self.below is None):
            raise PydanticCustomError("one_bound", "a signal condition needs exactly one of 'above' or 'below'")
        return self


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


LEAF_KINDS = ("threshold", "change", "trend", "versus_teams", "versus_baseline", "diverging", "freshness", "signal")
GROUP_KINDS = ("all", "any", "not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return getattr(value, "kind", None) or {AllOf: "all", AnyOf: "any", NotOf: "not"}.get(type(value))
    if not isinstance(value, dict):
        return None
    if "kind" in value:
        return value["kind"] if value["kind"] in LEAF_KINDS else None
    groups = [k for k in GROUP_KINDS if k in value]
    return groups[0] if len(groups) == 1 else None


Condition = Annotated[
    Annotated[Threshold, Tag("threshold")]
    | Annotated[Change, Tag("change")]
    | Annotated[Trend, Tag("trend")]
    | Annotated[VersusTeams, Tag("versus_teams")]
    | Annotated[VersusBaseline, Tag("versus_baseline")]
    | Annotated[Diverging, Tag("diverging")]
    | Annotated[Freshness, Tag("freshness")]
    | Annotated[Signal, Tag("signal")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_kind",
        custom_error_message="expected a condition: a mapping with 'kind' (one of "
        + ", ".join(LEAF_KINDS)
        + ") or one of all/any/not",
    ),
]
LEAF_MODELS: dict[str, type[BaseModel]] = {
    "threshold": Threshold,
    "change": Change,
    "trend": Trend,
    "versus_teams": VersusTeams,
    "versus_baseline": VersusBaseline,
    "diverging": Diverging,
    "freshness": Freshness,
    "signal": Signal,
}
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


def _one_of(field: str, allowed: tuple[str, ...]):
    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "one_of",
                "'{field}' must be one of {allowed}; got '{value}'{hint}",
                {"field": field, "allowed": ", ".join(allowed), "value": value, "hint": did_you_mean(value, allowed)},
            )
        return value

    return AfterValidator(check)


Stage = Annotated[str, _one_of("stage", STAGES)]


class StageRequirement(_Strict):
    dimension: Annotated[str, _one_of("dimension", DIMENSIONS)]
    min: Annotated[str, _one_of("min", STAGES)] = STAGES[0]
    max: Annotated[str, _one_of("max", STAGES)] = STAGES[-1]


class Requires(_Strict):
    stage: StageRequirement | None = None


class Example(_Strict):
    """Given weekly values (oldest first, the last is the current week), the rule fires or not."""

    name: str = ""
    given: dict[MetricId, list[float | None]] = Field(min_length=1)
    n: int | None = Field(None, ge=0, description="sample size of every given week")
    others: dict[str, dict[MetricId, list[float | None]]] = Field(default_factory=dict)
    details: dict[MetricId, dict[str, list[float]]] = Field(
        default_factory=dict, description="a split metric's parts per week, e.g. Time to Smile per department"
    )
    signals: dict[Annotated[str, AfterValidator(_check_signal)], float] = Field(default_factory=dict)
    stage: dict[str, Stage] = Field(default_factory=dict)
    fires: bool

    @field_validator("given")
    @classmethod
    def _given_on_scale(cls, given: dict[str, list[float | None]]) -> dict[str, list[float | None]]:
        examples_on_scale(given)
        return given

    @field_validator("others")
    @classmethod
    def _others_on_scale(cls, others: dict[str, dict[str, list[float | None]]]) -> dict:
        for given in others.values():
            examples_on_scale(given)
        return others


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=80)
    title: Text = Field(min_length=3, max_length=120)
    category: Literal["customer", "employee", "business", "knowledge", "acceleration"]
    when: Condition
    why: Text = Field(min_length=3, max_length=600)
    steps: list[Annotated[Text, Field(min_length=3, max_length=200, pattern=r"^[^\n]*$")]] = Field(
        min_length=1, max_length=8
    )
    impact: int = Field(ge=1, le=5)
    urgency: int = Field(ge=1, le=5)
    audience: list[Literal["lead", "agent", "exec"]] = Field(default_factory=lambda: ["lead"], min_length=1)
    cooldown: int = Field(14, ge=0, le=365, description="days before the same advice may repeat for a team")
    requires: Requires = Field(default_factory=Requires)
    target: MetricId | None = Field(None, description="the metric this step should move; checked after `horizon_weeks`")
    horizon_weeks: int = Field(3, ge=1, le=26)
    examples: list[Example] = Field(min_length=1)

    @field_validator("when", mode="before")
    @classmethod
    def _list_means_all(cls, value: Any) -> Any:
        return {"all": value} if isinstance(value, list) else value

    @model_validator(mode="after")
    def _why_fields(self) -> Rule:
        allowed = template_fields(self)
        for _, field, spec, conv in string.Formatter().parse(self.why):
            if field is None:
                continue
            if spec and not _SAFE_SPEC.match(spec):
                raise PydanticCustomError(
                    "why_field",
                    "'why' placeholder '{placeholder}' has an unsupported format; use e.g. :.1f or :+.0f",
                    {"placeholder": "{" + field + ":" + spec + "}"},
                )
            if conv or field not in allowed:
                hint = did_you_mean(field, sorted(allowed)) if field else ""
                raise PydanticCustomError(
                    "why_field",
                    "'why' uses unknown placeholder '{placeholder}'{hint}",
                    {"placeholder": "{" + field + "}", "hint": hint},
                )
        return self

    @property
    def weight(self) -> float:
        """impact × urgency on a 0..1 scale; the score multiplies it by the evidence strength."""
        return self.impact * self.urgency / 25.0


def condition_metrics(condition: Any) -> list[str]:
    """Every metric a condition looks at, in the order written."""
    if isinstance(condition, AllOf | AnyOf):
        return [
            m
            for child in (condition.all if isinstance(condition, AllOf) else condition.any)
            for m in condition_metrics(child)
        ]
    if isinstance(condition, NotOf):
        return condition_metrics(condition.not_)
    if isinstance(condition, Diverging):
        return [condition.steady, condition.worsening]
    if isinstance(condition, Signal):
        return [condition.name]
    return [condition.metric]


def condition_cuts(condition: Any) -> list[dict[str, str]]:
    """Every `where:` cut a condition reads, in the order written (the caller computes those series)."""
    if isinstance(condition, AllOf | AnyOf):
        kids = condition.all if isinstance(condition, AllOf) else condition.any
        return [w for child in kids for w in condition_cuts(child)]
    if isinstance(condition, NotOf):
        return condition_cuts(condition.not_)
    where = getattr(condition, "where", None)
    return [where] if where else []


def series_name(condition: Any, metric: str) -> str:
    """Where a condition's series lives in a history: the metric, or the metric over its cut."""
    return segment_metric(metric, getattr(condition, "where", None) or {})


def template_fields(rule: Rule) -> set[str]:
    fields = {"team", "period"}
    for metric in condition_metrics(rule.when):
        fields.update(f"{metric}_{suffix}" for suffix in EVIDENCE_FIELDS)
        if metric not in load_definitions().metrics:  # a signal: it also has a label
            fields.add(f"{metric}_label")
    return fields


class RuleFile(_Strict):
    rules: list[Rule] = Field(min_length=1)
