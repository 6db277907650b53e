"""The conversation engine: one event plus the conversation's state gives a decision.

The engine performs no I/O of its own; it asks its ports (NLU, directory, clock…). It never
sees a Telegram object, a database row or a raw id.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flows import followups
from flows.actions import (
    Button,
    CancelFollowUps,
    Decision,
    ForgetPerson,
    Keyboard,
    OpenCase,
    PersonMessage,
    RelayToWorker,
    ReopenCase,
    Reply,
    ScheduleFollowUp,
)
from flows.case_rules import RELEASED_AT, crisis_case, reopens_on_person_message
from flows.catalogue import Catalogue
from flows.commands import PersonCommand, person_command
from flows.crisis_protocol import crisis_lines_text, crisis_replies, lines_for_theme
from flows.directory import Place, SearchQuery
from flows.domain import (
    CaseReason,
    Conversation,
    FlowState,
    Jurisdiction,
    Language,
    Owner,
    Theme,
)
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaReceived,
    PersonBlockedBot,
    PersonEvent,
    TextReceived,
    TimerFired,
)
from flows.faq import PRIVACY_SUBJECTS, theme_of_faq
from flows.followups import FOLLOWUP, FollowUpPolicy, Verdict
from flows.insights import arrival_noted, need_noted, noting, search_noted
from flows.ownership import RELAYABLE_MEDIA, Ownership
from flows.ports import CaseLookup, Clock, CrisisLineRegistry, ResourceDirectory
from flows.privacy import what_is_kept
from flows.profile import age_of, gender_of, is_minor, remember
from flows.reading import NLU_MAX_CHARS, Reading
from flows.results import CARD_PREFIX, card_view, render_page
from flows.transcript_notes import crisis_line_names, transcribe_turn
from flows.understanding import (
    INTENT_MIN_CONFIDENCE,
    NO_CRISIS,
    CrisisCategory,
    CrisisLevel,
    Intent,
    Interpretation,
    NluUnavailable,
    Screening,
    TextCues,
)

SOURCE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
LONG_MESSAGE_CHARS = 2_000
COORDINATE_DECIMALS = 3  # about 100 m: enough to sort by distance, not to find a doorway
PAGE_SIZE = 5  # one compact list: up to five places, a line each
MAX_OFFSET = 300  # 100 pages of results: further is a forged button
# While a request waits: the turn counter that picks the next "still noted" sentence.
WAIT_TURNS = "waiting_turns"
WAIT_VARIANTS = 3
# Questions about who can see the messages: answered as asked even when the person also says
# someone may look at their phone.
# Each decision is a turn; a yes/no question stays answerable by text for the next turn only.
TURN = "turn"
PENDING_TURN = "yes_no_turn"
PENDING_YES = "yes_payload"
PENDING_NO = "no_payload"
PENDING = (PENDING_TURN, PENDING_YES, PENDING_NO)
# The category of the last crisis, so that later turns keep the lines that fit it.
CRISIS_CATEGORY = "crisis_category"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Deployment choices the engine needs."""

    jurisdiction: Jurisdiction
    team_name: str
    hours_label_fr: str
    hours_label_en: str
    place_example: str
    reopen_window: timedelta = timedelta(hours=24)
    retention: timedelta = timedelta(days=30)

    def hours_label(self, language: Language) -> str:
        """When humans read messages, in the person's language."""
        return self.hours_label_fr if language is Language.FR else self.hours_label_en


