"""What the NLU and the crisis screen tell the core about a message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flows.domain import Theme


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
    """

    intent: Intent
    confidence: float
    theme: Theme | None = None
    faq_key: str | None = None
    entities: tuple[Entity, ...] = ()

    def entity(self, kind: str) -> str | None:
        """The first entity value of ``kind``, if any."""
        return next((e.value for e in self.entities if e.kind == kind), None)


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
