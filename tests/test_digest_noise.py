"""What the digest calls a change: beyond noise for its sample, material, and never on a handful
of answers; and a week where nothing happened is one line."""

from __future__ import annotations

import math

import pytest
from digest_support import LAST, flat_store, rules

from smartstep.digest.blocks import digest_message
from smartstep.digest.data import load_digest
from smartstep.digest.model import assemble_team
from smartstep.metrics.scorecard import ScoreRow
from smartstep.metrics.values import MetricValue
from smartstep.weeks import shift_week

PREV = shift_week(LAST, -1)


def share_ci(percent: float, n: int) -> tuple[float, float]:
    """A 90% normal-approximation interval for a share, computed here, not by the product."""
    half = 1.6449 * math.sqrt(percent / 100 * (1 - percent / 100) / n) * 100
    return (percent - half, percent + half)


def row(metric: str, before: float, now: float, n: int | None = None, ci: bool = False) -> ScoreRow:
    def value(period: str, v: float) -> MetricValue:
        return MetricValue("Alpha", metric, period, v, n=n, ci=share_ci(v, n) if ci and n else None)

    return ScoreRow("Alpha", metric, (value(PREV, before), value(LAST, now)))


def moved(*rows: ScoreRow) -> dict[str, str]:
    team = assemble_team("Alpha", LAST, list(rows))
    return {m.metric: m.text for m in team.moves}


def test_csat_swing_on_three_answers_is_not_a_change_but_the_same_swing_on_400_is() -> None:
    # 3 answers: 60% -> 100% is two people; the interval is wider than the move anyway.
    assert moved(row("csat", 60.0, 100.0, n=3, ci=True)) == {}
    # 400 answers: half-widths 3.3 and 2.5 points, combined 4.1 < 10 points of change.
    assert moved(row("csat", 80.0, 90.0, n=400, ci=True)) == {"csat": "CSAT 90.0% ↑ from 80.0% (better, n 400)"}
    # ...but 3 points on the same sample is within that 4.1.
    assert moved(row("csat", 80.0, 83.0, n=400, ci=True)) == {}


def test_one_nps_answer_never_counts_even_with_an_interval_that_looks_narrow_enough() -> None:
    one = ScoreRow(
        "Alpha",
        "nps",
        (
            MetricValue("Alpha", "nps", PREV, -50.0, n=2, ci=(-90.0, 20.0)),
            MetricValue("Alpha", "nps", LAST, 100.0, n=1, ci=(40.0, 100.0)),
        ),
    )
    assert moved(one) == {}


def test_exact_counts_must_move_materially() -> None:
    assert moved(row("backlog", 200.0, 203.0)) == {}  # 1.5% of 200
    assert moved(row("backlog", 20.0, 23.0)) == {}  # 15%, but only 3 tickets
    assert moved(row("backlog", 200.0, 260.0)) == {"backlog": "Backlog 260 ↑ from 200 (worse)"}


def test_unmoved_key_metrics_share_one_steady_line() -> None:
    team = assemble_team("Alpha", LAST, [row("backlog", 200.0, 201.0), row("fcr", 70.0, 70.2, n=300)])
    assert team.moves == ()
    assert team.steady == ("Backlog 201", "FCR 70.2%")


def test_a_quiet_week_is_one_all_steady_line(db, tmp_path) -> None:
    flat_store(db)
    digest = load_digest(db, rules(tmp_path), log=False)
    assert digest.period == LAST and digest.quiet
    message = digest_message(digest)
    assert [b["type"] for b in message["blocks"]] == ["header", "section"]
    assert message["blocks"][1]["text"]["text"] == (
        f"All steady in {LAST} for Alpha, Beta: nothing moved beyond noise and no step is due."
    )


def test_a_week_with_a_move_and_a_step_is_not_quiet(db, tmp_path) -> None:
    flat_store(db, backlog_alpha=[40.0] * 13 + [150.0])
    digest = load_digest(db, rules(tmp_path), log=False)
    alpha, beta = digest.teams
    assert not alpha.quiet and beta.quiet
    assert [m.text for m in alpha.moves] == ["Backlog 150 ↑ from a usual 40 (worse)"]
    assert [a.candidate.rule_id for a in digest.steps] == ["test.backlog_high"]
    text = str(digest_message(digest)["blocks"])
    assert "*Beta*: all steady" in text and "Backlog 150 ↑ from a usual 40 (worse)" in text


