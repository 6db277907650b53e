"""What the core asks to be sent: outbox items, written in the same transaction as the turn.

The core decides *what* goes out; an adapter decides *how* (Telegram renders chunks, keyboards
and venues at send time; the console prints). Every item belongs to a **lane**: one per person
(their messages leave in the order they were decided) and one for the staff side (cards,
relays, notices, digests, in one order). A crash after the turn committed loses nothing: the
rows are in the database, and a sender picks them up.

Items carry only what the sender needs. A person's message is rendered text the core already
holds; the storage encrypts every payload and erases it once sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from flows.actions import Button, Keyboard, PersonMessage, Reply, ShowPlace

PERSON_LANE = "person:"
FOLLOWUP_LANE = "followup:"
STAFF_LANE = "staff"

Payload = dict[str, object]


class Outgoing(Protocol):
    """Anything that can sit in the outbox: a lane, a kind and a JSON-ready payload.

    ``dedupe`` names an item that must be sent once however many times it is written (the
    opening digest fired by several replicas); None for ordinary items.
    """

    @property
    def lane(self) -> str:
        """The lane the item is sent in, after every earlier item of that lane."""
        ...

    @property
    def kind(self) -> str:
        """What the item is, for the sender that renders it."""
        ...

    @property
    def dedupe(self) -> str | None:
        """A key that makes the item unique in the outbox, if any."""
        ...

    def payload(self) -> Payload:
        """The item's data, as JSON-ready values."""
        ...


def person_lane(pseudonym: str) -> str:
    """The lane of one person's private chat."""
    return f"{PERSON_LANE}{pseudonym}"


def followup_lane(pseudonym: str) -> str:
    """The lane of one person's armed follow-up: apart, so that a row due in two days never
    holds back the messages of their own lane."""
    return f"{FOLLOWUP_LANE}{pseudonym}"


def pseudonym_of_lane(lane: str) -> str | None:
    """The person whose lane this is (their messages or their follow-up), None for staff."""
    for prefix in (PERSON_LANE, FOLLOWUP_LANE):
        if lane.startswith(prefix):
            return lane.removeprefix(prefix)
    return None


class OfKind:
    """What items of one class share: ``kind`` is the class's ``KIND``; no deduplication
    unless the class says otherwise."""

    __slots__ = ()
    KIND: ClassVar[str]

    @property
    def kind(self) -> str:
        """The class's ``KIND``."""
        return self.KIND

    @property
    def dedupe(self) -> str | None:
        """Not deduplicated."""
        return None


class OnStaffLane(OfKind):
    """An item sent in the staff lane, after every earlier one of the team's group."""

    __slots__ = ()

    @property
    def lane(self) -> str:
        """The staff lane."""
        return STAFF_LANE


@dataclass(frozen=True, slots=True)
class ToPerson(OfKind):
    """One message to a person.

    ``address`` is set only when the address book will not have it when the row is sent:
    the confirmation of ``/oublie`` leaves after the address was erased in the same turn.
    """

    KIND: ClassVar[str] = "person.message"

    pseudonym: str
    message: PersonMessage
    address: str | None = None

    @property
    def lane(self) -> str:
        """The person's lane."""
        return person_lane(self.pseudonym)

    def payload(self) -> Payload:
        """The message and, rarely, the address."""
        data: Payload = {"message": message_to_dict(self.message)}
        if self.address is not None:
            data["address"] = self.address
        return data


@dataclass(frozen=True, slots=True)
class CaseChanged(OnStaffLane):
    """The staff side must show case ``case_id`` as it is now (post it, alert, retitle…)."""

    KIND: ClassVar[str] = "case.changed"

    case_id: int

    def payload(self) -> Payload:
        """The case number."""
        return {"case": self.case_id}


@dataclass(frozen=True, slots=True)
class RelayToCase(OnStaffLane):
    """Pass the person's message to the workers of case ``case_id``.

    ``reference`` is the channel's id of the person's own message, copied without its author;
    ``what`` is ``text`` or a media kind; ``copy`` is False for what must never reach the
    staff side (a location, a contact card): the workers are only told it was withheld.
    """

    KIND: ClassVar[str] = "case.relay"

    case_id: int
    reference: str | None
    what: str = "text"
    copy: bool = True

    def payload(self) -> Payload:
        """Case, reference and what it is."""
        return {
            "case": self.case_id,
            "reference": self.reference,
            "what": self.what,
            "copy": self.copy,
        }


@dataclass(frozen=True, slots=True)
class CaseNotice(OnStaffLane):
    """A rendered notice for the workers of case ``case_id`` (a take, a refusal…).

    ``reply_to`` is the channel's id of the worker's message it answers, if any; ``loud``
    notices ring even out of hours; ``buttons`` go under it (a confirmation's yes / no, a
    re-alert's take, the ready replies or services a worker may pick).
    """

    KIND: ClassVar[str] = "case.notice"

    case_id: int
    text: str
    reply_to: str | None = None
    loud: bool = False
    buttons: Keyboard = ()

    def payload(self) -> Payload:
        """The notice and where it answers."""
        return {
            "case": self.case_id,
            "text": self.text,
            "reply_to": self.reply_to,
            "loud": self.loud,
            "buttons": _keyboard_to_list(self.buttons),
        }


@dataclass(frozen=True, slots=True)
class OnCallNotice(OnStaffLane):
    """A rendered re-alert for the team's on-call chat (alias, number, what; nothing else)."""

    KIND: ClassVar[str] = "staff.oncall"

    text: str

    def payload(self) -> Payload:
        """The text."""
        return {"text": self.text}


