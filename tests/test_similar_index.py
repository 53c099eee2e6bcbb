"""The pure index: typo tolerance, batch = single, near-duplicate folding, explanations, masks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from smartstep.knowledge import SimilarityIndex

CASES = [
    ("Password reset link never arrives", "Asked for a reset link three times, nothing in the inbox."),
    ("Invoice charged VAT although we are exempt", "Our invoice adds 20% VAT, we sent our exemption certificate."),
    ("CSV export hangs at 99 percent", "The export of the orders report never finishes."),
    ("Two-factor code rejected", "The authenticator code is always refused at login."),
    ("Webhook deliveries fail with 401", "Our endpoint receives webhooks with an invalid signature."),
    ("Password reset link never arrives", "Asked for a reset link three times, nothing in the inbox!"),
    ("Mobile app crashes on launch", "The Android app closes right after the splash screen."),
    ("Refund not visible on bank statement", "Refund was issued a week ago but the bank shows nothing."),
]


@pytest.fixture(scope="module")
def index() -> SimilarityIndex:
    return SimilarityIndex().fit([f"{t}\n{t}\n{d}" for t, d in CASES], [t for t, _ in CASES])


def test_searching_before_fit_is_refused():
    with pytest.raises(NotFittedError):
        SimilarityIndex().search("anything")


@pytest.mark.parametrize(
    ("query", "expected_row"),
    [
        ("pasword rest link", 0),  # two typos in a three-word query
        ("authenticator code refused", 3),
        ("VAT exemption ignored on invoice", 1),
        ("android app crashing at startup", 6),
        ("refund missing from bank statement", 7),
    ],
)
def test_best_match_is_the_case_with_the_same_problem(index, query, expected_row):
    assert index.search(query, k=3)[0].row == expected_row


def test_near_identical_cases_fold_into_one_hit_with_their_rows(index):
    hits = index.search("reset link never arrives", k=5)
    assert {hits[0].row, *hits[0].duplicates} == {0, 5}
    assert all(h.row not in (0, 5) for h in hits[1:])


def test_batch_search_gives_the_same_answers_as_one_by_one(index):
    queries = ["pasword rest link", "webhook signature 401", "export stuck", "refund bank"]
    assert index.search_batch(queries, k=3) == [index.search(q, k=3) for q in queries]


def test_mask_keeps_results_inside_the_allowed_rows(index):
    mask = np.zeros(len(CASES), dtype=bool)
    mask[[2, 7]] = True
    hits = index.search("refund export", k=5, mask=mask)
    assert {h.row for h in hits} == {2, 7}


def test_shared_terms_name_the_words_in_common_in_the_query_spelling(index):
    terms = index.shared_terms("Refunds missing on my bank statement", "Refund not visible on bank statement")
    assert set(terms) == {"refunds", "bank", "statement"}


def test_queries_with_nothing_in_common_return_nothing(index):
    assert index.search("zzqx vvkk", k=5) == []
    assert index.search("", k=5) == []


def test_added_cases_are_found_and_removed_ones_are_not(index):
    local = SimilarityIndex().fit([f"{t}\n{d}" for t, d in CASES], [t for t, _ in CASES])
    (new_row,) = local.add(["Calendar sync duplicates every meeting"], ["Calendar sync duplicates meetings"])
    assert local.search("calendar duplicate meetings", k=1)[0].row == new_row
    local.remove([new_row])
    assert all(h.row != new_row for h in local.search("calendar duplicate meetings", k=5))


def test_an_index_built_in_many_small_batches_holds_every_case_under_every_feature():
    texts = [f"{t}\n{t}\n{d}" for t, d in CASES] * 3
    titles = [t for t, _ in CASES] * 3
    batched = SimilarityIndex().fit_batches((texts[i : i + 2], titles[i : i + 2]) for i in range(0, len(texts), 2))
    # The inverted matrix written chunk by chunk is exactly the case vectors, transposed.
    expected = batched._documents(*batched._counts(texts)).T.tocsr()
    assert batched.postings_.shape == expected.shape
    assert abs(batched.postings_ - expected).max() < 1e-6
    assert [h.row for h in batched.search("pasword rest link", k=1)] == [0]


def test_cases_added_after_fitting_rank_alongside_the_fitted_ones(index):
    local = SimilarityIndex().fit([f"{t}\n{d}" for t, d in CASES], [t for t, _ in CASES])
    rows = local.add(
        ["Refund shows twice on the bank statement", "Calendar invites lose their video link"],
        ["Refund shows twice on the bank statement", "Calendar invites lose their video link"],
    )
    hits = local.search("refund bank statement", k=3)
    assert {hits[0].row, hits[1].row} == {7, int(rows[0])}
    assert local.search_batch(["calendar video link", "refund bank"], k=1)[0][0].row == rows[1]


def test_a_pasted_tickets_subject_line_is_told_apart_from_a_one_line_query():
    from smartstep.knowledge.queries import subject_line

    assert subject_line("Export to CSV times out\nSince Monday the export spins.") == "Export to CSV times out"
    assert subject_line("export to csv times out since monday") == ""
    assert subject_line(" ".join(["word"] * 25) + "\nbody") == ""  # a first paragraph, not a subject


def test_the_case_whose_title_reads_like_the_pasted_subject_wins_over_one_with_a_similar_body():
    cases = [
        ("Export to CSV times out", "The orders export never completes for the big workspace."),
        ("Dashboard widgets stay blank", "Since Monday the page spins, colleagues in the office see it too, Chrome."),
    ]
    index = SimilarityIndex().fit([f"{t}\n{t}\n{d}" for t, d in cases], [t for t, _ in cases])
    pasted = (
        "Export to CSV times out\nSince Monday the page spins and colleagues in the office see it too, "
        "on Chrome and on Firefox, every time we try it for the quarterly numbers"
    )
    assert index.search(pasted, k=2)[0].row == 0
    assert (
        SimilarityIndex(subject_weight=0.0)
        .fit([f"{t}\n{t}\n{d}" for t, d in cases], [t for t, _ in cases])
        .search(pasted, k=2)[0]
        .row
        == 1
    )  # without the subject line the body decides


def test_one_problem_filling_the_short_list_still_leaves_room_for_k_different_cases():
    texts = [("Password reset link never arrives", f"Asked {i} times for the link.") for i in range(130)]
    texts += [("Password reset link expired", "The link says expired."), ("Reset password page blank", "Blank.")]
    index = SimilarityIndex(shortlist=60).fit([f"{t}\n{d}" for t, d in texts], [t for t, _ in texts])
    hits = index.search("password reset link", k=3)
    assert len(hits) == 3
    assert {hits[0].row, *hits[0].duplicates} == set(range(130))  # the whole group, counted beyond the 60
    assert {hits[1].row, hits[2].row} == {130, 131}
