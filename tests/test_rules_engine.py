"""The engine on small hand-made histories: each condition kind, its noise guard, scores, cooldowns."""

from __future__ import annotations

from typing import Any

import pytest

from smartstep.metrics.values import History, MetricValue
from smartstep.rules.engine import Facts, LastFired, evaluate
from smartstep.rules.model import Rule
from smartstep.weeks import shift_week

NOW = "2026-W20"


def history(teams: dict[str, dict[str, list[float | None]]], n: int | None = 50, ci: float | None = None) -> History:
    """Weekly values per team and metric, oldest first, the last one in week NOW."""
    out: History = {}
    for team, metrics in teams.items():
        for metric, values in metrics.items():
            last = len(values) - 1
            out[(team, metric)] = [
                MetricValue(
                    team, metric, shift_week(NOW, i - last), v, n=n, ci=None if ci is None else (v - ci, v + ci)
                )
                for i, v in enumerate(values)
                if v is not None
            ]
    return out


def rule(when: Any, why: str = "for {team}", **extra: Any) -> Rule:
    data = {
        "id": "test.rule",
        "title": "A test rule",
        "category": "customer",
        "when": when,
        "why": why,
        "steps": ["Do the thing."],
        "impact": 4,
        "urgency": 5,
        "examples": [{"given": {"csat": [1]}, "fires": False}],
        **extra,
    }
    return Rule.model_validate(data)


def fired(r: Rule, h: History, facts: Facts | None = None) -> dict[str, Any]:
    return {c.team: c for c in evaluate([r], h, NOW, facts).candidates}


def test_threshold_fires_past_the_line_with_evidence() -> None:
    r = rule(
        {"kind": "threshold", "metric": "backlog", "above": 100},
        why="{team}: backlog {backlog_value} (line {backlog_threshold}, was {backlog_previous})",
    )
    got = fired(r, history({"A": {"backlog": [90, 130]}, "B": {"backlog": [130, 95]}}))
    assert list(got) == ["A"]
    (ev,) = got["A"].evidence
    # The line is said to be a line; "was" is the real earlier week, never the threshold.
    assert (ev.metric, ev.value, ev.previous, ev.change, ev.period, ev.n) == ("backlog", 130, 90, 40, NOW, 50)
    assert (ev.basis, ev.threshold) == ("threshold", 100)
    assert got["A"].why == "A: backlog 130 (line 100, was 90)"
    assert got["A"].evidence[0].as_dict()["threshold"] == 100


def test_threshold_ignores_small_samples() -> None:
    r = rule({"kind": "threshold", "metric": "csat", "below": 80, "min_n": 20})
    assert fired(r, history({"A": {"csat": [60]}}, n=8)) == {}
    assert list(fired(r, history({"A": {"csat": [60]}}, n=40))) == ["A"]
    # 25 answers pass the rule's own minimum but not CSAT's (30 in metrics.yaml): too few to tell...
    assert fired(r, history({"A": {"csat": [60]}}, n=25)) == {}
    # ...unless the weeks before make up the sample: then the pooled 4 weeks are judged.
    assert list(fired(r, history({"A": {"csat": [62, 58, 61, 60]}}, n=25))) == ["A"]


def test_change_worsens_absolute_and_relative() -> None:
    h = history({"A": {"csat": [90, 88, 86, 84, 80]}, "B": {"csat": [90, 90, 89, 90, 88]}})
    r = rule({"kind": "change", "metric": "csat", "direction": "worsens", "weeks": 4, "by": 5})
    got = fired(r, h)
    assert list(got) == ["A"]
    ev = got["A"].evidence[0]
    assert (ev.value, ev.previous, ev.change) == (80, 90, -10)
    # 10% of 90 is 9: A fell 10 (fires); with 12% (10.8) it does not
    assert list(fired(rule({**r.when.model_dump(), "by": None, "by_percent": 10}), h)) == ["A"]
    assert fired(rule({**r.when.model_dump(), "by": None, "by_percent": 12}), h) == {}


