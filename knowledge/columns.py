"""Per-case values held as a few arrays instead of a million Python objects.

At a million cases, lists of strings cost about 60 bytes of object overhead per value
and seconds to parse back from JSON; titles in one UTF-8 buffer and teams as small
integer codes cost their bytes and load as arrays from the `.npz` next to the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np


class TextColumn:
    """Strings in one UTF-8 buffer with offsets; appended in batches, read one value at a time."""

    def __init__(self, blob: bytes = b"", offsets: np.ndarray | None = None) -> None:
        self._blob = blob
        self._offsets = np.zeros(1, dtype=np.int64) if offsets is None else offsets.astype(np.int64, copy=False)
        self._pending: list[tuple[bytes, np.ndarray]] = []  # (joined UTF-8, sizes) per `extend`

    def extend(self, values: Iterable[str]) -> None:
        encoded = [v.encode("utf-8", "surrogatepass") for v in values]
        sizes = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        self._pending.append((b"".join(encoded), sizes))

    def settle(self) -> None:
        if self._pending:
            sizes = np.concatenate([part[1] for part in self._pending])
            self._offsets = np.concatenate([self._offsets, self._offsets[-1] + np.cumsum(sizes)])
            self._blob = b"".join([self._blob, *(part[0] for part in self._pending)])
            self._pending = []

    def __len__(self) -> int:
        return len(self._offsets) - 1 + sum(len(part[1]) for part in self._pending)

    def __getitem__(self, row: int) -> str:
        self.settle()
        start, end = self._offsets[row], self._offsets[row + 1]
        return self._blob[start:end].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        self.settle()
        return (self[row] for row in range(len(self)))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(UTF-8 bytes, offsets), as saved."""
        self.settle()
        return np.frombuffer(self._blob, dtype=np.uint8), self._offsets

    def copy(self) -> TextColumn:
        """Shares the buffer (bytes never change in place); appends to the copy leave this one alone."""
        self.settle()
        return TextColumn(self._blob, self._offsets)

    @classmethod
    def from_arrays(cls, blob: np.ndarray, offsets: np.ndarray) -> TextColumn:
        return cls(blob.tobytes(), offsets)


class LabelColumn:
    """A low-cardinality text column (team, product, channel): one small integer code per row."""

    def __init__(self, labels: list[str] | None = None, codes: np.ndarray | None = None) -> None:
        self.labels: list[str] = list(labels or [])
        self._code_of = {label: code for code, label in enumerate(self.labels)}
        self._codes = np.zeros(0, dtype=np.int32) if codes is None else codes.astype(np.int32, copy=False)
        self._pending: list[np.ndarray] = []  # codes per `extend`

    def extend(self, values: Iterable[str]) -> None:
        self._pending.append(np.fromiter((self._code(v) for v in values), dtype=np.int32))

    def _code(self, value: str) -> int:
        code = self._code_of.get(value)
        if code is None:
            code = self._code_of[value] = len(self.labels)
            self.labels.append(value)
        return code

    def settle(self) -> None:
        if self._pending:
            self._codes = np.concatenate([self._codes, *self._pending])
            self._pending = []

    @property
    def codes(self) -> np.ndarray:
        self.settle()
        return self._codes

    def copy(self) -> LabelColumn:
        """Shares the codes array (replaced on append, never written in place)."""
        return LabelColumn(self.labels, self.codes)

    def __len__(self) -> int:
        return len(self._codes) + sum(len(part) for part in self._pending)

    def __getitem__(self, row: int) -> str:
        return self.labels[int(self.codes[row])]

    def equals_ignoring_case(self, wanted: str) -> np.ndarray:
        """Rows whose value is `wanted`, case and surrounding spaces ignored."""
        key = wanted.strip().lower()
        hits = [code for code, label in enumerate(self.labels) if label.strip().lower() == key]
        return np.isin(self.codes, np.asarray(hits, dtype=np.int32))
