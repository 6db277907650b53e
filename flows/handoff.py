"""Handoff to a human: the one place where ownership of a conversation is decided.

A conversation has exactly one owner: the bot, the queue (a human was asked for), a worker,
or nobody any more (closed, and the bot answers again). The engine asks ``HandoffRules``
before doing anything for a conversation a human holds, and every worker action (take,
reply, note, give back, close, reopen, read) is decided here too, by pure code:

- while a worker holds the conversation, the bot says nothing: the person's messages go to
  the worker, a flagged message raises the case to urgent (the staff group is told), and no
  follow-up fires; only the emergency numbers and erasure stay within the person's reach;
- while the case waits in the queue, the bot only says that it waits (and when a human will
  be back), gives the crisis lines to a flagged message, and lets the person cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.actions import (
    Button,
    CancelFollowUps,
    CloseCase,
    Decision,
    Effect,
    OpenCase,
    PersonMessage,
    RelayToWorker,
    Reply,
)
from flows.availability import TeamHours
from flows.cases import BY_BOT, BY_PERSON, Case, CaseStatus, Worker, WorkerAction
from flows.catalogue import Catalogue
from flows.crisis_protocol import crisis_lines_text, crisis_replies
from flows.domain import (
    CaseReason,
    Conversation,
    FlowState,
    Jurisdiction,
    Language,
    Owner,
    Priority,
)
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaKind,
    MediaReceived,
    PersonEvent,
    TextReceived,
    TimerFired,
)
from flows.identity import alias_for
from flows.ports import Clock, CrisisLineRegistry
from flows.staff_view import StaffView
from flows.understanding import CrisisLevel, CrisisLines, Screening

# Media a worker may receive as a copy (never downloaded by the bot). A contact card can
# carry someone else's phone number and a location is precise: neither reaches the group.
RELAYABLE_MEDIA = frozenset(
    {
        MediaKind.STICKER,
        MediaKind.PHOTO,
        MediaKind.VOICE,
        MediaKind.VIDEO,
        MediaKind.AUDIO,
        MediaKind.DOCUMENT,
    }
)
# What the person can still ask of the bot while a human holds the conversation: the
# emergency numbers, erasure and stopping follow-ups are never withheld.
BOT_COMMANDS_WHILE_HELD = frozenset(
    {"urgence", "emergency", "sos", "oublie", "forget", "oublier", "stop", "arret", "arrêt"}
)
BOT_BUTTONS_WHILE_HELD = ("emergency", "forget:")
CANCEL_PAYLOAD = "handoff:cancel"
HELD = (Owner.QUEUED, Owner.WORKER)
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
NOON = 12


def _utc() -> ZoneInfo:
    return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """Deployment choices for the handoff: crisis lines, staff language, signature."""

    jurisdiction: Jurisdiction = Jurisdiction.QC
    staff_language: Language = Language.FR
    organisation: str = "Passerelle"
    signature: str = "{name} — {organisation}"
    zone: ZoneInfo = field(default_factory=_utc)


@dataclass(frozen=True, slots=True)
class WorkerDecision:
    """The answer to one worker action.

    ``case`` is the case afterwards (unchanged when refused); ``conversation`` is the person's
    conversation to save, None when untouched. ``to_staff`` are notices for the case's place
    in the staff group; ``audit`` the actions to append to the audit log.
    """

    case: Case
    conversation: Conversation | None = None
    to_person: tuple[PersonMessage, ...] = ()
    to_staff: tuple[str, ...] = ()
    audit: tuple[WorkerAction, ...] = ()
    accepted: bool = True


def priority_for(screening: Screening) -> Priority:
    """The case priority a flagged message calls for."""
    return Priority.URGENT if screening.level is CrisisLevel.URGENT else Priority.HIGH


def clock_text(at: datetime, language: Language) -> str:
    """``9 h``, ``21 h 30`` in French; ``9 am``, ``9:30 pm`` in English."""
    if language is Language.FR:
        return f"{at.hour} h" if at.minute == 0 else f"{at.hour} h {at.minute:02d}"
    suffix = "am" if at.hour < NOON else "pm"
    hour = at.hour % NOON or NOON
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"


class HandoffRules:
    """Who may speak to the person, and what each worker action does."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        crisis_lines: CrisisLineRegistry,
        clock: Clock,
        config: HandoffConfig | None = None,
        hours: TeamHours | None = None,
    ) -> None:
        self._t = catalogue
        self._lines = crisis_lines
        self._clock = clock
        self.config = config or HandoffConfig()
        self.hours = hours
        self.view = StaffView(catalogue, self.config.staff_language, self.config.zone)

    # --- availability ---------------------------------------------------------------------------

    def team_open(self, at: datetime | None = None) -> bool:
        """True when a human is on duty (always, without configured hours)."""
        return self.hours is None or self.hours.is_open(at or self._clock.now())

    def back_when(self, language: Language, at: datetime | None = None) -> str:
        """When a human will be back, in the person's words (``lundi à 9 h``)."""
        now = at or self._clock.now()
        opening = self.hours.next_opening(now) if self.hours is not None else now
        if opening is None:
            return self._t.text("time.soon", language)
        zone = self.hours.zone if self.hours is not None else self.config.zone
        local, today = opening.astimezone(zone), now.astimezone(zone).date()
        values = {"time": clock_text(local, language)}
        days = (local.date() - today).days
        if days <= 0:
            return self._t.text("time.today_at", language, **values)
        if days == 1:
            return self._t.text("time.tomorrow_at", language, **values)
        weekday = self._t.text(f"time.weekday.{WEEKDAYS[local.weekday()]}", language)
        if days < 7:
            return self._t.text("time.weekday_at", language, weekday=weekday, **values)
        month = self._t.text(f"time.month.{local.month}", language)
        return self._t.text(
            "time.date_at", language, weekday=weekday, day=local.day, month=month, **values
        )

    # --- the person's side ------------------------------------------------------------------

    @staticmethod
    def holds(conversation: Conversation) -> bool:
        """True when a human holds (or is about to hold) the conversation."""
        return conversation.owner in HELD

    def ask_human(self, conv: Conversation, reason: CaseReason) -> Decision:
        """The person wants a human: queue a case and say honestly when one will answer."""
        conv = replace(conv, owner=Owner.QUEUED, misunderstood=0)
        lang = conv.language
        if self.team_open():
            text = self._t.text("handoff.queued", lang)
        else:
            text = self._t.text(
                "handoff.queued_closed",
                lang,
                when=self.back_when(lang),
                lines=crisis_lines_text(self._t, self._crisis_lines(), lang),
            )
        reply = Reply(text, buttons=(self._cancel_row(lang),))
        return Decision(conv, (reply,), (OpenCase(Priority.NORMAL, reason),))

    def after_crisis(self, decision: Decision) -> Decision:
        """Out of hours, the crisis replies also say when the team will read the message."""
        conv = decision.conversation
        if conv is None or self.team_open():
            return decision
        note = Reply(
            self._t.text("handoff.crisis_closed", conv.language, when=self.back_when(conv.language))
        )
        return replace(decision, messages=(*decision.messages, note))

    def person_blocked(self, conv: Conversation) -> Decision:
        """The person blocked the bot: no more follow-ups, and an open case closes."""
        if not self.holds(conv):
            return Decision(conv, effects=(CancelFollowUps(),))
        conv = replace(conv, owner=Owner.BOT, state=FlowState.MENU)
        return Decision(conv, effects=(CancelFollowUps(), CloseCase("blocked")))

    def while_held(
        self, conv: Conversation, event: PersonEvent, screening: Screening
    ) -> Decision | None:
        """The decision while a human holds the conversation; None lets the bot answer.

        The bot answers only what is never withheld: the emergency numbers, erasure and
        stopping follow-ups.
        """
        queued = conv.owner is Owner.QUEUED
        match event:
            case TextReceived(text=text):
                return self._text_while_held(conv, text, screening, queued=queued)
            case MediaReceived(kind=kind):
                relay = RelayToWorker("", kind=kind.value, copy=kind in RELAYABLE_MEDIA)
                return Decision(conv, effects=(relay,))
            case LocationShared():
                return Decision(conv, effects=(RelayToWorker("", kind="location", copy=False),))
            case CommandReceived(name=name) if name in BOT_COMMANDS_WHILE_HELD:
                return None
            case ButtonPressed(payload=payload) if payload.startswith(BOT_BUTTONS_WHILE_HELD):
                return None
            case ButtonPressed(payload=payload) if payload == CANCEL_PAYLOAD and queued:
                return self._cancel(conv)
            case TimerFired():
                return Decision(conv)  # no follow-up fires while a human holds it
        if queued:
            return Decision(conv, (self._still_waiting(conv),))
        return Decision(conv)  # a worker holds it: only the worker speaks to the person

    def relayed(self, decision: Decision, inbound: Inbound) -> Decision:
        """Give relays the person's message reference; a case opened by text carries it."""
        effects: list[Effect] = []
        for effect in decision.effects:
            if isinstance(effect, RelayToWorker) and effect.copy and effect.reference is None:
                effects.append(replace(effect, reference=inbound.reference))
            else:
                effects.append(effect)
        opens = any(isinstance(e, OpenCase) for e in effects)
        relays = any(isinstance(e, RelayToWorker) for e in effects)
        if opens and not relays and isinstance(inbound.event, TextReceived):
            # The worker should read what the person wrote when the case opened.
            effects.append(RelayToWorker(inbound.event.text, reference=inbound.reference))
        return replace(decision, effects=tuple(effects))

    def _text_while_held(
        self, conv: Conversation, text: str, screening: Screening, *, queued: bool
    ) -> Decision:
        effects: list[Effect] = []
        messages: tuple[PersonMessage, ...] = ()
        if screening.flagged:
            effects.append(OpenCase(priority_for(screening), CaseReason.CRISIS))
            conv = replace(conv, crisis_flagged_at=self._clock.now())
            if queued:
                # Nobody has answered yet: the person gets the crisis lines at once.
                lines = self._crisis_lines()
                messages = crisis_replies(self._t, lines, conv.language, screening)
        effects.append(RelayToWorker(text))
        decision = Decision(conv, messages, tuple(effects))
        return self.after_crisis(decision) if messages else decision

    def _still_waiting(self, conv: Conversation) -> Reply:
        lang = conv.language
        if self.team_open():
            text = self._t.text("handoff.still_waiting", lang)
        else:
            text = self._t.text("handoff.still_waiting_closed", lang, when=self.back_when(lang))
        emergency = Button(self._t.text("button.emergency", lang), "emergency")
        return Reply(text, buttons=(self._cancel_row(lang), (emergency,)))

    def _cancel(self, conv: Conversation) -> Decision:
        conv = replace(conv, owner=Owner.BOT, state=FlowState.MENU)
        reply = Reply(
            self._t.text("handoff.cancelled", conv.language), buttons=self._after_rows(conv)
        )
        return Decision(conv, (reply,), (CloseCase("cancelled"),))

    def _cancel_row(self, language: Language) -> tuple[Button, ...]:
        return (Button(self._t.text("handoff.button.cancel", language), CANCEL_PAYLOAD),)

    def _after_rows(self, conv: Conversation) -> tuple[tuple[Button, ...], ...]:
        lang = conv.language
        return (
            (Button(self._t.text("button.menu", lang), "menu"),),
            (Button(self._t.text("button.talk", lang), "human"),),
        )

    def _crisis_lines(self) -> CrisisLines:
        return self._lines.lines_for(self.config.jurisdiction)

    # --- cases, as effects of the person's events ---------------------------------------------

    def open_case(self, pseudonym: str, conv: Conversation | None, effect: OpenCase) -> Case:
        """A new case for the person (``id`` 0 until stored)."""
        now = self._clock.now()
        context: dict[str, str] = {}
        if conv is not None:
            context["language"] = conv.language.value
            for key, value in (("theme", conv.theme), ("area", conv.area), ("source", conv.source)):
                if value:
                    context[key] = str(value)
        case = Case(
            id=0,
            pseudonym=pseudonym,
            alias=alias_for(pseudonym),
            priority=effect.priority,
            reason=effect.reason,
            status=CaseStatus.QUEUED,
            opened_at=now,
            queued_at=now,
            context=context,
        )
        return case.changed(now, BY_BOT, f"opened:{effect.reason}")

    def raise_case(self, case: Case, effect: OpenCase) -> Case:
        """An open case meets a new reason: never lowered, raised if more pressing."""
        flags = case.crisis_flags + (1 if effect.reason is CaseReason.CRISIS else 0)
        if effect.priority.rank < case.priority.rank:
            return case.changed(
                self._clock.now(),
                BY_BOT,
                f"raised:{effect.priority}",
                priority=effect.priority,
                crisis_flags=flags,
            )
        return replace(case, crisis_flags=flags)

    def close_for_person(self, case: Case, detail: str) -> Case:
        """The person ended it (blocked the bot, cancelled, erased everything)."""
        now = self._clock.now()
        return case.changed(now, BY_PERSON, detail, status=CaseStatus.CLOSED, closed_at=now)

    # --- the worker's side --------------------------------------------------------------------

    def signature(self, worker_name: str | None, language: Language) -> str:
        """« Prénom — Organisation », never the worker's account."""
        name = worker_name or self._t.text("handoff.someone", language)
        return self.config.signature.format(name=name, organisation=self.config.organisation)

    def decide(
        self,
        case: Case,
        conv: Conversation | None,
        action: WorkerAction,
        worker: Worker,
        *,
        text: str = "",
        takeover: bool = False,
        reachable: bool = True,
        holder_name: str | None = None,
        other_open: Case | None = None,
    ) -> WorkerDecision:
        """What one worker action does to a case, the person's conversation and both sides.

        ``reachable`` says whether the person can still be written to; ``holder_name`` is the
        current holder's name; ``other_open`` another open case of the same person.
        """
        if action is WorkerAction.READ:
            return WorkerDecision(case, audit=(WorkerAction.READ,))
        if action is WorkerAction.NOTE:
            note = self.view.text("staff.done.note")
            return WorkerDecision(case, to_staff=(note,), audit=(WorkerAction.NOTE,))
        if action is WorkerAction.TAKE:
            return self._take(
                case, conv, worker, takeover=takeover, reachable=reachable, holder=holder_name
            )
        if action is WorkerAction.REPLY:
            return self._reply(
                case, conv, worker, text=text, reachable=reachable, holder=holder_name
            )
        if action is WorkerAction.REOPEN:
            return self._reopen(case, conv, worker, reachable=reachable, other_open=other_open)
        return self._end(case, conv, worker, action=action, reachable=reachable, holder=holder_name)

    def _take(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        takeover: bool,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision:
        if case.status is CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.closed")
        if case.owner == worker.pseudonym and case.status is CaseStatus.TAKEN:
            return self._refuse(case, "staff.refuse.already_yours")
        if case.status is CaseStatus.TAKEN and not takeover:
            who = self.view.name(holder)
            return self._refuse(case, "staff.refuse.held_by_other", name=who)
        if conv is None or not reachable:
            return self._refuse(case, "staff.refuse.person_gone")
        now = self._clock.now()
        previous = case.owner if case.status is CaseStatus.TAKEN else None
        detail = "taken_over" if previous else "taken"
        taken = case.changed(
            now,
            worker.pseudonym,
            detail,
            status=CaseStatus.TAKEN,
            owner=worker.pseudonym,
            taken_at=now,
        )
        lang = conv.language
        key = "handoff.taken_over" if previous else "handoff.taken"
        framing = Reply(self._t.text(key, lang, signature=self.signature(worker.name, lang)))
        if previous:
            notice = self.view.text(
                "staff.done.take_over",
                name=self.view.name(worker.name),
                previous=self.view.name(holder),
            )
        else:
            notice = self.view.text("staff.done.take", name=self.view.name(worker.name))
        return WorkerDecision(
            taken,
            replace(conv, owner=Owner.WORKER),
            (framing,),
            (notice,),
            (WorkerAction.TAKE,),
        )

    def _reply(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        text: str,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision:
        if not text.strip():
            return WorkerDecision(case, accepted=False)
        if case.status is CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.closed")
        if case.status is CaseStatus.QUEUED:
            return self._refuse(case, "staff.refuse.not_taken")
        if case.owner != worker.pseudonym:
            who = self.view.name(holder)
            return self._refuse(case, "staff.refuse.held_by_other", name=who)
        if conv is None or not reachable:
            return self._refuse(case, "staff.refuse.person_gone")
        lang = conv.language
        message = Reply(
            self._t.text(
                "handoff.worker_says", lang, signature=self.signature(worker.name, lang), text=text
            )
        )
        return WorkerDecision(case, None, (message,), (), (WorkerAction.REPLY,))

    def _end(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        action: WorkerAction,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision:
        if case.status is CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.already_closed")
        if case.status is CaseStatus.TAKEN and case.owner != worker.pseudonym:
            return self._refuse(case, "staff.refuse.not_holder", name=self.view.name(holder))
        now = self._clock.now()
        giving_back = action is WorkerAction.GIVE_BACK
        closed = case.changed(
            now,
            worker.pseudonym,
            "given_back" if giving_back else "closed",
            status=CaseStatus.CLOSED,
            closed_at=now,
        )
        done = "staff.done.give_back" if giving_back else "staff.done.close"
        notice = self.view.text(done, name=self.view.name(worker.name))
        audit = (WorkerAction.GIVE_BACK if giving_back else WorkerAction.CLOSE,)
        if conv is None:
            return WorkerDecision(closed, None, (), (notice,), audit)
        # Given back, the bot owns it at once; closed, it is marked so and the bot answers next.
        owner = Owner.BOT if giving_back else Owner.CLOSED
        conv = replace(conv, owner=owner, state=FlowState.MENU)
        messages: tuple[PersonMessage, ...] = ()
        if reachable:
            lang = conv.language
            key = "handoff.given_back" if giving_back else "handoff.closed"
            text = self._t.text(key, lang, signature=self.signature(worker.name, lang))
            messages = (Reply(text, buttons=self._after_rows(conv)),)
        return WorkerDecision(closed, conv, messages, (notice,), audit)

    def _reopen(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        reachable: bool,
        other_open: Case | None,
    ) -> WorkerDecision:
        if case.status is not CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.already_open")
        if conv is None or not reachable or case.pseudonym is None:
            return self._refuse(case, "staff.refuse.person_gone")
        if other_open is not None and other_open.id != case.id:
            return self._refuse(case, "staff.refuse.other_case_open", number=other_open.id)
        now = self._clock.now()
        reopened = case.changed(
            now,
            worker.pseudonym,
            "reopened",
            status=CaseStatus.TAKEN,
            owner=worker.pseudonym,
            taken_at=now,
            closed_at=None,
        )
        lang = conv.language
        framing = Reply(
            self._t.text("handoff.reopened", lang, signature=self.signature(worker.name, lang))
        )
        notice = self.view.text("staff.done.reopen", name=self.view.name(worker.name))
        return WorkerDecision(
            reopened,
            replace(conv, owner=Owner.WORKER),
            (framing,),
            (notice,),
            (WorkerAction.REOPEN,),
        )

    def _refuse(self, case: Case, key: str, **values: object) -> WorkerDecision:
        return WorkerDecision(case, to_staff=(self.view.text(key, **values),), accepted=False)