def test_change_within_the_confidence_intervals_does_not_fire() -> None:
    r = rule({"kind": "change", "metric": "nps", "direction": "worsens", "weeks": 1, "by": 5})
    values = {"A": {"nps": [40, 30]}}
    assert list(fired(r, history(values, ci=3))) == ["A"]  # 10 points against ±3: real
    assert fired(r, history(values, ci=20)) == {}  # 10 points against ±20 on 12 answers: noise


def test_change_smoothed_over_weeks() -> None:
    # means of 2 weeks: now (78+72)/2 = 75, four weeks earlier (100+90)/2 = 95 -> a fall of 20, clear
    # of the team's usual week-to-week move (about 4)
    h = history({"A": {"backlog": [100, 90, 86, 82, 78, 72]}})
    r = rule({"kind": "change", "metric": "backlog", "direction": "down", "weeks": 4, "smooth": 2, "by": 15})
    ev = fired(r, h)["A"].evidence[0]
    assert (ev.value, ev.previous, ev.change) == (75, 95, -20)


def test_trend_needs_a_slope_clear_of_noise() -> None:
    steady = [5.6, 5.5, 5.3, 5.2, 5.0, 4.8]
    zigzag = [5.6, 4.6, 5.7, 4.7, 5.6, 4.8]  # same ends, no real trend
    h = history({"A": {"ces": steady}, "B": {"ces": zigzag}})
    r = rule({"kind": "trend", "metric": "ces", "direction": "worsens", "weeks": 6, "by": 0.3})
    got = fired(r, h)
    assert list(got) == ["A"]
    ev = got["A"].evidence[0]
    assert (ev.value, ev.previous, ev.n) == (4.8, 5.6, 300)


def test_trend_ignores_weeks_with_few_answers() -> None:
    r = rule({"kind": "trend", "metric": "ces", "direction": "worsens", "weeks": 6, "min_n": 20})
    h = history({"A": {"ces": [5.6, 5.5, 5.3, 5.2, 5.0, 4.8]}}, n=6)
    assert fired(r, h) == {}
    r_total = rule({"kind": "trend", "metric": "ces", "direction": "worsens", "weeks": 6, "min_total_n": 100})
    assert fired(r_total, h) == {}  # 6 weeks x 6 answers = 36 < 100
    assert list(fired(r_total, history({"A": {"ces": [5.6, 5.5, 5.3, 5.2, 5.0, 4.8]}}, n=20))) == ["A"]


def test_versus_teams_against_the_median_of_the_others() -> None:
    h = history({"A": {"fcr": [70]}, "B": {"fcr": [80]}, "C": {"fcr": [85]}, "D": {"fcr": [90]}})
    r = rule({"kind": "versus_teams", "metric": "fcr", "direction": "worsens", "by": 10})
    got = fired(r, h)
    assert list(got) == ["A"]  # A: others 80, 85, 90 -> median 85, 15 below; B: median of 70, 85, 90 is 85, 5 below
    ev = got["A"].evidence[0]
    assert (ev.value, ev.previous, ev.change) == (70, 85, -15)
    assert fired(rule({**r.when.model_dump(), "min_teams": 4}), h) == {}


def test_versus_own_baseline() -> None:
    base = [80.0] * 6 + [82.0] * 7  # 13 weeks, mean 81.0769...
    recent = [70.0, 72.0, 71.0, 71.0]  # mean 71
    h = history({"A": {"csat": base + recent}, "B": {"csat": base + [81, 80, 82, 81]}})
    r = rule({"kind": "versus_baseline", "metric": "csat", "direction": "worsens", "by": 5})
    got = fired(r, h)
    assert list(got) == ["A"]
    ev = got["A"].evidence[0]
    assert ev.value == 71 and ev.previous == pytest.approx(80 * 6 / 13 + 82 * 7 / 13, abs=1e-4)


