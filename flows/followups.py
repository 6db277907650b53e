"""Follow-ups: offered, never forced; discreet, capped, quiet at night, stopped at a word.

After results are shown, or when a worker closes the case, the person may be asked « Je peux
te relancer dans 2 jours pour savoir si ça a marché ? ». Only a "yes" (with its delay) arms a
follow-up. What is armed lives in the conversation (``Conversation.extra``, keys below) and
in one outbox row with a due time; the row only wakes the conversation (``TimerFired``), and
this module decides, with the conversation in hand, whether the follow-up is sent now,
later (quiet hours, the weekly cap) or not at all (held by a worker, two left unanswered,
consent withdrawn, the person came back on their own).

Pure: no clock of its own (``now`` is passed in), no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flows.actions import Button, Keyboard, Reply
from flows.catalogue import Catalogue
from flows.domain import Conversation, Language, Theme

FOLLOWUP = "followup"  # the timer's kind and the buttons' prefix
DELAYS: dict[str, timedelta] = {
    "1d": timedelta(days=1),
    "2d": timedelta(days=2),
    "7d": timedelta(days=7),
}
DEFAULT_DELAY = "2d"  # what a typed "oui" to the offer means
# A person who writes again this long after saying yes came back on their own: the pending
# follow-up has no purpose any more. Sooner, it is the same conversation going on.
SESSION = timedelta(hours=1)
# How often the offer may be made (it is a question, not a nag), and not for a month after STOP.
OFFER_EVERY = timedelta(days=7)
QUIET_AFTER_STOP = timedelta(days=30)

# What the conversation remembers (Conversation.extra, strings only).
DUE = "followup_due"  # ISO instant of the armed follow-up
ARMED_AT = "followup_armed_at"  # when the person said yes (or the next one was armed)
DELAY = "followup_delay"  # the delay chosen (a DELAYS key)
SENT_AT = "followup_sent_at"  # the last follow-up sent
UNANSWERED = "followup_unanswered"  # follow-ups sent in a row with no answer
ASKED = "followup_asked"  # a follow-up was sent and no answer came yet
THEME = "followup_theme"  # the last theme for which places were shown
OFFERED_AT = "followup_offered_at"  # the last offer
STOPPED_AT = "followup_stopped_at"  # the last STOP
KEYS = (DUE, ARMED_AT, DELAY, SENT_AT, UNANSWERED, ASKED, THEME, OFFERED_AT, STOPPED_AT)

# Typed alone, these stop every follow-up (accents, case and punctuation ignored).
STOP_WORDS = frozenset(
    {"stop", "arret", "arrete", "arreter", "desabonner", "unsubscribe", "desinscrire"}
)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """The hours no follow-up is sent, in the deployment's zone (``start`` > ``end``: night)."""

    start: time = time(21, 0)
    end: time = time(9, 0)
    zone: ZoneInfo | None = None

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo | None) -> QuietHours:
        """``"21:00-09:00"`` (empty: none)."""
        if not text.strip():
            return cls(time(0, 0), time(0, 0), zone)
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
        if match is None:
            raise ValueError(f"quiet hours must read HH:MM-HH:MM, not {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return cls(time(h1, m1), time(h2, m2), zone)

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone) if self.zone is not None else at

    def contains(self, at: datetime) -> bool:
        """True when ``at`` falls in the quiet hours."""
        if self.start == self.end:
            return False
        clock = self._local(at).time()
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def after(self, at: datetime) -> datetime:
        """``at`` itself, or the end of the quiet hours it falls in (the morning)."""
        if not self.contains(at):
            return at
        local = self._local(at)
        morning = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        if morning <= local:
            morning = datetime.combine(
                local.date() + timedelta(days=1), self.end, tzinfo=local.tzinfo
            )
        return morning


