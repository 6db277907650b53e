"""The one command table: every slash command a person or a worker can type.

The engine, the Telegram adapters (person chats and the staff group, including the command
menus Telegram shows) and the console all read this table, so a command exists in one place
with its names in both languages. Descriptions live in the catalogue (``command.<id>`` for
people, ``staff.command.<id>`` for workers).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from flows.domain import Language


class PersonCommand(StrEnum):
    """What a person can ask with a slash command."""

    START = "start"
    MENU = "menu"
    HELP = "help"
    LANGUAGE = "language"
    EMERGENCY = "emergency"
    HUMAN = "human"
    STOP = "stop"
    FORGET = "forget"
    MY_DATA = "my_data"


class StaffCommand(StrEnum):
    """What a worker can do with a slash command in the staff group."""

    QUEUE = "queue"
    TAKE = "take"
    NOTE = "note"
    GIVE_BACK = "give_back"
    CLOSE = "close"
    REOPEN = "reopen"
    CASE = "case"
    NAME = "name"
    HELP = "help"
    READY = "ready"
    RESOURCE = "resource"
    PRIORITY = "priority"


C = TypeVar("C", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class CommandSpec(Generic[C]):
    """One command: its names per language (the first is shown in menus) and its rules.

    ``in_menu`` puts it in Telegram's command menu; ``while_held`` (people only) means the
    bot still answers it while a human holds the conversation — the emergency numbers,
    erasure and stopping follow-ups are never withheld.
    """

    command: C
    names: Mapping[Language, tuple[str, ...]]
    in_menu: bool = True
    while_held: bool = False

    def name(self, language: Language) -> str:
        """The name shown in ``language``'s menu."""
        return self.names[language][0]

    @property
    def aliases(self) -> frozenset[str]:
        """Every accepted name, in both languages, accents folded."""
        return frozenset(fold(n) for names in self.names.values() for n in names)


FR, EN = Language.FR, Language.EN

PERSON_COMMANDS: tuple[CommandSpec[PersonCommand], ...] = (
    CommandSpec(PersonCommand.START, {FR: ("start",), EN: ("start",)}, in_menu=False),
    CommandSpec(PersonCommand.MENU, {FR: ("menu",), EN: ("menu",)}),
    CommandSpec(PersonCommand.HELP, {FR: ("aide",), EN: ("help",)}),
    CommandSpec(
        PersonCommand.EMERGENCY,
        {FR: ("urgence", "sos"), EN: ("emergency", "sos")},
        while_held=True,
    ),
    CommandSpec(PersonCommand.HUMAN, {FR: ("humain", "parler"), EN: ("human", "talk")}),
    CommandSpec(PersonCommand.LANGUAGE, {FR: ("langue",), EN: ("language", "lang")}),
    CommandSpec(
        PersonCommand.STOP, {FR: ("stop", "arret"), EN: ("stop", "unsubscribe")}, while_held=True
    ),
    CommandSpec(
        PersonCommand.FORGET, {FR: ("oublie", "oublier"), EN: ("forget",)}, while_held=True
    ),
    CommandSpec(
        PersonCommand.MY_DATA,
        {FR: ("mesdonnees", "donnees"), EN: ("mydata", "data")},
        while_held=True,
    ),
)

STAFF_COMMANDS: tuple[CommandSpec[StaffCommand], ...] = (
    CommandSpec(StaffCommand.QUEUE, {FR: ("file",), EN: ("queue",)}),
    CommandSpec(StaffCommand.TAKE, {FR: ("prendre",), EN: ("take",)}),
    CommandSpec(StaffCommand.NOTE, {FR: ("note",), EN: ("note",)}),
    CommandSpec(StaffCommand.GIVE_BACK, {FR: ("rendre",), EN: ("giveback", "give_back")}),
    CommandSpec(StaffCommand.CLOSE, {FR: ("fermer",), EN: ("close",)}),
    CommandSpec(StaffCommand.REOPEN, {FR: ("rouvrir",), EN: ("reopen",)}),
    CommandSpec(StaffCommand.CASE, {FR: ("cas",), EN: ("case",)}),
    CommandSpec(StaffCommand.NAME, {FR: ("prenom",), EN: ("name",)}),
    CommandSpec(StaffCommand.HELP, {FR: ("aide",), EN: ("help",)}),
    CommandSpec(StaffCommand.READY, {FR: ("pret", "reponses"), EN: ("ready", "replies")}),
    CommandSpec(StaffCommand.RESOURCE, {FR: ("ressource", "fiche"), EN: ("resource",)}),
    CommandSpec(StaffCommand.PRIORITY, {FR: ("priorite",), EN: ("priority",)}),
)


def fold(name: str) -> str:
    """A command name as typed, compared without case, accents or a ``@botname`` suffix."""
    bare = name.strip().lstrip("/").split("@", 1)[0].lower()
    decomposed = unicodedata.normalize("NFKD", bare)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _index(specs: tuple[CommandSpec[C], ...]) -> dict[str, CommandSpec[C]]:
    index: dict[str, CommandSpec[C]] = {}
    for spec in specs:
        for alias in spec.aliases:
            if alias in index:
                raise ValueError(f"command name {alias!r} is used twice")
            index[alias] = spec
    return index


_PERSON = _index(PERSON_COMMANDS)
_STAFF = _index(STAFF_COMMANDS)


def person_command(name: str) -> CommandSpec[PersonCommand] | None:
    """The person's command typed as ``name`` (``/Oublié``, ``help@passerelle_bot``…)."""
    return _PERSON.get(fold(name))


def staff_command(name: str) -> CommandSpec[StaffCommand] | None:
    """The worker's command typed as ``name``."""
    return _STAFF.get(fold(name))
