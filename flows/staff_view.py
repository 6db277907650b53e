"""What the staff group reads: topic titles, case cards, the queue. Pure rendering.

Nothing here ever shows who the person is: only the case's alias, number and what the person
chose from the bot's menus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flows.actions import Button, Keyboard
from flows.cases import BY_BOT, BY_PERSON, Case, CaseStatus
from flows.catalogue import Catalogue
from flows.domain import Language, Priority

PRIORITY_EMOJI = {Priority.URGENT: "🔴", Priority.HIGH: "🟠", Priority.NORMAL: "🟢"}
STATUS_EMOJI = {CaseStatus.QUEUED: "⏳", CaseStatus.TAKEN: "💬", CaseStatus.CLOSED: "✅"}
MAX_TITLE = 128  # Telegram's limit for a forum topic name
CASE_PAYLOAD = "case"
# What a person-caused close says to the workers, by the history detail.
PERSON_CLOSE_NOTES = {
    "blocked": "staff.person.blocked",
    "forgotten": "staff.person.forgotten",
    "cancelled": "staff.person.cancelled",
}


def topic_title(priority: Priority, status: CaseStatus, alias: str, number: int) -> str:
    """``🔴⏳ Renard-42 #7``: priority and status at a glance, then the alias."""
    return f"{PRIORITY_EMOJI[priority]}{STATUS_EMOJI[status]} {alias} #{number}"[:MAX_TITLE]


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


def case_payload(verb: str, case_id: int) -> str:
    """The callback data of a card button."""
    return f"{CASE_PAYLOAD}:{verb}:{case_id}"


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
        return topic_title(case.priority, case.status, case.alias, case.id)

    def shown_title(self, case: Case) -> str | None:
        """The title the staff group shows now (None if never shown)."""
        if case.shown_status is None or case.shown_priority is None:
            return None
        return topic_title(case.shown_priority, case.shown_status, case.alias, case.id)

    def card(self, case: Case, holder: str | None, *, in_topic: bool) -> str:
        """The case card: what the person chose, why it opened, since when, with whom."""
        flags = ""
        if case.crisis_flags:
            flags = self.text("staff.card_flags", count=case.crisis_flags)
        holder_text = self.text("staff.nobody")
        if case.owner is not None:
            holder_text = self.name(holder)
        return self.text(
            "staff.card",
            priority=self.text(f"staff.priority.{case.priority}"),
            status=self.text(f"staff.status.{case.status}"),
            alias=case.alias,
            number=case.id,
            reason=self.text(f"staff.reason.{case.reason}"),
            flags=flags,
            chosen=self._chosen(case.context),
            since=self.clock(case.queued_at),
            holder=holder_text,
            hint=self.text("staff.hint_topic" if in_topic else "staff.hint_reply"),
        )

    def card_buttons(self, case: Case) -> Keyboard:
        """The card's buttons for the case's status."""

        def button(verb: str) -> Button:
            return Button(self.text(f"staff.button.{verb}"), case_payload(verb, case.id))

        if case.status is CaseStatus.CLOSED:
            return ((button("reopen"), button("note")),)
        first = (button("take"), button("note")) if case.status is CaseStatus.QUEUED else ()
        rows: list[tuple[Button, ...]] = [first] if first else [(button("note"),)]
        rows.append((button("give_back"), button("close")))
        return tuple(rows)

    def queue(
        self, cases: Iterable[Case], names: Mapping[str, str], now: datetime, *, digest: bool
    ) -> str:
        """The open cases, most pressing first (``/file``) or the opening digest."""
        ordered = queue_order(cases)
        if not ordered:
            return self.text("staff.queue_empty")
        header = "staff.digest_header" if digest else "staff.queue_header"
        lines = [self.text(header, count=len(ordered))]
        for case in ordered:
            holder = ""
            if case.owner is not None:
                holder = self.text("staff.queue_holder", name=self.name(names.get(case.owner)))
            lines.append(
                self.text(
                    "staff.queue_line",
                    title=self.title(case),
                    reason=self.text(f"staff.reason.{case.reason}"),
                    waiting=format_duration(now - case.queued_at),
                    holder=holder,
                )
            )
        return "\n".join(lines)

    def person_note(self, case: Case) -> str | None:
        """What workers are told when the person (not a worker) ended the case."""
        if case.status is not CaseStatus.CLOSED or not case.history:
            return None
        last = case.history[-1]
        if last.by not in (BY_PERSON, BY_BOT):
            return None
        key = PERSON_CLOSE_NOTES.get(last.detail)
        return self.text(key) if key else None

    def alert(self, case: Case) -> str:
        """A flagged message on a case already in the group."""
        return self.text("staff.alert", priority=self.text(f"staff.priority.{case.priority}"))

    def withheld(self, kind: str) -> str:
        """Something the person sent that the group must not receive."""
        known = kind if kind in ("location", "contact") else "other"
        return self.text("staff.withheld", what=self.text(f"staff.withheld_kind.{known}"))

    def clock(self, at: datetime) -> str:
        """``17/11 14:03`` in the deployment's time zone."""
        return at.astimezone(self._zone).strftime("%d/%m %H:%M")

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
