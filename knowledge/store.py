"""The case index on disk, next to the DB, and kept in step with the tickets table.

Arrays, the per-case columns included, go in `.npz` files and the rest in JSON (never
pickle: a pickle is tied to library versions and unsafe to load). Files are written
under a fresh generation name and `meta.json` is replaced last, so a reader never sees
half an index. When the tickets table moved, the exact difference is computed from
per-case checksums: new and edited cases are added with the learned IDF, reopened ones
are hidden, and a full rebuild happens only when a large share of the index changed (the
IDF would have drifted). An update builds a new `CaseIndex` that shares the large arrays
with the old one, so searches running in other threads never see half an update.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

try:
    import fcntl
except ImportError:  # Windows: no flock, so one updater at a time is the operator's to keep
    fcntl = None

from smartstep.knowledge.cases import Case, index_text, iter_cases, solved_signatures, table_fingerprint, title_text
from smartstep.knowledge.columns import LabelColumn, TextColumn
from smartstep.knowledge.index import SimilarityIndex

if TYPE_CHECKING:  # only a type here: the caller opens the store, and importing it loads pandas
    import sqlite_utils

FORMAT_VERSION = 3  # 3: new cleaning (signatures, greetings, subject prefixes, phrases) and BM25 b
REBUILD_SHARE = 0.25
_PARAMS = (
    "word_features",
    "char_features",
    "char_ngram_range",
    "char_words",
    "char_weight",
    "short_char_weight",
    "fuzzy_weight",
    "max_df",
    "shortlist",
    "duplicate_ratio",
    "min_score",
    "batch_size",
    "bigrams",
    "k1",
    "b",
    "subject_weight",
)


@dataclass
class CaseIndex:
    """A fitted index plus, per row, the case id and the fields filters need, as compact columns."""

    index: SimilarityIndex
    ids: TextColumn
    signatures: np.ndarray
    teams: LabelColumn
    products: LabelColumn
    channels: LabelColumn
    solved_at: np.ndarray  # ASCII bytes, so "solved after" is one vectorised comparison
    fingerprint: list[int]
    _row_of: dict[str, int] | None = None

    @property
    def row_of(self) -> dict[str, int]:
        """Case id -> row of the live cases; built on first use (only updates need it)."""
        if self._row_of is None:
            alive = self.index.alive_
            self._row_of = {case_id: row for row, case_id in enumerate(self.ids) if alive[row]}
        return self._row_of

    def append(self, cases: list[Case]) -> None:
        self.index.add([index_text(c) for c in cases], [title_text(c) for c in cases])
        row_of, start = self.row_of, len(self.ids)
        for offset, case in enumerate(cases):
            row_of[case.id] = start + offset
        self.ids.extend(c.id for c in cases)
        self.signatures = np.concatenate([self.signatures, np.array([c.signature for c in cases], dtype=np.int64)])
        self.teams.extend(c.team for c in cases)
        self.products.extend(c.product for c in cases)
        self.channels.extend(c.channel for c in cases)
        self.solved_at = np.concatenate([self.solved_at, _times([c.solved_at for c in cases])])

    def hide(self, case_ids: list[str]) -> None:
        rows = [self.row_of.pop(case_id) for case_id in case_ids if case_id in self.row_of]
        if rows:
            self.index.remove(rows)

    def snapshot(self) -> CaseIndex:
        """A copy to update while searches go on reading this one.

        The inverted matrix and other large arrays are shared: updates replace arrays and
        never write into them, except `alive_`, which is copied (a byte per case).
        """
        index = copy.copy(self.index)
        index.alive_ = self.index.alive_.copy()
        index.choices_ = self.index.choices_.copy()
        return CaseIndex(
            index=index,
            ids=self.ids.copy(),
            signatures=self.signatures,
            teams=self.teams.copy(),
            products=self.products.copy(),
            channels=self.channels.copy(),
            solved_at=self.solved_at,
            fingerprint=list(self.fingerprint),
            _row_of=None if self._row_of is None else dict(self._row_of),
        )

    def settle(self) -> None:
        """Merge buffered appends, so readers in other threads never write to the columns."""
        for column in (self.ids, self.index.choices_, self.teams, self.products, self.channels):
            column.settle()


def _times(values: list[str]) -> np.ndarray:
    return np.array([v.encode("ascii", "replace") for v in values], dtype="S32")


def build_case_index(db: sqlite_utils.Database, index: SimilarityIndex | None = None, batch: int = 10_000) -> CaseIndex:
    """Index every solved case in the store from scratch, streaming texts in batches (never all at once)."""
    fingerprint = table_fingerprint(db)
    ids, teams, products, channels = TextColumn(), LabelColumn(), LabelColumn(), LabelColumn()
    signatures: list[np.ndarray] = []
    solved_at: list[np.ndarray] = []

    def batches() -> Iterator[tuple[list[str], list[str]]]:
        cases = iter_cases(db) if fingerprint[0] else iter(())
        while chunk := list(itertools.islice(cases, batch)):
            ids.extend(c.id for c in chunk)
            signatures.append(np.array([c.signature for c in chunk], dtype=np.int64))
            teams.extend(c.team for c in chunk)
            products.extend(c.product for c in chunk)
            channels.extend(c.channel for c in chunk)
            solved_at.append(_times([c.solved_at for c in chunk]))
            yield [index_text(c) for c in chunk], [title_text(c) for c in chunk]

    index = (index or SimilarityIndex()).fit_batches(batches())
    built = CaseIndex(
        index=index,
        ids=ids,
        signatures=np.concatenate(signatures) if signatures else np.zeros(0, dtype=np.int64),
        teams=teams,
        products=products,
        channels=channels,
        solved_at=np.concatenate(solved_at) if solved_at else _times([]),
        fingerprint=fingerprint,
    )
    built.settle()
    return built


@dataclass(frozen=True)
class Update:
    """How the store differs from an index: cases gone, edited and new, or too many for anything but a rebuild."""

    fingerprint: list[int]
    gone: list[str]
    changed: list[str]
    added: list[str]
    rebuild: bool


def plan_update(db: sqlite_utils.Database, current: CaseIndex, fingerprint: list[int] | None = None) -> Update | None:
    """What it takes to bring `current` in line with the store; None when the tickets did not move."""
    fingerprint = fingerprint if fingerprint is not None else table_fingerprint(db)
    if fingerprint == current.fingerprint:
        return None
    wanted = solved_signatures(db)
    row_of, known = current.row_of, current.signatures.tolist()
    gone = sorted(row_of.keys() - wanted.keys())
    added = sorted(wanted.keys() - row_of.keys())
    changed = [i for i, row in row_of.items() if known[row] != wanted.get(i, known[row])]
    dead = len(current.ids) - len(row_of)
    rebuild = dead + len(gone) + len(changed) + len(added) > REBUILD_SHARE * max(len(row_of), 1) + 10
    return Update(fingerprint, gone, changed, added, rebuild)


def apply_update(db: sqlite_utils.Database, current: CaseIndex, update: Update) -> CaseIndex:
    """A new index with the update applied; `current` is left as it was for the searches still reading it."""
    updated = current.snapshot()
    updated.hide(update.gone + update.changed)
    updated.append(list(iter_cases(db, update.changed + update.added)))
    updated.fingerprint = update.fingerprint
    updated.settle()
    return updated


@contextlib.contextmanager
def saved_index_lock(directory: Path) -> Iterator[None]:
    """Held while a process brings the saved index up to date: one process at a time (an import and the
    Slack app both follow a tickets import), so none deletes another's fresh files or redoes its work."""
    if fcntl is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def index_dir(db_path: str | Path) -> Path:
    """Where the index of a store lives: `<db>.similar/` beside the DB file."""
    return Path(f"{db_path}.similar")