class Engine:
    """Decides what happens for one event of one conversation."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        crisis_lines: CrisisLineRegistry,
        directory: ResourceDirectory,
        clock: Clock,
        config: EngineConfig,
        ownership: Ownership,
        cases: CaseLookup,
        followup_policy: FollowUpPolicy | None = None,
    ) -> None:
        self._t = catalogue
        self._lines = crisis_lines
        self._directory = directory
        self._clock = clock
        self._config = config
        # Who may speak to the person is decided in one place: flows/ownership.py.
        self._handoff = ownership
        self._cases = cases
        self._followup = followup_policy or FollowUpPolicy()

    async def decide(
        self, conversation: Conversation | None, inbound: Inbound, reading: Reading | None = None
    ) -> Decision:
        """The decision for ``inbound`` given the stored ``conversation`` (None if new).

        ``reading`` is what the service read from a text event before loading the
        conversation (crisis screen, NLU); it is required for ``TextReceived``.
        """
        cancel: tuple[CancelFollowUps, ...] = ()
        if conversation is not None and not isinstance(
            inbound.event, TimerFired | PersonBlockedBot
        ):
            # The person is here: an armed follow-up may have lost its purpose (flows/followups).
            conversation, dropped = followups.noticed(
                conversation, self._clock.now(), keep_asked=isinstance(inbound.event, TextReceived)
            )
            if isinstance(inbound.event, TextReceived) and followups.is_stop_word(
                inbound.event.text
            ):
                conversation, dropped = followups.stopped(conversation, self._clock.now()), True
            cancel = (CancelFollowUps(),) if dropped else ()
        decision = await self._decide(conversation, inbound, reading)
        if cancel and decision.conversation is not None and cancel[0] not in decision.effects:
            decision = replace(decision, effects=(*decision.effects, *cancel))
        return self._handoff.relayed(decision, inbound)

    async def _decide(
        self, conversation: Conversation | None, inbound: Inbound, reading: Reading | None
    ) -> Decision:
        now = self._clock.now()
        event = inbound.event
        if conversation is None:
            if isinstance(event, PersonBlockedBot | TimerFired):
                return Decision(conversation=None)
            conversation = Conversation(
                pseudonym=inbound.pseudonym,
                language=Language.from_code(inbound.language_hint),
                created_at=now,
                last_activity_at=now,
            )
        if isinstance(event, TimerFired) and event.kind == FOLLOWUP:
            return self._followup_due(conversation, event.reference)
        conv = _next_turn(replace(conversation, last_activity_at=now))
        if isinstance(event, PersonBlockedBot):
            return self._handoff.person_blocked(conv)
        if isinstance(event, TextReceived):
            if reading is None:
                raise ValueError("a text event needs its reading (TextReader.read)")
            conv = remember(_follow_language(conv, reading), reading.cues)
        if conv.owner is Owner.QUEUED:
            return await self._while_queued(conv, event, reading)
        if self._handoff.holds(conv):
            return await self._while_human_holds(conv, event, reading)
        decision = await self._with_bot(conv, event, reading)
        if conv.state is FlowState.NEW and not _is_start(event):
            decision = self._first_contact(decision)
        if isinstance(event, TextReceived) and RELEASED_AT in conv.extra:
            decision = await self._maybe_reopen(conv, event.text, decision)
        return self._transcribed(decision, event)

    async def _maybe_reopen(self, before: Conversation, text: str, decision: Decision) -> Decision:
        """Soon after a worker closed (or gave back) the case, the person's words reach the team.

        « attends, t'es parti ? » is for the human who was there: the case reopens in its
        place in the staff group and the person is told so — the bot still answers what it
        understood. The mark goes once the window has passed.
        """
        conv = decision.conversation
        released = datetime.fromisoformat(before.extra[RELEASED_AT])
        if conv is None or conv.owner is not before.owner or decision.trace.crisis.flagged:
            return decision  # erased, a new request, or a crisis: their own paths
        if self._clock.now() - released > self._config.reopen_window:
            extra = {k: v for k, v in conv.extra.items() if k != RELEASED_AT}
            return replace(decision, conversation=replace(conv, extra=extra))
        understood = _helpful(decision, TextReceived(text))
        last = await self._cases.last_case(before.pseudonym)
        if last is None or not reopens_on_person_message(
            last, self._clock.now(), bot_understood=understood, window=self._config.reopen_window
        ):
            return decision
        lang = conv.language
        availability = self._handoff.availability
        if availability.is_open():
            told = self._t.text("handoff.passed_on", lang)
        else:
            told = self._t.text("handoff.passed_on_closed", lang, when=availability.back_when(lang))
        extra = {k: v for k, v in conv.extra.items() if k != RELEASED_AT}
        conv = replace(conv, owner=Owner.QUEUED, extra=extra)
        messages = decision.messages if understood else ()
        effects = (*decision.effects, ReopenCase(last.id), RelayToWorker(text))
        passed_on = Reply(told, buttons=self._handoff.waiting_rows(lang))
        return replace(
            decision, conversation=conv, messages=(*messages, passed_on), effects=effects
        )

    def _transcribed(self, decision: Decision, event: PersonEvent) -> Decision:
        """What the bot did this turn, for the card a worker reads if the person asks later."""
        conv = decision.conversation
        if conv is None:
            return decision
        trace = decision.trace
        opened = next((e for e in decision.effects if isinstance(e, OpenCase)), None)
        crisis = opened is not None and opened.reason is CaseReason.CRISIS
        lines_given: tuple[str, ...] = ()
        if trace.crisis.flagged:
            lines = self._lines.lines_for(self._config.jurisdiction)
            lines_given = crisis_line_names(lines, trace.crisis.category)
        promised = None
        if opened is not None and not self._handoff.availability.is_open():
            promised = self._handoff.availability.back_when(conv.language)
        note = transcribe_turn(
            event.text if isinstance(event, TextReceived) else None,
            trace,
            lines_given=lines_given,
            promised=promised,
            asked_human=None if opened is None or crisis else opened.reason,
            not_understood=conv.misunderstood > 0 and isinstance(event, TextReceived),
            media=event.kind.value if isinstance(event, MediaReceived) else None,
            location=isinstance(event, LocationShared),
        )
        return replace(decision, effects=(*decision.effects, note))

    def _first_contact(self, decision: Decision) -> Decision:
        """Someone who never pressed Start (or came back after /oublie) hears the promises
        of the welcome — anonymous, not an emergency service, who reads — before the answer."""
        conv = decision.conversation
        if conv is None:
            return decision
        notice = Reply(self._t.text("first_contact", conv.language, **self._about(conv.language)))
        if conv.state is FlowState.NEW:
            conv = replace(conv, state=FlowState.MENU)
        first = replace(decision, conversation=conv, messages=(notice, *decision.messages))
        return noting(first, arrival_noted(None, conv.language, returning=False))  # insights

    # --- ownership ------------------------------------------------------------------------

    async def _while_human_holds(
        self, conv: Conversation, event: PersonEvent, reading: Reading | None
    ) -> Decision:
        """A human holds (or is about to hold) the conversation: the bot relays, stays quiet.

        The crisis screen still runs: a flagged message raises the case to urgent. The rules
        live in ``Ownership``; only what is never withheld comes back to the bot.
        """
        screening = reading.screening if reading is not None else NO_CRISIS
        held = self._handoff.while_held(conv, event, screening)
        if held is None:
            return await self._with_bot(conv, event, reading)
        return _traced(held, crisis=screening) if screening.flagged else held

    async def _while_queued(
        self, conv: Conversation, event: PersonEvent, reading: Reading | None
    ) -> Decision:
        """The request waits for a worker: never silence, and the bot's help stays usable.

        Whatever the person writes reaches the case; the bot answers what it can (a need, a
        place, a question), the case stays queued, and every turn says honestly where the
        request stands — in a different sentence each time.
        """
        screening = reading.screening if reading is not None else NO_CRISIS
        settled = self._handoff.while_queued(conv, event, screening)
        if settled is not None:
            return _traced(settled, crisis=screening) if screening.flagged else settled
        refuses_call = reading is not None and reading.cues.refuses_call
        if refuses_call:
            # "Je veux pas appeler personne": writing here is enough; no search, no menu.
            answer = Decision(conv)
        else:
            answer = await self._with_bot(conv, event, reading)
        if answer.conversation is None:
            return answer  # erased: the case closes with the erasure
        asked_again = any(
            isinstance(e, OpenCase) and e.reason is not CaseReason.CRISIS for e in answer.effects
        )
        effects = [e for e in answer.effects if not (asked_again and isinstance(e, OpenCase))]
        relay = _relay_while_queued(event)
        if relay is not None:
            effects.append(relay)
        after = replace(answer.conversation, owner=Owner.QUEUED)
        lang = after.language
        wait = await self._wait_sentence(after)
        rows = self._handoff.waiting_rows(lang)
        turn = int(after.extra.get(WAIT_TURNS, "0"))
        if asked_again:
            messages: tuple[PersonMessage, ...] = (
                Reply(self._t.text("waiting.already", lang, wait=wait), buttons=rows),
            )
        elif refuses_call:
            messages = (Reply(self._t.text("waiting.no_call", lang, wait=wait), buttons=rows),)
        elif isinstance(event, MediaReceived):
            key = "waiting.media" if event.kind in RELAYABLE_MEDIA else "waiting.withheld"
            messages = (Reply(self._t.text(key, lang, wait=wait), buttons=rows),)
        elif _helpful(answer, event):
            messages = (*answer.messages, Reply(self._t.text("waiting.reminder", lang, wait=wait)))
        else:
            note = self._t.text(f"waiting.note.{turn % WAIT_VARIANTS}", lang, wait=wait)
            messages = (Reply(note, buttons=rows),)
        if after.crisis_flagged_at is not None:
            # After a crisis, every wait keeps the 24/7 lines in reach: a "no, I won't call
            # anyone" never dismisses them.
            messages = (*messages, self._lines_while_waiting(after))
        after = replace(after, extra={**after.extra, WAIT_TURNS: str(turn + 1)})
        return Decision(after, messages, tuple(effects), answer.trace)

    def _lines_while_waiting(self, conv: Conversation) -> Reply:
        """The lines that fit the last crisis, for someone who waits for a worker."""
        category = conv.extra.get(CRISIS_CATEGORY, "")
        known = category in CrisisCategory.__members__.values()
        screening = Screening(CrisisLevel.CONCERN, CrisisCategory(category) if known else None)
        lines = self._lines.lines_for(self._config.jurisdiction)
        listed = crisis_replies(self._t, lines, conv.language, screening)[-1].text
        return Reply(self._t.text("waiting.crisis_lines", conv.language, lines=listed))

    async def _wait_sentence(self, conv: Conversation) -> str:
        """Where the request stands: the people ahead, or when the team is back."""
        availability = self._handoff.availability
        if not availability.is_open():
            return self._t.text(
                "waiting.wait.closed", conv.language, when=availability.back_when(conv.language)
            )
        ahead = await self._cases.ahead_of(conv.pseudonym)
        if ahead == 0:
            return self._t.text("waiting.wait.next", conv.language)
        if ahead == 1:
            return self._t.text("waiting.wait.ahead_one", conv.language)
        return self._t.text("waiting.wait.ahead_many", conv.language, count=ahead)

    # --- the bot's own conversation ---------------------------------------------------------

    async def _with_bot(
        self, conv: Conversation, event: PersonEvent, reading: Reading | None
    ) -> Decision:
        match event:
            case CommandReceived(name=name, argument=argument):
                return await self._command(conv, name, argument)
            case ButtonPressed(payload=payload):
                return await self._button(conv, payload)
            case LocationShared(latitude=lat, longitude=lon):
                place = Place(round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS))
                return await self._search(replace(conv, area=None), conv.theme, place, 0)
            case MediaReceived():
                return Decision(conv, (self._menu(conv, "media_not_read"),))
            case TextReceived(text=text) if reading is not None:
                return await self._text(conv, text, reading)
            case TimerFired():
                return Decision(conv)
        return Decision(conv)

    async def _command(self, conv: Conversation, name: str, argument: str) -> Decision:
        lang = conv.language
        spec = person_command(name)
        if spec is None:
            return Decision(conv, (self._menu(conv, "unknown_command"),))
        match spec.command:
            case PersonCommand.START:
                returning = conv.state is not FlowState.NEW
                source = argument if SOURCE_CODE.match(argument or "") else conv.source
                conv = replace(conv, state=FlowState.MENU, source=source)
                noted = arrival_noted(argument, lang, returning=returning)  # insights
                if returning:
                    return Decision(conv, (self._menu(conv, "welcome_back"),), noted)
                return Decision(conv, (self._menu(conv, "welcome", **self._about(lang)),), noted)
            case PersonCommand.LANGUAGE:
                chosen = argument.strip().lower()[:2]
                if chosen in ("fr", "en"):
                    return self._set_language(conv, Language(chosen))
                return Decision(conv, (self._language_choice(),))
            case PersonCommand.HELP:
                return Decision(conv, (self._menu(conv, "help", **self._about(lang)),))
            case PersonCommand.MENU:
                conv = replace(conv, state=FlowState.MENU)
                return Decision(conv, (self._menu(conv, "menu_prompt"),))
            case PersonCommand.FORGET:
                return self._ask_forget(conv)
            case PersonCommand.STOP:
                return self._stop_followups(conv)
            case PersonCommand.MY_DATA:
                kept = what_is_kept(self._t, conv, self._clock.now(), self._config.retention)
                return Decision(conv, (kept,))
            case PersonCommand.EMERGENCY:
                return self._emergency(conv)
            case PersonCommand.HUMAN:
                return await self._ask_human(conv, CaseReason.ASKED_FOR_HUMAN)

    async def _button(self, conv: Conversation, payload: str) -> Decision:
        kind, _, rest = payload.partition(":")
        if kind == "theme" and rest in Theme.__members__.values():
            return await self._theme_chosen(conv, Theme(rest))
        if kind == "more":
            return await self._more(conv, rest)
        if kind == CARD_PREFIX:
            return await self._place_card(conv, rest)
        if kind == "lang" and rest in ("fr", "en"):
            return self._set_language(conv, Language(rest))
        if kind == "human":
            # Pressed from the offer made after two misunderstandings: say so on the case.
            misread = conv.misunderstood >= 2
            return await self._ask_human(
                conv, CaseReason.NOT_UNDERSTOOD if misread else CaseReason.ASKED_FOR_HUMAN
            )
        if kind == "emergency":
            return self._emergency(conv)
        if kind == "faq" and self._t.has(f"faq.{rest}"):
            return self._faq_answer(conv, rest)
        if kind == "someone":
            return await self._someone_button(conv, rest)
        if kind == FOLLOWUP:
            return await self._followup_button(conv, rest)
        if kind == "forget" and conv.state is FlowState.CONFIRM_FORGET:
            if rest == "yes":
                return Decision(
                    None,
                    (Reply(self._t.text("forgotten", conv.language)),),
                    (CancelFollowUps(), ForgetPerson()),
                )
            conv = replace(conv, state=FlowState.MENU)
            return Decision(conv, (self._menu(conv, "forget_cancelled"),))
        # "menu", stale buttons from an old message, anything unknown: back to the menu.
        return Decision(replace(conv, state=FlowState.MENU), (self._menu(conv, "menu_prompt"),))

    async def _text(self, conv: Conversation, text: str, reading: Reading) -> Decision:
        screening = reading.screening
        cues = reading.cues
        if screening.flagged:
            return self._crisis(conv, screening)
        if followups.is_stop_word(text):
            return self._stop_followups(conv)
        if followups.ASKED in conv.extra:
            # The first words after a follow-up answer it: « oui ça a marché », « non ».
            conv = replace(
                conv, extra={k: v for k, v in conv.extra.items() if k != followups.ASKED}
            )
            answer = followups.typed_answer(text)
            if answer is not None:
                return await self._followup_button(conv, "worked" if answer == "yes" else "not")
        notes: tuple[PersonMessage, ...] = ()
        if len(text) > LONG_MESSAGE_CHARS:
            notes = (Reply(self._t.text("too_long", conv.language)),)
        if cues.language_request is not None:
            # "On peut continuer en français ?": said, not guessed; it stays.
            return _prepend(notes, self._set_language(conv, cues.language_request))
        understood = reading.interpretation
        answered = _answer_to_pending(conv, cues, understood)
        if answered is not None:
            # A typed "oui" / "ok" / "non" answers the question the bot just asked.
            return _prepend(notes, await self._button(_answered(conv), answered))
        if cues.watched:
            # Someone may read their phone: how to erase, never "where are you?" — unless
            # the question was about the police or anonymity, which has its own answer.
            asked = understood.confident_faq if isinstance(understood, Interpretation) else None
            subject = asked if asked in PRIVACY_SUBJECTS else "phone_safety"
            return _prepend(notes, self._faq_answer(conv, subject))
        if cues.asks_meeting:
            return _prepend(notes, await self._meeting(conv, understood))
        if conv.state is FlowState.AWAITING_PLACE and conv.theme is not None:
            place = await self._directory.locate(text[:NLU_MAX_CHARS])
            if place is not None:
                return _prepend(
                    notes, await self._search(conv, conv.theme, place, 0, area=place.label)
                )
        if cues.for_someone is not None:
            return _prepend(notes, self._for_someone(conv, cues.for_someone, understood))
        if cues.asks_human:
            return _prepend(notes, await self._human_and_need(conv, understood))
        if conv.state is FlowState.AWAITING_PLACE and not self._changes_subject(understood):
            return _prepend(notes, self._place_not_found(conv))
        if isinstance(understood, NluUnavailable):
            return Decision(conv, (*notes, self._menu(conv, "nlu_unavailable")))
        return _prepend(notes, await self._understood(conv, understood))

    async def _human_and_need(
        self, conv: Conversation, understood: Interpretation | NluUnavailable
    ) -> Decision:
        """ "Jdors dehors, jveux parler à quelqu'un": the request, then the need's help."""
        asked = await self._ask_human(conv, CaseReason.ASKED_FOR_HUMAN)
        theme = _need_theme(understood)
        if theme is None or asked.conversation is None:
            return asked
        helped = await self._theme_chosen(replace(asked.conversation, owner=Owner.QUEUED), theme)
        return Decision(
            helped.conversation,
            (*asked.messages, *helped.messages),
            (*asked.effects, *helped.effects),
            helped.trace,
        )

    async def _meeting(
        self, conv: Conversation, understood: Interpretation | NluUnavailable
    ) -> Decision:
        """A worker to meet ("aller vers"): a case of its own kind, the neighbourhood only if
        the person gave it, and how meetings work said plainly."""
        if isinstance(understood, Interpretation):
            where = understood.entity("postal_code") or understood.entity("place")
            place = await self._directory.locate(where) if where else None
            if place is not None and place.label:
                conv = replace(conv, area=place.label)
        return await self._ask_human(conv, CaseReason.MEETING_REQUEST)

    def _for_someone(
        self, conv: Conversation, relation: str, understood: Interpretation | NluUnavailable
    ) -> Decision:
        """Asking for a son, a friend, a neighbour: help for them, words to bring it up, and
        support for the person asking. Nothing is kept about the person they ask for."""
        lang = conv.language
        key = f"someone.relation.{relation}"
        who = self._t.text(key if self._t.has(key) else "someone.relation.relative", lang)
        theme = _need_theme(understood)
        if theme is not None:
            label = self._t.text(f"theme.{theme}", lang)
            where_text = self._t.text("someone.button.where", lang, theme=label)
            where = Button(where_text, f"theme:{theme}")
        else:
            where = Button(self._t.text("someone.button.where_any", lang), "someone:where")
        rows = (
            (where,),
            (Button(self._t.text("someone.button.tips", lang), "someone:tips"),),
            (Button(self._t.text("someone.button.for_you", lang), "someone:you"),),
            (Button(self._t.text("button.talk", lang), "human"),),
        )
        conv = replace(conv, misunderstood=0, theme=theme or conv.theme)
        intro = Reply(self._t.text("someone.intro", lang, who=who), buttons=rows)
        return _traced(Decision(conv, (intro,)), theme=theme)

    async def _someone_button(self, conv: Conversation, choice: str) -> Decision:
        lang = conv.language
        if choice == "tips":
            talk = Button(self._t.text("button.talk", lang), "human")
            menu = Button(self._t.text("button.menu", lang), "menu")
            tips = Reply(self._t.text("someone.tips", lang), buttons=((talk,), (menu,)))
            return Decision(conv, (tips,))
        if choice == "you":
            told = Reply(self._t.text("someone.for_you", lang))
            return _prepend((told,), await self._theme_chosen(conv, Theme.PEER_SUPPORT))
        conv = replace(conv, state=FlowState.MENU)
        return Decision(conv, (self._menu(conv, "someone.where_any"),))

    async def _understood(self, conv: Conversation, reading: Interpretation) -> Decision:
        lang = conv.language
        misread = conv.misunderstood
        if reading.confident_crisis:
            return self._crisis(conv, Screening(CrisisLevel.CONCERN, CrisisCategory.OTHER))
        if reading.confidence < INTENT_MIN_CONFIDENCE or reading.intent in (
            Intent.UNKNOWN,
            Intent.CRISIS,
        ):
            return self._not_understood(conv)
        conv = replace(conv, misunderstood=0)
        if reading.intent is Intent.NEED and reading.theme is not None:
            where = reading.entity("postal_code") or reading.entity("place")
            place = await self._directory.locate(where) if where else None
            if place is not None:
                searched = await self._search(conv, reading.theme, place, 0, area=place.label)
                return noting(searched, need_noted(reading.theme, place.label))  # insights
            return await self._theme_chosen(conv, reading.theme)
        if reading.intent is Intent.FAQ and reading.faq_key:
            subject = reading.confident_faq
            if subject is not None and self._t.has(f"faq.{subject}"):
                return self._faq_answer(conv, subject)
            return self._faq_doubt(conv, reading)
        if reading.intent is Intent.ASK_HUMAN:
            return await self._ask_human(conv, CaseReason.ASKED_FOR_HUMAN)
        if reading.intent is Intent.STOP:
            return self._stop_followups(conv)
        if reading.intent is Intent.FORGET_ME:
            return self._ask_forget(conv)
        if reading.intent is Intent.HOW_IT_WORKS:
            return Decision(conv, (self._menu(conv, "how_it_works", **self._about(lang)),))
        simple = {
            Intent.GREET: "greet",
            Intent.THANKS: "thanks",
            Intent.GOODBYE: "goodbye",
            Intent.AFFIRM: "affirm_no_context",
            Intent.DENY: "affirm_no_context",
        }
        if reading.intent in simple:
            return Decision(conv, (self._menu(conv, simple[reading.intent]),))
        # Out of scope twice in a row is not being understood: a worker is offered.
        return self._not_understood(replace(conv, misunderstood=misread), first_time="out_of_scope")

    def _faq_answer(self, conv: Conversation, subject: str) -> Decision:
        """A curated answer, and the places near the person for the subject's theme."""
        lang = conv.language
        text = self._t.text(f"faq.{subject}", lang, **self._about(lang))
        rows: list[tuple[Button, ...]] = []
        theme = theme_of_faq(subject)
        if theme is not None:
            label = self._t.text(f"theme.{theme}", lang)
            places = self._t.text("faq_offer.places", lang, theme=label)
            rows.append((Button(places, f"theme:{theme}"),))
        rows.append((Button(self._t.text("button.talk", lang), "human"),))
        rows.append((Button(self._t.text("button.menu", lang), "menu"),))
        conv = replace(conv, misunderstood=0)
        return _traced(Decision(conv, (Reply(text, buttons=tuple(rows)),)), faq=subject)

    def _faq_doubt(self, conv: Conversation, reading: Interpretation) -> Decision:
        """A question we are not sure of: ask, rather than answer another one."""
        subject = reading.faq_key
        if subject is None or not self._t.has(f"faq_label.{subject}"):
            return self._not_understood(conv)
        lang = conv.language
        label = self._t.text(f"faq_label.{subject}", lang)
        conv, ask = _yes_no(
            conv,
            self._t.text("faq_doubt.ask", lang, subject=label),
            Button(self._t.text("faq_doubt.yes", lang), f"faq:{subject}"),
            Button(self._t.text("faq_doubt.no", lang), "menu"),
        )
        return Decision(conv, (ask,))

    # --- steps ------------------------------------------------------------------------------

    async def _theme_chosen(self, conv: Conversation, theme: Theme) -> Decision:
        conv = replace(conv, theme=theme)
        need = need_noted(theme, conv.area)  # insights
        if conv.area:
            place = await self._directory.locate(conv.area)
            if place is not None:
                return noting(await self._search(conv, theme, place, 0, area=conv.area), need)
        lang = conv.language
        ask = Reply(
            self._t.text("ask_place", lang, theme=self._t.text(f"theme.{theme}", lang)),
            buttons=((Button(self._t.text("button.menu", lang), "menu"),),),
            location_button=self._t.text("button.share_location", lang),
        )
        asked = Decision(replace(conv, state=FlowState.AWAITING_PLACE), (ask,), (need,))
        return _traced(asked, theme=theme)

    async def _search(
        self,
        conv: Conversation,
        theme: Theme | None,
        place: Place,
        offset: int,
        area: str | None = None,
    ) -> Decision:
        if theme is None:
            return Decision(replace(conv, state=FlowState.MENU), (self._menu(conv, "menu_prompt"),))
        query = SearchQuery(
            theme=theme,
            place=place,
            at=self._clock.now(),
            offset=offset,
            limit=PAGE_SIZE,
            language=conv.language,
            age=age_of(conv),
            gender=gender_of(conv),
            brief=True,  # a line per place; its button fetches the full card
        )
        page = await self._directory.search(query)
        # The point travels in the "see more" button, so paging needs no stored location.
        more = f"more:{theme}:{place.latitude:.3f}:{place.longitude:.3f}:{offset + PAGE_SIZE}"
        pinned = None
        fitting = lines_for_theme(
            self._lines.lines_for(self._config.jurisdiction), theme, minor=is_minor(conv)
        )
        if fitting:
            # Only the two or three lines that fit the theme, not the whole registry.
            lines = self._lines.lines_for(self._config.jurisdiction)
            pinned = crisis_lines_text(self._t, lines, conv.language, only=fitting)
        messages = render_page(
            self._t, page, theme, conv.language, more_payload=more, place=place, pinned=pinned
        )
        conv = replace(
            conv,
            state=FlowState.RESULTS,
            theme=theme,
            area=area if area is not None else conv.area,
            results_page=offset // PAGE_SIZE,
        )
        noted = search_noted(query, page, area)  # insights
        now = self._clock.now()
        if offset == 0 and page.cards and conv.owner is Owner.BOT:
            conv = replace(conv, extra={**conv.extra, followups.THEME: theme.value})
            if followups.may_offer(conv, now):
                # Offered, never forced: a question with its own yes and no (flows/followups).
                conv = followups.offered(conv, now, theme)
                messages = (*messages, followups.offer(self._t, conv.language))
        return _traced(Decision(conv, messages, noted), theme=theme, results=page)

    async def _more(self, conv: Conversation, rest: str) -> Decision:
        try:
            theme_id, lat, lon, offset = rest.split(":")
            theme = Theme(theme_id)
            place = Place(float(lat), float(lon))
            start = max(0, int(offset))
        except ValueError:
            return Decision(conv, (self._menu(conv, "menu_prompt"),))
        # A forged button may carry nan, inf, a point off the map or a huge page.
        if not _on_the_map(place) or start > MAX_OFFSET:
            return Decision(conv, (self._menu(conv, "menu_prompt"),))
        return await self._search(conv, theme, place, start)

    async def _place_card(self, conv: Conversation, rest: str) -> Decision:
        """A place's button in the list: its full card (address, hours, phone, map pin)."""
        try:
            lat, lon, service_id = rest.split(":", 2)
            place = Place(float(lat), float(lon))
        except ValueError:
            return Decision(conv, (self._menu(conv, "menu_prompt"),))
        if not _on_the_map(place) or not service_id:
            return Decision(conv, (self._menu(conv, "menu_prompt"),))
        now = self._clock.now()
        card = await self._directory.card(service_id, place, now, conv.language)
        if card is None:
            # Gone from the directory since the list was shown (or a forged button).
            return Decision(conv, (self._menu(conv, "results.card_gone"),))
        return Decision(conv, card_view(self._t, card, conv.language, now=now))

    def _changes_subject(self, reading: Interpretation | NluUnavailable) -> bool:
        """While we wait for a place: does the text confidently ask for something else?"""
        if isinstance(reading, NluUnavailable) or reading.intent not in SUBJECT_CHANGES:
            return False
        if reading.intent is Intent.CRISIS:
            return reading.confident_crisis
        return reading.confidence >= INTENT_MIN_CONFIDENCE

    def _place_not_found(self, conv: Conversation) -> Decision:
        lang = conv.language
        ask = Reply(
            self._t.text("place_unknown", lang, example=self._config.place_example),
            location_button=self._t.text("button.share_location", lang),
        )
        return Decision(conv, (ask,))

    def _crisis(self, conv: Conversation, screening: Screening) -> Decision:
        lines = self._lines.lines_for(self._config.jurisdiction)
        conv = replace(
            conv,
            crisis_flagged_at=self._clock.now(),
            owner=Owner.QUEUED,
            extra={**conv.extra, CRISIS_CATEGORY: str(screening.category or "")},
        )
        decision = Decision(
            conv,
            crisis_replies(self._t, lines, conv.language, screening, minor=is_minor(conv)),
            (crisis_case(screening),),
        )
        return _traced(self._handoff.after_crisis(decision), crisis=screening)

    def _emergency(self, conv: Conversation) -> Decision:
        lines = self._lines.lines_for(self._config.jurisdiction)
        talk = Button(self._t.text("button.talk", conv.language), "human")
        menu = Button(self._t.text("button.menu", conv.language), "menu")
        text = crisis_lines_text(self._t, lines, conv.language)
        return Decision(conv, (Reply(text, buttons=((talk,), (menu,))),))

    async def _ask_human(self, conv: Conversation, reason: CaseReason) -> Decision:
        decision = self._handoff.ask_human(conv, reason)
        first = decision.messages[0]
        if self._handoff.availability.is_open() and isinstance(first, Reply):
            # An honest wait from the first moment: how many requests come before this one.
            wait = await self._wait_sentence(conv)
            told = replace(first, text=f"{first.text}\n{wait}")
            decision = replace(decision, messages=(told, *decision.messages[1:]))
        return decision

    def _not_understood(self, conv: Conversation, first_time: str = "not_understood") -> Decision:
        count = conv.misunderstood + 1
        conv = replace(conv, misunderstood=count)
        if count >= 2:
            lang = conv.language
            conv, offer = _yes_no(
                conv,
                self._t.text("not_understood_again", lang),
                Button(self._t.text("button.talk", lang), "human"),
                Button(self._t.text("button.menu", lang), "menu"),
            )
            return Decision(conv, (offer,))
        return Decision(conv, (self._menu(conv, first_time),))

    def _ask_forget(self, conv: Conversation) -> Decision:
        lang = conv.language
        conv, ask = _yes_no(
            conv,
            self._t.text("forget_confirm", lang),
            Button(self._t.text("button.yes_erase", lang), "forget:yes"),
            Button(self._t.text("button.no_keep", lang), "forget:no"),
        )
        return Decision(replace(conv, state=FlowState.CONFIRM_FORGET), (ask,))

    def _stop_followups(self, conv: Conversation) -> Decision:
        conv = followups.stopped(conv, self._clock.now())
        return Decision(
            conv,
            (Reply(self._t.text("followups_stopped", conv.language)),),
            (CancelFollowUps(),),
        )

    # --- follow-ups (the rules are in flows/followups.py) -------------------------------------

    def _followup_due(self, conv: Conversation, reference: str) -> Decision:
        """The armed follow-up came due: send it, let it wait, or drop it."""
        now = self._clock.now()
        held = conv.owner in (Owner.QUEUED, Owner.WORKER)
        verdict = self._followup.at_due(conv, now, reference=reference, held=held)
        if verdict.verdict is Verdict.LATER and verdict.at is not None:
            conv = followups.rescheduled(conv, verdict.at)
            return Decision(conv, effects=(ScheduleFollowUp(verdict.at),))
        if verdict.verdict is Verdict.DROP:
            if reference != conv.extra.get(followups.DUE):
                return Decision(conv)  # a stale wake-up: what is armed stays armed
            return Decision(followups.dropped(conv), effects=(CancelFollowUps(),))
        conv = followups.sent(conv, self._followup, now)
        check_in = followups.checking_in(self._t, conv.language)
        due = conv.extra.get(followups.DUE)
        effects = (ScheduleFollowUp(datetime.fromisoformat(due)),) if due else ()
        return Decision(conv, (check_in,), effects)

    async def _followup_button(self, conv: Conversation, rest: str) -> Decision:
        """Yes (with a delay), no, stop; and the answers to a follow-up."""
        lang = conv.language
        now = self._clock.now()
        choice, _, delay = rest.partition(":")
        if choice == "yes" and delay in followups.DELAYS:
            conv = followups.armed(conv, self._followup, now, delay)
            due = datetime.fromisoformat(conv.extra[followups.DUE])
            when = self._t.text(f"followup.when_{delay}", lang)
            told = Reply(self._t.text("followup.armed", lang, when=when))
            return Decision(conv, (told,), (ScheduleFollowUp(due),))
        if choice == "no" and not delay:
            return Decision(conv, (self._menu(conv, "followup.declined"),))
        if choice == "stop" and not delay:
            return self._stop_followups(conv)
        if choice == "worked" and not delay:
            conv = replace(conv, state=FlowState.MENU)
            return Decision(conv, (self._menu(conv, "followup.glad"),))
        if choice == "not" and not delay:
            theme = followups.last_theme(conv)
            rows: list[tuple[Button, ...]] = []
            if theme is not None:
                label = self._t.text(f"theme.{theme}", lang)
                others = self._t.text("followup.button.other_places", lang, theme=label)
                rows.append((Button(others, f"theme:{theme}"),))
            rows.append((Button(self._t.text("button.talk", lang), "human"),))
            rows.append((Button(self._t.text("button.menu", lang), "menu"),))
            sorry = Reply(self._t.text("followup.sorry", lang), buttons=tuple(rows))
            return Decision(replace(conv, state=FlowState.MENU), (sorry,))
        # A forged or outdated follow-up button: back to the menu, kindly.
        return Decision(replace(conv, state=FlowState.MENU), (self._menu(conv, "menu_prompt"),))

    def _set_language(self, conv: Conversation, language: Language) -> Decision:
        conv = replace(conv, language=language, language_chosen=True)
        return Decision(conv, (self._menu(conv, "language_set"),))

    # --- rendering helpers ------------------------------------------------------------------

    def _about(self, language: Language) -> dict[str, str]:
        """What the welcome, help and FAQ answers may name: the team, its hours, the
        emergency number, and who reads the messages (one sentence, said the same way)."""
        lines = self._lines.lines_for(self._config.jurisdiction)
        team = self._config.team_name
        hours = self._config.hours_label(language)
        who_reads = self._t.text("about.who_reads", language, team=team, hours=hours)
        return {
            "emergency": lines.emergency_number,
            "team": team,
            "hours": hours,
            "who_reads": who_reads,
        }

    def _menu(self, conv: Conversation, key: str, **values: object) -> Reply:
        """``key``'s text followed by the main menu."""
        return Reply(self._t.text(key, conv.language, **values), buttons=self.menu(conv.language))

    def menu(self, language: Language) -> Keyboard:
        """The main menu: the 14 themes two by two, then a human and the emergency lines."""
        themes = [Button(self._t.text(f"theme.{t}", language), f"theme:{t}") for t in Theme]
        rows = [tuple(themes[i : i + 2]) for i in range(0, len(themes), 2)]
        rows.append((Button(self._t.text("button.talk", language), "human"),))
        rows.append((Button(self._t.text("button.emergency", language), "emergency"),))
        return tuple(rows)

    def _language_choice(self) -> Reply:
        return Reply(
            self._t.text("choose_language", Language.FR),
            buttons=(
                (
                    Button(self._t.text("button.french", Language.FR), "lang:fr"),
                    Button(self._t.text("button.english", Language.FR), "lang:en"),
                ),
            ),
        )