@dataclass(frozen=True, slots=True)
class Digest(OnStaffLane):
    """At the team's opening, the cases waiting, most pressing first (rendered at send time).

    ``opening`` (ISO 8601) makes it unique: several replicas firing the same opening write
    one row.
    """

    KIND: ClassVar[str] = "staff.digest"

    opening: str

    @property
    def dedupe(self) -> str | None:
        """One digest per opening."""
        return f"digest:{self.opening}"

    def payload(self) -> Payload:
        """The opening."""
        return {"opening": self.opening}


@dataclass(frozen=True, slots=True)
class FollowUpDue(OfKind):
    """At its due time, wake the person's conversation for the follow-up armed for ``due``.

    Nothing of it reaches the person: the sender turns it into a ``TimerFired`` for the core,
    which decides (``flows.followups``) and writes the message, if any, to the person's lane.
    """

    KIND: ClassVar[str] = "person.followup"

    pseudonym: str
    due: str

    @property
    def lane(self) -> str:
        """The person's follow-up lane."""
        return followup_lane(self.pseudonym)

    def payload(self) -> Payload:
        """The due time it was armed for (the conversation checks it is still the one)."""
        return {"due": self.due}


@dataclass(frozen=True, slots=True)
class EraseTraces(OfKind):
    """``/oublie``: delete what Telegram still lets us delete (48 h) of the person's private
    chat — the bot's messages and their own — and the copies of their messages in the staff
    group. ``address`` travels here because the address book forgot it in the same turn.
    """

    KIND: ClassVar[str] = "person.erase"

    pseudonym: str
    address: str | None

    @property
    def lane(self) -> str:
        """The person's lane, before the confirmation that it is erased."""
        return person_lane(self.pseudonym)

    def payload(self) -> Payload:
        """The address (encrypted with the row, erased once done)."""
        return {"address": self.address}


CoreItem = (
    ToPerson
    | CaseChanged
    | RelayToCase
    | CaseNotice
    | Digest
    | OnCallNotice
    | FollowUpDue
    | EraseTraces
)


def decode(kind: str, lane: str, payload: Payload) -> CoreItem | None:
    """The core item stored as ``kind`` in ``lane``; None for a kind the core does not own."""
    if kind == ToPerson.KIND:
        pseudonym = pseudonym_of_lane(lane)
        if pseudonym is None:
            raise ValueError("a person's message outside a person's lane")
        address = payload.get("address")
        return ToPerson(
            pseudonym,
            message_from_dict(_dict(payload["message"])),
            str(address) if address is not None else None,
        )
    if kind == CaseChanged.KIND:
        return CaseChanged(_int(payload["case"]))
    if kind == RelayToCase.KIND:
        reference = payload.get("reference")
        return RelayToCase(
            _int(payload["case"]),
            str(reference) if reference is not None else None,
            str(payload.get("what", "text")),
            bool(payload.get("copy", True)),
        )
    if kind == CaseNotice.KIND:
        reply_to = payload.get("reply_to")
        return CaseNotice(
            _int(payload["case"]),
            str(payload["text"]),
            str(reply_to) if reply_to is not None else None,
            bool(payload.get("loud", False)),
            _keyboard_from_list(payload.get("buttons") or []),
        )
    if kind == OnCallNotice.KIND:
        return OnCallNotice(str(payload["text"]))
    if kind == Digest.KIND:
        return Digest(str(payload["opening"]))
    if kind == EraseTraces.KIND:
        pseudonym = pseudonym_of_lane(lane)
        if pseudonym is None:
            raise ValueError("an erasure outside a person's lane")
        address = payload.get("address")
        return EraseTraces(pseudonym, str(address) if address is not None else None)
    if kind == FollowUpDue.KIND:
        pseudonym = pseudonym_of_lane(lane)
        if pseudonym is None:
            raise ValueError("a follow-up outside a person's lane")
        return FollowUpDue(pseudonym, str(payload["due"]))
    return None


# --- person messages as JSON ----------------------------------------------------------------


def message_to_dict(message: PersonMessage) -> Payload:
    """A ``Reply`` or ``ShowPlace`` as JSON-ready values."""
    if isinstance(message, ShowPlace):
        return {
            "place": {
                "latitude": message.latitude,
                "longitude": message.longitude,
                "title": message.title,
                "address": message.address,
            }
        }
    return {
        "reply": {
            "text": message.text,
            "buttons": _keyboard_to_list(message.buttons),
            "location_button": message.location_button,
            "discreet": message.discreet,
        }
    }


def message_from_dict(data: Payload) -> PersonMessage:
    """The message ``message_to_dict`` wrote."""
    if "place" in data:
        place = _dict(data["place"])
        return ShowPlace(
            _float(place["latitude"]),
            _float(place["longitude"]),
            str(place["title"]),
            str(place["address"]),
        )
    reply = _dict(data["reply"])
    keyboard = _keyboard_from_list(reply.get("buttons") or [])
    location = reply.get("location_button")
    return Reply(
        str(reply["text"]),
        buttons=keyboard,
        location_button=str(location) if location is not None else None,
        discreet=bool(reply.get("discreet", False)),
    )


def _keyboard_to_list(keyboard: Keyboard) -> list[list[list[str]]]:
    return [[[b.label, b.payload] for b in row] for row in keyboard]


def _keyboard_from_list(rows: object) -> Keyboard:
    if not isinstance(rows, list):
        raise TypeError("buttons must be a list of rows")
    return tuple(tuple(Button(str(cell[0]), str(cell[1])) for cell in _list(row)) for row in rows)


def _dict(value: object) -> Payload:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return {str(k): v for k, v in value.items()}


def _list(value: object) -> list[list[object]]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return [list(cell) if isinstance(cell, list | tuple) else [cell] for cell in value]


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("expected an integer")
    return int(value)


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError("expected a number")
    return float(value)
