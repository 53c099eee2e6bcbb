"""find_similar over a real store: what counts as a case, filters, persistence, staleness, updates."""

from __future__ import annotations

import numpy as np
import pytest

from smartstep.errors import UserError
from smartstep.knowledge import IndexCache, find_similar
from smartstep.knowledge.store import index_dir, load_case_index


def ticket(
    id_,
    subject,
    description="",
    resolution="",
    status="solved",
    team="Core",
    product="App",
    channel="email",
    solved_at="2026-03-02T10:00:00Z",
):
    return {
        "id": id_,
        "created_at": "2026-03-01T09:00:00Z",
        "solved_at": solved_at,
        "status": status,
        "team": team,
        "product": product,
        "channel": channel,
        "subject": subject,
        "description": description,
        "resolution": resolution,
    }


BASE = [
    ticket(
        "T1",
        "Password reset link never arrives",
        "No reset mail in inbox or spam.",
        "Address was on the bounce suppression list; removed it. Asked jo@acme.test to retry.",
    ),
    ticket(
        "T2",
        "Invoice charged VAT although we are exempt",
        "We sent the exemption certificate.",
        "Added the VAT number to the account and reissued the invoice.",
        team="Billing",
        product="Invoices",
    ),
    ticket(
        "T3",
        "CSV export hangs at 99 percent",
        "Orders report export never finishes.",
        "",
        status="closed",
        channel="chat",
        solved_at="2026-05-20T08:00:00Z",
    ),
    ticket("T4", "Password reset link never arrives", "Reset link missing after request.", status="open"),
    ticket(
        "T5",
        "Refund not visible on bank statement",
        "Issued a week ago, bank shows nothing.",
        "Refunds take 5-10 business days; sent the acquirer reference.",
        team="Billing",
        product="Payments",
    ),
]


@pytest.fixture
def store(db):
    db["tickets"].insert_all(BASE)
    return db


def ids(results):
    return [r.id for r in results]


def test_solved_and_closed_tickets_are_cases_open_ones_are_not(store):
    assert ids(find_similar(store, "password reset link", k=5, cache=IndexCache()))[:1] == ["T1"]
    assert "T4" not in ids(find_similar(store, "password reset link", k=5, cache=IndexCache()))
    closed = find_similar(store, "export stuck at 99 percent", k=1, cache=IndexCache())
    assert ids(closed) == ["T3"] and closed[0].resolution == ""  # a case even without a written fix


def test_result_fields_are_redacted_and_explained(store):
    (best, *_) = find_similar(store, "reset link did not arrive", k=3, cache=IndexCache())
    assert best.id == "T1" and best.team == "Core" and best.solved_at == "2026-03-02T10:00:00Z"
    assert "[email]" in best.resolution and "@" not in best.resolution
    assert {"reset", "link"} <= set(best.why_matched)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"team": "billing"}, {"T2", "T5"}),
        ({"product": "Payments"}, {"T5"}),
        ({"channel": "chat"}, {"T3"}),
        ({"solved_after": "2026-05-01"}, {"T3"}),
    ],
)
def test_filters_only_return_matching_cases(store, filters, expected):
    query = "invoice refund export password reset link VAT bank"
    assert set(ids(find_similar(store, query, k=10, cache=IndexCache(), **filters))) == expected


def test_an_unparsable_since_date_is_one_clear_sentence(store):
    with pytest.raises(UserError, match=r"^--since 'last week' is not a date like 2026-11-23$"):
        find_similar(store, "refund", solved_after="last week", cache=IndexCache())


def test_an_empty_query_is_refused_with_a_sentence(store):
    with pytest.raises(UserError, match=r"^The query is empty: describe the problem in a few words\.$"):
        find_similar(store, "  \n ", cache=IndexCache())


def test_index_is_saved_beside_the_db_and_reloaded_without_rebuilding(store, db_path):
    find_similar(store, "refund", cache=IndexCache())
    saved = load_case_index(index_dir(db_path))
    assert saved is not None and sorted(saved.ids) == ["T1", "T2", "T3", "T5"]
    assert not list(index_dir(db_path).glob("*.pkl"))
    assert ids(find_similar(store, "refund bank", k=1, cache=IndexCache())) == ["T5"]