# While we wait for a place, these intents mean the person moved on to something else.
SUBJECT_CHANGES = frozenset(
    {
        Intent.NEED,
        Intent.FAQ,
        Intent.ASK_HUMAN,
        Intent.CRISIS,
        Intent.STOP,
        Intent.FORGET_ME,
        Intent.HOW_IT_WORKS,
    }
)


def _on_the_map(place: Place) -> bool:
    return (
        math.isfinite(place.latitude)
        and math.isfinite(place.longitude)
        and -90.0 <= place.latitude <= 90.0
        and -180.0 <= place.longitude <= 180.0
    )


def _prepend(messages: tuple[PersonMessage, ...], decision: Decision) -> Decision:
    if not messages:
        return decision
    return Decision(decision.conversation, (*messages, *decision.messages), decision.effects)


def _traced(decision: Decision, **facts: object) -> Decision:
    """``decision`` with more of what the turn understood and did (see ``TurnTrace``)."""
    return replace(decision, trace=replace(decision.trace, **facts))  # type: ignore[arg-type]


def _relay_while_queued(event: PersonEvent) -> RelayToWorker | None:
    """What of the person's event reaches the waiting case (a location or contact never)."""
    match event:
        case TextReceived(text=text):
            return RelayToWorker(text)
        case MediaReceived(kind=kind):
            return RelayToWorker("", kind=kind.value, copy=kind in RELAYABLE_MEDIA)
        case LocationShared():
            return RelayToWorker("", kind="location", copy=False)
    return None


