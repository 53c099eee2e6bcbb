"""The one decision (metrics.noise.judge): moved, drifting, steady or too few to tell, on series
written here with their sampling noise computed here (not by the product)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smartstep.metrics.noise import chart_points, differs, judge, too_few_to_tell
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week

NOW = "2026-W46"


def share_ci(percent: float, n: int) -> tuple[float, float]:
    half = 1.6449 * math.sqrt(max(percent / 100 * (1 - percent / 100), 1 / n) / n) * 100
    return (percent - half, percent + half)


def series(metric: str, values: list[float], n: int | list[int] | None = None, ci: bool = False) -> list[MetricValue]:
    sizes = n if isinstance(n, list) else [n] * len(values)
    start = shift_week(NOW, -(len(values) - 1))
    return [
        MetricValue("A", metric, shift_week(start, i), v, n=s, ci=share_ci(v, s) if ci and s else None)
        for i, (v, s) in enumerate(zip(values, sizes, strict=True))
    ]


def test_no_reopens_in_a_week_at_the_usual_five_percent_is_not_news() -> None:
    # 0 of 40 happens 13% of the time at 5%: a score test says so; the week's own "0% +- 0" would not.
    weeks = series("reopen_rate", [5.0, 4.0, 6.0, 5.5, 4.5, 5.0, 6.5, 4.0, 5.0, 5.5, 4.5, 5.0, 0.0], n=40, ci=True)
    assert judge(weeks).status == "steady"


def test_a_real_drop_in_csat_on_a_big_sample_is_a_move_against_the_usual_level() -> None:
    usual = [85.0, 86.0, 84.0, 85.5, 84.5, 85.0, 86.5, 84.0, 85.0, 85.5, 84.5, 85.0]
    judgement = judge(series("csat", [*usual, 72.0], n=300, ci=True))
    assert judgement.moved and judgement.direction == "down" and judgement.good is False
    assert judgement.baseline == pytest.approx(float(np.median(usual)))
    assert judgement.baseline_weeks == 12
    # Three points on the same sample is inside the noise.
    assert judge(series("csat", [*usual, 82.0], n=300, ci=True)).status == "steady"


def test_small_weeks_are_judged_four_weeks_pooled_and_below_that_too_few_to_tell() -> None:
    values = [85.0] * 12 + [60.0, 62.0, 58.0, 61.0]
    pooled = judge(series("csat", values, n=12, ci=True))  # 12 a week < 30; 48 in 4 weeks
    assert pooled.weeks == 4 and pooled.n == 48 and pooled.moved
    assert pooled.value == pytest.approx(60.25)
    tiny = series("csat", values, n=3, ci=True)  # 12 in 4 weeks: nothing to say
    assert judge(tiny).too_few and too_few_to_tell(tiny)
    assert judge(tiny).words == "too few answers to tell"
    assert judge(series("fcr", values, n=3)).words == "too few tickets to tell"


def test_ticket_volume_is_judged_against_the_teams_own_overdispersion() -> None:
    # Weekly volumes that swing +-20% (far more than Poisson's +-8%): a 25% week is ordinary here.
    bursty = [150, 120, 180, 140, 165, 125, 175, 135, 160, 145, 130, 170]
    assert judge(series("ticket_volume", [*bursty, 190], n=[*bursty, 190])).status == "steady"
    assert judge(series("ticket_volume", [*bursty, 330], n=[*bursty, 330])).moved


def test_counts_must_move_by_what_a_lead_would_act_on() -> None:
    flat = [200.0, 198.0, 202.0, 200.0, 201.0, 199.0, 200.0, 200.0, 202.0, 198.0, 200.0, 201.0]
    assert judge(series("backlog", [*flat, 204.0])).status == "steady"  # beyond a flat series, but 2%
    assert judge(series("backlog", [2.0] * 12 + [5.0])).status == "steady"  # +150%, but 3 tickets
    assert judge(series("backlog", [40.0] * 12 + [150.0])).moved


def test_a_slow_drift_no_single_week_shows_is_found_by_the_trend_test() -> None:
    rng = np.random.default_rng(4)
    drift = list(5.8 - 0.06 * np.arange(13) + rng.normal(0, 0.05, 13))
    weekly = series("ces", drift, n=400, ci=False)
    judgement = judge(weekly)
    assert judgement.drifting and judgement.direction == "down" and judgement.trend_p < 0.002
    noise = list(5.5 + rng.normal(0, 0.15, 13))
    assert judge(series("ces", noise, n=400)).status == "steady"


def test_the_first_week_of_a_team_has_nothing_to_compare_with() -> None:
    assert judge(series("backlog", [12.0])).status == "no_history"


def test_two_single_weeks_differ_only_beyond_both_samples_and_materially() -> None:
    before, after = series("csat", [80.0, 90.0], n=400, ci=True)
    assert differs(after, before)
    before, after = series("csat", [60.0, 100.0], n=3, ci=True)
    assert not differs(after, before)  # two people


def test_charts_draw_small_weeks_pooled_or_not_at_all() -> None:
    points = dict(chart_points(series("csat", [100.0, 0.0, 100.0, 50.0], n=[40, 2, 40, 40], ci=True)))
    # The 2-answer week is drawn as its 4-week pool (100, 0 on 42 answers), never as a plunge to 0%.
    assert points[shift_week(NOW, -2)] == pytest.approx((100 * 40 + 0 * 2) / 42)
    assert min(points.values()) > 40
    assert chart_points(series("csat", [90.0, 80.0], n=2, ci=True)) == []
