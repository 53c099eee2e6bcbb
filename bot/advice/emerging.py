"""When a topic is new or growing: beyond its own trailing noise, and across enough customers.

A topic's weekly ticket counts are compared with what its own trailing weeks allow. The usual
rate is the mean of the weeks before the recent ones (weeks before the topic's first ticket count
as zero, so a brand-new topic counts from its first week); the spread is a negative binomial with
the over-dispersion those weeks show (variance / mean, never below Poisson's 1), so a topic that
always swings widely needs a bigger jump. The recent weeks' total must pass the upper
`1 - false_alarm` quantile of that distribution *and* be `growth` times the usual rate: beyond
noise and big enough to act on. Then who reported it decides what it is:

- emerging: at least `min_customers` distinct customers, none holding `account_share` of the tickets;
- an account problem: one customer holds that share (25 tickets from one account is that account's
  trouble, not a trend, and is reported apart);
- growing among few customers: neither yet; said so, never called emerging.

Pure: counts in, a decision out. The thresholds are data (`data/topics.yaml`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml
from scipy import stats

EMERGING = "emerging"
ACCOUNT = "account problem"
FEW_CUSTOMERS = "growing among few customers"
STEADY = "steady"


@dataclass(frozen=True)
class Thresholds:
    window_weeks: int = 12
    recent_weeks: int = 2
    false_alarm: float = 0.001
    growth: float = 1.5
    new_rate: float = 0.25
    min_tickets: int = 8
    min_customers: int = 5
    account_share: float = 0.5
    min_topic_tickets: int = 5
    sample_tickets: int = 10
    min_answers: int = 10
    grouping: dict[str, float] = field(default_factory=dict)


@cache
def load_thresholds() -> Thresholds:
    """The shipped thresholds (`data/topics.yaml`); unknown keys are refused so a typo never goes unnoticed."""
    raw = yaml.safe_load(resources.files("smartstep").joinpath("data/topics.yaml").read_text(encoding="utf-8"))
    unknown = set(raw) - set(Thresholds.__dataclass_fields__)
    if unknown:
        raise ValueError(f"topics.yaml: unknown setting(s) {', '.join(sorted(unknown))}")
    return Thresholds(**raw)


@cache
def min_samples(metric: str) -> int:
    """The minimum sample of a metric: its `signal.min_n` in metrics.yaml when set, else topics.yaml's."""
    raw = yaml.safe_load(resources.files("smartstep").joinpath("data/metrics.yaml").read_text(encoding="utf-8"))
    for item in raw.get("metrics", []):
        signal: Any = item.get("signal") if isinstance(item, dict) else None
        if item.get("id") == metric and isinstance(signal, dict) and signal.get("min_n"):
            return int(signal["min_n"])
    return load_thresholds().min_answers


@dataclass(frozen=True)
class Growth:
    """The decision about one topic's recent weeks, with the numbers behind it."""

    status: str  # emerging | account problem | growing among few customers | steady
    recent_tickets: int
    recent_customers: int
    usual_per_week: float  # the trailing weeks' mean
    upper_bound: int  # the most tickets the recent weeks could hold by noise alone
    growth: float | None  # recent weekly rate / usual rate; None for a topic with no tickets before
    new: bool  # no ticket before the recent weeks
    top_customer: str | None = None
    top_customer_tickets: int = 0

    @property
    def emerging(self) -> bool:
        return self.status == EMERGING

    @property
    def growing(self) -> bool:
        return self.status in (EMERGING, ACCOUNT, FEW_CUSTOMERS)


def upper_bound(usual_per_week: float, dispersion: float, weeks: int, false_alarm: float) -> int:
    """The `1 - false_alarm` quantile of a `weeks`-week total: Poisson, or negative binomial when over-dispersed."""
    mean = usual_per_week * weeks
    if dispersion <= 1.0 + 1e-9:
        return int(stats.poisson.ppf(1 - false_alarm, mean))
    size = mean / (dispersion - 1.0)  # variance = mean * dispersion
    return int(stats.nbinom.ppf(1 - false_alarm, size, 1.0 / dispersion))


def judge_growth(weekly: list[int], customers: list[str], t: Thresholds) -> Growth:
    """`weekly`: the topic's tickets per week, oldest first (the last `recent_weeks` are "now");
    `customers`: the customer of each recent ticket ("" when unknown: never counted as a customer)."""
    recent_n = min(t.recent_weeks, len(weekly))
    trailing = np.asarray(weekly[: len(weekly) - recent_n], dtype=float)
    recent = int(sum(weekly[len(weekly) - recent_n :]))
    new = not trailing.size or not trailing.any()
    usual = float(trailing.mean()) if trailing.size else 0.0
    dispersion = 1.0
    if trailing.size >= 3 and usual > 0:
        dispersion = max(1.0, float(trailing.var(ddof=1)) / usual)
    bound = upper_bound(max(usual, t.new_rate), dispersion, recent_n, t.false_alarm)
    rate = recent / max(recent_n, 1)
    growth = None if usual == 0 else rate / usual
    known = [c for c in customers if c]
    counts: dict[str, int] = {}
    for c in known:
        counts[c] = counts.get(c, 0) + 1
    top, top_n = max(counts.items(), key=lambda kv: (kv[1], kv[0])) if counts else (None, 0)
    grew = recent >= t.min_tickets and recent > bound and (growth is None or growth >= t.growth)
    if not grew:
        status = STEADY
    elif recent and top_n / recent >= t.account_share:
        status = ACCOUNT
    elif len(counts) >= t.min_customers:
        status = EMERGING
    else:
        status = FEW_CUSTOMERS
    return Growth(status, recent, len(counts), round(usual, 2), bound, growth, new, top, top_n)
