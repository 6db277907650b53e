"""Inbound events: what can happen to a conversation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MediaKind(StrEnum):
    """Message kinds the bot does not read (it never downloads them)."""

    STICKER = "sticker"
    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    DOCUMENT = "document"
    CONTACT = "contact"
    AUDIO = "audio"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class TextReceived:
    """The person wrote free text."""

    text: str


@dataclass(frozen=True, slots=True)
class CommandReceived:
    """The person sent a slash command (``name`` lower-case, without the slash)."""

    name: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """The person pressed one of our buttons; ``payload`` is what we put in it."""

    payload: str


@dataclass(frozen=True, slots=True)
class LocationShared:
    """The person shared a location. Used once for the search, never stored."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class MediaReceived:
    """The person sent something that is not text."""

    kind: MediaKind


@dataclass(frozen=True, slots=True)
class PersonBlockedBot:
    """Telegram told us the person blocked the bot (403 or ``my_chat_member``)."""


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A scheduled timer reached this conversation (follow-up, reminder)."""

    kind: str
    reference: str = ""


PersonEvent = (
    TextReceived
    | CommandReceived
    | ButtonPressed
    | LocationShared
    | MediaReceived
    | PersonBlockedBot
    | TimerFired
)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One event for one conversation, as an adapter hands it to the core.

    ``address`` is the opaque channel address (a Telegram chat id as text) needed to answer;
    the core hands it to the encrypted address book and never logs it. ``reference`` is the
    opaque id of the person's message in that chat, so it can be copied to a worker unread.
    """

    pseudonym: str
    event: PersonEvent
    language_hint: str | None = None
    address: str | None = None
    reference: str | None = None