def save_case_index(case_index: CaseIndex, directory: Path) -> None:
    """Write arrays and meta under a new generation, then swap `meta.json` in atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    gen = uuid.uuid4().hex[:12]
    idx = case_index.index
    # After an incremental update the inverted matrix is the one already on disk (1.6 GB at a million cases).
    saved = getattr(idx, "postings_saved_", None)
    if saved is not None and saved[1] is idx.postings_ and (directory / saved[0]).exists():
        postings_file = saved[0]
    else:
        postings_file = f"postings-{gen}.npz"
        sp.save_npz(directory / postings_file, idx.postings_, compressed=False)
    idx.postings_saved_ = (postings_file, idx.postings_)
    sp.save_npz(directory / f"recent-{gen}.npz", idx.recent_, compressed=False)
    id_blob, id_offsets = case_index.ids.arrays()
    title_blob, title_offsets = idx.choices_.arrays()
    np.savez(
        directory / f"arrays-{gen}.npz",
        word_idf=idx.word_idf_,
        char_idf=idx.char_idf_,
        alive=idx.alive_,
        signatures=case_index.signatures,
        id_blob=id_blob,
        id_offsets=id_offsets,
        title_blob=title_blob,
        title_offsets=title_offsets,
        team_codes=case_index.teams.codes,
        product_codes=case_index.products.codes,
        channel_codes=case_index.channels.codes,
        solved_at=case_index.solved_at,
    )
    meta = {
        "format": FORMAT_VERSION,
        "generation": gen,
        "postings": postings_file,
        "fingerprint": case_index.fingerprint,
        "params": {p: getattr(idx, p) for p in _PARAMS},
        "avgdl": idx.avgdl_,
        "teams": case_index.teams.labels,
        "products": case_index.products.labels,
        "channels": case_index.channels.labels,
        "vocabulary": idx.vocabulary_,
    }
    tmp = directory / f"meta-{gen}.json.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, directory / "meta.json")
    for old in directory.iterdir():
        if old.suffix == ".npz" and gen not in old.name and old.name != postings_file:
            old.unlink(missing_ok=True)


def saved_fingerprint(directory: Path) -> list[int] | None:
    """The tickets summary the saved index was built for, without loading it (None: no usable index)."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("fingerprint") if meta.get("format") == FORMAT_VERSION else None


