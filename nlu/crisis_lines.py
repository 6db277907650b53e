"""The dated registry of crisis lines (placeholder until the NLU work lands)."""

from __future__ import annotations

from datetime import date

from flows.domain import Jurisdiction
from flows.understanding import CrisisLine, CrisisLines

_LINES = {
    Jurisdiction.QC: CrisisLines(
        "911",
        (CrisisLine("1 866 APPELLE", "1 866 277-3553", "phone", "24/7", "", "2026-11-01"),),
        "2026-11-01",
    ),
    Jurisdiction.FR: CrisisLines(
        "112", (CrisisLine("3114", "3114", "phone", "24/7", "", "2026-11-01"),), "2026-11-01"
    ),
}


class FileCrisisLineRegistry:
    """``CrisisLineRegistry`` read from a dated file."""

    @classmethod
    def load(cls) -> FileCrisisLineRegistry:
        """Load the registry shipped with the package."""
        return cls()

    def lines_for(self, jurisdiction: Jurisdiction) -> CrisisLines:
        """The lines of one jurisdiction."""
        return _LINES[jurisdiction]

    def stale_warning(self, today: date, max_age_days: int = 180) -> str | None:
        """A warning when the registry is older than ``max_age_days``."""
        del today, max_age_days
        return None
