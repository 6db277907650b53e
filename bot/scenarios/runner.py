"""Plays conversation scenarios against the real engine, NLU server, crisis screen and data.

Each scenario gets its own SQLite database (migrated, with the demo territory), the real
composition root (``build_services``) with a clock the scenario moves, the real Rasa server
at ``NLU_URL``, and an in-memory staff group. Every step is played as the person or a worker
would, and what each of them received is checked against the step's expectations.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.bootstrap import Services, build_services
from bot.scenarios.expect import Observed, check
from bot.scenarios.format import Scenario, ScenarioError, Step, load_scenario, parse_duration
from bot.scenarios.staff_group import MemoryStaffGroup
from bot.settings import Settings
from flows.actions import PersonMessage, Reply, ShowPlace, TurnTrace
from flows.cases import Case, Worker, WorkerAction
from flows.commands import fold
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaKind,
    MediaReceived,
    PersonEvent,
    TextReceived,
    TimerFired,
)
from flows.followups import FOLLOWUP
from flows.identity import alias_for
from flows.outbox import FollowUpDue, followup_lane
from flows.outbox import decode as decode_core
from flows.service import StorageUnavailableError
from resources_db.db import create_engine, session_factory
from resources_db.importer import load_demo
from resources_db.migrate import upgrade_async
from resources_db.models.transport import OutboxRow
from resources_db.transport import PENDING, OutboxStore

ZONES = {"qc": "America/Montreal", "fr": "Europe/Paris"}
PERSON_ID = "scenario:person"
PERSON_CHAT = "7000001"
WORKER_ID = "scenario:worker"
WORKER_NAME = "Julie"
STAFF_CHAT_ID = -1_000_000_001
# A Wednesday afternoon, inside the default team hours; a wall time, zoned per scenario.
DEFAULT_CLOCK = datetime(2026, 12, 2, 14, 0)  # noqa: DTZ001
MEDIA = {
    "sticker": MediaKind.STICKER,
    "voice": MediaKind.VOICE,
    "photo": MediaKind.PHOTO,
    "document": MediaKind.DOCUMENT,
    "contact": MediaKind.CONTACT,
}
WORKER_ACTIONS = {
    "take": WorkerAction.TAKE,
    "give_back": WorkerAction.GIVE_BACK,
    "close": WorkerAction.CLOSE,
    "reopen": WorkerAction.REOPEN,
}


@dataclass(frozen=True, slots=True)
class Failure:
    """One expectation that did not hold (or a step that could not be played)."""

    step: int
    action: str
    key: str
    expected: object
    actual: str

    def as_dict(self) -> dict[str, object]:
        """For ``--json``."""
        return {
            "step": self.step,
            "action": self.action,
            "key": self.key,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass(slots=True)
class ScenarioResult:
    """How one scenario went."""

    path: Path
    name: str
    steps: int = 0
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """True when every step ran and every expectation held."""
        return self.error is None and not self.failures

    def as_dict(self) -> dict[str, object]:
        """One JSON object per scenario."""
        return {
            "file": str(self.path),
            "name": self.name,
            "passed": self.passed,
            "steps": self.steps,
            "error": self.error,
            "failures": [f.as_dict() for f in self.failures],
        }


class ScenarioClock:
    """The ``Clock`` a scenario moves: starts at its local time, advances with ``wait``."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """The scenario's current instant (aware)."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self._now += delta


def message_text(message: PersonMessage) -> str:
    """What a person reads of one message: its text and its buttons' labels."""
    if isinstance(message, ShowPlace):
        return f"{message.title}\n{message.address}"
    labels = [button.label for row in message.buttons for button in row]
    if message.location_button:
        labels.append(message.location_button)
    return "\n".join([message.text, *labels])