def _helpful(answer: Decision, event: PersonEvent) -> bool:
    """Did the bot answer something the person asked for (not small talk or confusion)?"""
    trace = answer.trace
    if trace.theme is not None or trace.faq is not None or trace.results is not None:
        return True
    return isinstance(event, ButtonPressed | CommandReceived | LocationShared)


def _is_start(event: PersonEvent) -> bool:
    if not isinstance(event, CommandReceived):
        return False
    spec = person_command(event.name)
    return spec is not None and spec.command is PersonCommand.START


def _next_turn(conv: Conversation) -> Conversation:
    """Count the turn; forget a yes/no question older than the previous turn."""
    turn = int(conv.extra.get(TURN, "0")) + 1
    extra = {**conv.extra, TURN: str(turn)}
    if int(extra.get(PENDING_TURN, "-1")) < turn - 1:
        extra = {k: v for k, v in extra.items() if k not in PENDING}
    return replace(conv, extra=extra)


def _yes_no(conv: Conversation, text: str, yes: Button, no: Button) -> tuple[Conversation, Reply]:
    """A question with a yes and a no button, which a typed "oui" / "non" may answer too."""
    pending = {PENDING_TURN: conv.extra.get(TURN, "0"), PENDING_YES: yes.payload}
    pending[PENDING_NO] = no.payload
    return replace(conv, extra={**conv.extra, **pending}), Reply(text, buttons=((yes,), (no,)))