def _sunday(period: str):
    from datetime import timedelta

    from smartstep.weeks import week_start

    return week_start(period) + timedelta(days=6, hours=12)


def test_a_measured_step_shows_its_verdict_and_effect_in_the_week_it_is_measured(db, tmp_path) -> None:
    from datetime import timedelta

    from digest_support import put
    from scipy import stats

    from smartstep.advice.feedback import record_rating
    from smartstep.advice.pipeline import next_steps

    flat_store(db)
    advised = shift_week(LAST, -3)  # W43; done on the Monday of W44; a 2-week horizon: measured with W46
    put(db, "Alpha", "backlog", [40.0] * 6 + [150.0] * 6 + [60.0, 50.0])
    ruleset = rules(tmp_path)
    run = next_steps(db, ruleset, k=5, as_of=_sunday(advised))
    [step] = run.advice
    record_rating(db, step.advice_id, "ULEAD", "done", at=_sunday(advised) + timedelta(days=1))
    before_due = load_digest(db, ruleset, as_of=_sunday(PREV), log=False)
    assert [o.verdict.value for t in before_due.teams for o in t.outcomes] == []  # W45 only: not measured yet
    digest = load_digest(db, ruleset, as_of=_sunday(LAST), log=False)
    [alpha] = [t for t in digest.teams if t.team == "Alpha"]
    [outcome] = alpha.outcomes
    # Independently: Beta stayed at 40, so the effect is Alpha's own change, 55 - 150, with a t interval
    # from the week-to-week spread inside the two windows (4 weeks before, 2 after, df 4).
    spread = (sum((v - 55) ** 2 for v in (60, 50)) / 4) ** 0.5
    half = stats.t.ppf(0.95, 4) * spread * (1 / 4 + 1 / 2) ** 0.5
    assert outcome.verdict.value == "worked" and outcome.effect == -95
    assert outcome.interval[0] == pytest.approx(-95 - half, abs=0.01)
    assert outcome.interval[1] == pytest.approx(-95 + half, abs=0.01)
    line = "Outcome: Backlog is above what the team can clear: *worked*: Backlog 150 → 55; other teams (Beta) moved 0"
    assert line in str(digest_message(digest)["blocks"])
    assert f"effect −95 tickets, 90% interval −{95 + half:.0f} to −{95 - half:.0f} tickets" in outcome.text


def test_a_step_done_this_week_says_when_it_will_be_measured(db, tmp_path) -> None:
    from datetime import timedelta

    from digest_support import put

    from smartstep.advice.feedback import record_rating
    from smartstep.advice.pipeline import next_steps

    flat_store(db)
    put(db, "Beta", "backlog", [40.0] * 12 + [150.0, 160.0])
    ruleset = rules(tmp_path)
    run = next_steps(db, ruleset, k=5, as_of=_sunday(PREV))
    record_rating(db, run.advice[0].advice_id, "ULEAD", "done", at=_sunday(PREV) + timedelta(days=1))  # in W46
    digest = load_digest(db, ruleset, as_of=_sunday(LAST), log=False)
    [beta] = [t for t in digest.teams if t.team == "Beta"]
    assert [o.verdict.value for o in beta.outcomes] == ["too early"]
    due = shift_week(LAST, 2)
    assert f"*too early* to tell: measured once {due} is in" in str(digest_message(digest)["blocks"])


def test_twenty_busy_teams_fit_in_one_slack_message() -> None:
    from smartstep.digest.model import CallBack, Digest

    teams = tuple(
        assemble_team(
            f"Team {i:02d}",
            LAST,
            [
                ScoreRow(
                    f"Team {i:02d}",
                    "backlog",
                    (
                        MetricValue(f"Team {i:02d}", "backlog", PREV, 100.0),
                        MetricValue(f"Team {i:02d}", "backlog", LAST, 160.0),
                    ),
                )
            ],
            callbacks=(CallBack(f"S{i}", f"T{i}", "nps", 2.0),),
            callbacks_total=1,
        )  # fmt: skip
        for i in range(20)
    )
    message = digest_message(Digest(LAST, teams))
    assert len(message["blocks"]) <= 50
    text = str(message["blocks"])
    assert all(f"*Team {i:02d}*" in text for i in range(20))
    assert text.count("Backlog 160 ↑ from 100 (worse)") == 20
