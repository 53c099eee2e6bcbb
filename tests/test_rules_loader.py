"""Rule files: every problem named with file:line:col, all at once, and hostile files refused fast."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from smartstep.advice.signals import signal_registry
from smartstep.rules.loader import MAX_FILE_BYTES, RuleBaseError, check_rules, load_rules

GOOD = """\
rules:
  - id: effort.rising
    title: Effort rising while satisfaction holds
    category: customer
    when:
      all:
        - kind: threshold
          metric: csat
          above: 80
        - kind: trend
          metric: ces
          direction: worsens
          weeks: 6
    why: "CES fell to {ces_value:.1f} for {team}."
    steps:
      - Read this week's low-ease answers together.
    impact: 4
    urgency: 3
    examples:
      - given: {csat: [90], ces: [5, 5, 5]}
        fires: false
"""


def write(tmp_path: Path, text: str, name: str = "csat.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch, signals: dict[str, str] | None = None
) -> list[str]:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, text)
    _, found = check_rules(Path("rules"), signal_registry() if signals is None else signals)
    return [str(p) for p in found]


def test_good_file_loads(tmp_path: Path) -> None:
    ruleset = load_rules(write(tmp_path, GOOD))
    assert ruleset.ids() == ["effort.rising"]
    assert ruleset.sources["effort.rising"].line == 2


def test_unknown_metric_names_file_line_column_and_suggests(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("metric: csat", "metric: csta")
    # line 8 is "          metric: csta"; the value starts in column 19
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:8:19: unknown metric 'csta' — did you mean 'csat'?"
    ]


def test_unknown_condition_kind(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("kind: trend", "kind: trnd")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:10:17: unknown condition kind 'trnd' — did you mean 'trend'?"
    ]


def test_condition_without_kind(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("        - kind: trend\n", "        - kindd: trend\n")
    found = problems(tmp_path, text, monkeypatch)
    assert len(found) == 1
    assert found[0].startswith("rules/csat.yaml:10:11: expected a condition: a mapping with 'kind'")


def test_missing_field_points_at_the_rule(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("    urgency: 3\n", "")
    assert problems(tmp_path, text, monkeypatch) == ["rules/csat.yaml:2:5: missing required field 'urgency'"]


def test_unknown_field_points_at_the_key(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("    impact: 4\n", "    impact: 4\n    impakt: 4\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:18:5: unknown field 'impakt' — did you mean 'impact'?"
    ]


def test_unknown_field_without_a_close_name_lists_what_fits(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("          weeks: 6\n", "          weeks: 6\n          colour: red\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:14:11: unknown field 'colour'; expected one of:"
        " metric, part, min_n, where, direction, by, by_percent, kind, weeks, min_total_n, min_t"
    ]


def test_wrong_type_and_range(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("impact: 4", "impact: high").replace("urgency: 3", "urgency: 9")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:17:13: 'impact': input should be a valid integer,"
        " unable to parse string as an integer, got 'high'",
        "rules/csat.yaml:18:14: 'urgency': input should be less than or equal to 5, got 9",
    ]


def test_unknown_category_suggests(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("category: customer", "category: custmer")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:4:15: 'category' must be one of customer, employee, business, knowledge, acceleration;"
        " got 'custmer' — did you mean 'customer'?"
    ]


def test_duplicate_key_is_caught(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("    urgency: 3\n", "    urgency: 3\n    impact: 5\n")
    assert problems(tmp_path, text, monkeypatch) == ["rules/csat.yaml:19:5: duplicate key 'impact' (first at line 17)"]


def test_yaml_syntax_error(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("    impact: 4\n", "    impact: [4\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:18:12: not valid YAML: did not find expected ',' or ']'"
        " (while parsing a flow sequence at line 17)"
    ]


def test_why_placeholder_unknown_and_unsafe(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("{ces_value:.1f}", "{ces_vaule:.1f}")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:14:10: 'why' uses unknown placeholder '{ces_vaule}' — did you mean 'ces_value'?"
    ]
    text = GOOD.replace("{team}", "{team.__class__}")
    assert problems(tmp_path, text, monkeypatch)[0].startswith("rules/csat.yaml:14:10: 'why' uses unknown placeholder")
    text = GOOD.replace("{ces_value:.1f}", "{ces_value:>999999999}")
    assert "unsupported format" in problems(tmp_path, text, monkeypatch)[0]


def test_guide_dont_grade(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("Read this week's low-ease answers together.", "Post the slowest agents in the channel.")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:16:9: 'slowest agents' grades individuals"
        " — guide, don't grade: write advice about the team and its process"
    ]


def test_context_metric_cannot_worsen(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("metric: ces", "metric: aht")
    found = problems(tmp_path, text, monkeypatch)
    assert found == [
        "rules/csat.yaml:10:11: 'worsens' needs a metric with a better direction,"
        " but 'aht' depends on context — use 'up' or 'down'"
    ]


def test_all_problems_sorted_across_files_and_duplicate_ids(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("metric: csat", "metric: csta").replace("impact: 4", "impact: 0"), "b.yaml")
    write(tmp_path, GOOD, "c.yaml")
    _, found = check_rules(Path("rules"))
    assert [str(p) for p in found] == [
        "rules/b.yaml:8:19: unknown metric 'csta' — did you mean 'csat'?",
        "rules/b.yaml:17:13: 'impact': input should be greater than or equal to 1, got 0",
        "rules/c.yaml:2:5: duplicate rule id 'effort.rising' (first at rules/a.yaml:2)",
    ]
    with pytest.raises(RuleBaseError) as raised:
        load_rules(Path("rules"))
    assert str(raised.value).startswith("rules/b.yaml:8:19: unknown metric 'csta'")
    assert "and 2 more problems" in str(raised.value)


def test_python_tags_are_refused(tmp_path, monkeypatch) -> None:
    text = 'rules:\n  - !!python/object/apply:os.system ["echo pwned"]\n'
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:2:5: tag '!!python/object/apply:os.system' is not allowed; rule files hold plain data only"
    ]


def test_empty_file_and_empty_folder(tmp_path, monkeypatch) -> None:
    assert problems(tmp_path, "", monkeypatch) == [
        "rules/csat.yaml:1:1: the file is empty; expected a mapping with a 'rules:' list"
    ]
    empty = tmp_path / "none"
    empty.mkdir()
    assert [str(p) for p in check_rules(empty)[1]] == [f"{empty}:1:1: no rule files (*.yaml) found"]


def test_billion_laughs_is_refused_quickly(tmp_path, monkeypatch) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    found = problems(tmp_path, "\n".join(lines) + "\n", monkeypatch)
    assert time.perf_counter() - start < 5  # expanded in full it would be a billion values
    assert len(found) == 1 and "file is too complex: more than 100,000 values (aliases expanded)" in found[0]


def test_deep_nesting_is_refused(tmp_path, monkeypatch) -> None:
    """Our own limit and wording within the YAML library's limits; beyond them, still one problem
    on the right line and no rule base (the library's own wording is not ours to assert)."""
    found = problems(tmp_path, "rules: " + "[" * 100 + "]" * 100 + "\n", monkeypatch)
    assert found == ["rules/csat.yaml:1:40: file is too complex: nested too deeply"]
    found = problems(tmp_path, "rules: " + "[" * 5000 + "]" * 5000 + "\n", monkeypatch)
    assert len(found) == 1 and found[0].startswith("rules/csat.yaml:1:")
    assert check_rules(Path("rules"), signal_registry())[0] is None


def test_huge_file_is_refused_without_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "")
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # 50 MB, sparse: refused on its size alone
    start = time.perf_counter()
    _, found = check_rules(Path("rules"))
    assert time.perf_counter() - start < 0.5
    assert [str(p) for p in found] == [
        f"rules/csat.yaml:1:1: file is too large (50,000,000 bytes; at most {MAX_FILE_BYTES:,})"
    ]