def _answer_to_pending(
    conv: Conversation, cues: TextCues, understood: Interpretation | NluUnavailable
) -> str | None:
    """The button a typed yes or no stands for, when the bot's last message asked."""
    if PENDING_YES not in conv.extra:
        return None
    answer = cues.answer
    if answer is None and isinstance(understood, Interpretation):
        answer = {Intent.AFFIRM: "yes", Intent.DENY: "no"}.get(understood.intent)
    if answer == "yes":
        return conv.extra[PENDING_YES]
    if answer == "no":
        return conv.extra.get(PENDING_NO)
    return None


def _need_theme(understood: Interpretation | NluUnavailable) -> Theme | None:
    """The need a text speaks of: its intent's theme, or the ranking's confident second."""
    if not isinstance(understood, Interpretation):
        return None
    if understood.intent is Intent.NEED and understood.confidence >= INTENT_MIN_CONFIDENCE:
        return understood.theme
    return understood.confident_second_theme


def _follow_language(conv: Conversation, reading: Reading) -> Conversation:
    """Answer in the language the person writes in, unless they chose one themselves; the
    phone's language (the conversation's first) decides when the text does not say."""
    written_in = reading.language
    if written_in is None or conv.language_chosen or written_in is conv.language:
        return conv
    return replace(conv, language=written_in)


def _answered(conv: Conversation) -> Conversation:
    return replace(conv, extra={k: v for k, v in conv.extra.items() if k not in PENDING})
