"""Repeated problems that are real: codes keep problems apart, ids do not, the count is the true
number of tickets with the problem, and wordings of one problem come together without chaining."""

from __future__ import annotations

import numpy as np

from smartstep.advice.problem_groups import group_problems, subject_keys
from smartstep.advice.repeats import largest_unwritten_group


def test_coded_subjects_stay_apart_by_their_codes_and_are_counted_exactly() -> None:
    subjects = (
        ["Category 42 / Subcategory 223 / Symptom 534"] * 30
        + ["Category 42 / Subcategory 224 / Symptom 534"] * 12
        + ["Category 42 / Subcategory 223 / Symptom 535"] * 7
    )
    resolutions = ["Resolved per runbook; user confirmed."] * len(subjects)
    labels = group_problems(subjects, resolutions)
    assert len(set(labels)) == 3
    assert sorted(np.bincount(labels)) == [7, 12, 30]
    assert largest_unwritten_group(list(zip(subjects, resolutions, strict=True))) == (
        30,
        "Category 42 / Subcategory 223 / Symptom 534",
    )


def test_ids_in_subjects_do_not_split_a_problem_but_short_codes_stay() -> None:
    keys, codes = subject_keys(
        ["Invoice INV-2026-12625 is blank", "Invoice INV-2026-99871 is blank", "Error 500 on save", "Error 404 on save"]
    )
    assert keys[0] == keys[1] == "invoice is blank"
    assert codes[2] == {"500"} and codes[3] == {"404"}


def test_wordings_of_one_problem_come_together_and_unrelated_tickets_do_not_chain() -> None:
    pdf = [
        (
            "Invoice PDF download shows blank page",
            "Regenerated the invoice PDF and emailed it; the template was broken.",
        ),
        ("invoice pdf is blank when I download it", "Regenerated the PDF of the invoice and sent it by email."),
        ("Blank PDF for our October invoice", "The invoice PDF was blank; regenerated it and emailed the PDF."),
    ] * 6
    reset = [("Password reset email never arrives", "Released the reset email from quarantine and resent it.")] * 5
    # A chain: each ticket shares half its words with the next, the first and last share none.
    chain = [(f"alpha{i} beta{i} gamma{i + 1} delta{i + 1}", "") for i in range(12)]
    tickets = pdf + reset + chain
    labels = group_problems([s for s, _ in tickets], [r for _, r in tickets])
    assert len(set(labels[: len(pdf)])) == 1
    assert labels[len(pdf)] not in set(labels[: len(pdf)])
    chained = labels[len(pdf) + len(reset) :]
    assert len(set(chained)) > len(chained) // 3  # no blob through intermediate tickets
