"""Did the step work? Verdicts against what would have happened anyway, on planted data: the
truth is planted here (seeded noise, a known effect or none), never computed by the product."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from candidates import candidate

from smartstep.advice.feedback import record_rating
from smartstep.advice.log import load_learning, log_advice
from smartstep.advice.outcomes import check_outcomes, load_outcomes
from smartstep.advice.ranking import Advice
from smartstep.advice.verdicts import Verdict
from smartstep.weeks import shift_week, week_start

START = "2026-W01"
RULE = "capacity.first_reply"
HORIZONS = {RULE: 3}
LEVELS = {"Alpha": 6.0, "Beta": 5.0, "Gamma": 4.0, "Delta": 7.0}  # first reply hours


def week(i: int) -> str:
    return shift_week(START, i)


def plant(db, team: str, values: list[float], metric: str = "first_reply_hours", n: int = 300) -> None:
    rows = [
        {"team": team, "metric": metric, "period": week(i), "value": v, "n": n, "source": "computed"}
        for i, v in enumerate(values)
    ]
    db["metric_values"].insert_all(rows, pk=("team", "metric", "period"), replace=True)


def noisy(rng: random.Random, level: float, weeks: int = 40, sd: float = 0.25) -> list[float]:
    return [level + rng.gauss(0, sd) for _ in range(weeks)]


def advise(db, team: str, at_week: int, metric: str = "first_reply_hours", rule: str = RULE) -> str:
    made = candidate(rule, team, 0.7, metric=metric, value=8.0, previous=6.0, period=week(at_week), title="Clear it")
    [logged] = log_advice(db, [Advice(made, 0.7)], "test", make_id=lambda: f"adv-{team}-{rule}-{at_week}")
    return logged.advice_id


def mark_done(db, advice_id: str, at_week: int, user: str = "ULEAD") -> None:
    """Done on the Monday after the week the advice was about (as a lead reading Sunday's advice would)."""
    record_rating(db, advice_id, user, "done", at=week_start(week(at_week + 1)) + timedelta(hours=9))


def measured(db, advice_id: str, now: int):
    check_outcomes(db, week(now), HORIZONS)
    [outcome] = [o for o in load_outcomes(db, week(now), HORIZONS) if o.advice_id == advice_id]
    return outcome


P = 25  # the week the advice is about; done in P+1; the window after is P+2..P+4


def world(db, rng: random.Random, alpha: list[float] | None = None, weeks: int = 30) -> None:
    for team, level in LEVELS.items():
        plant(db, team, alpha if team == "Alpha" and alpha is not None else noisy(rng, level, weeks))


def test_a_team_that_really_improves_while_the_others_stay_flat_worked(db):
    rng = random.Random(11)
    alpha = noisy(rng, 6.0, 30)
    alpha[P + 2 :] = [v - 2.8 for v in alpha[P + 2 :]]  # the step takes hold a week after it was done
    world(db, rng, alpha)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    outcome = measured(db, step, P + 4)
    assert outcome.verdict is Verdict.WORKED
    lo, hi = outcome.interval
    assert lo < -2.8 < hi and hi < 0  # the planted effect is inside the interval, which excludes zero
    assert abs(outcome.effect + 2.8) < 0.5
    assert abs(outcome.teams_change) < 0.4 and set(outcome.teams) == {"Beta", "Gamma", "Delta"}
    assert outcome.text.startswith("worked: First reply time 6.")
    assert "other teams (Beta, Delta, Gamma) moved" in outcome.text and "90% interval −" in outcome.text


def test_one_very_bad_week_that_returns_to_normal_by_itself_did_not_work(db):
    rng = random.Random(12)
    alpha = noisy(rng, 6.0, 30)
    alpha[P] = 14.0  # the week the rule fired on; everything after is back to normal by itself
    world(db, rng, alpha)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    outcome = measured(db, step, P + 4)
    assert outcome.verdict is Verdict.NO_EFFECT
    assert outcome.interval[0] < 0 < outcome.interval[1]


@pytest.mark.parametrize("bad_since", [P - 6, P], ids=["bad-for-weeks", "bad-from-the-advice-week"])
def test_a_team_that_stays_bad_gets_no_effect(db, bad_since):
    rng = random.Random(13)
    alpha = noisy(rng, 6.0, 30)
    alpha[bad_since:] = [v + 6.0 for v in alpha[bad_since:]]
    world(db, rng, alpha)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    outcome = measured(db, step, P + 4)
    assert outcome.verdict is Verdict.NO_EFFECT
    assert outcome.after > 11


def test_an_improvement_in_every_team_is_not_credited_to_the_team_that_marked_the_step_done(db):
    rng = random.Random(14)
    for team, level in LEVELS.items():
        values = noisy(rng, level, 30)
        values[P + 2 :] = [v * 0.6 for v in values[P + 2 :]]  # a new routing tool, everywhere
        plant(db, team, values)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    outcome = measured(db, step, P + 4)
    assert outcome.verdict is not Verdict.WORKED
    assert outcome.change < -2.0  # the team's own numbers did improve a lot...
    assert outcome.teams_change < -2.0  # ...and so did everyone else's, which is what it is measured against
    assert abs(outcome.effect) < 0.5


def test_an_organisation_wide_move_by_the_same_amount_is_not_credited_either(db):
    rng = random.Random(15)
    for team, level in LEVELS.items():
        values = noisy(rng, level, 30)
        values[P + 2 :] = [v - 1.5 for v in values[P + 2 :]]
        plant(db, team, values)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    assert measured(db, step, P + 4).verdict is not Verdict.WORKED


def test_earlier_firings_nobody_acted_on_say_what_happens_anyway(db):
    """Alpha's first replies go bad for three weeks every couple of months and recover by
    themselves; the rule fired at the end of three such stretches and nobody acted; the fourth
    time the step was done. Measured against Beta alone, the recovery looks like an effect of
    3-4 hours; the earlier firings say that is what happens anyway."""
    from smartstep.db import open_memory_db

    rng = random.Random(16)
    alpha, beta = noisy(rng, 6.0, 40), noisy(rng, 5.0, 40)
    stretches = (8, 17, 26, 35)  # the last week of each bad stretch: when the rule fires
    for end in stretches:
        for i in (end - 2, end - 1, end):
            alpha[i] += 5.0
    outcomes = {}
    for name, store in (("with earlier firings", db), ("without", open_memory_db())):
        plant(store, "Alpha", alpha)
        plant(store, "Beta", beta)
        earlier = [advise(store, "Alpha", end) for end in stretches[:-1]] if name == "with earlier firings" else []
        step = advise(store, "Alpha", stretches[-1])
        mark_done(store, step, stretches[-1])
        outcomes[name] = measured(store, step, 39)
        assert len(earlier) in (0, 3)
    alone, corrected = outcomes["without"], outcomes["with earlier firings"]
    assert alone.effect < -2.5 and alone.firings == 0  # the recovery, mistaken for an effect (within noise here)
    assert corrected.firings == 3 and corrected.firings_change < -2.5  # what followed when nobody acted
    assert abs(corrected.effect) < 1.5 and corrected.verdict is Verdict.NO_EFFECT
    assert "after the 3 earlier times nobody acted on it, it moved −" in corrected.text


def test_with_nothing_to_compare_it_cannot_tell(db):
    rng = random.Random(17)
    alpha = noisy(rng, 6.0, 30)
    alpha[P + 2 :] = [v - 2.8 for v in alpha[P + 2 :]]
    plant(db, "Alpha", alpha)  # the only team, and the rule never fired before
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    outcome = measured(db, step, P + 4)
    assert outcome.verdict is Verdict.CANNOT_TELL and outcome.effect is None
    assert "cannot compare" in outcome.text


def test_with_too_few_weeks_of_data_or_answers_it_cannot_tell(db):
    rng = random.Random(18)
    world(db, rng)
    db.execute("DELETE FROM metric_values WHERE team = 'Alpha' AND period IN (?, ?)", [week(P - 1), week(P - 2)])
    gappy = advise(db, "Alpha", P)
    mark_done(db, gappy, P)
    plant(db, "Beta", noisy(rng, 80.0, 30), metric="csat", n=4)  # four answers a week
    plant(db, "Gamma", noisy(rng, 80.0, 30), metric="csat", n=300)
    few = advise(db, "Beta", P, metric="csat")
    mark_done(db, few, P)
    assert "too little data: 2 of 4 weeks before" in measured(db, gappy, P + 4).text
    thin = measured(db, few, P + 4)
    assert thin.verdict is Verdict.CANNOT_TELL and "a median of 4 answers a week" in thin.text


def test_before_the_window_after_has_passed_it_is_too_early_and_says_when(db):
    rng = random.Random(19)
    world(db, rng)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    assert check_outcomes(db, week(P + 3), HORIZONS) == []
    [pending] = load_outcomes(db, week(P + 3), HORIZONS)
    assert pending.verdict is Verdict.TOO_EARLY and pending.due == week(P + 4)
    assert f"measured once {week(P + 4)} is in" in pending.text
    assert db["outcomes"].count == 0  # too early is never stored


def test_a_note_inside_the_window_is_named_in_the_verdict(db):
    from datetime import date

    from smartstep.metrics.note_store import add_note

    rng = random.Random(20)
    world(db, rng)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    inside = week_start(week(P + 2)).date() + timedelta(days=2)
    add_note(db, "Release 4.2 moved the contact form", team="Alpha", day=inside)
    add_note(db, "Pricing change", day=date(2025, 1, 6))  # long before: not named
    add_note(db, "Beta's new hire", team="Beta", day=inside)  # another team's: not named
    outcome = measured(db, step, P + 4)
    assert f"“Release 4.2 moved the contact form” (Alpha) on {inside.isoformat()} falls inside this window" in (
        outcome.text
    )
    assert "Pricing" not in outcome.text and "new hire" not in outcome.text
    assert "Done: Clear it" not in outcome.text  # the step's own note is the step, not an explanation


def test_marking_done_writes_a_note_and_unmarking_removes_it_and_its_verdict(db):
    from smartstep.metrics.note_store import list_notes

    rng = random.Random(21)
    world(db, rng)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    [note] = list_notes(db)
    assert (note.text, note.team, note.week, note.source) == ("Done: Clear it", "Alpha", week(P + 1), "done")
    measured(db, step, P + 4)
    assert db["outcomes"].count == 1
    record_rating(db, step, "ULEAD", "up")  # changed their mind: it was useful, not done
    assert list_notes(db) == [] and db["outcomes"].count == 0


def test_clicking_done_again_keeps_the_done_week(db):
    rng = random.Random(22)
    world(db, rng)
    step = advise(db, "Alpha", P)
    mark_done(db, step, P)
    first = db["feedback"].get((step, "ULEAD"))["at"]
    assert record_rating(db, step, "ULEAD", "done") is False  # the same button, pressed later (now)
    assert db["feedback"].get((step, "ULEAD"))["at"] == first
    [pending] = load_outcomes(db, week(P + 2), HORIZONS)
    assert pending.done_week == week(P + 1)


def test_a_rating_dated_before_the_advice_week_is_refused_and_nothing_changes(db):
    from conftest import table_dump

    from smartstep.errors import UserError

    rng = random.Random(23)
    world(db, rng)
    step = advise(db, "Alpha", P)
    before = table_dump(db)
    with pytest.raises(UserError, match=f"is about {week(P)}"):
        record_rating(db, step, "ULEAD", "done", at=week_start(week(P - 3)))
    assert table_dump(db) == before


def test_learning_counts_verdicts_by_how_sure_they_are_and_cannot_tell_teaches_nothing(db):
    rng = random.Random(24)
    alpha = noisy(rng, 6.0, 30)
    alpha[P + 2 :] = [v - 2.8 for v in alpha[P + 2 :]]
    world(db, rng, alpha)
    worked = advise(db, "Alpha", P)
    flat = advise(db, "Beta", P)
    for step in (worked, flat):
        mark_done(db, step, P)
    plant(db, "Solo", noisy(rng, 30.0, 30), metric="backlog")  # nobody else has a backlog: cannot tell
    solo = advise(db, "Solo", P, metric="backlog")
    mark_done(db, solo, P)
    verdicts = {o.team: o for o in check_outcomes(db, week(P + 4), HORIZONS)}
    assert verdicts["Alpha"].verdict is Verdict.WORKED and verdicts["Solo"].verdict is Verdict.CANNOT_TELL
    assert verdicts["Beta"].verdict is Verdict.NO_EFFECT
    learning = load_learning(db, week(P + 4), {RULE: 14})
    alpha_track = learning.by_team[(RULE, "Alpha")]
    assert alpha_track.worked > 0.95 and alpha_track.failed == 0 and (alpha_track.wins, alpha_track.measured) == (1, 1)
    beta_track = learning.by_team[(RULE, "Beta")]
    assert beta_track.worked == 0 and 0 < beta_track.failed < 1 and beta_track.measured == 1
    solo_track = learning.by_team[(RULE, "Solo")]
    assert solo_track.worked == solo_track.failed == 0 and solo_track.measured == 0 and solo_track.done == 1


def test_selected_bad_weeks_of_pure_noise_are_almost_never_called_worked():
    """Regression to the mean, checked by simulation: 300 teams whose metric is noise (with some
    week-to-week memory), each advised on its worst recent week and marked done; nothing acts."""
    from smartstep.advice.counterfactual import Windows, estimate
    from smartstep.advice.judge import judge
    from smartstep.definitions import load_definitions

    rng = random.Random(5)
    definition = load_definitions().get("first_reply_hours")
    weeks = [week(i) for i in range(60)]
    counts = {v: 0 for v in Verdict}
    for _ in range(300):
        series = {}
        for team, level in LEVELS.items():
            x, values = 0.0, []
            for _ in weeks:
                x = 0.5 * x + rng.gauss(0, 0.5)
                values.append(level + x)
            series[team] = dict(zip(weeks, values, strict=True))
        fired = max(range(44, 53), key=lambda i: series["Alpha"][weeks[i]])  # the worst week: the rule fires
        windows = Windows(weeks[fired + 1], 3)
        found = estimate(series, "Alpha", windows, ratio=True, treated={"Alpha": [(windows.done_week, windows.last)]})
        counts[judge(found, definition)[0]] += 1
    assert counts[Verdict.WORKED] <= 0.09 * 300, counts  # a nominal 5%, plus the bias selection leaves
    assert counts[Verdict.NO_EFFECT] >= 0.85 * 300, counts


def test_the_interval_quantiles_match_scipys_t_distribution():
    from scipy import stats

    from smartstep.advice.intervals import t95

    for df in (1, 2, 3, 5, 8, 13, 29, 30, 31, 45, 80, 200, 1000):
        assert t95(df) == pytest.approx(stats.t.ppf(0.95, df), abs=0.002), df


def test_a_backfilled_done_inside_the_advice_week_still_measures_from_the_level_the_advice_saw(db):
    """The rule fired on the first bad week and the lead backfilled "done" with a date inside that
    week; the team stayed bad. The advice's week is the last week before acting, so this is no effect,
    not a step that made things worse."""
    rng = random.Random(25)
    alpha = noisy(rng, 6.0, 30)
    alpha[P:] = [v + 6.0 for v in alpha[P:]]
    world(db, rng, alpha)
    step = advise(db, "Alpha", P)
    record_rating(db, step, "ULEAD", "done", at=week_start(week(P)) + timedelta(days=2))
    outcome = measured(db, step, P + 4)
    assert outcome.done_week == week(P + 1) and outcome.window == (week(P - 3), week(P + 4))
    assert outcome.verdict is Verdict.NO_EFFECT
