"""What the staff group reads: case cards, the queue, prompts and notices. Pure rendering.

Nothing here ever shows who the person is: only the case's alias, number, what the person
chose from the bot's menus and, on the card, their last few messages before the request
(kept for the retention window only, see ``flows/transcript.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flows.actions import Button, Keyboard
from flows.cases import BY_BOT, BY_PERSON, REOPENED_BY_PERSON, Case, CaseStatus, WorkerAction
from flows.catalogue import Catalogue
from flows.domain import Language, Priority
from flows.transcript import BotSummary, NoteKind, TranscriptEntry, summarise
from flows.understanding import CrisisLevel

PRIORITY_EMOJI = {Priority.URGENT: "🔴", Priority.HIGH: "🟠", Priority.NORMAL: "🟢"}
STATUS_EMOJI = {CaseStatus.QUEUED: "⏳", CaseStatus.TAKEN: "💬", CaseStatus.CLOSED: "✅"}
LEVEL_EMOJI = {CrisisLevel.URGENT: "🔴", CrisisLevel.CONCERN: "🟠", CrisisLevel.NONE: "⚪"}
# A card is one message: the channels we know take 4096 characters (Telegram counts UTF-16
# code units, so an emoji counts twice; ``text_length`` does the same).
CARD_LIMIT = 4096
SAID_CHARS = 280  # each of the person's messages on the card, at most
TRANSCRIPT_ON_CARD = 5  # the person's last messages shown under « Avant la demande »
EARLIER_ON_CARD = 5  # earlier cases of the same person named on the card
CASE_PAYLOAD = "case"
# What a person-caused close says to the workers, by the history detail.
PERSON_CLOSE_NOTES = {
    "blocked": "staff.person.blocked",
    "forgotten": "staff.person.forgotten",
    "cancelled": "staff.person.cancelled",
}


class CaseVerb:
    """The verbs of the desk's buttons (``case:<verb>:<case id>[:<argument>]``)."""

    TAKE = "take"
    NOTE = "note"
    GIVE_BACK = "give_back"
    CLOSE = "close"
    REOPEN = "reopen"
    PRIORITY = "priority"  # argument: urgent | high | normal
    READY = "ready"  # no argument: show the ready replies; argument: the reply's id
    RESOURCE = "res"  # argument: a resource choice (``flows/desk_resources.py``)
    CONFIRM = "confirm"  # argument: close | give_back — the worker said yes
    CANCEL = "cancel"  # the worker said no: nothing happens


@dataclass(frozen=True, slots=True)
class CasePayload:
    """A desk button's callback data, read back."""

    verb: str
    case_id: int
    argument: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmPrompt:
    """A question put back to the worker before an action that needs a second thought."""

    text: str
    buttons: Keyboard


def case_title(priority: Priority, status: CaseStatus, alias: str, number: int) -> str:
    """``🔴⏳ Renard-42 #7``: priority and status at a glance, then the alias.

    A channel with a shorter limit for titles cuts it (the desk adapter does).
    """
    return f"{PRIORITY_EMOJI[priority]}{STATUS_EMOJI[status]} {alias} #{number}"


def queue_order(cases: Iterable[Case]) -> list[Case]:
    """Most pressing first: priority, then the longest wait."""
    return sorted(cases, key=lambda c: (c.priority.rank, c.queued_at, c.id))