def test_diverging_satisfaction_steady_while_effort_worsens() -> None:
    when = {
        "kind": "diverging",
        "steady": "csat",
        "within": 3,
        "worsening": "ces",
        "by": 0.4,
        "weeks": 4,
        "baseline_weeks": 6,
    }
    r = rule(when, why="CES {ces_previous} -> {ces_value} while CSAT {csat_value}")
    ces = [5.6, 5.5, 5.7, 5.6, 5.5, 5.7, 4.9, 4.8, 4.7, 4.8]  # baseline mean 5.6, last 4 weeks 4.8
    h = history(
        {
            "A": {"csat": [88, 89, 88, 88, 89, 88, 88, 89, 87, 88], "ces": ces},
            "B": {"csat": [88, 89, 88, 88, 89, 88, 80, 79, 78, 79], "ces": ces},
        }
    )
    got = fired(r, h)
    assert list(got) == ["A"]  # in B both fall: not a hidden gap
    assert got["A"].why == "CES 5.6 -> 4.8 while CSAT 88"
    assert [e.metric for e in got["A"].evidence] == ["ces", "csat"]


def test_freshness() -> None:
    h = history({"A": {"csat": [80, None, None]}, "B": {"csat": [80, 81, None]}})
    r = rule({"kind": "freshness", "metric": "csat", "max_age_weeks": 1})
    got = fired(r, h)
    assert list(got) == ["B"]
    assert got["B"].evidence[0].period == shift_week(NOW, -1)
    stale = rule({"not": {"kind": "freshness", "metric": "csat", "max_age_weeks": 1}})
    assert list(fired(stale, h)) == ["A"]


def test_all_any_not() -> None:
    h = history(
        {
            "A": {"csat": [70], "backlog": [50]},
            "B": {"csat": [90], "backlog": [150]},
            "C": {"csat": [90], "backlog": [50]},
        }
    )
    low = {"kind": "threshold", "metric": "csat", "below": 80}
    big = {"kind": "threshold", "metric": "backlog", "above": 100}
    assert sorted(fired(rule({"any": [low, big]}), h)) == ["A", "B"]
    assert fired(rule({"all": [low, big]}), h) == {}
    assert sorted(fired(rule([{"not": low}, {"not": big}]), h)) == ["C"]


def test_why_placeholder_of_an_unfired_branch_reads_na() -> None:
    low = {"kind": "threshold", "metric": "csat", "below": 80}
    big = {"kind": "threshold", "metric": "backlog", "above": 100}
    r = rule({"any": [low, big]}, why="CSAT {csat_value:.0f}, backlog {backlog_value:.0f}")
    got = fired(r, history({"A": {"csat": [70], "backlog": [50]}}))
    assert got["A"].why == "CSAT 70, backlog n/a"


def test_stage_requirement_needs_a_known_stage_in_range() -> None:
    r = rule(
        {"kind": "threshold", "metric": "csat", "below": 80},
        requires={"stage": {"dimension": "knowledge", "min": "professional"}},
    )
    h = history({"A": {"csat": [70]}})
    assert fired(r, h) == {}
    assert fired(r, h, Facts(stages={"knowledge": "managed"})) == {}
    assert list(fired(r, h, Facts(stages={"knowledge": "proactive"}))) == ["A"]


def test_score_is_impact_times_urgency_times_strength_and_ranks_best_first() -> None:
    r = rule({"kind": "threshold", "metric": "backlog", "above": 100})
    # flat history: noise is the 2% floor of the mean, so A (far past) is strong and B (just past) weak
    h = history({"A": {"backlog": [200] * 13}, "B": {"backlog": [100] * 12 + [101]}})
    got = evaluate([r], h, NOW).candidates
    assert [c.team for c in got] == ["A", "B"]
    for c in got:
        assert c.score == pytest.approx(4 * 5 / 25 * c.strength, abs=1e-3)
        assert 0.25 <= c.strength <= 1
    assert got[0].strength > 0.95 and got[1].strength < 0.6


def test_cooldown_holds_back_repeats_unless_evidence_got_worse() -> None:
    r = rule({"kind": "threshold", "metric": "backlog", "above": 100}, cooldown=14)
    h = history({"A": {"backlog": [100] * 12 + [104]}})
    now = evaluate([r], h, NOW).candidates[0]

    def after(period: str, strength: float) -> tuple[list[str], list[str]]:
        facts = Facts(last_fired={("test.rule", "A"): LastFired(period, strength)})
        result = evaluate([r], h, NOW, facts)
        return [c.team for c in result.candidates], [c.team for c in result.held_back]

    assert after(shift_week(NOW, -1), now.strength) == ([], ["A"])  # 7 days ago, same evidence
    assert after(shift_week(NOW, -2), now.strength) == (["A"], [])  # 14 days: cooldown over
    assert after(shift_week(NOW, -1), now.strength - 0.2) == (["A"], [])  # evidence got worse
    assert after(NOW, now.strength) == (["A"], [])  # same week: the same advice, not a repeat


