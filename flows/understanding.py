"""What the NLU and the crisis screen tell the core about a message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from flows.domain import Language, Theme
from flows.faq import PRIVACY_SUBJECTS

# --- calibrated thresholds ------------------------------------------------------------------
# Chosen with `passerelle nlu calibrate tests/data/nlu_heldout.yml tests/data/nlu_blind.yml
# tests/data/nlu_blind2.yml` (345 labelled texts); the curves and the reasons are in
# docs/nlu.md. Re-run it after every retraining: a new model moves its confidences.

# Below this, a reading (intent or need) is "not understood": the person gets the menu and,
# after a second miss, the offer of a human. Flat from 0.35 to 0.5 (82 % of needs right, 8 %
# wrong); above 0.5 right answers turn into "not understood" faster than wrong ones go.
INTENT_MIN_CONFIDENCE: Final = 0.45
# The FAQ ResponseSelector's own confidence in its topic. The intent's confidence only says
# "this is a question"; which question is this number (the pets-in-shelters answer to a
# question about the police was intent 1.0, topic 0.32). At 0.5: 17 of 22 questions
# answered right, 1 wrong, 4 answers to the 276 texts that asked nothing (12 at 0.3);
# at 0.6 two right answers are lost for nothing.
FAQ_MIN_CONFIDENCE: Final = 0.5
# The NLU's own `crisis` intent, when the deterministic screen did not flag the text: below
# this it opens no case. The screen flagged all 47 crises of the sets; the NLU alone would
# catch 13 of them at 0.8-0.85 (10 at 0.9), and its one false alarm on 298 harmless texts
# sits between 0.7 and 0.8 ("ma coloc a pris mes écouteurs" read 0.80 before this round's
# data): 0.85 keeps a margin.
CRISIS_INTENT_MIN_CONFIDENCE: Final = 0.85
# The best need_<theme> of the ranking when the top intent is not a need (a need and "I
# want to talk to someone" in one sentence): at or above this, the engine may act on it too.
# Among texts that ask for a human, the need found and nothing claimed from 0.05 to 0.1;
# over every text whose top intent is not a need, 4 % get a need they did not hold at 0.1
# (11 % at 0.02).
SECOND_THEME_MIN_CONFIDENCE: Final = 0.1


class CrisisLevel(StrEnum):
    """How alarming a message is, by the deterministic screen or the NLU."""

    NONE = "none"
    CONCERN = "concern"
    URGENT = "urgent"


class CrisisCategory(StrEnum):
    """What kind of danger a flagged message speaks of."""

    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    OVERDOSE = "overdose"
    VIOLENCE = "violence"
    CHILD_ABUSE = "child_abuse"
    SEXUAL_ASSAULT = "sexual_assault"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Screening:
    """The crisis screen's verdict on one text."""

    level: CrisisLevel
    category: CrisisCategory | None = None

    @property
    def flagged(self) -> bool:
        """True when the message needs the crisis protocol."""
        return self.level is not CrisisLevel.NONE


NO_CRISIS = Screening(CrisisLevel.NONE)


