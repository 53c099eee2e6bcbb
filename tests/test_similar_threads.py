"""The case index is used from several threads and processes at once (Slack workers answering, an
import updating it): words stem the same whichever thread asks, a big import does not stop the
searches, and the index saved beside the store stays loadable."""

from __future__ import annotations

import gzip
import json
import random
import threading
import time
from pathlib import Path

import pytest
import snowballstemmer

from smartstep.db import open_db
from smartstep.imports.importers import import_records
from smartstep.knowledge import IndexCache, find_similar
from smartstep.knowledge.store import index_dir, load_case_index
from smartstep.knowledge.terms import stem


def test_words_stem_the_same_when_four_threads_stem_at_once():
    rnd = random.Random(3)
    endings = ("ing", "ed", "ness", "ations", "ly", "ies", "ement")
    words = sorted(
        {
            "".join(rnd.choice("abcdefghiklmnoprstuw") for _ in range(rnd.randrange(5, 12))) + rnd.choice(endings)
            for _ in range(40_000)
        }
    )
    got: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(part: list[str]) -> None:
        try:
            for word in part:
                got[word] = stem(word)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(words[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    alone = snowballstemmer.stemmer("english")  # one thread, its own stemmer
    wrong = [word for word in words if got[word] != alone.stemWord(word)]
    assert wrong == []


POOL = Path("/work/shared/eval/gitbugs-dev/pool.jsonl.gz")
needs_pool = pytest.mark.skipif(not POOL.exists(), reason="the GitBugs dev split is not on this machine")


def gitbugs_tickets() -> list[dict[str, str]]:
    """Real bug reports (GitBugs, CC BY 4.0) as solved tickets: text nobody on this project wrote."""
    with gzip.open(POOL, "rt", encoding="utf-8") as lines:
        reports = [json.loads(line) for line in lines]
    return [
        {
            "id": report["id"],
            "created_at": "2026-03-01T09:00:00Z",
            "solved_at": "2026-03-02T10:00:00Z",
            "status": "solved",
            "team": report["id"].split("-")[0],
            "subject": report["title"],
            "description": report["body"][:2000],
        }
        for report in reports
    ]


@needs_pool
def test_after_a_big_import_searches_go_on_with_the_index_in_hand_while_it_is_brought_up_to_date(tmp_path):
    tickets = gitbugs_tickets()
    path = tmp_path / "store.db"
    db = open_db(path)
    import_records(db, "tickets", tickets[:1500], source="first")
    cache = IndexCache(connect=lambda file: open_db(file, migrate=False))
    before = cache.get(db)
    import_records(db, "tickets", tickets[1500:], source="second")  # more than a quarter: a rebuild
    assert cache.get(db) is before  # answered at once, from the cases it had
    deadline = time.monotonic() + 120
    while len(cache.get(db).ids) != len(tickets):
        assert time.monotonic() < deadline, "the index never caught up with the import"
        time.sleep(0.2)
    newest = tickets[-1]
    assert find_similar(db, newest["subject"], k=3, cache=cache)[0].id == newest["id"]
    db.close()


@needs_pool
def test_two_processes_following_the_same_import_leave_one_loadable_saved_index(tmp_path):
    """The Slack app and `smartstep import` both bring the saved index up to date after an import;
    one at a time, so neither deletes the files the other has just saved."""
    tickets = gitbugs_tickets()
    path = tmp_path / "store.db"
    db = open_db(path)
    import_records(db, "tickets", tickets[:1500], source="first")
    IndexCache().get(db)  # saved beside the store
    import_records(db, "tickets", tickets[1500:], source="second")
    sizes: list[int] = []

    def follow() -> None:
        own = open_db(path, migrate=False)  # another process would have its own connection and cache
        sizes.append(len(IndexCache().get(own).ids))
        own.close()

    threads = [threading.Thread(target=follow) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sizes == [len(tickets), len(tickets)]
    saved = load_case_index(index_dir(path))
    assert saved is not None and len(saved.ids) == len(tickets)
    db.close()
