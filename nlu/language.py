"""Which language a message is written in: French or English, or "not sure".

``LinguaLanguageDetector`` asks lingua (statistical n-gram models shipped inside the
package, nothing downloaded) to choose between French and English only, and answers None
whenever it would be a guess:

- fewer than ``MIN_WORDS`` words or ``MIN_LETTERS`` letters ("ok", "lol", "k", "😭", a postal
  code, a single place name such as "Montréal": one word says too little) — except the few
  words of ``_ONE_WORD`` that nobody types in the other language ("faim", "hungry");
- lingua's confidence for the winner below ``MIN_CONFIDENCE`` (joual such as "chu pu
  capable" reads 0.64 French: unsure, so the conversation keeps its language);
- words that only French uses and words that only English uses in the same short message
  ("ok merci thanks"), unless lingua is all but certain.

Below ``MIN_CONFIDENCE``, a text with at least ``MIN_MARKERS`` everyday words of the
winning language only ("chu dans marde": *chu*, *dans*) is still that language.

The thresholds were set on the examples of ``tests/unit/test_language.py`` (English on a
French phone, joual, SMS spelling, France slang, one-word replies); docs/nlu.md has the
figures. The models are loaded once, at construction (about half a second), so the first
message does not pay for it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from lingua import Language as LinguaLanguage
from lingua import LanguageDetectorBuilder

from flows.domain import Language

__all__ = ["LinguaLanguageDetector"]

MIN_WORDS: Final = 2
MIN_LETTERS: Final = 6
MIN_CONFIDENCE: Final = 0.8
# A message with words of both languages is mixed unless lingua is at least this sure.
MIXED_MIN_CONFIDENCE: Final = 0.97
# Below MIN_CONFIDENCE, this many distinct everyday words of the winner's language only (and
# none of the other's) are enough.
MIN_MARKERS: Final = 2
# A text shorter than this needs at least one everyday word of the language found.
SHORT_TEXT_WORDS: Final = 4

_WORD: Final = re.compile(r"[^\W\d_]+")
_TO_OURS: Final = {LinguaLanguage.FRENCH: Language.FR, LinguaLanguage.ENGLISH: Language.EN}


# Very common words that only one of the two languages uses (lowercase, as typed).
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ONLY_FR: Final = _words(
    "je j tu il elle nous vous ils est suis es sont pas merci oui ouais non svp stp"
    " bonjour salut allo le la les une des du au aux pour avec dans mais ou quoi comment"
    " pourquoi qui que quand chez moi toi mon ma mes ton ta tes ça ca c'est cest jai chu"
    " besoin veux peux faire parler aide francais français où ça bonne bonsoir rien faim"
    " dormir manger ce cette aussi très trop bien chui chuis jsuis jsui jveux jveu jvais jsais"
    " jpeux jpense jme jte y'a"
)
_ONLY_EN: Final = _words(
    "i you he she we they is am are was the my your his her to of and or but not"
    " what where when why how who with for from please thanks thank yes yeah nope hi hello"
    " need want can help english good morning night im i'm it this that there here have"
    " got get do does don't dont just some any no so really sorry hey"
)


# One word can be enough when nobody would type it in the other language ("faim" on an
# English phone, "hungry" on a French one). "help", "ok", "allo", "stop" are typed by both,
# and "merci", "bonjour", "thanks" are politeness bilingual people use either way.
_ONE_WORD: Final = {
    **dict.fromkeys(
        _words("faim manger bouffe dormir hébergement hebergement logement"),
        Language.FR,
    ),
    **dict.fromkeys(
        _words("food hungry shelter starving homeless"),
        Language.EN,
    ),
}


class LinguaLanguageDetector:
    """``LanguageDetector`` over lingua, restricted to French and English, preloaded once."""

    def __init__(
        self,
        *,
        min_words: int = MIN_WORDS,
        min_letters: int = MIN_LETTERS,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        self._min_words = min_words
        self._min_letters = min_letters
        self._min_confidence = min_confidence
        self._lingua = (
            LanguageDetectorBuilder.from_languages(LinguaLanguage.FRENCH, LinguaLanguage.ENGLISH)
            .with_preloaded_language_models()
            .build()
        )

    def detect(self, text: str) -> Language | None:
        """FR or EN when the text clearly is; None when unsure (short, mixed, emoji only)."""
        words = _WORD.findall(text.casefold())
        if len(words) == 1 and words[0] in _ONE_WORD:
            return _ONE_WORD[words[0]]
        if len(words) < self._min_words or sum(map(len, words)) < self._min_letters:
            return None
        values = self._lingua.compute_language_confidence_values(" ".join(words))
        if not values:
            return None
        best = values[0]
        winner = _TO_OURS.get(best.language)
        vocabulary = set(words)
        french, english = len(vocabulary & _ONLY_FR), len(vocabulary & _ONLY_EN)
        if french and english:
            return winner if best.value >= MIXED_MIN_CONFIDENCE else None
        markers = french if winner is Language.FR else english
        if len(words) < SHORT_TEXT_WORDS and not markers:
            # "hmmm kwak kwak", "blblbl zzzrt": a short text with no everyday word of the
            # language lingua picks is noise, not a language.
            return None
        if best.value >= self._min_confidence:
            return winner
        # Joual and SMS French puzzle the statistics ("y reste tu des lits a soir" reads
        # 0.80): several everyday words of one language only, and none of the other, decide.
        return winner if markers >= MIN_MARKERS else None


if TYPE_CHECKING:  # the adapter fits its port
    from flows.ports import LanguageDetector

    _port: LanguageDetector = LinguaLanguageDetector()
