"""The console channel: the same engine, in a terminal. No token, no server.

Interactive on a TTY; without one, each stdin line is one message from the person, a line
with just a number presses that numbered button, and the program ends at end of input.

What the person reads comes from the outbox, as on Telegram: after each turn the console
drains its own lane and prints it (and, on a terminal, looks again every second for timed
messages such as follow-ups).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.bootstrap import Services
from flows.actions import Button, PersonMessage, Reply, ShowPlace
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    PersonEvent,
    TextReceived,
)
from flows.outbox import ToPerson, person_lane
from flows.outbox import decode as decode_item
from flows.service import StorageUnavailableError
from resources_db.transport import OutboxStore

CONSOLE_USER = "console:local"
_POSITION = re.compile(r"^/(?:position|location)\s+(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)$")
_EXIT = frozenset({"/quit", "/exit", "/quitter"})


def map_link(latitude: float, longitude: float) -> str:
    """An OpenStreetMap link to a point."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
        f"#map=17/{latitude:.5f}/{longitude:.5f}"
    )


class ConsoleChat:
    """Reads the person's lines, runs them through the service, prints the answers."""

    def __init__(self, services: Services, out: TextIO, language_hint: str | None = None) -> None:
        self._services = services
        self._out = out
        self._language_hint = language_hint
        self._choices: list[Button] = []
        self._pseudonym = services.pseudonym(CONSOLE_USER)
        self._outbox = OutboxStore(services.sessions, services.uow_factory.cipher)
        self._lane = person_lane(self._pseudonym)
        self._printing = asyncio.Lock()

    def to_event(self, line: str) -> PersonEvent | None:
        """Turn one typed line into an event (None for an empty line)."""
        text = line.strip()
        if not text:
            return None
        if text.isdigit() and 1 <= int(text) <= len(self._choices):
            return ButtonPressed(self._choices[int(text) - 1].payload)
        position = _POSITION.match(text)
        if position:
            return LocationShared(float(position.group(1)), float(position.group(2)))
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            return CommandReceived(name.lower(), argument.strip())
        return TextReceived(text)

    async def send(self, event: PersonEvent) -> None:
        """Process one event and print what the person would see."""
        try:
            await self._services.conversations.handle(
                Inbound(self._pseudonym, event, language_hint=self._language_hint)
            )
        except StorageUnavailableError:
            lines = self._services.crisis_lines.lines_for(self._services.settings.jurisdiction)
            self._print_text(
                self._services.catalogue.text(
                    "storage_busy",
                    self._services.settings.default_language,
                    emergency=lines.emergency_number,
                )
            )
            return
        await self.drain()

    async def drain(self) -> int:
        """Print (and mark sent) every message due in the console person's lane."""
        printed = 0
        async with self._printing:
            while True:
                entries = await self._outbox.claim("console", 30.0, 1, lanes=[self._lane])
                if not entries:
                    return printed
                for entry in entries:
                    item = decode_item(entry.kind, entry.lane, entry.payload or {})
                    if isinstance(item, ToPerson):
                        self._render((item.message,))
                        printed += 1
                    await self._outbox.sent(entry, recent=(), ready_at=datetime.now(UTC))

    def _render(self, messages: tuple[PersonMessage, ...]) -> None:
        choices: list[Button] = []
        for message in messages:
            if isinstance(message, ShowPlace):
                self._print_text(
                    f"🗺  {message.title} — {map_link(message.latitude, message.longitude)}"
                )
                continue
            self._print_reply(message, choices)
        if choices:
            self._choices = choices

    def _print_reply(self, reply: Reply, choices: list[Button]) -> None:
        self._print_text(reply.text)
        for row in reply.buttons:
            cells = []
            for button in row:
                choices.append(button)
                cells.append(f"[{len(choices)}] {button.label}")
            self._out.write("   " + "   ".join(cells) + "\n")
        if reply.location_button:
            self._out.write(
                "   (📍 /position 45.40,-71.89 partage une position / shares a location)\n"
            )
        self._out.flush()

    def _print_text(self, text: str) -> None:
        self._out.write(
            "\n"
            + "\n".join(
                f"🤖 {line}" if i == 0 else f"   {line}" for i, line in enumerate(text.splitlines())
            )
            + "\n"
        )
        self._out.flush()


async def run_console(
    services: Services,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    *,
    interactive: bool | None = None,
    read_line: Callable[[], str] | None = None,
) -> None:
    """Run the console chat until end of input (or /quit on a terminal)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty() if interactive is None else interactive
    chat = ConsoleChat(services, out, language_hint=services.settings.default_language.value)
    await chat.send(CommandReceived("start"))
    reader = read_line or stdin.readline
    ticker = asyncio.create_task(_tick(chat)) if interactive else None
    try:
        await _converse(chat, reader, out, interactive=interactive)
    finally:
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker


async def _tick(chat: ConsoleChat) -> None:
    """On a terminal, timed messages (follow-ups) appear when they come due."""
    while True:
        await asyncio.sleep(1.0)
        await chat.drain()


async def _converse(
    chat: ConsoleChat, reader: Callable[[], str], out: TextIO, *, interactive: bool
) -> None:
    while True:
        if interactive:
            out.write("\n> ")
            out.flush()
        line = await asyncio.to_thread(reader)
        if line == "":
            break
        if line.strip().lower() in _EXIT:
            break
        event = chat.to_event(line)
        if event is not None:
            if not interactive:
                out.write(f"\n> {line.strip()}\n")
            await chat.send(event)
