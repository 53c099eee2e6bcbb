"""Ranking learns from ratings and outcomes, in the expected direction, without burying."""

from __future__ import annotations

from candidates import candidate

from smartstep.advice.ranking import Learning, Track, rank, usefulness
from smartstep.advice.verdicts import Outcome, PastSituation, Verdict


def cand(rule_id: str, score: float, team: str = "Billing", category: str = "customer"):
    return candidate(rule_id, team, score, category=category)


def order(advice):
    return [a.candidate.rule_id for a in advice]


def test_without_feedback_the_rule_score_decides():
    assert order(rank([cand("a", 0.5), cand("b", 0.6)], Learning())) == ["b", "a"]


SHOWN_ONCE = {("a", "Billing"): Track(shown=1), ("b", "Billing"): Track(shown=1)}


def test_thumbs_up_from_leads_moves_a_step_up():
    assert order(rank([cand("a", 0.5), cand("b", 0.6)], Learning(by_team=SHOWN_ONCE))) == ["b", "a"]
    learning = Learning(
        by_team={**SHOWN_ONCE, ("a", "Billing"): Track(shown=6, up=5)}, by_rule={"a": Track(shown=6, up=5)}
    )
    ranked = rank([cand("a", 0.5), cand("b", 0.6)], learning)
    assert order(ranked) == ["a", "b"]
    assert "ranked up: 5 of 5 leads here found this useful" in ranked[0].reasons


def test_one_thumbs_down_does_not_bury_a_rule():
    one_down = Learning(
        by_team={**SHOWN_ONCE, ("a", "Billing"): Track(shown=1, down=1)}, by_rule={"a": Track(shown=1, down=1)}
    )
    ranked = rank([cand("a", 0.6), cand("b", 0.5)], one_down)
    assert order(ranked) == ["a", "b"]  # still first: one vote moves it a little, not to the bottom
    assert ranked[0].score < rank([cand("a", 0.6)], Learning(by_team=SHOWN_ONCE))[0].score


def test_many_thumbs_down_do_move_it_below():
    many = Learning(by_team={("a", "Billing"): Track(shown=8, down=7)}, by_rule={"a": Track(shown=8, down=7)})
    assert order(rank([cand("a", 0.6), cand("b", 0.5)], many)) == ["b", "a"]


def test_measured_outcomes_count_more_than_no_record():
    record = Track(shown=4, done=4, worked=2.9, failed=0.6, wins=3, measured=4)  # weighed by how sure each was
    worked = Learning(by_team={("a", "Billing"): record}, by_rule={"a": record})
    ranked = rank([cand("a", 0.5), cand("b", 0.6)], worked)
    assert order(ranked) == ["a", "b"]
    assert "worked 3 of 4 times it was done and measured" in ranked[0].reasons


def test_unsure_outcomes_teach_less_than_sure_ones():
    sure = Track(shown=3, done=3, worked=2.97, wins=3, measured=3)  # three `worked`, each 99% sure
    leaning = Track(shown=3, done=3, failed=0.3, wins=0, measured=3)  # three `no effect` that leaned the good way
    none = Track(shown=3, done=3)  # done three times, never measured (or `cannot tell`)
    by = {"sure": sure, "leaning": leaning, "none": none}
    learning = Learning(by_team={(k, "Billing"): v for k, v in by.items()}, by_rule=by)
    scores = {a.candidate.rule_id: a.score for a in rank([cand(k, 0.5) for k in by], learning)}
    assert scores["sure"] > 1.15 * scores["none"]
    assert 0.9 * scores["none"] < scores["leaning"] < scores["none"]


def test_other_teams_record_is_the_prior_for_a_new_team():
    # Technical never saw rule a, but leads elsewhere liked it: the prior leans up, not to 50%.
    elsewhere = Track(shown=10, up=9, down=1)  # all in other teams
    assert usefulness(Track(), elsewhere) > 0.6
    learning = Learning(by_rule={"a": elsewhere})
    ranked = rank([cand("a", 0.5, team="Technical")], learning)
    assert "ranked up: 9 of 10 leads in other teams found this useful" in ranked[0].reasons


def test_rarely_shown_rules_get_a_small_exploration_bonus():
    shown_often = Learning(by_team={("a", "Billing"): Track(shown=30)})
    fresh, stale = rank([cand("a", 0.5)], Learning())[0], rank([cand("a", 0.5)], shown_often)[0]
    assert fresh.score > stale.score
    assert "new for this team" in fresh.reasons