class Verdict(StrEnum):
    """What to do with a follow-up that came due."""

    SEND = "send"
    LATER = "later"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class AtDue:
    """The verdict for a due follow-up; ``at`` for ``LATER``, ``reason`` for ``DROP``."""

    verdict: Verdict
    at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    """The rules: quiet hours, at most one per ``cap``, stop after ``max_unanswered``."""

    quiet: QuietHours = QuietHours()
    cap: timedelta = timedelta(days=7)
    max_unanswered: int = 2

    def due_for(self, conv: Conversation, now: datetime, delay: timedelta) -> datetime:
        """When a follow-up armed now with ``delay`` may go: the cap, then the morning."""
        due = now + delay
        sent = _instant(conv, SENT_AT)
        if sent is not None:
            due = max(due, sent + self.cap)
        return self.quiet.after(due)

    def at_due(self, conv: Conversation, now: datetime, *, reference: str, held: bool) -> AtDue:
        """Send, wait or drop the follow-up ``reference`` (its due time) that fired ``now``."""
        if not conv.followup_consent:
            return AtDue(Verdict.DROP, reason="no consent")
        if conv.extra.get(DUE) != reference:
            return AtDue(Verdict.DROP, reason="not the armed one")
        if held:
            return AtDue(Verdict.DROP, reason="a worker holds the case")
        if int(conv.extra.get(UNANSWERED, "0")) >= self.max_unanswered:
            return AtDue(Verdict.DROP, reason="left unanswered")
        sent = _instant(conv, SENT_AT)
        if sent is not None and now < sent + self.cap:
            return AtDue(Verdict.LATER, at=self.quiet.after(sent + self.cap))
        if self.quiet.contains(now):
            return AtDue(Verdict.LATER, at=self.quiet.after(now))
        return AtDue(Verdict.SEND)


def is_stop_word(text: str) -> bool:
    """True when the whole message is a stop word (« STOP », « Arrête ! », « unsubscribe »)."""
    words = _fold(text).split()
    return len(words) == 1 and words[0] in STOP_WORDS


def typed_answer(text: str) -> str | None:
    """« oui ça a marché » / « non » / « pas vraiment »: yes, no, or None when unclear."""
    folded = _fold(text)
    if re.match(r"(non|no|nope|nan|pas vraiment|not really|pas trop|bof)\b", folded):
        return "no"
    if re.match(r"(oui|ouais|yes|yep|yeah|ok|super|ca a marche|it worked)\b", folded):
        return "yes"
    return None


def pending(conv: Conversation) -> bool:
    """A follow-up is armed."""
    return DUE in conv.extra


def noticed(
    conv: Conversation, now: datetime, *, keep_asked: bool = False
) -> tuple[Conversation, bool]:
    """The person wrote or pressed: an unanswered follow-up is answered (and the next one
    dropped); a pending one is dropped if they came back on their own (more than ``SESSION``
    after saying yes).

    ``keep_asked`` keeps the mark of a follow-up just sent, so that a text can answer it.
    Returns the conversation and whether the armed follow-up must be cancelled.
    """
    extra = dict(conv.extra)
    extra.pop(UNANSWERED, None)
    if not keep_asked:
        extra.pop(ASKED, None)
    cancel = False
    armed = _instant(conv, ARMED_AT)
    answered = ASKED in conv.extra  # the person reacts to a follow-up: no next one
    if DUE in extra and (answered or (armed is not None and now - armed >= SESSION)):
        for key in (DUE, ARMED_AT, DELAY):
            extra.pop(key, None)
        cancel = True
    if extra == conv.extra:
        return conv, False
    return replace(conv, extra=extra), cancel


def stopped(conv: Conversation, now: datetime) -> Conversation:
    """Consent withdrawn: nothing armed; the last theme, the last offer and the STOP kept."""
    extra = {k: v for k, v in conv.extra.items() if k not in KEYS or k in (THEME, OFFERED_AT)}
    return replace(conv, followup_consent=False, extra={**extra, STOPPED_AT: now.isoformat()})


