"""Fixtures for the core: a moved clock, fake ports, an engine and a service on them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from flows.availability import TeamAvailability
from flows.catalogue import Catalogue
from flows.domain import Jurisdiction
from flows.engine import Engine, EngineConfig
from flows.ownership import Ownership
from flows.reading import TextReader
from flows.service import ConversationService
from nlu.crisis import DeterministicCrisisScreen
from nlu.crisis_lines import FileCrisisLineRegistry
from resources_db.crypto import generate_key
from tests.fakes.core import FakeClock, FakeDirectory, FakeNlu, MemoryCaseLookup, MemoryWorld

MONTREAL = ZoneInfo("America/Montreal")


@pytest.fixture
def clock() -> FakeClock:
    """Tuesday 2026-11-17, 14:00 in Montréal."""
    return FakeClock(datetime(2026, 11, 17, 14, 0, tzinfo=MONTREAL))


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture
def nlu() -> FakeNlu:
    return FakeNlu()


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def world() -> MemoryWorld:
    return MemoryWorld()


@pytest.fixture
def engine(
    catalogue: Catalogue, directory: FakeDirectory, clock: FakeClock, world: MemoryWorld
) -> Engine:
    lines = FileCrisisLineRegistry.load()
    availability = TeamAvailability(catalogue=catalogue, clock=clock, hours=None, zone=MONTREAL)
    return Engine(
        catalogue=catalogue,
        crisis_lines=lines,
        ownership=Ownership(
            catalogue=catalogue,
            crisis_lines=lines,
            clock=clock,
            availability=availability,
            jurisdiction=Jurisdiction.QC,
        ),
        directory=directory,
        cases=MemoryCaseLookup(world),
        clock=clock,
        config=EngineConfig(
            jurisdiction=Jurisdiction.QC,
            team_name="Équipe test",
            hours_label_fr="du lundi au vendredi, 9 h à 21 h",
            hours_label_en="Monday to Friday, 9 am to 9 pm",
            place_example="J1H",
        ),
    )


@pytest.fixture
def reader(nlu: FakeNlu) -> TextReader:
    return TextReader(screen=DeterministicCrisisScreen(), nlu=nlu)


@pytest.fixture
def service(engine: Engine, reader: TextReader, world: MemoryWorld) -> ConversationService:
    return ConversationService(engine=engine, reader=reader, uow_factory=world, retry_delay_s=0)


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Real-looking local secrets in the environment (and no stray .env influence)."""
    values = {
        "PSEUDONYM_KEY": "k" * 16 + "test-pseudonym-key-0123456789",
        "ENCRYPTION_KEY": generate_key(),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values