def test_snoozed_advice_stays_quiet():
    learning = Learning(snoozed=frozenset({("a", "Billing")}))
    assert order(rank([cand("a", 0.9), cand("b", 0.1)], learning)) == ["b"]


def past_outcome(verdict: Verdict, effect: float, interval: tuple[float, float], p_better: float) -> Outcome:
    return Outcome(
        "adv-1", "a", "Technical", "ces", verdict, "2025-W14", "2025-W15", "2025-W18", "Cut effort",
        ("2025-W11", "2025-W18"), before=4.9, after=5.6, effect=effect, interval=interval, teams_change=0.1,
        teams=("Billing",), p_better=p_better,
    )  # fmt: skip


def test_similar_past_situations_that_worked_are_shown_and_lift_the_rank():
    past = PastSituation(past_outcome(Verdict.WORKED, 0.6, (0.3, 0.9), 0.999), 0.9)
    ranked = rank([cand("a", 0.5), cand("b", 0.52)], Learning(), {("a", "Billing"): [past]})
    assert order(ranked) == ["a", "b"]
    assert (
        "worked before: Technical, 2025-W14 — CES 4.9/7 → 5.6/7; other teams (Billing) moved +0.10; "
        "effect +0.60, 90% interval +0.30 to +0.90" in ranked[0].reasons
    )
    assert ranked[0].to_json()["similar_situations"][0]["team"] == "Technical"
    assert ranked[0].to_json()["ranking"][0] == {**ranked[0].to_json()["ranking"][0], "kind": "worked_before"}


def test_a_past_situation_with_no_effect_is_no_precedent_and_lowers_the_rank():
    past = PastSituation(past_outcome(Verdict.NO_EFFECT, 0.05, (-0.3, 0.4), 0.6), 0.9)
    ranked = rank([cand("a", 0.5), cand("b", 0.5)], Learning(), {("a", "Billing"): [past]})
    assert order(ranked) == ["b", "a"]
    assert not any(r.startswith("worked before") for r in ranked[1].reasons)


def test_advice_json_has_the_interface_fields():
    item = rank([cand("a", 0.5)], Learning())[0].to_json()
    assert set(item) >= {
        "advice_id",
        "rule_id",
        "team",
        "title",
        "why",
        "steps",
        "score",
        "evidence",
        "similar_situations",
    }
    assert set(item["evidence"][0]) >= {"metric", "team", "value", "previous", "change", "period"}


def test_a_symptom_folds_into_the_step_about_its_cause():
    from smartstep.advice.ranking import fold_symptoms

    backlog = candidate("capacity.backlog", "Onboarding", 0.8, category="employee", metric="backlog")
    smile = candidate("smile.climbing", "Onboarding", 0.7, category="business", metric="time_to_smile_days")
    surveys = candidate("surveys.falling", "Onboarding", 0.6, metric="survey_response_rate")
    rising = [10, 20, 30, 45, 60, 80, 95, 110, 130, 150]
    series = {
        ("Onboarding", "backlog"): rising,
        ("Onboarding", "time_to_smile_days"): [1.0, 1.1, 1.3, 1.5, 1.9, 2.2, 2.6, 2.9, 3.3, 3.8],
        ("Onboarding", "survey_response_rate"): [30, 29, 27, 25, 22, 20, 17, 14, 12, 9],  # moves too, but is not driven
    }
    folded = fold_symptoms(rank([backlog, smile, surveys], Learning()), series)
    assert order(folded) == ["capacity.backlog", "surveys.falling"]
    assert "also shows in Time to Smile: title smile.climbing" in folded[0].reasons


def test_linked_metrics_that_do_not_move_together_stay_separate():
    from smartstep.advice.ranking import fold_symptoms

    backlog = candidate("capacity.backlog", "Onboarding", 0.8, metric="backlog")
    smile = candidate("smile.climbing", "Onboarding", 0.7, metric="time_to_smile_days")
    series = {
        ("Onboarding", "backlog"): [10, 20, 30, 45, 60, 80, 95, 110, 130, 150],
        ("Onboarding", "time_to_smile_days"): [2.0, 1.1, 2.5, 1.2, 2.4, 1.0, 2.6, 1.1, 2.3, 1.2],
    }
    assert len(fold_symptoms(rank([backlog, smile], Learning()), series)) == 2
