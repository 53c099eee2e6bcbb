"""The per-team signals the advisor can compute beyond metrics, with what each means.

This is the registry the rule base is checked against (`load_rules(path, signal_registry())`):
the rule language itself knows no producer of signals, so adding one means a line here and its
computation in `rule_inputs.load_signals`."""

from __future__ import annotations

from functools import cache

REPEATED_PROBLEM = (
    "solved tickets in a team's largest group of alike problems, none citing a knowledge article, over the last 8 weeks"
)

EMERGING_TOPIC = (
    "tickets in the last 2 weeks of a team's biggest topic that grew beyond its own noise and was reported by "
    "enough distinct customers (data/topics.yaml), over the last 12 weeks"
)


@cache
def signal_registry() -> dict[str, str]:
    """Signal name -> meaning, for every signal a rule may name."""
    from smartstep.drivers.factors import DRIVER_SIGNALS

    return {"repeated_problem": REPEATED_PROBLEM, "emerging_topic": EMERGING_TOPIC, **DRIVER_SIGNALS}