def test_new_solved_tickets_are_added_without_a_full_rebuild(store, db_path):
    cache = IndexCache()
    find_similar(store, "refund", cache=cache)
    idf_before = load_case_index(index_dir(db_path)).index.word_idf_.copy()
    postings_before = sorted(index_dir(db_path).glob("postings-*.npz"))
    store["tickets"].insert(ticket("T6", "Calendar sync duplicates every meeting", "Each event shows twice."))
    assert ids(find_similar(store, "calendar meetings duplicated", k=1, cache=cache)) == ["T6"]
    reloaded = load_case_index(index_dir(db_path))
    assert "T6" in reloaded.ids
    # The big inverted matrix on disk is kept as it was; only the small files are written again.
    assert sorted(index_dir(db_path).glob("postings-*.npz")) == postings_before
    # A rebuild would have re-learned IDF over five cases instead of four.
    assert np.array_equal(reloaded.index.word_idf_, idf_before)


def test_a_later_process_adds_new_tickets_to_the_saved_index(store, db_path):
    find_similar(store, "refund", cache=IndexCache())
    store["tickets"].insert(ticket("T6", "Calendar sync duplicates every meeting", "Each event shows twice."))
    fresh = IndexCache()  # as the next CLI run or a restarted bot: the index comes from disk
    assert ids(find_similar(store, "calendar meetings duplicated", k=1, cache=fresh)) == ["T6"]
    assert ids(find_similar(store, "refund bank statement", k=1, cache=IndexCache())) == ["T5"]
    store["tickets"].insert(ticket("T8", "Calendar invites arrive without the meeting link", "No video link."))
    later = find_similar(store, "calendar invite missing meeting link", k=2, cache=IndexCache())
    assert ids(later) == ["T8", "T6"]


def test_ids_and_labels_outside_ascii_survive_the_saved_index(store, db_path):
    store["tickets"].insert(
        ticket("ZÜ-7", "Überweisung wird doppelt gebucht", "Die Überweisung erscheint zweimal.", team="Zahlungsverkehr")
    )
    find_similar(store, "refund", cache=IndexCache())
    results = find_similar(store, "Überweisung doppelt", k=1, team="zahlungsverkehr", cache=IndexCache())
    assert [(r.id, r.team) for r in results] == [("ZÜ-7", "Zahlungsverkehr")]


def test_reopened_and_edited_tickets_are_noticed(store):
    cache = IndexCache()
    assert ids(find_similar(store, "refund bank statement", k=1, cache=cache)) == ["T5"]
    store["tickets"].update("T5", {"status": "open"})
    assert "T5" not in ids(find_similar(store, "refund bank statement", k=5, cache=cache))
    store["tickets"].update("T2", {"subject": "Dark mode colours unreadable", "description": "Contrast too low."})
    assert ids(find_similar(store, "dark mode contrast", k=1, cache=cache)) == ["T2"]


def test_changes_from_another_connection_are_seen(store, db_path):
    from smartstep.db import open_db

    cache = IndexCache()
    find_similar(store, "refund", cache=cache)
    other = open_db(db_path)
    other["tickets"].insert(ticket("T7", "Scanner cannot read QR badges", "Badge QR codes fail at the door."))
    other.close()
    assert ids(find_similar(store, "QR badge scanner", k=1, cache=cache)) == ["T7"]


def test_a_large_change_triggers_a_full_rebuild(store, db_path):
    cache = IndexCache()
    find_similar(store, "refund", cache=cache)
    idf_before = load_case_index(index_dir(db_path)).index.word_idf_.copy()
    store["tickets"].insert_all(
        ticket(f"N{i}", f"Printer model {i} jams on duplex", "Paper jam when printing both sides.") for i in range(30)
    )
    find_similar(store, "printer jams", cache=cache)
    rebuilt = load_case_index(index_dir(db_path))
    assert len(rebuilt.ids) == 34 and rebuilt.index.alive_.all()
    assert len(list(index_dir(db_path).glob("*.npz"))) == 3  # the old generation's files are gone
    assert not np.array_equal(rebuilt.index.word_idf_, idf_before)


def test_near_duplicates_collapse_with_a_count(db):
    db["tickets"].insert_all(
        [
            ticket(f"D{i}", subject, "Data sync stopped after the 4.2 update.", "Re-authorise the connector.")
            for i, subject in enumerate(
                [
                    "Sync stopped after update",
                    "Sync stopped after update",
                    "Re: Sync stopped after update",
                    "Fwd: Sync stoped after update",
                ]
            )
        ]
        + [ticket("X1", "Sync slow at night", "Nightly sync takes hours.")]
    )
    results = find_similar(db, "sync stopped after updating", k=5, cache=IndexCache())
    assert results[0].seen_count == 4
    assert {results[0].id, *results[0].duplicates} == {"D0", "D1", "D2", "D3"}
    assert ids(results[1:]) == ["X1"]


