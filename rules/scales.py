"""Numbers in a rule must be ones its metric can take: the `range` each metric has in metrics.yaml.

`csat below: 1e308` fires for every team every week and prints a 309-digit "was"; a CSAT
change of 150 points can never happen. Each check raises the pydantic error the loader turns
into a file:line:col problem on the value itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic_core import PydanticCustomError

from smartstep.definitions import load_definitions


def threshold_on_scale(value: float | None, metric: str | None) -> float | None:
    """`value` unchanged when `metric` can take it (a metric that failed its own check passes)."""
    why = None if value is None or metric is None else load_definitions().get(metric).outside(value)
    if why:
        raise PydanticCustomError("out_of_scale", "the threshold {value} is {why}", {"value": f"{value:g}", "why": why})
    return value


def change_fits_scale(value: float | None, metric: str | None) -> float | None:
    """`value` unchanged unless it is wider than the metric's whole (bounded) range."""
    low, high = load_definitions().get(metric).range if metric else (None, None)
    if value is not None and low is not None and high is not None and value > high - low:
        raise PydanticCustomError(
            "out_of_scale",
            "a change of {value} is wider than the whole {metric} range ({low} to {high})",
            {"value": f"{value:g}", "metric": metric, "low": f"{low:g}", "high": f"{high:g}"},
        )
    return value


def examples_on_scale(given: Mapping[str, Sequence[float | None]]) -> None:
    """Every weekly value an example gives is one its metric can take."""
    definitions = load_definitions()
    for metric, values in given.items():
        for value in values:
            why = None if value is None else definitions.get(metric).outside(value)
            if why:
                raise PydanticCustomError(
                    "out_of_scale", "the example value {value} is {why}", {"value": f"{value:g}", "why": why}
                )