class ScenarioRunner:
    """Plays scenario files; one database template per demo date, shared by the run."""

    def __init__(self, base: Mapping[str, Any], *, workdir: Path | None = None) -> None:
        self._base = dict(base)
        self._own_workdir = workdir is None
        self._workdir = workdir or Path(tempfile.mkdtemp(prefix="passerelle-scenarios-"))
        self._templates: dict[date, Path] = {}
        self._count = 0

    def close(self) -> None:
        """Remove the run's databases (when the runner made its own folder)."""
        if self._own_workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)

    async def run_file(self, path: Path) -> ScenarioResult:
        """Play one file; an invalid file is a result with ``error`` set, never an exception."""
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            return ScenarioResult(path, path.stem, error=str(err))
        return await self.run(scenario, path)

    async def run(self, scenario: Scenario, path: Path) -> ScenarioResult:
        """Play one scenario."""
        result = ScenarioResult(path, scenario.name)
        settings_values = self._settings_for(scenario)
        zone = ZoneInfo(str(settings_values["timezone"]))
        start = (scenario.clock or DEFAULT_CLOCK).replace(tzinfo=zone)
        settings_values["database_url"] = await self._database(start.date())
        try:
            settings = Settings(_env_file=None, **settings_values)  # type: ignore[call-arg]
        except ValueError as err:
            result.error = f"{path}: settings refused: {err}"
            return result
        clock = ScenarioClock(start)
        services = build_services(settings, clock=clock)
        try:
            conversation = _Conversation(scenario, services, clock)
            await conversation.start()
            for number, step in enumerate(scenario.steps, start=1):
                try:
                    observed = await conversation.play(step)
                except _StepError as err:
                    result.failures.append(
                        Failure(number, step.describe(), "step", "playable", str(err))
                    )
                    break
                result.steps = number
                if step.expect is not None:
                    result.failures.extend(
                        Failure(number, step.describe(), key, expected, actual)
                        for key, expected, actual in check(step.expect, observed, step.is_worker)
                    )
        finally:
            await services.aclose()
        return result

    # --- set-up ----------------------------------------------------------------------------

    def _settings_for(self, scenario: Scenario) -> dict[str, Any]:
        values = dict(self._base)
        values["jurisdiction"] = scenario.jurisdiction
        values["timezone"] = ZONES[scenario.jurisdiction]
        if scenario.team_hours is not None:
            values["team_hours"] = scenario.team_hours
        values["staff_chat_id"] = STAFF_CHAT_ID if scenario.staff_group else None
        for key, value in scenario.settings.items():
            values[key.lower()] = value
        return values

    async def _database(self, day: date) -> str:
        template = self._templates.get(day)
        if template is None:
            template = self._workdir / f"template-{day.isoformat()}.db"
            url = f"sqlite+aiosqlite:///{template}"
            await upgrade_async(url)
            engine = create_engine(url)
            try:
                await load_demo(session_factory(engine), today=day)
            finally:
                await engine.dispose()
            self._templates[day] = template
        self._count += 1
        copy = self._workdir / f"scenario-{self._count}.db"
        await asyncio.to_thread(_copy_sqlite, template, copy)
        return f"sqlite+aiosqlite:///{copy}"


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


class _StepError(Exception):
    """The step cannot be played (no button with that label, no case to take…)."""


