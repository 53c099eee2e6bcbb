"""Rule engine benchmark: 500 rules x 100 teams x 104 weeks.

    .venv/bin/python bench/bench_rules.py [--runs 7]

Prints the median time to load and validate 500 rules from YAML files, the median time of
a full evaluation (building the [team x week] matrices from the history, then every rule
for every team, then the top 5 per team with evidence and text), and a baseline measured in
the same process: the same engine driven one team at a time (a per-team loop), as the ratio
baseline / vectorised. Wall and CPU medians are both shown: on a busy machine wall time
includes waiting for a core.
Targets (issue 3): evaluation <= 200 ms median, load + validate <= 300 ms median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from smartstep.advice.signals import signal_registry
from smartstep.definitions import load_definitions
from smartstep.metrics.values import History, MetricValue
from smartstep.rules.engine import evaluate
from smartstep.rules.loader import load_rules
from smartstep.weeks import shift_week

CURRENT = "2026-W46"
TEAMS, WEEKS, RULES = 100, 104, 500
DIRECTED = [m for m, d in load_definitions().metrics.items() if d.better != "context"]


def condition(r: random.Random) -> str:
    """One random condition in flow style, across every kind."""
    m, m2 = r.sample(DIRECTED, 2)
    kind = r.choice(["threshold", "change", "trend", "versus_teams", "versus_baseline", "diverging", "freshness"])
    if kind == "threshold":
        return f"{{kind: threshold, metric: {m}, {r.choice(['above', 'below'])}: {r.randint(5, 95)}, min_n: 5}}"
    if kind == "change":
        return f"{{kind: change, metric: {m}, direction: worsens, weeks: {r.randint(1, 8)}, smooth: 2, by_percent: 10}}"
    if kind == "trend":
        return f"{{kind: trend, metric: {m}, direction: worsens, weeks: {r.randint(4, 12)}, min_total_n: 50}}"
    if kind == "versus_teams":
        return f"{{kind: versus_teams, metric: {m}, direction: worsens, by_percent: 15}}"
    if kind == "versus_baseline":
        windows = "recent_weeks: 4, baseline_weeks: 13"
        return f"{{kind: versus_baseline, metric: {m}, direction: worsens, {windows}, by_percent: 10}}"
    if kind == "diverging":
        return f"{{kind: diverging, steady: {m}, within: 5, worsening: {m2}, by: 1, weeks: 6}}"
    return f"{{kind: freshness, metric: {m}, max_age_weeks: 2}}"


def rule_yaml(i: int, r: random.Random) -> str:
    parts = [condition(r) for _ in range(r.randint(1, 3))]
    if r.random() < 0.2:
        parts.append("{not: " + condition(r) + "}")
    when = "{all: [" + ", ".join(parts) + "]}" if r.random() < 0.7 else "{any: [" + ", ".join(parts) + "]}"
    return f"""\
  - id: bench.rule_{i:03d}
    title: Synthetic rule number {i}
    category: {r.choice(["customer", "employee", "business", "knowledge", "acceleration"])}
    when: {when}
    why: "{{team}} needs a look ({{period}})."
    steps: [Look at the numbers together., Agree one small change.]
    impact: {r.randint(1, 5)}
    urgency: {r.randint(1, 5)}
    examples:
      - {{given: {{csat: [80]}}, fires: false}}
"""


def write_rules(folder: Path, seed: int = 1) -> None:
    r = random.Random(seed)
    per_file = RULES // 5
    for f in range(5):
        body = "".join(rule_yaml(f * per_file + i, r) for i in range(per_file))
        (folder / f"bench_{f}.yaml").write_text("rules:\n" + body, encoding="utf-8")


def synthetic_history(seed: int = 2) -> History:
    """Random walks per team and metric, with sample sizes and CIs where surveys would give them."""
    r = random.Random(seed)
    history: History = {}
    periods = [shift_week(CURRENT, i - WEEKS + 1) for i in range(WEEKS)]
    for t in range(TEAMS):
        team = f"team-{t:03d}"
        for metric in load_definitions().ids:
            level, values = r.uniform(20, 80), []
            for period in periods:
                level = max(0.0, level + r.gauss(0, 2))
                n = r.randint(3, 60)
                values.append(MetricValue(team, metric, period, level, n=n, ci=(level - 3, level + 3)))
            history[(team, metric)] = values
    return history


def median_time(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds (CPU time shows the cost on a busy machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_rules(folder)
        load_rules(folder, signal_registry())  # warm imports and the definitions cache
        load_s = median_time(lambda: load_rules(folder, signal_registry()), args.runs)
        rules = load_rules(folder, signal_registry()).rules
    history = synthetic_history()
    teams = sorted({team for team, _ in history})
    fired = len(evaluate(rules, history, CURRENT).candidates)

    def full() -> None:  # every rule for every team, then the top 5 per team as objects with evidence
        result = evaluate(rules, history, CURRENT)
        for team in teams:
            for c in result.top(5, team):
                c.why  # noqa: B018  (renders the text and builds the evidence)

    eval_s = median_time(full, args.runs)
    all_s = median_time(lambda: [c.why for c in evaluate(rules, history, CURRENT).candidates], max(1, args.runs // 2))
    per_team = {t: {k: v for k, v in history.items() if k[0] == t} for t in teams}
    baseline_s = median_time(lambda: [evaluate(rules, per_team[t], CURRENT) for t in teams], max(1, args.runs // 3))
    print(f"rules {len(rules)}, teams {len(teams)}, weeks {WEEKS}, candidates fired {fired}")
    ms = lambda pair: f"median {pair[0] * 1000:.0f} ms wall, {pair[1] * 1000:.0f} ms CPU"  # noqa: E731
    print(f"load + validate 500 rules: {ms(load_s)} (target <= 300 ms)")
    print(f"full evaluation:           {ms(eval_s)} (target <= 200 ms)")
    print(f"  (materialising all {fired} candidates with evidence and text: {all_s[1] * 1000:.0f} ms CPU)")
    print(
        f"baseline, one team at a time: median {baseline_s[0] * 1000:.0f} ms wall, {baseline_s[1] * 1000:.0f} ms CPU;"
        f" ratio {baseline_s[1] / eval_s[1]:.1f}x (CPU)"
    )


if __name__ == "__main__":
    main()