def test_threshold_needs_exactly_one_bound_and_size_one_way(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("          above: 80\n", "          above: 80\n          below: 20\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:7:11: a threshold needs exactly one of 'above' or 'below'"
    ]
    text = GOOD.replace("          weeks: 6\n", "          weeks: 6\n          by: 1\n          by_percent: 5\n")
    assert problems(tmp_path, text, monkeypatch) == ["rules/csat.yaml:10:11: give 'by' or 'by_percent', not both"]


def test_unknown_signal_suggests(tmp_path, monkeypatch) -> None:
    text = GOOD.replace(
        "        - kind: threshold\n          metric: csat\n          above: 80\n",
        "        - {kind: signal, name: repeated_problems, above: 10}\n",
    )
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:7:32: unknown signal 'repeated_problems' — did you mean 'repeated_problem'?"
    ]


def test_unreadable_encoding_and_odd_keys(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "")
    path.write_bytes(b"rules:\n  - id: caf\xe9\n")
    assert [str(p) for p in check_rules(Path("rules"))[1]] == [
        "rules/csat.yaml:2:12: not UTF-8 text; save the file as UTF-8"
    ]
    text = GOOD.replace("    impact: 4\n", "    [impact]: 4\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:2:5: missing required field 'impact'",
        "rules/csat.yaml:17:5: a key must be a plain name",
    ]


