"""Issue 8's failing sentences, through the real Rasa server and every deterministic reader.

Each test is one sentence a tester typed and what the person must get: an FAQ answer on
the right topic (judged on the selector's own confidence, as the engine does), no crisis
case for harmless text, a need and a human both found, the cue that changes the reply.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from flows.domain import Language, Theme
from flows.faq import theme_of_faq
from flows.understanding import (
    CRISIS_INTENT_MIN_CONFIDENCE,
    INTENT_MIN_CONFIDENCE,
    CrisisLevel,
    Intent,
    Interpretation,
)
from nlu.client import RasaNluClient
from nlu.crisis import DeterministicCrisisScreen
from nlu.cues import RuleCueReader
from nlu.language import LinguaLanguageDetector

pytestmark = pytest.mark.rasa

SCREEN = DeterministicCrisisScreen()
CUES = RuleCueReader()
LANGUAGE = LinguaLanguageDetector()


@pytest.fixture
async def nlu(rasa_url: str) -> AsyncIterator[RasaNluClient]:
    client = RasaNluClient(rasa_url, timeout_s=10.0)
    yield client
    await client.aclose()


async def _read(nlu: RasaNluClient, text: str) -> Interpretation:
    reading = await nlu.parse(text, Language.FR)
    assert isinstance(reading, Interpretation), reading
    return reading


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        # got the pets-in-shelters answer (selector 0.32, intent 1.0)
        ("c vraiment anonyme? la police peut savoir?", {"anonymous", "police"}),
        # got tenant rights
        ("comment reconnaitre une surdose", {"overdose_signs"}),
        # a harm-reduction question, not a crisis
        ("c'est quoi les signes d'une overdose", {"overdose_signs"}),
        # being watched
        ("mon chum regarde mon cell, il peut voir ça ?", {"phone_safety"}),
    ],
)
async def test_faq_questions_get_the_right_topic_or_none(
    nlu: RasaNluClient, text: str, topics: set[str]
) -> None:
    reading = await _read(nlu, text)
    assert reading.confident_faq in topics, (reading.faq_key, reading.faq_confidence)
    assert not SCREEN.screen(text).flagged
    assert not reading.confident_crisis


@pytest.mark.parametrize(
    "text",
    [
        "j'ai crevé mon pneu de vélo, où je peux le faire réparer?",
        "ma coloc a pris mes écouteurs",
        "c'est quoi les signes d'une overdose",
        "comment reconnaitre une surdose",
        "on peut continuer en francais?",
        "mon chum regarde mon cell, il peut voir ça ?",
    ],
)
async def test_harmless_text_opens_no_crisis_case(nlu: RasaNluClient, text: str) -> None:
    reading = await _read(nlu, text)
    assert SCREEN.screen(text).level is CrisisLevel.NONE
    if reading.intent is Intent.CRISIS:
        assert reading.confidence < CRISIS_INTENT_MIN_CONFIDENCE


async def test_english_on_a_french_phone_is_english_and_understood(nlu: RasaNluClient) -> None:
    text = "hi, where can I take a shower and wash my clothes?"
    assert LANGUAGE.detect(text) is Language.EN
    reading = await _read(nlu, text)
    assert reading.theme is Theme.HYGIENE


async def test_asking_to_continue_in_french_is_a_language_request_not_thanks(
    nlu: RasaNluClient,
) -> None:
    text = "on peut continuer en francais?"
    assert CUES.read(text).language_request is Language.FR
    reading = await _read(nlu, text)
    assert not (reading.intent is Intent.THANKS and reading.confidence >= INTENT_MIN_CONFIDENCE)


async def test_a_need_and_a_human_in_one_sentence_are_both_found(nlu: RasaNluClient) -> None:
    text = "jdors dehors depuis 3 jours, jveux parler a quelqu'un"
    assert CUES.read(text).asks_human
    reading = await _read(nlu, text)
    found = reading.theme if reading.intent is Intent.NEED else reading.confident_second_theme
    assert found is Theme.SHELTER, reading


@pytest.mark.parametrize(
    ("text", "relation", "theme"),
    [
        ("je demande pour mon fils", "child", None),
        ("mon ami dort dehors, comment l'aider", "friend", Theme.SHELTER),
        ("my son uses drugs", "child", Theme.SUBSTANCE_USE),
    ],
)
async def test_asking_for_someone_else_keeps_the_need(
    nlu: RasaNluClient, text: str, relation: str, theme: Theme | None
) -> None:
    assert CUES.read(text).for_someone == relation
    if theme is not None:
        reading = await _read(nlu, text)
        assert _acted_theme(reading) is theme, reading


def _acted_theme(reading: Interpretation) -> Theme | None:
    """The theme whose places the engine can offer: the need, an FAQ topic's theme, or a
    confident second theme."""
    if reading.intent is Intent.NEED and reading.confidence >= INTENT_MIN_CONFIDENCE:
        return reading.theme
    topic = reading.confident_faq
    if topic is not None and theme_of_faq(topic) is not None:
        return theme_of_faq(topic)
    return reading.confident_second_theme


async def test_a_meeting_request_is_not_the_definition_of_street_work(
    nlu: RasaNluClient,
) -> None:
    text = "Est-ce qu'un travailleur de rue peut venir me voir ?"
    cues = CUES.read(text)
    assert cues.asks_meeting
    assert cues.asks_human
    reading = await _read(nlu, text)
    assert reading.confident_faq != "street_worker"
