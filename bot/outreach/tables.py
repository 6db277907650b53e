"""Small-count suppression for the needs & gaps report, by construction rather than by repair.

The method (docs/report.md says it in words):

1. Each population of the report (needs, searches, arrivals, cases) is counted once, in one
   **base table** crossing every dimension any of its published tables uses.
2. A base cell with 1 to ``k - 1`` is **masked**: its count is dropped on the spot and only
   the fact that it was masked is kept. Zeros are published: nobody is not somebody.
3. Every published figure — a cell of a smaller table, a row or column total, a grand total —
   is the **sum of published base cells only**. When some base cell under it was masked it is
   shown as "at least" (``≥ 12``), or ``x`` when nothing under it was published.

So no published figure contains a masked count, and no subtraction between published
figures — in a table, between tables, along rows or columns — can bring one back: the masked
counts are simply not in anything published. A figure of a population is never computed
from another population, so no figure of one can be set against a figure of another.
(Reports over overlapping periods are another matter: docs/report.md.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MIN_THRESHOLD = 5

Key = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A published figure: the sum of published base cells, and whether some were masked."""

    value: int
    masked: bool = False

    @property
    def hidden(self) -> bool:
        """True when nothing under it could be published (shown as ``x``)."""
        return self.masked and self.value == 0

    def text(self) -> str:
        """``12``, ``≥ 12`` or ``x``: as printed in the HTML page."""
        if not self.masked:
            return str(self.value)
        return "x" if self.value == 0 else f"≥ {self.value}"

    def csv(self) -> str:
        """``12``, ``>=12`` or ``x``: as written in the CSV files."""
        if not self.masked:
            return str(self.value)
        return "x" if self.value == 0 else f">={self.value}"

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.value + other.value, self.masked or other.masked)


ZERO = Figure(0)


class Cube:
    """A base table after masking: published cells exactly, masked cells only as keys."""

    def __init__(
        self, dimensions: tuple[str, ...], counts: Mapping[Key, int], threshold: int
    ) -> None:
        if threshold < MIN_THRESHOLD:
            raise ValueError(f"the masking threshold is never below {MIN_THRESHOLD}")
        self.dimensions = dimensions
        self.threshold = threshold
        self._published: dict[Key, int] = {}
        self._masked: set[Key] = set()
        for key, count in counts.items():
            if len(key) != len(dimensions):
                raise ValueError(f"key {key!r} does not match {dimensions}")
            if 0 < count < threshold:
                self._masked.add(key)  # the count itself is not kept
            else:
                self._published[key] = count

    def _index(self, dimension: str) -> int:
        return self.dimensions.index(dimension)

    def values(self, dimension: str) -> list[object]:
        """Every value ``dimension`` takes, in published and masked cells alike."""
        i = self._index(dimension)
        found = {key[i] for key in (*self._published, *self._masked)}
        return sorted(found, key=lambda v: (v is None, str(v)))

    def where(self, dimension: str, allowed: Iterable[object]) -> Cube:
        """The cells whose ``dimension`` is one of ``allowed`` (masking unchanged)."""
        i, keep = self._index(dimension), set(allowed)
        subset = Cube.__new__(Cube)
        subset.dimensions = self.dimensions
        subset.threshold = self.threshold
        subset._published = {k: n for k, n in self._published.items() if k[i] in keep}
        subset._masked = {k for k in self._masked if k[i] in keep}
        return subset

    def view(self, *dimensions: str) -> dict[Key, Figure]:
        """Figures by ``dimensions``: sums of published cells, flagged where cells were masked."""
        indexes = [self._index(d) for d in dimensions]
        out: dict[Key, Figure] = {}
        for key, count in self._published.items():
            cell = tuple(key[i] for i in indexes)
            out[cell] = out.get(cell, ZERO) + Figure(count)
        for key in self._masked:
            cell = tuple(key[i] for i in indexes)
            out[cell] = out.get(cell, ZERO) + Figure(0, masked=True)
        return out

    def total(self) -> Figure:
        """The grand total (published cells only)."""
        return self.view().get((), ZERO)

    @property
    def empty(self) -> bool:
        """True when the base table has no cell at all."""
        return not self._published and not self._masked


def sorted_by(
    figures: Mapping[Key, Figure], label: Callable[[Key], str] | None = None
) -> list[tuple[Key, Figure]]:
    """Largest published figure first, then by label: the order a reader looks for."""
    name = label or str
    return sorted(figures.items(), key=lambda item: (-item[1].value, item[1].masked, name(item[0])))