def test_driver_signals_are_known_names(tmp_path, monkeypatch) -> None:
    """The driver analysis registers its signals; the rule base checks them like metrics."""
    signal = "        - {kind: signal, name: driver_csat_channel, above: 30}\n"
    text = GOOD.replace("        - kind: threshold\n          metric: csat\n          above: 80\n", signal)
    text = text.replace("{ces_value:.1f}", "{driver_csat_channel_value:.0f}% ({driver_csat_channel_label})")
    assert problems(tmp_path, text, monkeypatch) == []
    assert problems(tmp_path, text.replace("driver_csat_channel,", "driver_csat_chanel,"), monkeypatch) == [
        "rules/csat.yaml:7:32: unknown signal 'driver_csat_chanel' — did you mean 'driver_csat_channel'?"
    ]


def test_signal_names_come_from_the_registry_passed_in(tmp_path, monkeypatch) -> None:
    """The rule language knows no producer of signals: a name is known only if the caller registers it."""
    text = GOOD.replace(
        "        - kind: threshold\n          metric: csat\n          above: 80\n",
        "        - {kind: signal, name: queue_depth, above: 10}\n",
    )
    assert problems(tmp_path, text, monkeypatch, signals={"queue_depth": "tickets waiting in the phone queue"}) == []
    assert problems(tmp_path, text, monkeypatch, signals={}) == ["rules/csat.yaml:7:32: unknown signal 'queue_depth'"]


def test_maturity_stages_come_from_the_assessment_and_a_typo_gets_a_hint(tmp_path, monkeypatch) -> None:
    text = GOOD.replace(
        "    impact: 4\n", "    requires: {stage: {dimension: knowledge, min: profesional}}\n    impact: 4\n"
    )
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:17:51: 'min' must be one of chaos, managed, professional, proactive, invisible;"
        " got 'profesional' — did you mean 'professional'?"
    ]
    assert problems(tmp_path, text.replace("profesional", "professional"), monkeypatch) == []


def test_yaml_merge_keys_are_refused_where_written(tmp_path, monkeypatch) -> None:
    """`<<: *defaults` used to escape as an internal error (PyYAML has no constructor for it here)."""
    text = "defaults: &d\n  impact: 4\n" + GOOD.replace("    impact: 4\n", "    <<: *d\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:19:5: merge keys ('<<') are not allowed; write each rule's fields out"
    ]


def test_a_tagged_key_is_refused(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("    impact: 4\n", "    !!python/name:os.system impact: 4\n")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:17:5: tag '!!python/name:os.system' is not allowed on a key; a key must be a plain name"
    ]


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("1e308", "rules/csat.yaml:9:18: the threshold 1e+308 is outside the csat range (0 to 100)"),
        ("-1e308", "rules/csat.yaml:9:18: the threshold -1e+308 is outside the csat range (0 to 100)"),
        ("100.5", "rules/csat.yaml:9:18: the threshold 100.5 is outside the csat range (0 to 100)"),
        (".nan", "rules/csat.yaml:9:18: 'above' must be a finite number; got nan"),
        ("NaN", "rules/csat.yaml:9:18: 'above' must be a finite number; got 'NaN'"),
        (".inf", "rules/csat.yaml:9:18: 'above' must be a finite number; got inf"),
        ("-.inf", "rules/csat.yaml:9:18: 'above' must be a finite number; got -inf"),
        ("'-inf'", "rules/csat.yaml:9:18: 'above' must be a finite number; got '-inf'"),
    ],
)
def test_thresholds_must_be_finite_and_on_the_metrics_scale(tmp_path, monkeypatch, bound, expected) -> None:
    assert problems(tmp_path, GOOD.replace("above: 80", f"above: {bound}"), monkeypatch) == [expected]


