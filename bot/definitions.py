"""Metric definitions, read from `data/metrics.yaml`: the single source of metric facts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

Better = Literal["higher", "lower", "context"]
CATEGORIES = ("customer", "employee", "business", "knowledge", "acceleration")


MODELS = ("share", "nps", "mean", "median", "count", "level")


@dataclass(frozen=True)
class SignalSpec:
    """When a change of this metric counts (metrics.yaml `signal`; the decision is metrics.noise).

    `model` names the sampling model of one week's value; `min_n` the smallest sample a week (or the
    pooled weeks) must rest on; `change` and `percent` the smallest move a lead would act on, in the
    metric's unit and as a share of the usual level (both must hold)."""

    model: str = "level"
    min_n: int = 0
    counts: str = "tickets"
    change: float = 0.0
    percent: float = 0.0

    @property
    def sampled(self) -> bool:
        """Whether a week's value is an estimate from a sample (so its n matters)."""
        return self.model not in ("level",)


@dataclass(frozen=True)
class MetricDefinition:
    id: str
    name: str
    unit: str
    better: Better
    category: str
    kind: str
    week_of: str
    definition: str
    synonyms: tuple[str, ...] = ()
    drives: tuple[str, ...] = ()
    signal: SignalSpec = SignalSpec()
    range: tuple[float | None, float | None] = (None, None)
    """The lowest and highest value the metric can take (None: unbounded)."""

    def outside(self, value: float) -> str | None:
        """Why `value` cannot be this metric's (`outside the csat range (0 to 100)`), or None when it can."""
        low, high = self.range
        if (low is None or value >= low) and (high is None or value <= high):
            return None
        if high is None:
            return f"outside the {self.id} range ({low:g} or more)"
        if low is None:
            return f"outside the {self.id} range (at most {high:g})"
        return f"outside the {self.id} range ({low:g} to {high:g})"

    @property
    def short(self) -> str:
        """`Customer satisfaction (CSAT)` -> `CSAT`; `Time to Customer Value (Klever's Law)` ->
        `Time to Customer Value`: phones have narrow screens."""
        if "(" not in self.name:
            return self.name
        inner = self.name.split(" (")[-1].rstrip(")")
        return inner if inner.isupper() else self.name.split(" (")[0]

    def improved(self, change: float) -> bool | None:
        """Whether a change is good news; None for `context` metrics, where it depends."""
        if self.better == "context" or change == 0:
            return None
        return (change > 0) == (self.better == "higher")


@dataclass(frozen=True)
class Definitions:
    metrics: dict[str, MetricDefinition]
    parameters: dict[str, float]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.metrics)

    @property
    def survey_scores(self) -> tuple[str, ...]:
        """The metrics survey answers score (CSAT, NPS, CES): those counted in the week of the answer."""
        return tuple(m.id for m in self.metrics.values() if m.week_of == "responded_at")

    @property
    def survey_metrics(self) -> tuple[str, ...]:
        """Every metric computed from survey rows: the scores and the response rate (week of sending)."""
        return tuple(m.id for m in self.metrics.values() if m.week_of in ("responded_at", "sent_at"))

    def get(self, metric_id: str) -> MetricDefinition:
        return self.metrics[metric_id]

    def linked(self, a: str, b: str) -> bool:
        """Whether one metric drives the other, directly or through one metric in between."""

        def reach(start: str) -> set[str]:
            first = set(self.metrics[start].drives) if start in self.metrics else set()
            return first | {m for f in first if f in self.metrics for m in self.metrics[f].drives}

        return b in reach(a) or a in reach(b)


@cache
def load_definitions() -> Definitions:
    """Load the shipped definitions once per process; they are package data, not user input."""
    text = resources.files("smartstep").joinpath("data/metrics.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    metrics = {}
    for item in raw["metrics"]:
        item = dict(item)
        item["synonyms"] = tuple(item.get("synonyms", ()))
        item["drives"] = tuple(item.get("drives", ()))
        item["range"] = tuple(None if b is None else float(b) for b in item.get("range", (None, None)))
        item["signal"] = SignalSpec(**item.get("signal", {}))
        metric = MetricDefinition(**item)
        if metric.category not in CATEGORIES:
            raise ValueError(f"metrics.yaml: metric {metric.id!r} has unknown category {metric.category!r}")
        if metric.signal.model not in MODELS:
            raise ValueError(f"metrics.yaml: metric {metric.id!r} has unknown signal model {metric.signal.model!r}")
        metrics[metric.id] = metric
    return Definitions(metrics=metrics, parameters={k: float(v) for k, v in raw["parameters"].items()})


@dataclass(frozen=True)
class Maturity:
    """The maturity stages (lowest first) and the dimensions an organisation is placed on."""

    names: dict[int, str]  # 1 -> "Chaos", as the assessment shows them
    dimensions: tuple[str, ...]

    @property
    def stages(self) -> tuple[str, ...]:
        """Stage ids as rules write them ("chaos" .. "invisible"), lowest first."""
        return tuple(self.names[k].lower() for k in sorted(self.names))


@cache
def assessment_data() -> dict:
    """`data/assessment.yaml`: the one source of the maturity stages, dimensions and questions."""
    return yaml.safe_load(resources.files("smartstep").joinpath("data/assessment.yaml").read_text(encoding="utf-8"))


@cache
def load_maturity() -> Maturity:
    raw = assessment_data()
    return Maturity({int(k): str(v) for k, v in raw["stages"].items()}, tuple(raw["dimensions"]))


def metric_ids() -> tuple[str, ...]:
    return load_definitions().ids
