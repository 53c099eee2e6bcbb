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
        item["signal"] = SignalSpec(**item.get("signal", {}))
        metric = MetricDefinition(**item)
        if metric.category not in CATEGORIES:
            raise ValueError(f"metrics.yaml: metric {metric.id!r} has unknown category {metric.category!r}")
        if metric.signal.model not in MODELS:
            raise ValueError(f"metrics.yaml: metric {metric.id!r} has unknown signal model {metric.signal.model!r}")
        metrics[metric.id] = metric
    return Definitions(metrics=metrics, parameters={k: float(v) for k, v in raw["parameters"].items()})


def metric_ids() -> tuple[str, ...]:
    return load_definitions().ids