def format_duration(delta: timedelta) -> str:
    """``2 h 05`` or ``35 min``: units both languages read."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}"


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def case_payload(verb: str, case_id: int, argument: str = "") -> str:
    """The callback data of a desk button (at most 64 bytes, as Telegram allows)."""
    payload = f"{CASE_PAYLOAD}:{verb}:{case_id}"
    return f"{payload}:{argument}" if argument else payload


def parse_case_payload(data: str) -> CasePayload | None:
    """A desk button's data read back; None if it is not one (or is malformed)."""
    kind, _, rest = data.partition(":")
    verb, _, rest = rest.partition(":")
    number, _, argument = rest.partition(":")
    # ``isascii`` first: "²".isdigit() is true, and int() refuses it.
    if kind != CASE_PAYLOAD or not verb or not (number.isascii() and number.isdigit()):
        return None
    return CasePayload(verb, int(number), argument)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class StaffView:
    """Renders the desk in the staff's language and the deployment's time zone."""

    def __init__(self, catalogue: Catalogue, language: Language, zone: ZoneInfo) -> None:
        self._t = catalogue
        self.language = language
        self._zone = zone

    def text(self, key: str, **values: object) -> str:
        """One catalogue entry in the staff's language."""
        return self._t.text(key, self.language, **values)

    def name(self, name: str | None) -> str:
        """A worker as colleagues see them: their chosen first name, or a neutral word."""
        return name or self.text("handoff.someone")

    def title(self, case: Case) -> str:
        """The case's topic title as it should be now."""
        return case_title(case.priority, case.status, case.alias, case.id)

    def card(
        self,
        case: Case,
        holder: str | None,
        *,
        hint: str,
        now: datetime | None = None,
        transcript: Sequence[TranscriptEntry] = (),
        earlier: Sequence[Case] = (),
        previous_holder: str | None = None,
        limit: int = CARD_LIMIT,
        places: Mapping[int, str] | None = None,
    ) -> str:
        """The case card: why, what the crisis screen found, what the person chose, since when,
        with whom, their earlier cases, and what happened before the request.

        ``transcript`` is the person's recent turns (oldest first); ``earlier`` their earlier
        cases; ``previous_holder`` the name of the worker who last held a case waiting again;
        ``places`` where each earlier case can be read again (its notes), by case number.
        The card never exceeds ``limit`` (UTF-16 units): older messages give way first.
        """
        head = [
            self.text(
                "staff.card.head",
                priority=self.text(f"staff.priority.{case.priority}"),
                status=self.text(f"staff.status.{case.status}"),
            ),
            self.text("staff.card.case", alias=case.alias, number=case.id),
            self.text("staff.card.reason", reason=self.text(f"staff.reason.{case.reason}")),
        ]
        crisis = self.crisis(case)
        if crisis:
            head.append(crisis)
        head.append(self.text("staff.card.chosen", chosen=self._chosen(case.context)))
        if earlier:
            cases = ", ".join(
                self._earlier(c, (places or {}).get(c.id)) for c in earlier[:EARLIER_ON_CARD]
            )
            head.append(self.text("staff.card.earlier", cases=cases))
        head.extend(self._since(case, now))
        head.append(self._with(case, holder, previous_holder))
        said = [
            self.text(
                "staff.card.said",
                time=self._time(entry.at, now),
                text=_one_line(entry.person_text, SAID_CHARS),
            )
            for entry in transcript
            if entry.person_text
        ][-TRANSCRIPT_ON_CARD:]
        summary = self.bot_summary(summarise(transcript))
        return self._bounded(head, said, summary, hint, limit)

    def _earlier(self, case: Case, place: str | None) -> str:
        said = self.text("staff.card.earlier_case", number=case.id, date=self._day(case.opened_at))
        return f"{said} {place}" if place else said

    def crisis(self, case: Case) -> str | None:
        """« 🔴 Crise — suicide, violence (urgent) · 3 messages signalés, le dernier à 23:02 »."""
        alerts = case.crisis_alerts
        if not alerts:
            return None
        level = case.crisis_level
        categories = self.categories(case)
        line = self.text(
            "staff.card.crisis",
            emoji=LEVEL_EMOJI[level],
            categories=categories,
            level=self.text(f"staff.crisis.level.{level}"),
        )
        if len(alerts) > 1:
            line += self.text(
                "staff.card.crisis_count", count=len(alerts), last=self._time(alerts[-1].at)
            )
        return line

    def categories(self, case: Case) -> str:
        """« suicide, violence »: what the flagged messages spoke of, in words."""
        words = []
        for category in case.crisis_categories:
            key = f"staff.crisis.category.{category}"
            words.append(self.text(key if self._t.has(key) else "staff.crisis.category.other"))
        return ", ".join(words)

    def _since(self, case: Case, now: datetime | None) -> list[str]:
        lines = []
        if case.history and case.history[-1].detail == REOPENED_BY_PERSON:
            lines.append(self.text("staff.card.reopened_by_person"))
        if case.status is CaseStatus.QUEUED and now is not None:
            waited = format_duration(now - case.queued_at)
            lines.append(
                self.text("staff.card.waiting_for", since=self.clock(case.queued_at), waited=waited)
            )
        else:
            lines.append(self.text("staff.card.waiting", since=self.clock(case.queued_at)))
        return lines

    def _with(self, case: Case, holder: str | None, previous_holder: str | None) -> str:
        if case.owner is not None:
            return self.text("staff.card.holder", holder=self.name(holder))
        if case.previous_owner is not None:
            return self.text("staff.card.holder_before", previous=self.name(previous_holder))
        return self.text("staff.card.holder", holder=self.text("staff.nobody"))

    def _bounded(
        self, head: list[str], said: list[str], summary: str | None, hint: str, limit: int
    ) -> str:
        """Head and hint always; then the bot's line; then the newest messages that still fit."""
        fixed = "\n".join([*head, hint])
        title = self.text("staff.card.before")
        budget = limit - text_length(fixed) - text_length(title) - 2
        if summary is not None and text_length(summary) + 1 <= budget:
            budget -= text_length(summary) + 1
        else:
            summary = None
        kept: list[str] = []
        for line in reversed(said):  # the newest first: older messages give way
            if text_length(line) + 1 > budget:
                break
            kept.insert(0, line)
            budget -= text_length(line) + 1
        shown = [*kept, *([summary] if summary else [])]
        if not shown:
            return _cut(fixed, limit)
        return _cut("\n".join([*head, title, *shown, hint]), limit)

    def bot_summary(self, summary: BotSummary) -> str | None:
        """What the bot did, in one line: « 🤖 sujet Manger · lieux proposés : … »."""
        if summary.empty:
            return None
        parts = []
        for kind in NoteKind:
            details = summary.details.get(kind)
            if kind is NoteKind.NOT_UNDERSTOOD:
                if summary.not_understood:
                    parts.append(
                        self.text("staff.summary.not_understood", count=summary.not_understood)
                    )
                continue
            if details is None:
                continue
            if kind in (NoteKind.LOCATION,):
                parts.append(self.text(f"staff.summary.{kind}"))
                continue
            items = ", ".join(self._detail(kind, d) for d in details if d) or "—"
            parts.append(self.text(f"staff.summary.{kind}", items=items))
        return self.text("staff.summary.line", parts=" · ".join(parts))

    def _detail(self, kind: NoteKind, detail: str) -> str:
        if kind in (NoteKind.THEME, NoteKind.NO_RESULTS) and self._t.has(f"theme.{detail}"):
            return self._t.text(f"theme.{detail}", self.language)
        if kind is NoteKind.ASKED_HUMAN and self._t.has(f"staff.reason.{detail}"):
            return self.text(f"staff.reason.{detail}")
        if kind is NoteKind.MEDIA and self._t.has(f"staff.media.{detail}"):
            return self.text(f"staff.media.{detail}")
        return _one_line(detail, 60)

    def card_buttons(self, case: Case) -> Keyboard:
        """The card's buttons for the case's status, with the priority it may move to."""

        def button(verb: str, label: str | None = None, argument: str = "") -> Button:
            text = label or self.text(f"staff.button.{verb}")
            return Button(text, case_payload(verb, case.id, argument))

        if case.status is CaseStatus.CLOSED:
            return ((button(CaseVerb.REOPEN), button(CaseVerb.NOTE)),)
        rows: list[tuple[Button, ...]] = []
        if case.status is CaseStatus.QUEUED:
            rows.append((button(CaseVerb.TAKE), button(CaseVerb.NOTE)))
        else:
            rows.append((button(CaseVerb.READY), button(CaseVerb.NOTE)))
        rows.append((button(CaseVerb.GIVE_BACK), button(CaseVerb.CLOSE)))
        rows.append(
            tuple(
                button(
                    CaseVerb.PRIORITY,
                    self.text(f"staff.button.priority.{priority}"),
                    priority.value,
                )
                for priority in Priority
                if priority is not case.priority
            )
        )
        return tuple(rows)

    # --- prompts and notices --------------------------------------------------------------

    def confirm_end(self, case: Case, action: WorkerAction, now: datetime) -> ConfirmPrompt:
        """« A message was flagged 4 min ago: close anyway? » with yes / no buttons."""
        verb = CaseVerb.GIVE_BACK if action is WorkerAction.GIVE_BACK else CaseVerb.CLOSE
        last = case.last_crisis_at or now
        categories = self.categories(case)
        text = self.text(
            f"staff.confirm.{verb}",
            alias=case.alias,
            number=case.id,
            ago=format_duration(now - last),
            categories=categories,
        )
        yes = Button(
            self.text(f"staff.confirm.yes_{verb}"), case_payload(CaseVerb.CONFIRM, case.id, verb)
        )
        no = Button(self.text("staff.confirm.no"), case_payload(CaseVerb.CANCEL, case.id))
        return ConfirmPrompt(text, ((yes, no),))

    def ready_picker(self, case: Case, replies: Sequence[str]) -> tuple[str, Keyboard]:
        """The ready replies, with what each says (in the staff's language), one button each."""
        lines = [self.text("staff.ready.header", alias=case.alias)]
        buttons = []
        for reply in replies:
            label = self.text(f"staff.ready.{reply}.label")
            said = _one_line(self.text(f"staff.ready.{reply}.text"), 90)
            lines.append(self.text("staff.ready.item", label=label, text=said))
            buttons.append((Button(label, case_payload(CaseVerb.READY, case.id, reply)),))
        return "\n".join(lines), tuple(buttons)

    def queue(
        self,
        cases: Iterable[Case],
        names: Mapping[str, str],
        now: datetime,
        *,
        digest: bool,
    ) -> str:
        """The open cases, most pressing first (``/file``) or the opening digest.

        Each line says what the case is about, how long it has waited (or who holds it and
        since when) and how often the group was alerted again; then who holds how many.
        """
        ordered = queue_order(cases)
        if not ordered:
            return self.text("staff.queue_empty")
        header = "staff.digest_header" if digest else "staff.queue_header"
        lines = [self.text(header, count=len(ordered))]
        held: dict[str, int] = {}
        for case in ordered:
            if case.status is CaseStatus.TAKEN and case.owner is not None:
                who = self.name(names.get(case.owner))
                held[who] = held.get(who, 0) + 1
                state = self.text(
                    "staff.queue_taken",
                    name=who,
                    since=format_duration(now - (case.taken_at or case.queued_at)),
                )
            else:
                state = self.text(
                    "staff.queue_waiting", waited=format_duration(now - case.queued_at)
                )
            realerts = len(case.realerts) if case.status is CaseStatus.QUEUED else 0
            lines.append(
                self.text(
                    "staff.queue_line",
                    title=self.title(case),
                    what=self.what(case),
                    state=state,
                    realerts=self.text("staff.queue_realerts", count=realerts) if realerts else "",
                )
            )
        if held and not digest:
            who_has = " · ".join(f"{name} {count}" for name, count in sorted(held.items()))
            lines.append(self.text("staff.queue_holders", holders=who_has))
        return "\n".join(lines)

    def what(self, case: Case) -> str:
        """What a case is about, in a few words: the crisis categories, or why it opened."""
        if case.crisis_alerts:
            return self.text("staff.what.crisis", categories=self.categories(case))
        return self.text(f"staff.reason.{case.reason}")

    def person_note(self, case: Case) -> str | None:
        """What workers are told when the person (not a worker) ended the case."""
        if case.status is not CaseStatus.CLOSED or not case.history:
            return None
        last = case.history[-1]
        if last.by not in (BY_PERSON, BY_BOT):
            return None
        key = PERSON_CLOSE_NOTES.get(last.detail)
        return self.text(key) if key else None

    def reopened_by_person(self, case: Case, previous_holder: str | None, closed_for: str) -> str:
        """The person wrote back after a close: the case waits again; who had it."""
        if case.previous_owner is None:
            return self.text("staff.person.reopened", closed_for=closed_for)
        return self.text(
            "staff.person.reopened_holder",
            closed_for=closed_for,
            previous=self.name(previous_holder),
        )

    def alert(self, case: Case) -> str:
        """A flagged message on a case already in the group."""
        return self.text(
            "staff.alert",
            priority=self.text(f"staff.priority.{case.priority}"),
            crisis=self.crisis(case) or "",
        )

    def withheld(self, kind: str) -> str:
        """Something the person sent that the group must not receive."""
        known = kind if kind in ("location", "contact") else "other"
        return self.text("staff.withheld", what=self.text(f"staff.withheld_kind.{known}"))

    def clock(self, at: datetime) -> str:
        """``17/11 14:03`` in the deployment's time zone."""
        return at.astimezone(self._zone).strftime("%d/%m %H:%M")

    def _time(self, at: datetime, now: datetime | None = None) -> str:
        """``14:03`` today, ``16/11 23:40`` another day."""
        local = at.astimezone(self._zone)
        if now is not None and local.date() != now.astimezone(self._zone).date():
            return local.strftime("%d/%m %H:%M")
        return local.strftime("%H:%M")

    def _day(self, at: datetime) -> str:
        return at.astimezone(self._zone).strftime("%d/%m/%y")

    def _chosen(self, context: Mapping[str, str]) -> str:
        parts = []
        if context.get("theme"):
            theme = self._t.text(f"theme.{context['theme']}", self.language)
            parts.append(self.text("staff.chosen.theme", theme=theme))
        if context.get("area"):
            parts.append(self.text("staff.chosen.area", area=context["area"]))
        if context.get("language") in ("fr", "en"):
            language = self.text(f"staff.language.{context['language']}")
            parts.append(self.text("staff.chosen.language", lang=language))
        if context.get("source"):
            parts.append(self.text("staff.chosen.source", source=context["source"]))
        return " · ".join(parts) or "—"


def _cut(text: str, limit: int) -> str:
    if text_length(text) <= limit:
        return text
    out = []
    used = 0
    for char in text:
        size = text_length(char)
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"
