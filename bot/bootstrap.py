"""The composition root: every long-lived object is built here at start-up and closed here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.hours_label import team_hours_label
from bot.metrics import CountingNlu, CountingScreen, Metrics
from bot.settings import Settings
from bot.team_calendar import TeamClosedDays
from flows.availability import TeamAvailability, TeamHours
from flows.catalogue import Catalogue
from flows.desk_resources import DeskResources
from flows.domain import Language
from flows.engine import Engine, EngineConfig
from flows.followup_effects import FollowUpEffects
from flows.followups import FollowUpPolicy, QuietHours
from flows.handoff import HandoffConfig, HandoffRules
from flows.handoff_service import CaseEffects, HandoffService
from flows.identity import pseudonym_for
from flows.insights import InsightEffects
from flows.ownership import Ownership
from flows.ports import Clock, CrisisScreen, Nlu, ResourceDirectory
from flows.privacy import PrivacyEffects
from flows.reading import TextReader
from flows.realert import RealertPolicy, Realerts
from flows.service import ConversationService
from nlu.client import RasaNluClient
from nlu.crisis import DeterministicCrisisScreen
from nlu.crisis_lines import FileCrisisLineRegistry
from nlu.cues import RuleCueReader
from nlu.language import LinguaLanguageDetector
from resources_db.case_lookup import SqlCaseLookup
from resources_db.crypto import AddressCipher
from resources_db.db import create_engine, session_factory
from resources_db.directory import SqlResourceDirectory
from resources_db.insights import SqlAreaLabeller
from resources_db.unit_of_work import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

PLACE_EXAMPLES = {"qc": "J1H", "fr": "75011"}


class Background(Protocol):
    """Something that runs beside the handlers (the staff desk, the scheduler)."""

    async def start(self) -> None:
        """Start; called once the application is up."""
        ...

    async def stop(self) -> None:
        """Stop; must be safe to call twice."""
        ...


@dataclass(slots=True)
class Services:
    """Everything an adapter needs, typed; built once by ``build_services``."""

    settings: Settings
    clock: Clock
    catalogue: Catalogue
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    uow_factory: SqlUnitOfWorkFactory
    nlu: Nlu
    screen: CrisisScreen
    crisis_lines: FileCrisisLineRegistry
    directory: ResourceDirectory
    availability: TeamAvailability
    engine: Engine
    conversations: ConversationService
    handoff: HandoffService
    realerts: Realerts
    desk_resources: DeskResources
    _nlu_client: RasaNluClient | None = None
    # Started by the channel adapter that needs them (the transport, the scheduler).
    background: list[Background] = field(default_factory=list)

    @property
    def nlu_client(self) -> RasaNluClient | None:
        """The Rasa client, when the NLU is Rasa (its circuit breaker shows in metrics)."""
        return self._nlu_client

    def pseudonym(self, user_id: int | str) -> str:
        """The keyed pseudonym of a channel user id."""
        return pseudonym_for(self.settings.pseudonym_key.get_secret_value().encode(), user_id)

    def worker_pseudonym(self, user_id: int | str) -> str:
        """A worker's keyed pseudonym: the same key, a separate namespace from persons'."""
        return self.pseudonym(f"worker:{user_id}")

    async def start_background(self) -> None:
        """Start the background parts, in order."""
        for part in self.background:
            await part.start()

    async def stop_background(self) -> None:
        """Stop the background parts, in reverse order (each stop is idempotent)."""
        for part in reversed(self.background):
            await part.stop()

    async def aclose(self) -> None:
        """Close what was opened, in reverse order."""
        await self.stop_background()
        if self._nlu_client is not None:
            await self._nlu_client.aclose()
        await self.db.dispose()


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    nlu: Nlu | None = None,
    directory: ResourceDirectory | None = None,
    metrics: Metrics | None = None,
) -> Services:
    """Wire the application from settings; tests may pass their own clock, NLU or directory.

    With ``metrics``, the crisis screen and the NLU are counted (flags by level, outages).
    """
    clock = clock or SystemClock(settings.timezone)
    catalogue = Catalogue.load(settings.formality)
    db = create_engine(settings.database_url, pool_size=settings.pool_size)
    sessions = session_factory(db)
    # The turns write leases and due times on the same clock the sender and the claims read
    # (tests move it): a lease written on another clock would look expired, and be sent twice.
    uow_factory = SqlUnitOfWorkFactory(
        sessions,
        AddressCipher(settings.encryption_key.get_secret_value()),
        now=lambda: clock.now().astimezone(UTC),
    )
    nlu_client = None
    if nlu is None:
        nlu_client = RasaNluClient(settings.nlu_url, timeout_s=settings.nlu_timeout_s)
        nlu = nlu_client
    screen: CrisisScreen = DeterministicCrisisScreen()
    if metrics is not None:
        screen = CountingScreen(screen, metrics)
        nlu = CountingNlu(nlu, metrics)
    crisis_lines = FileCrisisLineRegistry.load()
    warning = crisis_lines.stale_warning(clock.now().date())
    if warning:
        log.warning("%s", warning)
    directory = directory or SqlResourceDirectory(
        sessions, settings.jurisdiction, ZoneInfo(settings.timezone)
    )
    closed_days = TeamClosedDays(
        settings.jurisdiction,
        public_holidays=settings.team_public_holidays,
        extra=settings.closed_days,
    )
    zone = ZoneInfo(settings.timezone)
    handoff_rules = HandoffRules(
        catalogue=catalogue,
        clock=clock,
        config=HandoffConfig(
            staff_language=settings.staff_language,
            organisation=settings.organisation,
            signature=settings.staff_signature,
            zone=zone,
            # The desk shows the question with its yes / no buttons (bot/desk/workers.py).
            confirm_within=timedelta(minutes=settings.crisis_confirm_minutes),
        ),
    )
    availability = TeamAvailability(
        catalogue=catalogue,
        clock=clock,
        hours=TeamHours(settings.team_hours, zone, closed_days),
        zone=zone,
    )
    ownership = Ownership(
        catalogue=catalogue,
        crisis_lines=crisis_lines,
        clock=clock,
        availability=availability,
        jurisdiction=settings.jurisdiction,
    )
    engine = Engine(
        catalogue=catalogue,
        crisis_lines=crisis_lines,
        directory=directory,
        clock=clock,
        config=EngineConfig(
            jurisdiction=settings.jurisdiction,
            team_name=settings.team_name,
            hours_label_fr=team_hours_label(
                settings.team_hours,
                Language.FR,
                public_holidays=settings.team_public_holidays,
                catalogue=catalogue,
            ),
            hours_label_en=team_hours_label(
                settings.team_hours,
                Language.EN,
                public_holidays=settings.team_public_holidays,
                catalogue=catalogue,
            ),
            place_example=PLACE_EXAMPLES[settings.jurisdiction.value],
            retention=timedelta(days=settings.retention_days),
        ),
        ownership=ownership,
        cases=SqlCaseLookup(sessions),
        followup_policy=FollowUpPolicy(QuietHours.parse(settings.followup_quiet_hours, zone)),
    )
    conversations = ConversationService(
        engine=engine,
        reader=TextReader(
            screen=screen, nlu=nlu, detector=LinguaLanguageDetector(), cues=RuleCueReader()
        ),
        uow_factory=uow_factory,
        effect_handlers=(
            # First: /oublie's traces are found before the cases lose the pseudonym.
            PrivacyEffects(catalogue, settings.staff_language),
            CaseEffects(handoff_rules, notify_staff=settings.staff_chat_id is not None),
            FollowUpEffects(),
            InsightEffects(
                clock=clock,
                zone=ZoneInfo(settings.timezone),
                areas=SqlAreaLabeller(sessions, settings.jurisdiction),
                directory=directory,
            ),
        ),
    )
    key = settings.pseudonym_key.get_secret_value().encode()
    handoff = HandoffService(
        rules=handoff_rules,
        uow_factory=uow_factory,
        locks=conversations.locks,
        clock=clock,
        configured_names={
            pseudonym_for(key, f"worker:{user_id}"): name
            for user_id, name in settings.staff_workers.items()
            if name
        },
        retention=timedelta(days=settings.retention_days),
    )
    realerts = Realerts(
        catalogue=catalogue,
        view=handoff_rules.view,
        clock=clock,
        availability=availability,
        crisis_lines=crisis_lines,
        jurisdiction=settings.jurisdiction,
        policy=RealertPolicy(
            first=timedelta(minutes=settings.urgent_realert_minutes),
            cap=timedelta(minutes=settings.urgent_realert_max_minutes),
        ),
        oncall=settings.oncall_chat_id is not None,
    )
    desk_resources = DeskResources(
        catalogue=catalogue, directory=directory, clock=clock, view=handoff_rules.view
    )
    return Services(
        settings=settings,
        clock=clock,
        catalogue=catalogue,
        db=db,
        sessions=sessions,
        uow_factory=uow_factory,
        nlu=nlu,
        screen=screen,
        crisis_lines=crisis_lines,
        directory=directory,
        availability=availability,
        engine=engine,
        conversations=conversations,
        handoff=handoff,
        realerts=realerts,
        desk_resources=desk_resources,
        _nlu_client=nlu_client,
    )