class Intent(StrEnum):
    """Intents other than ``need_<theme>`` and ``faq/<topic>``."""

    CRISIS = "crisis"
    ASK_HUMAN = "ask_human"
    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    AFFIRM = "affirm"
    DENY = "deny"
    STOP = "stop"
    FORGET_ME = "forget_me"
    HOW_IT_WORKS = "how_it_works"
    OUT_OF_SCOPE = "out_of_scope"
    NEED = "need"
    FAQ = "faq"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity the NLU found: ``place`` or ``postal_code``."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Interpretation:
    """The NLU's reading of one message.

    ``intent`` is ``Intent.NEED`` with ``theme`` set for ``need_<theme>``, ``Intent.FAQ`` with
    ``faq_key`` set for a retrieval intent, otherwise one of the plain intents.

    ``confidence`` is the intent classifier's; ``faq_confidence`` the FAQ ResponseSelector's
    own confidence for ``faq_key`` (0.0 when there is no topic). ``second_theme`` is the best
    ``need_<theme>`` of the ranking when the top intent is not a need, with its confidence.
    ``faq_runner_up`` is the selector's second topic, with its confidence.
    """

    intent: Intent
    confidence: float
    theme: Theme | None = None
    faq_key: str | None = None
    entities: tuple[Entity, ...] = ()
    faq_confidence: float = 0.0
    second_theme: Theme | None = None
    second_theme_confidence: float = 0.0
    faq_runner_up: str | None = None
    faq_runner_up_confidence: float = 0.0

    def entity(self, kind: str) -> str | None:
        """The first entity value of ``kind``, if any."""
        return next((e.value for e in self.entities if e.kind == kind), None)

    @property
    def confident_faq(self) -> str | None:
        """The FAQ topic when both the intent and the selector are sure enough, else None.

        Two privacy topics sharing the selector's confidence count as one question.
        """
        if (
            self.intent is Intent.FAQ
            and self.faq_key
            and self.confidence >= INTENT_MIN_CONFIDENCE
            and self._faq_certainty >= FAQ_MIN_CONFIDENCE
        ):
            return self.faq_key
        return None

    @property
    def _faq_certainty(self) -> float:
        """The selector's confidence in the topic — shared with a close kin runner-up."""
        if self.faq_key in PRIVACY_SUBJECTS and self.faq_runner_up in PRIVACY_SUBJECTS:
            return self.faq_confidence + self.faq_runner_up_confidence
        return self.faq_confidence

    @property
    def confident_crisis(self) -> bool:
        """True when the NLU's own crisis intent is sure enough to open a case by itself."""
        return self.intent is Intent.CRISIS and self.confidence >= CRISIS_INTENT_MIN_CONFIDENCE

    @property
    def confident_second_theme(self) -> Theme | None:
        """The second theme when it is sure enough to act on, else None."""
        if self.second_theme_confidence >= SECOND_THEME_MIN_CONFIDENCE:
            return self.second_theme
        return None


# Who a person may be asking for ("je demande pour mon fils"): ``TextCues.for_someone``.
RELATIONS: Final = frozenset(
    {"child", "partner", "friend", "parent", "sibling", "neighbour", "relative"}
)
GENDERS: Final = frozenset({"woman", "man", "nonbinary"})
ANSWERS: Final = frozenset({"yes", "no"})


@dataclass(frozen=True, slots=True)
class TextCues:
    """Deterministic facts read from one message (``CueReader``), kept for the conversation.

    None of them is stored with the text: the engine keeps only these values, and only for
    the conversation.

    - ``age``: what the person says of their own age ("j'ai 15 ans", "im 16"), never "15 ans
      de prison" or "depuis 15 ans".
    - ``for_someone``: a relation id of ``RELATIONS`` when the person asks for someone else.
    - ``asks_human``: the text asks for a person ("jveux parler à quelqu'un").
    - ``asks_meeting``: the text asks to meet a worker ("un travailleur de rue peut venir me
      voir ?").
    - ``language_request``: the person asks to be answered in this language.
    - ``answer``: ``"yes"`` or ``"no"`` for a short reply that says only that.
    - ``gender``: one of ``GENDERS`` when the person says it of themselves.
    - ``watched``: someone may read the person's phone ("mon chum regarde mon cell").
    - ``refuses_call``: the person will not or cannot call a line ("je veux pas appeler
      personne", "i can't call").
    """

    age: int | None = None
    for_someone: str | None = None
    asks_human: bool = False
    asks_meeting: bool = False
    language_request: Language | None = None
    answer: str | None = None
    gender: str | None = None
    watched: bool = False
    refuses_call: bool = False


NO_CUES: Final = TextCues()


@dataclass(frozen=True, slots=True)
class NluUnavailable:
    """The NLU could not answer (down, slow, circuit open). The person still gets buttons."""

    reason: str


@dataclass(frozen=True, slots=True)
class CrisisLine:
    """One entry of the dated crisis-line registry."""

    name: str
    contact: str
    kind: str
    hours: str
    source: str
    verified: str
    audience: str = ""


@dataclass(frozen=True, slots=True)
class CrisisLines:
    """A jurisdiction's emergency number and crisis lines, as the registry dates them."""

    emergency_number: str
    lines: tuple[CrisisLine, ...]
    verified: str
