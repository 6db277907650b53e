"""Reading one text before the conversation is loaded: the crisis screen, then the NLU.

The service reads a text *before* it opens the unit of work, so no database connection is
held while the NLU server answers, and the crisis screen runs exactly once per message.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.domain import Language
from flows.ports import CrisisScreen, Nlu
from flows.understanding import Intent, Interpretation, NluUnavailable, Screening

# Rasa's parse is cheap, but nobody's need is in their 1 001st character; the crisis screen
# still reads the whole message.
NLU_MAX_CHARS = 1_000
NOT_ASKED = Interpretation(Intent.UNKNOWN, 0.0)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one text says: the crisis screen's verdict and the NLU's interpretation.

    ``interpretation`` is ``NOT_ASKED`` when the screen flagged the text (the crisis protocol
    needs no NLU) and ``NluUnavailable`` when the NLU could not answer.
    """

    screening: Screening
    interpretation: Interpretation | NluUnavailable


class TextReader:
    """Screens a text for a crisis, then asks the NLU about it unless it was flagged."""

    def __init__(self, *, screen: CrisisScreen, nlu: Nlu) -> None:
        self._screen = screen
        self._nlu = nlu

    async def read(self, text: str, language: Language) -> Reading:
        """The reading of ``text``; never raises for an NLU outage."""
        screening = self._screen.screen(text)
        if screening.flagged:
            return Reading(screening, NOT_ASKED)
        interpretation = await self._nlu.parse(text[:NLU_MAX_CHARS], language)
        return Reading(screening, interpretation)