def armed(conv: Conversation, policy: FollowUpPolicy, now: datetime, delay: str) -> Conversation:
    """Consent given (again) with ``delay``: the follow-up is armed; its due time is in DUE."""
    due = policy.due_for(conv, now, DELAYS[delay])
    extra = {**conv.extra, DUE: due.isoformat(), ARMED_AT: now.isoformat(), DELAY: delay}
    return replace(conv, followup_consent=True, extra=extra)


def sent(conv: Conversation, policy: FollowUpPolicy, now: datetime) -> Conversation:
    """A follow-up goes now: count it unanswered; arm the next one unless this was the last."""
    count = int(conv.extra.get(UNANSWERED, "0")) + 1
    extra = {k: v for k, v in conv.extra.items() if k not in (DUE, ARMED_AT)}
    extra |= {SENT_AT: now.isoformat(), UNANSWERED: str(count), ASKED: now.isoformat()}
    conv = replace(conv, extra=extra)
    if count < policy.max_unanswered:
        due = policy.due_for(conv, now, policy.cap)
        conv = replace(conv, extra={**conv.extra, DUE: due.isoformat(), ARMED_AT: now.isoformat()})
    return conv


def rescheduled(conv: Conversation, at: datetime) -> Conversation:
    """The armed follow-up waits until ``at`` (the morning, or the end of the cap)."""
    return replace(conv, extra={**conv.extra, DUE: at.isoformat()})


def dropped(conv: Conversation) -> Conversation:
    """The armed follow-up will not go (consent kept: a later offer may arm another)."""
    return replace(conv, extra={k: v for k, v in conv.extra.items() if k not in (DUE, ARMED_AT)})


def may_offer(conv: Conversation, now: datetime) -> bool:
    """Ask only when nothing is armed and the question was not asked this week."""
    if pending(conv):
        return False
    stop = _instant(conv, STOPPED_AT)
    if stop is not None and now - stop < QUIET_AFTER_STOP:
        return False
    offered = _instant(conv, OFFERED_AT)
    return offered is None or now - offered >= OFFER_EVERY


def offered(conv: Conversation, now: datetime, theme: Theme | None) -> Conversation:
    """The offer was made (about ``theme``'s places, if any)."""
    extra = {**conv.extra, OFFERED_AT: now.isoformat()}
    if theme is not None:
        extra[THEME] = theme.value
    return replace(conv, extra=extra)


def offer(t: Catalogue, language: Language) -> Reply:
    """« Je peux te relancer dans 2 jours… ? » with Oui (three delays) and Non."""
    rows: Keyboard = (
        (Button(t.text("followup.button.yes_1d", language), f"{FOLLOWUP}:yes:1d"),),
        (Button(t.text("followup.button.yes_2d", language), f"{FOLLOWUP}:yes:2d"),),
        (Button(t.text("followup.button.yes_7d", language), f"{FOLLOWUP}:yes:7d"),),
        (Button(t.text("followup.button.no", language), f"{FOLLOWUP}:no"),),
    )
    return Reply(t.text("followup.offer", language), buttons=rows)


def checking_in(t: Catalogue, language: Language) -> Reply:
    """The follow-up itself: neutral words, no topic, silent and not forwardable."""
    rows: Keyboard = (
        (Button(t.text("followup.button.worked", language), f"{FOLLOWUP}:worked"),),
        (Button(t.text("followup.button.not_worked", language), f"{FOLLOWUP}:not"),),
        (Button(t.text("followup.button.stop", language), f"{FOLLOWUP}:stop"),),
    )
    return Reply(t.text("followup.check_in", language), buttons=rows, discreet=True)


def last_theme(conv: Conversation) -> Theme | None:
    """The theme of the last places shown, if it is still a theme."""
    value = conv.extra.get(THEME) or (conv.theme.value if conv.theme else "")
    return Theme(value) if value in Theme.__members__.values() else None


def _instant(conv: Conversation, key: str) -> datetime | None:
    value = conv.extra.get(key)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", bare).split())
