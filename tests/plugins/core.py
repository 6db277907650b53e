"""Fixtures for the core: a moved clock, fake ports, an engine and a service on them."""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from flows.availability import TeamAvailability
from flows.catalogue import Catalogue
from flows.domain import Jurisdiction
from flows.engine import Engine, EngineConfig
from flows.ownership import Ownership
from flows.ports import Nlu
from flows.reading import TextReader
from flows.service import ConversationService
from nlu.crisis import DeterministicCrisisScreen
from nlu.crisis_lines import FileCrisisLineRegistry
from nlu.cues import RuleCueReader
from nlu.language import LinguaLanguageDetector
from resources_db.crypto import generate_key
from tests.fakes.core import FakeClock, FakeDirectory, FakeNlu, MemoryCaseLookup, MemoryWorld

MONTREAL = ZoneInfo("America/Montreal")


@functools.cache
def _language_detector() -> LinguaLanguageDetector:
    """Lingua's models load once per test session (the real, local detector)."""
    return LinguaLanguageDetector()


def text_reader(nlu: Nlu) -> TextReader:
    """The real reader — crisis screen, cues, language detector — on the given NLU."""
    return TextReader(
        screen=DeterministicCrisisScreen(),
        nlu=nlu,
        detector=_language_detector(),
        cues=RuleCueReader(),
    )


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


def make_engine(
    clock: FakeClock,
    world: MemoryWorld,
    *,
    catalogue: Catalogue | None = None,
    directory: FakeDirectory | None = None,
    availability: TeamAvailability | None = None,
    hours_label: tuple[str, str] = (
        "du lundi au vendredi, 9 h à 21 h",
        "Monday to Friday, 9 am to 9 pm",
    ),
) -> Engine:
    """The real engine on memory ports, as the tests' Québec team would run it."""
    catalogue = catalogue or Catalogue.load()
    lines = FileCrisisLineRegistry.load()
    availability = availability or TeamAvailability(
        catalogue=catalogue, clock=clock, hours=None, zone=MONTREAL
    )
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
        directory=directory or FakeDirectory(),
        cases=MemoryCaseLookup(world),
        clock=clock,
        config=EngineConfig(
            jurisdiction=Jurisdiction.QC,
            team_name="Équipe test",
            hours_label_fr=hours_label[0],
            hours_label_en=hours_label[1],
            place_example="J1H",
        ),
    )


@pytest.fixture
def engine(
    catalogue: Catalogue, directory: FakeDirectory, clock: FakeClock, world: MemoryWorld
) -> Engine:
    return make_engine(clock, world, catalogue=catalogue, directory=directory)


@pytest.fixture
def reader(nlu: FakeNlu) -> TextReader:
    return text_reader(nlu)


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
