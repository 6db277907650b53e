"""What workers do to a case: take, reply, note, give back, close, reopen, read — pure rules.

Every worker action is decided here by pure code; the person's side of ownership (asking
for a human, waiting, being held) is in ``flows/ownership.py``. Cases opened, raised and
closed by the person's own events are built here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from flows.actions import (
    Button,
    OpenCase,
    PersonMessage,
    Reply,
)
from flows.cases import BY_BOT, BY_PERSON, Case, CaseStatus, Worker, WorkerAction
from flows.catalogue import Catalogue
from flows.domain import (
    CaseReason,
    Conversation,
    FlowState,
    Language,
    Owner,
    Priority,
)
from flows.identity import alias_for
from flows.ports import Clock
from flows.staff_view import StaffView
from flows.understanding import CrisisLevel, Screening


def _utc() -> ZoneInfo:
    return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """Deployment choices for the handoff: staff language, signature, time zone."""

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


class HandoffRules:
    """What each worker action does to a case, the conversation and both sides."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        clock: Clock,
        config: HandoffConfig | None = None,
    ) -> None:
        self._t = catalogue
        self._clock = clock
        self.config = config or HandoffConfig()
        self.view = StaffView(catalogue, self.config.staff_language, self.config.zone)

    def _after_rows(self, conv: Conversation) -> tuple[tuple[Button, ...], ...]:
        lang = conv.language
        return (
            (Button(self._t.text("button.menu", lang), "menu"),),
            (Button(self._t.text("button.talk", lang), "human"),),
        )

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
