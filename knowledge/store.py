"""The case index on disk, next to the DB, and kept in step with the tickets table.

Arrays go in `.npz` files and the rest in JSON (never pickle: a pickle is tied to library
versions and unsafe to load). Files are written under a fresh generation name and
`meta.json` is replaced last, so a reader never sees half an index. When the tickets
table moved, the exact difference is computed from per-case checksums: new and edited
cases are added with the learned IDF, reopened ones are hidden, and a full rebuild
happens only when a large share of the index changed (the IDF would have drifted).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from smartstep.knowledge.cases import Case, index_text, iter_cases, solved_signatures, table_fingerprint, title_text
from smartstep.knowledge.index import SimilarityIndex

FORMAT_VERSION = 1
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
)


@dataclass
class CaseIndex:
    """A fitted index plus, per row, the case id and the fields filters need."""

    index: SimilarityIndex
    ids: list[str]
    signatures: list[int]
    teams: list[str]
    products: list[str]
    channels: list[str]
    solved_at: list[str]
    fingerprint: list[int]
    row_of: dict[str, int] = field(default_factory=dict)
    _columns: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row_of = {case_id: row for row, case_id in enumerate(self.ids) if self.index.alive_[row]}

    def column(self, name: str) -> np.ndarray:
        """A filter column as a numpy array (built once per change, compared vectorised)."""
        if name not in self._columns or len(self._columns[name]) != len(self.ids):
            self._columns[name] = np.array(getattr(self, name), dtype=str)
        return self._columns[name]

    def append(self, cases: list[Case]) -> None:
        self.index.add([index_text(c) for c in cases], [title_text(c) for c in cases])
        for case in cases:
            self.row_of[case.id] = len(self.ids)
            self.ids.append(case.id)
            self.signatures.append(case.signature)
            self.teams.append(case.team)
            self.products.append(case.product)
            self.channels.append(case.channel)
            self.solved_at.append(case.solved_at)

    def hide(self, case_ids: list[str]) -> None:
        rows = [self.row_of.pop(case_id) for case_id in case_ids if case_id in self.row_of]
        if rows:
            self.index.remove(rows)


def build_case_index(db: Any, index: SimilarityIndex | None = None, batch: int = 50_000) -> CaseIndex:
    """Index every solved case in the store from scratch, streaming texts in batches (never all at once)."""
    fingerprint = table_fingerprint(db)
    names = ("ids", "signatures", "teams", "products", "channels", "solved_at")
    columns: dict[str, list[Any]] = {name: [] for name in names}

    def batches() -> Iterator[tuple[list[str], list[str]]]:
        texts: list[str] = []
        titles: list[str] = []
        for case in iter_cases(db) if fingerprint[0] else ():
            values = (case.id, case.signature, case.team, case.product, case.channel, case.solved_at)
            for name, value in zip(names, values, strict=True):
                columns[name].append(value)
            texts.append(index_text(case))
            titles.append(title_text(case))
            if len(texts) == batch:
                yield texts, titles
                texts, titles = [], []
        if texts:
            yield texts, titles

    index = (index or SimilarityIndex()).fit_batches(batches())
    return CaseIndex(index=index, fingerprint=fingerprint, **columns)


def refresh(db: Any, current: CaseIndex) -> tuple[CaseIndex, bool]:
    """Bring the index in line with the store; returns (index, whether anything changed)."""
    fingerprint = table_fingerprint(db)
    if fingerprint == current.fingerprint:
        return current, False
    wanted = solved_signatures(db)
    gone = [i for i in current.row_of if i not in wanted]
    changed = [i for i, sig in wanted.items() if i in current.row_of and current.signatures[current.row_of[i]] != sig]
    added = [i for i in wanted if i not in current.row_of]
    dead = len(current.ids) - len(current.row_of)
    if dead + len(gone) + len(changed) + len(added) > REBUILD_SHARE * max(len(current.row_of), 1) + 10:
        return build_case_index(db, SimilarityIndex(**current.index.get_params())), True
    current.hide(gone + changed)
    current.append(list(iter_cases(db, changed + added)))
    current.fingerprint = fingerprint
    return current, True


def index_dir(db_path: str | Path) -> Path:
    """Where the index of a store lives: `<db>.similar/` beside the DB file."""
    return Path(f"{db_path}.similar")


def save_case_index(case_index: CaseIndex, directory: Path) -> None:
    """Write arrays and meta under a new generation, then swap `meta.json` in atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    gen = uuid.uuid4().hex[:12]
    idx = case_index.index
    sp.save_npz(directory / f"postings-{gen}.npz", idx.postings_, compressed=False)
    np.savez(
        directory / f"arrays-{gen}.npz",
        word_idf=idx.word_idf_,
        char_idf=idx.char_idf_,
        alive=idx.alive_,
        signatures=np.array(case_index.signatures, dtype=np.int64),
    )
    meta = {
        "format": FORMAT_VERSION,
        "generation": gen,
        "fingerprint": case_index.fingerprint,
        "params": {p: getattr(idx, p) for p in _PARAMS},
        "ids": case_index.ids,
        "teams": case_index.teams,
        "products": case_index.products,
        "channels": case_index.channels,
        "solved_at": case_index.solved_at,
        "choices": idx.choices_,
        "vocabulary": idx.vocabulary_,
    }
    tmp = directory / f"meta-{gen}.json.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, directory / "meta.json")
    for old in directory.iterdir():
        if old.suffix == ".npz" and gen not in old.name:
            old.unlink(missing_ok=True)


def load_case_index(directory: Path) -> CaseIndex | None:
    """The saved index, or None when there is none or it was written by another format version."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            return None
        gen = meta["generation"]
        postings = sp.load_npz(directory / f"postings-{gen}.npz").tocsr()
        with np.load(directory / f"arrays-{gen}.npz", allow_pickle=False) as arrays:
            word_idf, char_idf, alive = arrays["word_idf"], arrays["char_idf"], arrays["alive"]
            signatures = arrays["signatures"].tolist()
    except (OSError, ValueError, KeyError):
        return None
    params = dict(meta["params"], char_ngram_range=tuple(meta["params"]["char_ngram_range"]))
    index = SimilarityIndex(**params)
    index.postings_, index.word_idf_, index.char_idf_, index.alive_ = postings, word_idf, char_idf, alive.copy()
    index.choices_, index.vocabulary_ = meta["choices"], meta["vocabulary"]
    return CaseIndex(
        index=index,
        ids=meta["ids"],
        signatures=signatures,
        teams=meta["teams"],
        products=meta["products"],
        channels=meta["channels"],
        solved_at=meta["solved_at"],
        fingerprint=meta["fingerprint"],
    )
