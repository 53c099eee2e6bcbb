"""Driver analysis on planted data: the true drivers are known, so the report must find them.

Expected numbers are computed here independently (pandas group means, scikit-learn fits),
never copied from the code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from smartstep.drivers.analysis import MIN_ANSWERS, analyse_drivers
from smartstep.drivers.shapley import bootstrap_counts, correlations, shapley, subset_r2
from smartstep.drivers.text import change_text, chart_bars, driver_share, report_lines, summary_line, text_bars
from smartstep.weeks import shift_week

WEEKS = [shift_week("2026-W01", i) for i in range(26)]


def planted(
    n: int,
    seed: int,
    *,
    contacts: float = 0.0,
    resolution: float = 0.0,
    escalation: float = 0.0,
    correlated: bool = False,
    weeks: list[str] = WEEKS,
    noise: float = 1.0,
) -> pd.DataFrame:
    """Answers on a 1-7 (CES-like) scale whose score depends on the planted factors only.

    `resolution` is per doubling of resolution hours; with `correlated`, tickets that need
    more contacts also take longer (log-hours correlate about 0.6 with contacts).
    """
    rng = np.random.default_rng(seed)
    n_contacts = rng.poisson(0.9, n) + 1
    log_hours = rng.normal(3.0, 1.0, n) + (0.9 * (n_contacts - n_contacts.mean()) if correlated else 0.0)
    escalated = rng.random(n) < 0.2
    latent = 5.0 + contacts * (n_contacts - 1) + resolution * log_hours / math.log(2) + escalation * escalated
    score = np.clip(np.round(latent - latent.mean() + 5.0 + rng.normal(0, noise, n)), 1, 7)
    return pd.DataFrame(
        {
            "survey_id": [f"s{i}" for i in range(n)],
            "team": "Payments",
            "week": [weeks[i * len(weeks) // n] for i in range(n)],
            "score": score,
            "has_ticket": True,
            "contacts": n_contacts,
            "reopens": rng.poisson(0.2, n),
            "first_reply_hours": np.exp(rng.normal(1.0, 1.0, n)),
            "resolution_hours": np.exp(log_hours),
            "handle_minutes": np.exp(rng.normal(2.5, 0.5, n)),
            "channel": rng.choice(["email", "chat", "phone"], n),
            "product": rng.choice(["Cards", "Ledger", "Payouts"], n),
            "escalated": escalated,
            "escalated_to": np.where(escalated, "engineering", None),
            "escalation_hours": np.where(escalated, np.exp(rng.normal(3.0, 1.0, n)), 0.0),
            "segment": rng.choice(["SMB", "Mid-market", "Enterprise"], n),
            "tenure_days": rng.uniform(0, 800, n),
        }
    )


def analyse(frame: pd.DataFrame, metric: str = "ces", **options):
    """Without change detection unless asked (it triples the cost; its own tests ask)."""
    options.setdefault("check_changes", False)
    return analyse_drivers(frame, metric, first_week=WEEKS[0], last_week=WEEKS[-1], team="Payments", **options)


# --- the Shapley core against scikit-learn ------------------------------------------------------


@pytest.mark.parametrize("groups", [[[0, 1], [2], [3, 4]], [[0, 1], [3, 4], [2]]])
def test_subset_r2_matches_sklearn_and_shapley_parts_add_up(groups):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 5))
    x[:, 1] += 0.8 * x[:, 0]  # two correlated columns
    y = x[:, 0] - 0.5 * x[:, 3] + rng.normal(size=400)
    order = [c for cols in groups for c in cols]  # subset_r2 takes groups as consecutive columns
    sizes = tuple(len(cols) for cols in groups)
    values = subset_r2(correlations(np.column_stack([x[:, order], y]), np.ones((1, 400))), sizes)[0]
    for mask in range(1, 8):
        columns = [c for g, cols in enumerate(groups) if mask >> g & 1 for c in cols]
        expected = LinearRegression().fit(x[:, columns], y).score(x[:, columns], y)
        assert values[mask] == pytest.approx(expected, abs=1e-4)
    parts = shapley(values, 3)
    assert parts.sum() == pytest.approx(values[-1])
    # Shapley of 3 players by hand: average over the 6 orders of group 1's marginal gain.
    by_hand = (2 * values[0b010] + values[0b011] - values[0b001] + values[0b110] - values[0b100]) / 6 + (
        2 * (values[0b111] - values[0b101])
    ) / 6
    assert parts[1] == pytest.approx(by_hand)


def test_bootstrap_counts_are_seeded_resamples_of_n_rows():
    a, b = bootstrap_counts(50, 20, seed=1), bootstrap_counts(50, 20, seed=1)
    assert (a == b).all() and (a.sum(axis=1) == 50).all()
    assert not (a == bootstrap_counts(50, 20, seed=2)).all()


# --- planted drivers ---------------------------------------------------------------------------


def test_planted_driver_is_found_with_its_effect_in_metric_units():
    frame = planted(600, seed=1, contacts=-0.6)
    report = analyse(frame)
    top = report.stable_drivers[0]
    assert top.factor == "contacts" and top.share > 80
    assert [d.factor for d in report.stable_drivers] == ["contacts"]
    # The group in words, and its effect as a plain CES difference computed here.
    step = int(top.group.split()[2].rstrip("+"))
    assert top.group == f"tickets needing {step}+ contacts"
    inside = frame["contacts"] >= step
    expected = frame.loc[inside, "score"].mean() - frame.loc[~inside, "score"].mean()
    assert top.effect == pytest.approx(expected, abs=1e-3)
    assert top.effect < -0.5
    assert top.n_group == int(inside.sum())
    assert summary_line(report).startswith(f"Payments: contacts to resolve explains {top.share:.0f}% of what moves CES")


def test_shares_split_the_r2_of_one_plain_regression():
    frame = planted(500, seed=2, contacts=-0.5, escalation=-1.0)
    report = analyse(frame)
    assert sum(d.explained for d in report.drivers) == pytest.approx(report.explained, abs=1e-6)
    assert sum(d.share for d in report.drivers) == pytest.approx(100.0, abs=1e-6)
    # The two planted factors alone, fitted by scikit-learn, explain about what the report credits them.
    x = np.column_stack([frame["contacts"], frame["escalated"], np.log1p(frame["escalation_hours"])])
    alone = LinearRegression().fit(x, frame["score"]).score(x, frame["score"]) * 100
    credited = sum(d.explained for d in report.drivers if d.factor in ("contacts", "escalation"))
    assert credited == pytest.approx(alone, abs=2.0)
    assert {d.factor for d in report.stable_drivers} == {"contacts", "escalation"}


def test_csat_effects_are_in_top_2_box_points():
    frame = planted(600, seed=4, escalation=-2.0)
    frame["score"] = frame["score"].clip(1, 5)
    report = analyse(frame, "csat")
    escalation = next(d for d in report.stable_drivers if d.factor == "escalation")
    top2 = (frame["score"] >= 4) * 100
    expected = top2[frame["escalated"]].mean() - top2[~frame["escalated"]].mean()
    assert escalation.group == "tickets escalated to engineering"
    assert escalation.effect == pytest.approx(expected, abs=1e-3)


def test_correlated_drivers_share_credit_and_keep_their_signs():
    # Both matter about equally and move together: neither may take all the credit or flip sign.
    frame = planted(800, seed=5, contacts=-0.45, resolution=-0.35, correlated=True)
    assert np.corrcoef(frame["contacts"], np.log(frame["resolution_hours"]))[0, 1] > 0.5
    report = analyse(frame)
    stable = {d.factor: d for d in report.stable_drivers}
    assert set(stable) >= {"contacts", "resolution"}
    pair = stable["contacts"].share + stable["resolution"].share
    assert pair > 85
    assert 0.25 < stable["contacts"].share / pair < 0.75
    assert stable["contacts"].effect < 0 and stable["resolution"].effect < 0


def test_a_correlated_bystander_gets_less_credit_and_no_flipped_sign():
    # Only contacts matters; resolution time merely travels with it.
    frame = planted(800, seed=6, contacts=-0.6, correlated=True)
    report = analyse(frame)
    by_factor = {d.factor: d for d in report.drivers}
    assert report.drivers[0].factor == "contacts"
    assert by_factor["contacts"].share > 2 * by_factor["resolution"].share
    assert by_factor["resolution"].effect < 0  # observed difference: longer tickets do score lower


def test_pure_noise_reports_no_driver_as_fact():
    report = analyse(planted(400, seed=7))
    assert report.stable_drivers == ()
    assert (
        summary_line(report) == "No factor stands out reliably for CES in Payments (400 answers, 2026-W01..2026-W26)."
    )
    assert chart_bars(report) == []


def test_small_samples_report_instability_that_more_data_resolves():
    small = analyse(planted(70, seed=8, contacts=-0.25))
    large = analyse(planted(2000, seed=8, contacts=-0.25))
    assert small.n == 70 and small.needed == 0 and small.stable_drivers == ()
    assert any(d.factor == "contacts" for d in small.drivers)  # analysed, just not a fact
    assert large.stable_drivers[0].factor == "contacts"


def test_below_the_minimum_it_says_how_many_more_answers_it_needs():
    report = analyse(planted(42, seed=9, contacts=-1.0))
    assert report.needed == MIN_ANSWERS - 42 == 18
    assert report.drivers == () and report.explained is None
    assert summary_line(report) == (
        "Payments has 42 CES answers tied to tickets in 2026-W01..2026-W26; "
        "driver analysis needs at least 60, so 18 more answers."
    )
    assert driver_share(report, "contacts") is None


def test_answers_without_a_ticket_do_not_count_towards_the_sample():
    frame = planted(80, seed=10)
    frame.loc[:30, "has_ticket"] = False
    report = analyse(frame)
    assert (report.n, report.without_ticket, report.needed) == (49, 31, 11)


def test_bars_show_stable_drivers_only_scaled_to_their_share():
    report = analyse(planted(500, seed=2, contacts=-0.5, escalation=-1.0))
    bars = text_bars(report, width=10)
    stable = report.stable_drivers
    assert len(bars) == len(stable) == 2
    for line, driver in zip(bars, stable, strict=True):
        assert line.startswith(driver.label)
        assert line.count("█") == max(1, round(driver.share / 10))
        assert line.endswith(f" {driver.share:.0f}%")


def test_driver_share_is_the_rule_engines_number():
    report = analyse(planted(600, seed=1, contacts=-0.6))
    contacts = next(d for d in report.drivers if d.factor == "contacts")
    assert driver_share(report, "contacts") == contacts.share
    assert driver_share(report, "channel") == 0.0  # analysed but not a stable driver
    assert driver_share(report, "no_such_factor") == 0.0


def test_same_seed_same_report():
    frame = planted(300, seed=11, contacts=-0.4)
    assert analyse(frame) == analyse(frame)


# --- change detection --------------------------------------------------------------------------


def _two_periods(seed: int, before: float, after: float, n: int = 700) -> pd.DataFrame:
    early = planted(n, seed, escalation=before, contacts=-0.3, weeks=WEEKS[:13])
    late = planted(n, seed + 100, escalation=after, contacts=-0.3, weeks=WEEKS[13:])
    late["survey_id"] = "late-" + late["survey_id"]
    return pd.concat([early, late], ignore_index=True)


def test_a_planted_rise_in_a_drivers_weight_is_detected():
    report = analyse(_two_periods(12, before=-0.3, after=-1.6), check_changes=True)
    assert report.since == WEEKS[13]
    changes = {c.factor: c for c in report.changes}
    assert "escalation" in changes
    change = changes["escalation"]
    assert change.after > 2 * change.before and change.change_ci[0] > 0
    text = change_text(change, "ces")
    assert text.startswith(f"since {WEEKS[13]}, escalation explains ") and " as much of CES as before " in text
    assert text.endswith(f"({change.after:.0f}% vs {change.before:.0f}% of the variation in scores over both periods)")
    assert "contacts" not in changes  # its weight did not move


def test_no_change_is_reported_when_weights_stay_put():
    report = analyse(_two_periods(13, before=-1.0, after=-1.0), check_changes=True)
    assert report.changes == ()


def test_change_detection_needs_enough_answers_on_both_sides():
    frame = _two_periods(14, before=0.0, after=-1.6)
    report = analyse(frame, since=WEEKS[-1], check_changes=True)  # only the last week is "recent"
    assert report.changes == ()
    recent = int((frame["week"] == WEEKS[-1]).sum())
    assert report.since_counts == (len(frame) - recent, recent) and recent < MIN_ANSWERS
    assert report_lines(report)[-1] == (
        f"  Changes since {WEEKS[-1]} not checked: {len(frame) - recent} answers before and {recent} "
        "from then on, 60 needed on each side."
    )


def test_unknown_metric_is_refused():
    with pytest.raises(ValueError, match="no driver analysis for metric 'aht'"):
        analyse(planted(100, seed=1), "aht")


def test_identical_scores_are_explained_by_nothing():
    frame = planted(100, seed=1)
    frame["score"] = 5.0
    report = analyse(frame)
    assert report.explained == 0.0 and report.stable_drivers == ()


def test_a_rare_reopen_still_counts():
    # 1% of tickets reopened, each scoring 1: capping outliers must not erase a rare factor.
    frame = planted(1000, seed=15)
    frame["reopens"] = 0
    frame.loc[::100, ["reopens", "score"]] = (1, 1.0)
    report = analyse(frame)
    reopens = next(d for d in report.drivers if d.factor == "reopens")
    assert reopens.group == "reopened tickets" and reopens.n_group == 10
    assert reopens.stable and reopens.share > 20


def test_driver_signals_feed_the_rule_engines_signal_condition():
    from smartstep.drivers.factors import DRIVER_SIGNALS
    from smartstep.drivers.signals import driver_signals

    found = analyse(planted(600, seed=1, contacts=-0.6))
    too_few = analyse_drivers(planted(30, seed=2), "csat", first_week=WEEKS[0], last_week=WEEKS[-1], team="Billing")
    signals = driver_signals([found, too_few])
    contacts = next(d for d in found.drivers if d.factor == "contacts")
    assert signals[("Payments", "driver_ces_contacts")] == (
        contacts.share,
        f"{contacts.group} score CES {abs(contacts.effect):.1f} lower than the rest",
    )
    assert signals[("Payments", "driver_ces_channel")] == (0.0, "channel")
    assert not any(team == "Billing" for team, _ in signals)  # no data, no value: nothing fires
    assert {name for _, name in signals} <= set(DRIVER_SIGNALS) and len(DRIVER_SIGNALS) == 36  # 3 metrics x 12 factors
