"""The deterministic crisis screen (placeholder until the NLU work lands)."""

from __future__ import annotations

import unicodedata

from flows.understanding import NO_CRISIS, CrisisCategory, CrisisLevel, Screening

_URGENT = ("suicid", "me tuer", "kill myself", "overdose", "respire plus", "not breathing")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class DeterministicCrisisScreen:
    """``CrisisScreen``: word lists, no server."""

    def screen(self, text: str) -> Screening:
        """Screen one message."""
        folded = _fold(text)
        if any(word in folded for word in _URGENT):
            return Screening(CrisisLevel.URGENT, CrisisCategory.SUICIDE)
        return NO_CRISIS
