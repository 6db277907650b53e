"""What arrived and is not yet handled: receipts of the inbox, and inbound events as JSON.

An adapter stores every inbound update before it tells the channel it was received. A
processor later takes the oldest unhandled row of one lane (one person, or the staff side)
and hands it to a service together with a ``Receipt``; the service marks the row done **in
the same transaction** as the turn's writes, so a crash either keeps the row (it is handled
again) or keeps the turn (and the row is done) — never half of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaKind,
    MediaReceived,
    PersonBlockedBot,
    PersonEvent,
    TextReceived,
    TimerFired,
)

Payload = dict[str, object]


@dataclass(frozen=True, slots=True)
class Receipt:
    """An inbox row held by one processor: ``entry`` is the row, ``holder`` its lease."""

    entry: int
    holder: str


class LeaseLostError(Exception):
    """The inbox row is no longer held by this processor (its lease ran out, or it is done)."""


def inbound_to_dict(inbound: Inbound) -> Payload:
    """An ``Inbound`` as JSON-ready values (text included: the storage encrypts it)."""
    return {
        "pseudonym": inbound.pseudonym,
        "event": event_to_dict(inbound.event),
        "language_hint": inbound.language_hint,
        "address": inbound.address,
        "reference": inbound.reference,
    }


def inbound_from_dict(data: Payload) -> Inbound:
    """The ``Inbound`` that ``inbound_to_dict`` wrote."""
    event = data.get("event")
    if not isinstance(event, dict):
        raise TypeError("an inbound needs an event")
    return Inbound(
        str(data["pseudonym"]),
        event_from_dict({str(k): v for k, v in event.items()}),
        language_hint=_text(data.get("language_hint")),
        address=_text(data.get("address")),
        reference=_text(data.get("reference")),
    )


def event_to_dict(event: PersonEvent) -> Payload:
    """One person event, tagged with its type."""
    match event:
        case TextReceived(text=text):
            return {"type": "text", "text": text}
        case CommandReceived(name=name, argument=argument):
            return {"type": "command", "name": name, "argument": argument}
        case ButtonPressed(payload=payload):
            return {"type": "button", "payload": payload}
        case LocationShared(latitude=latitude, longitude=longitude):
            return {"type": "location", "latitude": latitude, "longitude": longitude}
        case MediaReceived(kind=kind):
            return {"type": "media", "kind": kind.value}
        case PersonBlockedBot():
            return {"type": "blocked"}
        case TimerFired(kind=kind, reference=reference):
            return {"type": "timer", "kind": kind, "reference": reference}


def event_from_dict(data: Payload) -> PersonEvent:
    """The event ``event_to_dict`` wrote."""
    kind = data.get("type")
    if kind == "text":
        return TextReceived(str(data["text"]))
    if kind == "command":
        return CommandReceived(str(data["name"]), str(data.get("argument", "")))
    if kind == "button":
        return ButtonPressed(str(data["payload"]))
    if kind == "location":
        return LocationShared(_number(data["latitude"]), _number(data["longitude"]))
    if kind == "media":
        return MediaReceived(MediaKind(str(data["kind"])))
    if kind == "blocked":
        return PersonBlockedBot()
    if kind == "timer":
        return TimerFired(str(data["kind"]), str(data.get("reference", "")))
    raise ValueError(f"unknown event type {kind!r}")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError("expected a number")
    return float(value)
