"""Domain types shared by the core and every adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Language(StrEnum):
    """Languages the bot speaks; French first."""

    FR = "fr"
    EN = "en"

    @classmethod
    def from_code(cls, code: str | None, default: Language | None = None) -> Language:
        """Map a Telegram ``language_code`` (``fr-CA``, ``en``…) to a supported language."""
        fallback = default or cls.FR
        if not code:
            return fallback
        head = code.split("-")[0].split("_")[0].lower()
        try:
            return cls(head)
        except ValueError:
            return fallback


class Theme(StrEnum):
    """The 14 themes of DESIGN.md: the contract between NLU, resources and buttons."""

    FOOD = "food"
    SHELTER = "shelter"
    DROP_IN = "drop_in"
    HYGIENE = "hygiene"
    HEALTH = "health"
    SEXUAL_HEALTH = "sexual_health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    VIOLENCE = "violence"
    LEGAL = "legal"
    MONEY = "money"
    EMPLOYMENT = "employment"
    FAMILY = "family"
    PEER_SUPPORT = "peer_support"


class FlowState(StrEnum):
    """Where the person is in the bot's conversation (meaningful while the bot owns it)."""

    NEW = "new"
    MENU = "menu"
    AWAITING_PLACE = "awaiting_place"
    RESULTS = "results"
    CONFIRM_FORGET = "confirm_forget"


class Owner(StrEnum):
    """Who holds the conversation. Exactly one owner at a time."""

    BOT = "bot"
    QUEUED = "queued"
    WORKER = "worker"
    CLOSED = "closed"


class Priority(StrEnum):
    """Case priority in the staff queue, most pressing first."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"

    @property
    def rank(self) -> int:
        """Sort key: lower is more pressing."""
        return {"urgent": 0, "high": 1, "normal": 2}[self.value]


class CaseReason(StrEnum):
    """Why a case was opened."""

    CRISIS = "crisis"
    ASKED_FOR_HUMAN = "asked_for_human"
    NOT_UNDERSTOOD = "not_understood"
    REOPENED = "reopened"
    MEETING_REQUEST = "meeting_request"


class Formality(StrEnum):
    """French address form chosen by the deployment."""

    TU = "tu"
    VOUS = "vous"


class Jurisdiction(StrEnum):
    """Where the deployment works; selects emergency numbers and crisis lines."""

    QC = "qc"
    FR = "fr"


@dataclass(frozen=True, slots=True)
class Conversation:
    """The persisted state of one person's conversation.

    Holds no name, no username, no Telegram id: only the keyed pseudonym.
    ``area`` is a coarse, person-chosen label (a postal prefix or a city), never coordinates.
    """

    pseudonym: str
    language: Language
    created_at: datetime
    last_activity_at: datetime
    state: FlowState = FlowState.NEW
    owner: Owner = Owner.BOT
    source: str | None = None
    theme: Theme | None = None
    area: str | None = None
    results_page: int = 0
    misunderstood: int = 0
    followup_consent: bool = False
    language_chosen: bool = False
    crisis_flagged_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
