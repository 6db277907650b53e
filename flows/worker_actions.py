"""What workers do to a case — take, reply, note, give back, close, reopen, read, set the
priority, send a ready reply or a resource card — decided by pure code.

One owner at a time: only the worker who holds a case writes to the person, and a button
never takes a case from a colleague (a typed ``/prendre`` does, on purpose). Closing or
giving back a case whose last crisis alert is recent asks for confirmation first. Every
accepted action is audited; nothing a worker writes is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flows import followups
from flows.actions import Button, PersonMessage, Reply, ShowPlace
from flows.case_rules import CLOSED_BY_WORKER, GIVEN_BACK, RELEASED_AT
from flows.cases import PRIORITY_SET, Case, CaseStatus, Worker, WorkerAction
from flows.catalogue import Catalogue
from flows.commands import fold
from flows.directory import ResourceCard
from flows.domain import Conversation, FlowState, Language, Owner, Priority
from flows.ports import Clock
from flows.results import card_text
from flows.signature import Signature
from flows.staff_view import ConfirmPrompt, StaffView

# Closing or giving back a case flagged this recently asks « are you sure? » first.
CONFIRM_WITHIN = timedelta(minutes=30)
READY_PREFIX = "staff.ready."


@dataclass(frozen=True, slots=True)
class WorkerDecision:
    """The answer to one worker action.

    ``case`` is the case afterwards (unchanged when refused); ``conversation`` is the person's
    conversation to save, None when untouched. ``to_staff`` are notices for the case's place
    in the staff group; ``audit`` the actions to append to the audit log. ``confirm`` is set
    when the action was held back for a yes/no question to the worker (``accepted`` False).
    """

    case: Case
    conversation: Conversation | None = None
    to_person: tuple[PersonMessage, ...] = ()
    to_staff: tuple[str, ...] = ()
    audit: tuple[WorkerAction, ...] = ()
    accepted: bool = True
    confirm: ConfirmPrompt | None = None


# How workers name a priority after ``/priorite`` (folded: no case, no accents).
PRIORITY_WORDS = {
    Priority.URGENT: ("urgent", "urgente", "u", "🔴"),
    Priority.HIGH: ("haute", "high", "prioritaire", "h", "🟠"),
    Priority.NORMAL: ("normale", "normal", "n", "🟢"),
}


def parse_priority(text: str) -> Priority | None:
    """``urgent``, ``haute``, ``normale`` (or their English names, initials or colours)."""
    word = fold(text.split(maxsplit=1)[0]) if text.split() else ""
    for priority, words in PRIORITY_WORDS.items():
        if word in words or word == priority.value:
            return priority
    return None


def ready_replies(catalogue: Catalogue) -> tuple[str, ...]:
    """The team's ready replies (``staff.ready.<id>.label`` and ``.text``), in catalogue order."""
    found = []
    for key in catalogue.entries:
        if key.startswith(READY_PREFIX) and key.endswith(".label"):
            reply = key.removeprefix(READY_PREFIX).removesuffix(".label")
            if catalogue.has(f"{READY_PREFIX}{reply}.text"):
                found.append(reply)
    return tuple(found)