def test_an_empty_store_answers_with_no_cases(db):
    assert find_similar(db, "anything at all", cache=IndexCache()) == []


def test_building_in_small_batches_gives_the_same_index(store):
    from smartstep.knowledge.store import build_case_index

    whole, batched = build_case_index(store), build_case_index(store, batch=2)
    assert list(batched.ids) == list(whole.ids) == ["T1", "T2", "T3", "T5"]
    assert (batched.index.postings_ != whole.index.postings_).nnz == 0
    assert np.array_equal(batched.index.word_idf_, whole.index.word_idf_)


def test_only_ticket_changes_move_the_index_change_token(store, db_path):
    from smartstep.db import open_db
    from smartstep.knowledge.search import _change_token

    before = _change_token(store)
    store["teams"].insert({"name": "Somewhere"}, replace=True)  # Slack logging advice and the like
    assert _change_token(store) == before
    other = open_db(db_path)
    assert _change_token(other) == before  # the same answer from any connection or thread
    other["tickets"].update("T2", {"resolution": "Cleared the cache, then it worked."})
    other.close()
    assert _change_token(store) != before


def test_an_import_moves_the_change_token_once_and_keeps_the_counter_working(db_path):
    from smartstep.db import open_db
    from smartstep.imports.importers import import_records
    from smartstep.knowledge.search import _change_token

    db = open_db(db_path)
    before = _change_token(db)
    rows = [
        {
            "id": f"I{i}",
            "created_at": "2026-11-02T10:00:00Z",
            "solved_at": "2026-11-03T10:00:00Z",
            "status": "solved",
            "team": "Billing",
            "subject": f"Problem {i}",
        }
        for i in range(3)
    ]
    import_records(db, "tickets", rows, source="test")
    after = _change_token(db)
    assert after != before
    db["tickets"].update("I1", {"subject": "Edited by hand"})  # the per-row counter is back in place
    assert _change_token(db) != after
    db.close()


def test_searches_from_several_threads_keep_answering_while_tickets_arrive(store, db_path):
    import threading

    from smartstep.db import open_db

    cache, failures, stop = IndexCache(), [], threading.Event()
    find_similar(store, "refund", cache=cache)

    def search() -> None:
        db = open_db(db_path)
        try:
            while not stop.is_set():
                # New words in every query: the featurizer registers them while other threads tokenise.
                n = len(failures) + threading.get_ident() % 997
                results = find_similar(db, f"refund bank statement zq{n}x", k=3, cache=cache)
                if "T5" not in ids(results):
                    failures.append(ids(results))
        except Exception as error:  # noqa: BLE001 - the test reports whatever broke
            failures.append(repr(error))
        finally:
            db.close()

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    writer = open_db(db_path)
    for i in range(12):
        writer["tickets"].insert(ticket(f"W{i}", f"Scanner model {i} cannot read QR badges", "Badges fail."))
        find_similar(writer, "QR badge scanner", k=1, cache=cache)
    writer.close()
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert ids(find_similar(store, "scanner model 11 QR badges", k=1, cache=cache)) == ["W11"]


def test_checksums_taken_in_sqlite_match_the_cases_read_back(store):
    from smartstep.knowledge.cases import iter_cases, solved_signatures

    store["tickets"].insert(ticket("U1", "Überweisung 💶 doppelt", None, None, team="Zahlung", solved_at=None))
    assert solved_signatures(store) == {case.id: case.signature for case in iter_cases(store)}
    assert "U1" in solved_signatures(store) and "T4" not in solved_signatures(store)


def test_a_worker_behind_loads_the_index_another_process_saved_instead_of_redoing_it(store, db_path):
    import json as json_module

    first, second = IndexCache(), IndexCache()  # two bot workers on the same store
    find_similar(store, "refund", cache=first)
    find_similar(store, "refund", cache=second)
    store["tickets"].insert(ticket("T9", "Badge scanner rejects QR codes", "Door scanner refuses badges."))
    assert ids(find_similar(store, "QR badge scanner", k=1, cache=first)) == ["T9"]  # updates and saves
    meta = json_module.loads((index_dir(db_path) / "meta.json").read_text(encoding="utf-8"))
    assert ids(find_similar(store, "QR badge scanner", k=1, cache=second)) == ["T9"]
    # The second worker took the saved index as it was: no new generation written.
    assert json_module.loads((index_dir(db_path) / "meta.json").read_text(encoding="utf-8")) == meta