def test_worsens_follows_the_better_direction() -> None:
    h = history({"A": {"backlog": [50, 80]}, "B": {"backlog": [80, 50]}})
    r = rule({"kind": "change", "metric": "backlog", "direction": "worsens", "weeks": 1, "by": 10})
    assert list(fired(r, h)) == ["A"]
    r = rule({"kind": "change", "metric": "backlog", "direction": "improves", "weeks": 1, "by": 10})
    assert list(fired(r, h)) == ["B"]


def test_part_of_a_split_metric_outside_support() -> None:
    """Time to Smile split by department: only the days outside support count for this part."""
    weeks = 8
    out: History = {}
    for team, support_late in (("A", 1.0), ("B", 3.0)):
        out[(team, "time_to_smile_days")] = [
            MetricValue(
                team,
                "time_to_smile_days",
                shift_week(NOW, i - weeks + 1),
                total,
                detail={
                    "support": 1.0 if i < 4 else support_late,
                    "engineering": total - (1.0 if i < 4 else support_late),
                },
            )
            for i, total in enumerate([2.0, 2.0, 2.0, 2.0, 4.0, 4.0, 4.0, 4.0])
        ]
    when = {"kind": "versus_baseline", "metric": "time_to_smile_days", "part": "outside_support"}
    r = rule(when | {"direction": "worsens", "recent_weeks": 4, "baseline_weeks": 4, "by": 1})
    got = fired(r, out)
    assert list(got) == ["A"]  # A: 1 -> 3 days outside support; B: the extra days are inside support
    ev = got["A"].evidence[0]
    assert (ev.metric, ev.value, ev.previous, ev.label) == ("time_to_smile_days", 3.0, 1.0, "outside_support")


def test_baseline_needs_enough_answers_in_all() -> None:
    values = {"A": {"retention_rate": [90.0] * 13 + [70.0] * 4}}
    when = {"kind": "versus_baseline", "metric": "retention_rate", "direction": "worsens", "by": 5, "min_total_n": 30}
    assert fired(rule(when), history(values, n=2)) == {}  # 8 renewals in the last 4 weeks: too few to judge
    assert list(fired(rule(when), history(values, n=10))) == ["A"]


def test_one_wild_week_does_not_hide_a_real_drop() -> None:
    """The noise scale is the typical week-to-week move, so one outlier week cannot inflate it."""
    base = [30.0, 31, 29, 30, 30, 31, 29, 30, 75, 30, 31, 29, 30]  # one wild week (75)
    h = history({"A": {"survey_response_rate": base + [22, 21, 22, 21]}})
    r = rule({"kind": "versus_baseline", "metric": "survey_response_rate", "direction": "worsens", "by": 5})
    assert list(fired(r, h)) == ["A"]


def test_top_matches_the_full_ranking() -> None:
    r1 = rule({"kind": "threshold", "metric": "backlog", "above": 100})
    r2 = Rule.model_validate(r1.model_dump(by_alias=True) | {"id": "test.other", "impact": 2})
    h = history({t: {"backlog": [100] * 12 + [v]} for t, v in (("A", 150), ("B", 120), ("C", 300))})
    result = evaluate([r1, r2], h, NOW)
    ranked = [(c.rule_id, c.team) for c in result.candidates]
    # every jump is far past a flat line's noise, so strengths tie at the top: then team, then rule id
    assert ranked == [(i, t) for i in ("test.rule", "test.other") for t in "ABC"]
    assert [(c.rule_id, c.team) for c in result.top(2)] == ranked[:2]
    assert [(c.rule_id, c.team) for c in result.top(5, "B")] == [("test.rule", "B"), ("test.other", "B")]
    assert result.top(3, "nobody") == ()
