"""A pressed button's spinner: it stops once the reply has reached Telegram, or after a
second if the turn or the sending is slow, and it stops even when the turn fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from bot import people
from bot.people import PERSON, PersonInputs, person_payload
from flows.actions import TurnTrace
from flows.domain import Jurisdiction, Language
from flows.events import ButtonPressed, Inbound, TextReceived
from flows.inbox import Receipt
from flows.service import Outcome
from resources_db.transport import InboxEntry


class Turns:
    """A conversation service whose turn takes ``seconds`` (or fails), noting when it ends."""

    def __init__(self, log: list[str], seconds: float = 0.0, fails: bool = False) -> None:
        self.log = log
        self.seconds = seconds
        self.fails = fails

    async def handle(self, inbound: Inbound, *, receipt: Receipt | None = None) -> Outcome:
        await asyncio.sleep(self.seconds)
        self.log.append("turn committed")
        if self.fails:
            raise RuntimeError("database away")
        return Outcome(inbound.pseudonym, (), (), TurnTrace())


class Channel:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def answer(self, callback: str, text: str | None = None) -> None:
        self.log.append(f"spinner stopped ({callback})")


def _inputs(
    log: list[str], turns: Turns, settled: Callable[[str], Awaitable[None]] | None = None
) -> PersonInputs:
    return PersonInputs(
        conversations=cast(Any, turns),
        uow_factory=cast(Any, None),
        catalogue=cast(Any, None),
        crisis_lines=cast(Any, None),
        jurisdiction=Jurisdiction.QC,
        default_language=Language.FR,
        channel=cast(Any, Channel(log)),
        settled=settled,
    )


def _pressed() -> InboxEntry:
    inbound = Inbound("p" * 16, ButtonPressed("theme:food"), address="42")
    payload = person_payload(inbound, callback="cb-1")
    return InboxEntry(Receipt(1, "me"), "p" * 16, PERSON, payload, 0, datetime.now(UTC))


async def test_the_spinner_stops_once_the_reply_is_on_its_way() -> None:
    log: list[str] = []
    await _inputs(log, Turns(log, 0.05)).process(_pressed())
    assert log == ["turn committed", "spinner stopped (cb-1)"]


async def test_a_slow_turn_does_not_leave_the_button_spinning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(people, "SPINNER_S", 0.05)
    log: list[str] = []
    await _inputs(log, Turns(log, 0.5)).process(_pressed())
    assert log == ["spinner stopped (cb-1)", "turn committed"]


async def test_a_failed_turn_still_stops_the_spinner() -> None:
    log: list[str] = []
    with pytest.raises(RuntimeError):
        await _inputs(log, Turns(log, fails=True)).process(_pressed())
    assert log == ["turn committed", "spinner stopped (cb-1)"]


def _sending(log: list[str], seconds: float) -> Callable[[str], Awaitable[None]]:
    """The sender's ``settled``: the reply for ``lane`` takes ``seconds`` to reach Telegram."""

    async def settled(lane: str) -> None:
        await asyncio.sleep(seconds)
        log.append(f"reply delivered ({lane})")

    return settled


async def test_the_spinner_stops_after_the_reply_has_arrived() -> None:
    log: list[str] = []
    await _inputs(log, Turns(log, 0.01), _sending(log, 0.05)).process(_pressed())
    assert log == [
        "turn committed",
        f"reply delivered (person:{'p' * 16})",
        "spinner stopped (cb-1)",
    ]


async def test_a_slow_send_does_not_leave_the_button_spinning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(people, "SPINNER_S", 0.05)
    log: list[str] = []
    await _inputs(log, Turns(log, 0.01), _sending(log, 0.5)).process(_pressed())
    assert log == ["turn committed", "spinner stopped (cb-1)"]


async def test_a_typed_message_does_not_hold_its_worker_until_the_reply_is_sent() -> None:
    """No button, no spinner: the worker is free for the next person once the turn is done."""
    log: list[str] = []
    inbound = Inbound("p" * 16, TextReceived("j'ai faim"), address="42", reference="7")
    entry = InboxEntry(
        Receipt(2, "me"), "p" * 16, PERSON, person_payload(inbound), 0, datetime.now(UTC)
    )
    await _inputs(log, Turns(log, 0.01), _sending(log, 0.05)).process(entry)
    assert log == ["turn committed"]