class _Conversation:
    """One person's conversation and the staff group, driven step by step."""

    def __init__(self, scenario: Scenario, services: Services, clock: ScenarioClock) -> None:
        self._scenario = scenario
        self._services = services
        self._clock = clock
        self._pseudonym = services.pseudonym(PERSON_ID)
        self._buttons: list[tuple[str, str]] = []
        self._worker = Worker(services.worker_pseudonym(WORKER_ID), WORKER_NAME)
        self._staff = (
            MemoryStaffGroup(services, PERSON_CHAT, worker_pseudonym=self._worker.pseudonym)
            if scenario.staff_group
            else None
        )
        self._language: str | None = None
        self._sent = 0  # the person's messages so far: each has its own id, as in Telegram

    async def start(self) -> None:
        """The worker's chosen first name, as ``/prenom`` would set it."""
        await self._services.handoff.set_worker_name(self._worker.pseudonym, WORKER_NAME)

    async def play(self, step: Step) -> Observed:
        """Play one step; what the person and the staff group received."""
        if step.is_worker:
            return await self._worker_step(step)
        if step.wait is not None:
            return await self._wait(parse_duration(step.wait))
        return await self._person_step(self._event(step))

    # --- the person ------------------------------------------------------------------------

    def _event(self, step: Step) -> PersonEvent:
        if step.say is not None:
            return TextReceived(step.say)
        if step.press is not None:
            return ButtonPressed(self._button(step.press))
        if step.location is not None:
            return LocationShared(*step.location)
        if step.command is not None:
            name, _, argument = step.command.removeprefix("/").partition(" ")
            return CommandReceived(name.lower(), argument.strip())
        return MediaReceived(MEDIA[step.action])

    def _button(self, press: str | int) -> str:
        if not self._buttons:
            raise _StepError("no message with buttons was shown before this step")
        if isinstance(press, int) or press.strip().isdigit():
            index = int(press) - 1
            if not 0 <= index < len(self._buttons):
                raise _StepError(f"button {press} does not exist ({len(self._buttons)} shown)")
            return self._buttons[index][1]
        wanted = _label_key(press)
        for label, payload in self._buttons:
            if _label_key(label).startswith(wanted):
                return payload
        shown = " | ".join(label for label, _ in self._buttons)
        raise _StepError(f"no button starting with {press!r}; shown: {shown}")

    def _next_reference(self) -> str:
        self._sent += 1
        return str(self._sent)

    async def _person_step(self, event: PersonEvent) -> Observed:
        inbound = Inbound(
            self._pseudonym,
            event,
            language_hint=self._scenario.phone_language,
            address=PERSON_CHAT,
            reference=self._next_reference(),
        )
        try:
            outcome = await self._services.conversations.handle(inbound)
        except StorageUnavailableError as err:
            raise _StepError("the database stayed busy") from err
        staff: list[str] = []
        if self._staff is not None:
            staff = await self._staff.after_person(outcome)
        await self._person_received()  # the turn's own messages, already in ``outcome``
        return await self._observed(outcome.messages, staff, outcome.trace)

    # --- a worker --------------------------------------------------------------------------

    async def _worker_step(self, step: Step) -> Observed:
        if step.worker in ("take", "give_back", "close", "reopen") or (
            step.worker_says is not None or step.worker_note is not None
        ):
            staff = await self._worker_action(step)
        else:
            staff = await self._worker_in_group(step)
        return await self._observed(await self._person_received(), staff, None)

    async def _worker_action(self, step: Step) -> list[str]:
        """Take, give back, close, reopen, says, note: the action itself."""
        handoff = self._services.handoff
        if step.worker is not None:
            action = WORKER_ACTIONS[step.worker]
            text = ""
        elif step.worker_says is not None:
            action, text = WorkerAction.REPLY, step.worker_says
        else:
            action, text = WorkerAction.NOTE, step.worker_note or ""
        case = await self._case(open_only=action is not WorkerAction.REOPEN)
        if case is None:
            raise _StepError(f"no case for the worker to {step.describe()}")
        outcome = await handoff.handle(case.id, action, self._worker, text=text)
        if outcome is None:
            raise _StepError(f"case {case.id} disappeared")
        if self._staff is None:
            return []
        return await self._staff.after_worker(outcome)

    async def _worker_in_group(self, step: Step) -> list[str]:
        """Confirm, cancel, priority, ready reply, a command, a button: as in the group."""
        staff = self._staff
        if staff is None:
            raise _StepError(f"{step.describe()} needs a staff group")
        if step.worker_command is not None:
            case = await self._case(open_only=False)
            if case is None:
                raise _StepError(f"no case to type {step.worker_command!r} in")
            return await staff.type_in_case(case.id, step.worker_command)
        if step.worker == "confirm":
            found = staff.button(0, lambda _label, data: data.startswith("case:confirm:"))
        elif step.worker == "cancel":
            found = staff.button(0, lambda _label, data: data.startswith("case:cancel:"))
        elif step.worker_priority is not None:
            wanted = "case:priority:"
            level = step.worker_priority
            found = staff.button(
                0, lambda _label, data: data.startswith(wanted) and data.endswith(f":{level}")
            )
        elif step.worker_ready is not None:
            return await self._ready(staff, step.worker_ready)
        else:
            press = step.worker_press
            assert press is not None
            if isinstance(press, int) or str(press).strip().isdigit():
                found = staff.button(int(press), None)
            else:
                key = _label_key(str(press))
                found = staff.button(0, lambda label, _data: _label_key(label).startswith(key))
        if found is None:
            raise _StepError(f"the group shows no button for {step.describe()}")
        return await staff.press(*found)

    async def _ready(self, staff: MemoryStaffGroup, label: str) -> list[str]:
        """The card's « ready replies » button, then the reply whose label starts so."""
        shown = staff.button(0, lambda _label, data: data.startswith("case:ready:"))
        if shown is None:
            raise _StepError("the card shows no ready replies button")
        seen = await staff.press(*shown)
        key = _label_key(label)
        found = staff.button(
            0,
            lambda text, data: (
                data.startswith("case:ready:")
                and data.count(":") == 3
                and _label_key(text).startswith(key)
            ),
        )
        if found is None:
            raise _StepError(f"no ready reply starting with {label!r}")
        return [*seen, *await staff.press(*found)]

    async def _wait(self, delta: timedelta) -> Observed:
        before = self._clock.now()
        until = before + delta
        # Time passes as the sender lives it: each follow-up fires at its own due time.
        messages: list[PersonMessage] = []
        while (due := await self._next_followup(until)) is not None:
            self._clock.advance(max(due[0] - self._clock.now(), timedelta(0)))
            messages.extend(await self._fire_followup(due[1]))
        self._clock.advance(until - self._clock.now())
        staff: list[str] = []
        # Jobs due meanwhile run once, at the end of the wait (as a scheduler catching up).
        await self._services.handoff.raise_untaken(self._services.realerts)
        if self._staff is not None:
            staff = await self._staff.after_wait(before, self._clock.now())
        messages.extend(await self._person_received())
        return await self._observed(messages, staff, None)

    async def _next_followup(self, until: datetime) -> tuple[datetime, str] | None:
        """The person's armed follow-up due by ``until``: its due time and its reference."""
        async with self._services.sessions() as session:
            row = (
                await session.execute(
                    select(OutboxRow.id, OutboxRow.not_before)
                    .where(
                        OutboxRow.lane == followup_lane(self._pseudonym),
                        OutboxRow.status == PENDING,
                        OutboxRow.not_before <= until,
                    )
                    .order_by(OutboxRow.not_before)
                    .limit(1)
                )
            ).first()
        if row is None:
            return None
        store = OutboxStore(
            self._services.sessions, self._services.uow_factory.cipher, lambda: until
        )
        (entry,) = await store.claim("scenario", 30.0, 1, lanes=[followup_lane(self._pseudonym)])
        item = decode_core(entry.kind, entry.lane, entry.payload or {})
        await store.sent(entry, recent=(), ready_at=until)
        if not isinstance(item, FollowUpDue):
            raise _StepError(f"unexpected row {entry.kind} in the follow-up lane")
        due = row.not_before if row.not_before.tzinfo else row.not_before.replace(tzinfo=UTC)
        return due, item.due

    async def _fire_followup(self, reference: str) -> tuple[PersonMessage, ...]:
        inbound = Inbound(
            self._pseudonym,
            TimerFired(FOLLOWUP, reference),
            language_hint=self._scenario.phone_language,
        )
        outcome = await self._services.conversations.handle(inbound)
        await self._person_received()  # the check-in itself, already in ``outcome``
        return outcome.messages

    async def _person_received(self) -> list[PersonMessage]:
        """What left for the person through the outbox since the last step."""
        if self._staff is None:
            return []
        return await self._staff.person_received(self._pseudonym)

    # --- what was seen ---------------------------------------------------------------------

    async def _observed(
        self,
        messages: Sequence[PersonMessage],
        staff: list[str],
        trace: TurnTrace | None,
    ) -> Observed:
        buttons = [
            (button.label, button.payload)
            for message in messages
            if isinstance(message, Reply)
            for row in message.buttons
            for button in row
        ]
        if buttons:
            self._buttons = buttons
        async with self._services.uow_factory() as uow:
            conversation = await uow.conversations.get(self._pseudonym)
        if conversation is not None:
            # Erased by /oublie, the conversation is gone; what was said used its language.
            self._language = conversation.language.value
        return Observed(
            person=[message_text(m) for m in messages],
            staff=staff,
            trace=trace,
            case=await self._case(open_only=False),
            language=self._language,
        )

    async def _case(self, *, open_only: bool) -> Case | None:
        handoff = self._services.handoff
        found = await handoff.open_case_of(self._pseudonym)
        if found is not None or open_only:
            return found
        cases = await handoff.find(alias_for(self._pseudonym))
        return cases[0] if cases else None


def _label_key(label: str) -> str:
    """A button label as FORMAT.md compares it: no case, no accents, no emoji, no spaces."""
    folded = fold(label)
    return "".join(c for c in folded if c.isalnum())