def test_scales_come_from_the_metric_definitions(tmp_path, monkeypatch) -> None:
    """NPS runs -100..100, CES 1..7, durations and counts from 0 with no top; one that is in range loads."""
    cases = {
        "{kind: threshold, metric: nps, below: -20}": [],
        "{kind: threshold, metric: nps, below: -120}": ["the threshold -120 is outside the nps range (-100 to 100)"],
        "{kind: threshold, metric: ces, below: 0.5}": ["the threshold 0.5 is outside the ces range (1 to 7)"],
        "{kind: threshold, metric: backlog, above: 5000}": [],
        "{kind: threshold, metric: first_reply_hours, below: -1}": [
            "the threshold -1 is outside the first_reply_hours range (0 or more)"
        ],
        "{kind: signal, name: repeated_problem, above: .inf}": ["'above' must be a finite number; got inf"],
        "{kind: change, metric: csat, direction: worsens, weeks: 2, by: 150}": [
            "a change of 150 is wider than the whole csat range (0 to 100)"
        ],
        "{kind: change, metric: csat, direction: worsens, weeks: 2, by_percent: .nan}": [
            "'by_percent' must be a finite number; got nan"
        ],
        "{kind: trend, metric: ces, direction: worsens, weeks: 4, min_t: .inf}": [
            "'min_t' must be a finite number; got inf"
        ],
    }
    first = "        - kind: threshold\n          metric: csat\n          above: 80\n"
    for condition, expected in cases.items():
        text = GOOD.replace(first, f"        - {condition}\n")
        found = [p.split(": ", 1)[1] for p in problems(tmp_path, text, monkeypatch)]
        assert found == expected, condition


def test_example_values_must_be_on_the_scale(tmp_path, monkeypatch) -> None:
    text = GOOD.replace("given: {csat: [90], ces: [5, 5, 5]}", "given: {csat: [500], ces: [5, 5, 5]}")
    assert problems(tmp_path, text, monkeypatch) == [
        "rules/csat.yaml:20:16: the example value 500 is outside the csat range (0 to 100)"
    ]
    text = GOOD.replace("given: {csat: [90], ces: [5, 5, 5]}", "given: {csat: [.nan], ces: [5, 5, 5]}")
    assert problems(tmp_path, text, monkeypatch) == ["rules/csat.yaml:20:24: 'csat' must be a finite number; got nan"]


def test_a_duplicate_id_in_one_file_names_both_lines(tmp_path, monkeypatch) -> None:
    second = GOOD.split("rules:\n", 1)[1]
    assert problems(tmp_path, GOOD + second, monkeypatch) == [
        "rules/csat.yaml:22:5: duplicate rule id 'effort.rising' (first at rules/csat.yaml:2)"
    ]


def test_a_fifo_is_refused_without_blocking(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    os.mkfifo(tmp_path / "rules" / "pipe.yaml")
    write(tmp_path, GOOD)
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(check_rules(Path("rules"))), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert outcome, "reading a rule folder holding a FIFO hung"
    ruleset, found = outcome[0]
    assert ruleset is None
    assert [str(p) for p in found] == [
        "rules/pipe.yaml:1:1: not a regular file (a named pipe); rule files must be plain files"
    ]
    with pytest.raises(RuleBaseError) as raised:
        load_rules(Path("rules/pipe.yaml"))
    assert str(raised.value) == "rules/pipe.yaml:1:1: not a regular file (a named pipe); rule files must be plain files"


def test_a_link_to_dev_zero_is_refused_without_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "zero.yaml").symlink_to("/dev/zero")
    start = time.perf_counter()
    found = [str(p) for p in check_rules(Path("rules/zero.yaml"))[1]]
    assert time.perf_counter() - start < 2
    assert found == ["rules/zero.yaml:1:1: not a regular file (a character device); rule files must be plain files"]


def test_a_symlink_loop_is_a_problem_not_a_crash(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GOOD)
    (tmp_path / "rules" / "loop.yaml").symlink_to("loop.yaml")
    ruleset, found = check_rules(Path("rules/loop.yaml"))
    assert ruleset is None
    assert len(found) == 1  # the reason after the colon is the operating system's own words
    assert str(found[0]).startswith("rules/loop.yaml:1:1: cannot read the file: ")


def test_an_editors_lock_link_in_the_folder_is_not_a_rule_file(tmp_path, monkeypatch) -> None:
    """Emacs marks a file being edited with a dangling link `.#name.yaml`; the rule base still loads."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GOOD)
    (tmp_path / "rules" / ".#csat.yaml").symlink_to("lead@laptop.4242:1733300000")
    ruleset, found = check_rules(Path("rules"))
    assert found == [] and ruleset is not None and ruleset.ids() == ["effort.rising"]