class WorkerActions:
    """What each worker action does to a case, the conversation and both sides."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        clock: Clock,
        view: StaffView,
        signature: Signature,
        confirm_within: timedelta = CONFIRM_WITHIN,
    ) -> None:
        self._t = catalogue
        self._clock = clock
        self.view = view
        self.signature = signature
        self._confirm_within = confirm_within
        self.ready = ready_replies(catalogue)

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
        confirmed: bool = False,
        priority: Priority | None = None,
        ready_reply: str | None = None,
        resource: ResourceCard | None = None,
    ) -> WorkerDecision:
        """What one worker action does to a case, the person's conversation and both sides.

        ``reachable`` says whether the person can still be written to; ``holder_name`` is the
        current holder's name; ``other_open`` another open case of the same person;
        ``confirmed`` that the worker already said yes to closing a recently flagged case;
        ``priority``, ``ready_reply`` (its id) and ``resource`` are the action's argument.
        """
        match action:
            case WorkerAction.READ:
                return WorkerDecision(case, audit=(WorkerAction.READ,))
            case WorkerAction.NOTE:
                note = self.view.text("staff.done.note")
                return WorkerDecision(case, to_staff=(note,), audit=(WorkerAction.NOTE,))
            case WorkerAction.TAKE:
                return self._take(
                    case, conv, worker, takeover=takeover, reachable=reachable, holder=holder_name
                )
            case WorkerAction.REPLY:
                return self.reply(
                    case, conv, worker, text=text, reachable=reachable, holder=holder_name
                )
            case WorkerAction.READY_REPLY:
                return self.ready_reply(
                    case, conv, worker, ready_reply or "", reachable=reachable, holder=holder_name
                )
            case WorkerAction.SEND_RESOURCE:
                return self.send_resource(
                    case, conv, worker, resource, reachable=reachable, holder=holder_name
                )
            case WorkerAction.PRIORITY:
                return self.set_priority(case, worker, priority)
            case WorkerAction.REOPEN:
                return self._reopen(case, conv, worker, reachable=reachable, other_open=other_open)
            case WorkerAction.GIVE_BACK | WorkerAction.CLOSE:
                return self._end(
                    case,
                    conv,
                    worker,
                    action=action,
                    reachable=reachable,
                    holder=holder_name,
                    confirmed=confirmed,
                )
        return WorkerDecision(case, accepted=False)  # pragma: no cover - every action is matched

    def needs_confirmation(self, case: Case, now: datetime) -> bool:
        """True when the case's last crisis alert is recent enough to ask before ending it."""
        last = case.last_crisis_at
        return last is not None and now - last < self._confirm_within

    # --- each action ----------------------------------------------------------------------

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

    def reply(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        text: str,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision:
        """What the holder typed goes to the person, signed; nobody else's does."""
        if not text.strip():
            return WorkerDecision(case, accepted=False)
        refused = self._not_holder(case, conv, worker, reachable=reachable, holder=holder)
        if refused is not None or conv is None:
            return refused or self._refuse(case, "staff.refuse.person_gone")
        message = Reply(self._signed(worker, conv.language, text))
        return WorkerDecision(case, None, (message,), (), (WorkerAction.REPLY,))

    def ready_reply(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        reply: str,
        *,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision:
        """One of the team's ready replies, in the person's language, signed like any reply.

        The group is shown what was sent, since no colleague saw it typed.
        """
        if reply not in self.ready:
            return self._refuse(case, "staff.refuse.unknown_ready")
        refused = self._not_holder(case, conv, worker, reachable=reachable, holder=holder)
        if refused is not None or conv is None:
            return refused or self._refuse(case, "staff.refuse.person_gone")
        said = self._t.text(f"{READY_PREFIX}{reply}.text", conv.language)
        message = Reply(self._signed(worker, conv.language, said))
        notice = self.view.text(
            "staff.done.ready",
            name=self.view.name(worker.name),
            text=self._t.text(f"{READY_PREFIX}{reply}.text", conv.language),
        )
        return WorkerDecision(case, None, (message,), (notice,), (WorkerAction.READY_REPLY,))

    def send_resource(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        resource: ResourceCard | None,
        *,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision:
        """A service's card, as the bot would show it, sent by the holder (and its map pin)."""
        if resource is None:
            return self._refuse(case, "staff.resource.changed")
        refused = self._not_holder(case, conv, worker, reachable=reachable, holder=holder)
        if refused is not None or conv is None:
            return refused or self._refuse(case, "staff.refuse.person_gone")
        text = card_text(self._t, resource, conv.language, now=self._clock.now())
        messages: list[PersonMessage] = [Reply(self._signed(worker, conv.language, text))]
        lat, lon = resource.latitude, resource.longitude
        if not resource.confidential and lat is not None and lon is not None and resource.address:
            messages.append(ShowPlace(lat, lon, resource.name, resource.address))
        notice = self.view.text(
            "staff.done.resource", name=self.view.name(worker.name), service=resource.name
        )
        return WorkerDecision(case, None, tuple(messages), (notice,), (WorkerAction.SEND_RESOURCE,))

    def set_priority(self, case: Case, worker: Worker, priority: Priority | None) -> WorkerDecision:
        """Any colleague may raise or lower an open case's priority; it is audited.

        Lowering a case to normal stops its reminders; a new flagged message raises it again.
        """
        if priority is None:
            return self._refuse(case, "staff.refuse.priority_unknown")
        if case.status is CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.already_closed")
        label = self.view.text(f"staff.priority.{priority}")
        if priority is case.priority:
            return self._refuse(case, "staff.refuse.same_priority", priority=label)
        changed = case.changed(
            self._clock.now(), worker.pseudonym, f"{PRIORITY_SET}:{priority}", priority=priority
        )
        notice = self.view.text(
            "staff.done.priority", name=self.view.name(worker.name), priority=label
        )
        return WorkerDecision(changed, to_staff=(notice,), audit=(WorkerAction.PRIORITY,))

    def _end(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        action: WorkerAction,
        reachable: bool,
        holder: str | None,
        confirmed: bool,
    ) -> WorkerDecision:
        if case.status is CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.already_closed")
        if case.status is CaseStatus.TAKEN and case.owner != worker.pseudonym:
            return self._refuse(case, "staff.refuse.not_holder", name=self.view.name(holder))
        now = self._clock.now()
        if not confirmed and self.needs_confirmation(case, now):
            prompt = self.view.confirm_end(case, action, now)
            return WorkerDecision(case, accepted=False, confirm=prompt)
        giving_back = action is WorkerAction.GIVE_BACK
        closed = case.changed(
            now,
            worker.pseudonym,
            GIVEN_BACK if giving_back else CLOSED_BY_WORKER,
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
        # The engine asks whether the person's next words should reopen the case (24 h).
        released = {RELEASED_AT: now.isoformat()}
        conv = replace(conv, owner=owner, state=FlowState.MENU, extra={**conv.extra, **released})
        messages: tuple[PersonMessage, ...] = ()
        if reachable:
            lang = conv.language
            key = "handoff.given_back" if giving_back else "handoff.closed"
            text = self._t.text(key, lang, signature=self.signature(worker.name, lang))
            messages = (Reply(text, buttons=self._after_rows(lang)),)
            if not giving_back and followups.may_offer(conv, now):
                # The case closes: a follow-up is offered, never armed without a yes.
                conv = followups.offered(conv, now, None)
                messages = (*messages, followups.offer(self._t, lang))
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

    # --- shared steps ---------------------------------------------------------------------

    def _not_holder(
        self,
        case: Case,
        conv: Conversation | None,
        worker: Worker,
        *,
        reachable: bool,
        holder: str | None,
    ) -> WorkerDecision | None:
        """The refusal when ``worker`` may not write to the person now; None when they may."""
        if case.status is CaseStatus.CLOSED:
            return self._refuse(case, "staff.refuse.closed")
        if case.status is CaseStatus.QUEUED:
            return self._refuse(case, "staff.refuse.not_taken")
        if case.owner != worker.pseudonym:
            return self._refuse(case, "staff.refuse.held_by_other", name=self.view.name(holder))
        if conv is None or not reachable:
            return self._refuse(case, "staff.refuse.person_gone")
        return None

    def _signed(self, worker: Worker, language: Language, text: str) -> str:
        return self._t.text(
            "handoff.worker_says",
            language,
            signature=self.signature(worker.name, language),
            text=text,
        )

    def _after_rows(self, language: Language) -> tuple[tuple[Button, ...], ...]:
        return (
            (Button(self._t.text("button.menu", language), "menu"),),
            (Button(self._t.text("button.talk", language), "human"),),
        )

    def _refuse(self, case: Case, key: str, **values: object) -> WorkerDecision:
        return WorkerDecision(case, to_staff=(self.view.text(key, **values),), accepted=False)
