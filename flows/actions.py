"""What the core decides: messages for the person, work for the staff, effects to persist."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flows.directory import SearchPage
from flows.domain import CaseReason, Conversation, Language, Priority, Theme
from flows.insights import Noted
from flows.transcript import Transcribe
from flows.understanding import NO_CRISIS, CrisisCategory, CrisisLevel, Screening


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: ``label`` is shown, ``payload`` comes back as ``ButtonPressed``."""

    label: str
    payload: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to the person.

    ``text`` is already rendered in the person's language and is plain text: adapters escape
    it for their markup. ``location_button`` (its label) asks the adapter to offer its
    share-location control. ``discreet`` marks follow-ups: silent, not forwardable.
    """

    text: str
    buttons: Keyboard = ()
    location_button: str | None = None
    discreet: bool = False


@dataclass(frozen=True, slots=True)
class ShowPlace:
    """A map pin for one resource (Telegram venue; console prints a map link)."""

    latitude: float
    longitude: float
    title: str
    address: str


PersonMessage = Reply | ShowPlace


@dataclass(frozen=True, slots=True)
class OpenCase:
    """Open (or raise) a handoff case for this conversation.

    For a flagged message (``reason`` crisis), ``category`` and ``level`` say what the crisis
    screen found, so the worker reads « suicide (urgent) » on the card, not only a colour;
    ``flows.case_rules.crisis_case(screening)`` builds it.
    """

    priority: Priority
    reason: CaseReason
    category: CrisisCategory | None = None
    level: CrisisLevel | None = None


@dataclass(frozen=True, slots=True)
class ReopenCase:
    """Reopen the person's case ``case_id``: they wrote back soon after it was closed.

    ``flows.case_rules.reopens_on_person_message`` says when; the case waits for a worker
    again, in its own place in the staff group.
    """

    case_id: int


@dataclass(frozen=True, slots=True)
class RelayToWorker:
    """Pass the person's message to the worker side of their open case.

    ``reference`` is the channel's opaque id of the person's message, so the adapter can copy
    it without the author (never downloading it). ``kind`` is ``text`` or a media kind;
    ``copy`` is False for what must not reach the staff group (a contact card, a location):
    the workers are then only told that something was withheld.
    """

    text: str
    reference: str | None = None
    kind: str = "text"
    copy: bool = True


@dataclass(frozen=True, slots=True)
class CloseCase:
    """Close the open case because of the person (``detail``: blocked, cancelled…)."""

    detail: str


@dataclass(frozen=True, slots=True)
class ForgetPerson:
    """Erase everything kept about this person (``/oublie``)."""


@dataclass(frozen=True, slots=True)
class CancelFollowUps:
    """Cancel every pending follow-up for this conversation."""


@dataclass(frozen=True, slots=True)
class ScheduleFollowUp:
    """Wake this conversation at ``due`` for its follow-up (replacing any armed one).

    ``flows.followups`` decides, when it fires, whether anything is sent.
    """

    due: datetime


Effect = (
    OpenCase
    | ReopenCase
    | RelayToWorker
    | CloseCase
    | ForgetPerson
    | CancelFollowUps
    | ScheduleFollowUp
    | Transcribe
    | Noted
)


@dataclass(frozen=True, slots=True)
class TurnTrace:
    """What the engine understood and did in one turn, in structured form.

    Read by the conversation scenarios (what the person lived), the worker's transcript and
    the anonymous insights; never stored as is. ``crisis`` is the verdict that drove the turn
    (the screen's, or the NLU's when only the NLU flagged it).
    """

    crisis: Screening = NO_CRISIS
    faq: str | None = None
    theme: Theme | None = None
    results: SearchPage | None = None
    language: Language | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer to one event: the new state, what to send, what to persist."""

    conversation: Conversation | None
    messages: tuple[PersonMessage, ...] = ()
    effects: tuple[Effect, ...] = field(default_factory=tuple)
    trace: TurnTrace = field(default_factory=TurnTrace)