def load_case_index(directory: Path) -> CaseIndex | None:
    """The saved index, or None when there is none or it was written by another format version."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            return None
        gen = meta["generation"]
        postings_file = meta.get("postings", f"postings-{gen}.npz")
        postings = sp.load_npz(directory / postings_file).tocsr()
        recent = sp.load_npz(directory / f"recent-{gen}.npz").tocsr()
        with np.load(directory / f"arrays-{gen}.npz", allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except (OSError, ValueError, KeyError):
        return None
    params = dict(meta["params"], char_ngram_range=tuple(meta["params"]["char_ngram_range"]))
    index = SimilarityIndex(**params)
    index.postings_, index.recent_ = postings, recent.astype(np.float32, copy=False)
    index.postings_saved_ = (postings_file, postings)
    index.word_idf_, index.char_idf_ = arrays["word_idf"], arrays["char_idf"]
    index.alive_, index.avgdl_ = arrays["alive"].copy(), float(meta["avgdl"])
    index.choices_ = TextColumn.from_arrays(arrays["title_blob"], arrays["title_offsets"])
    index.vocabulary_ = meta["vocabulary"]
    return CaseIndex(
        index=index,
        ids=TextColumn.from_arrays(arrays["id_blob"], arrays["id_offsets"]),
        signatures=arrays["signatures"],
        teams=LabelColumn(meta["teams"], arrays["team_codes"]),
        products=LabelColumn(meta["products"], arrays["product_codes"]),
        channels=LabelColumn(meta["channels"], arrays["channel_codes"]),
        solved_at=arrays["solved_at"],
        fingerprint=meta["fingerprint"],
    )
