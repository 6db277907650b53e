"""Who may speak to the person: the bot, the queue, a worker — decided here, for the person's side.

A conversation has exactly one owner: the bot, the queue (a human was asked for), a worker,
or nobody any more (closed, and the bot answers again). The engine asks ``Ownership`` before
doing anything for a conversation a human holds:

- while a worker holds the conversation, the bot says nothing: the person's messages go to
  the worker, a flagged message raises the case to urgent (the staff group is told), and no
  follow-up fires; only the emergency numbers and erasure stay within the person's reach;
- while the case waits in the queue, the bot says that it waits (and when a human will be
  back), gives the crisis lines to a flagged message, and lets the person cancel.

What workers do to a case is decided in ``flows/handoff.py``.
"""

from __future__ import annotations

from dataclasses import replace

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
from flows.availability import TeamAvailability
from flows.case_rules import crisis_case
from flows.catalogue import Catalogue
from flows.commands import person_command
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
from flows.ports import Clock, CrisisLineRegistry
from flows.understanding import CrisisLines, Screening

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
# What the person can still ask of the bot while a human holds the conversation (the
# command table marks the commands): the emergency numbers, erasure and stopping follow-ups
# are never withheld.
BOT_BUTTONS_WHILE_HELD = ("emergency", "forget:")
CANCEL_PAYLOAD = "handoff:cancel"
HELD = (Owner.QUEUED, Owner.WORKER)


class Ownership:
    """The person's side of the handoff: asking for a human, waiting, being held."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        crisis_lines: CrisisLineRegistry,
        clock: Clock,
        availability: TeamAvailability,
        jurisdiction: Jurisdiction,
    ) -> None:
        self._t = catalogue
        self._lines = crisis_lines
        self._clock = clock
        self.availability = availability
        self._jurisdiction = jurisdiction

    @staticmethod
    def holds(conversation: Conversation) -> bool:
        """True when a human holds (or is about to hold) the conversation."""
        return conversation.owner in HELD

    def ask_human(self, conv: Conversation, reason: CaseReason) -> Decision:
        """The person wants a human: queue a case and say honestly when one will answer."""
        conv = replace(conv, owner=Owner.QUEUED, misunderstood=0)
        lang = conv.language
        if self.availability.is_open():
            text = self._t.text("handoff.queued", lang)
        else:
            text = self._t.text(
                "handoff.queued_closed",
                lang,
                when=self.availability.back_when(lang),
                lines=crisis_lines_text(self._t, self._crisis_lines(), lang),
            )
        # Told at the moment they ask: the worker will read what led here (the card's transcript).
        text = f"{text}\n{self._t.text('handoff.sees_recent', lang)}"
        reply = Reply(text, buttons=(self._cancel_row(lang),))
        return Decision(conv, (reply,), (OpenCase(Priority.NORMAL, reason),))

    def after_crisis(self, decision: Decision) -> Decision:
        """Out of hours, the crisis replies also say when the team will read the message."""
        conv = decision.conversation
        if conv is None or self.availability.is_open():
            return decision
        note = Reply(
            self._t.text(
                "handoff.crisis_closed",
                conv.language,
                when=self.availability.back_when(conv.language),
            )
        )
        return replace(decision, messages=(*decision.messages, note))

    def person_blocked(self, conv: Conversation) -> Decision:
        """The person blocked the bot: no more follow-ups, and an open case closes."""
        if not self.holds(conv):
            return Decision(conv, effects=(CancelFollowUps(),))
        conv = replace(conv, owner=Owner.BOT, state=FlowState.MENU)
        return Decision(conv, effects=(CancelFollowUps(), CloseCase("blocked")))

    def while_queued(
        self, conv: Conversation, event: PersonEvent, screening: Screening
    ) -> Decision | None:
        """While the request waits for a worker: what only the handoff decides, else None.

        A flagged message gets the crisis lines at once and raises the case; the cancel
        button cancels; timers do nothing. Everything else is the bot's to answer (the
        engine keeps the case queued and says the request is still noted).
        """
        match event:
            case TextReceived(text=text) if screening.flagged:
                return self._text_while_held(conv, text, screening, queued=True)
            case ButtonPressed(payload=payload) if payload == CANCEL_PAYLOAD:
                return self._cancel(conv)
            case TimerFired():
                return Decision(conv)
        return None

    def while_held(
        self, conv: Conversation, event: PersonEvent, screening: Screening
    ) -> Decision | None:
        """The decision while a worker holds the conversation; None lets the bot answer.

        Only the worker speaks to the person; the bot answers only what is never withheld:
        the emergency numbers, erasure and stopping follow-ups.
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
            case CommandReceived(name=name) if _answered_while_held(name):
                return None
            case ButtonPressed(payload=payload) if payload.startswith(BOT_BUTTONS_WHILE_HELD):
                return None
            case ButtonPressed(payload=payload) if payload == CANCEL_PAYLOAD and queued:
                return self._cancel(conv)
            case TimerFired():
                return Decision(conv)  # no follow-up fires while a human holds it
        if queued:
            return Decision(conv, (self._still_waiting(conv),))
        return Decision(conv)  # only the worker speaks to the person

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
            effects.append(crisis_case(screening))
            category = {"crisis_category": str(screening.category or "")}
            conv = replace(
                conv, crisis_flagged_at=self._clock.now(), extra={**conv.extra, **category}
            )
            if queued:
                # Nobody has answered yet: the person gets the crisis lines at once.
                lines = self._crisis_lines()
                messages = crisis_replies(self._t, lines, conv.language, screening)
        effects.append(RelayToWorker(text))
        decision = Decision(conv, messages, tuple(effects))
        return self.after_crisis(decision) if messages else decision

    def _still_waiting(self, conv: Conversation) -> Reply:
        lang = conv.language
        if self.availability.is_open():
            text = self._t.text("handoff.still_waiting", lang)
        else:
            text = self._t.text(
                "handoff.still_waiting_closed", lang, when=self.availability.back_when(lang)
            )
        emergency = Button(self._t.text("button.emergency", lang), "emergency")
        return Reply(text, buttons=(self._cancel_row(lang), (emergency,)))

    def _cancel(self, conv: Conversation) -> Decision:
        conv = replace(conv, owner=Owner.BOT, state=FlowState.MENU)
        reply = Reply(
            self._t.text("handoff.cancelled", conv.language), buttons=self._after_rows(conv)
        )
        return Decision(conv, (reply,), (CloseCase("cancelled"),))

    def waiting_rows(self, language: Language) -> tuple[tuple[Button, ...], ...]:
        """The buttons under a "still noted" message: cancel, the emergency lines, the menu."""
        return (
            self._cancel_row(language),
            (Button(self._t.text("button.emergency", language), "emergency"),),
            (Button(self._t.text("button.menu", language), "menu"),),
        )

    def _cancel_row(self, language: Language) -> tuple[Button, ...]:
        return (Button(self._t.text("handoff.button.cancel", language), CANCEL_PAYLOAD),)

    def _after_rows(self, conv: Conversation) -> tuple[tuple[Button, ...], ...]:
        lang = conv.language
        return (
            (Button(self._t.text("button.menu", lang), "menu"),),
            (Button(self._t.text("button.talk", lang), "human"),),
        )

    def _crisis_lines(self) -> CrisisLines:
        return self._lines.lines_for(self._jurisdiction)


def _answered_while_held(name: str) -> bool:
    spec = person_command(name)
    return spec is not None and spec.while_held
