"""The Rasa client: Rasa's JSON to an Interpretation, outages to NluUnavailable, and a
circuit breaker that stops asking a failing server and recovers by itself; the
`passerelle nlu` commands; the contract between the Rasa project and the core.

Rasa itself is mocked at its edge (httpx.MockTransport); the real server is exercised in
tests/integration/test_rasa_nlu.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from bot import cli_nlu
from flows.catalogue import Catalogue
from flows.domain import Language, Theme
from flows.understanding import (
    CrisisCategory,
    CrisisLevel,
    Entity,
    Intent,
    Interpretation,
    NluUnavailable,
    Screening,
    TextCues,
)
from nlu.client import RasaNluClient

BASE = "http://rasa.test:5005"
Handler = Callable[[httpx.Request], httpx.Response]


def rasa_parse(
    name: str | None,
    confidence: float = 0.9,
    *,
    entities: list[dict[str, Any]] | None = None,
    topic: str | None = None,
) -> dict[str, Any]:
    """A /model/parse body shaped like Rasa 3.6's."""
    body: dict[str, Any] = {
        "text": "…",
        "intent": {"name": name, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": name, "confidence": confidence}],
    }
    if topic is not None:
        body["intent"]["full_retrieval_intent_name"] = f"faq/{topic}"
        body["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {
                    "responses": [{"text": f"faq/{topic}"}],
                    "confidence": 0.7,
                    "intent_response_key": f"faq/{topic}",
                    "utter_action": f"utter_faq/{topic}",
                },
                "ranking": [],
            },
        }
    return body


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class FakeRasa:
    """Answers like Rasa, or fails like a Rasa that is down; records the requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: Handler = lambda _: httpx.Response(200, json=rasa_parse("greet"))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        return self.answer(request)


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(rasa: FakeRasa, clock: Clock) -> AsyncIterator[RasaNluClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
    nlu = RasaNluClient(
        BASE, timeout_s=0.5, http=http, failure_threshold=3, reset_after_s=15.0, clock=clock
    )
    yield nlu
    await nlu.aclose()
    await http.aclose()


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


# --- mapping ---------------------------------------------------------------------------------


async def test_it_posts_the_text_to_model_parse(client: RasaNluClient, rasa: FakeRasa) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=rasa_parse("greet"))

    rasa.answer = answer
    await client.parse("allo", Language.FR)
    assert str(seen[0].url) == f"{BASE}/model/parse"
    assert seen[0].method == "POST"
    assert rasa.requests == [{"text": "allo"}]


@pytest.mark.parametrize("theme", list(Theme))
async def test_a_need_intent_becomes_need_with_its_theme(
    client: RasaNluClient, rasa: FakeRasa, theme: Theme
) -> None:
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse(f"need_{theme}", 0.83))
    reading = await client.parse("…", Language.FR)
    assert reading == Interpretation(Intent.NEED, 0.83, theme=theme)


async def test_a_faq_question_becomes_faq_with_the_selected_topic(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse("faq", 0.77, topic="naloxone"))
    reading = await client.parse("c'est quoi la naloxone", Language.FR)
    assert reading == Interpretation(Intent.FAQ, 0.77, faq_key="naloxone", faq_confidence=0.7)


async def test_the_faq_confidence_is_the_selectors_not_the_intents(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    # Issue 8: "c vraiment anonyme? la police peut savoir?" was intent faq at 1.0 but topic
    # pets_shelter at 0.32; the engine must see the 0.32.
    body = rasa_parse("faq", 1.0, topic="pets_shelter")
    body["response_selector"]["faq"]["response"]["confidence"] = 0.3235
    rasa.answer = lambda _: httpx.Response(200, json=body)
    reading = await client.parse("c vraiment anonyme? la police peut savoir?", Language.FR)
    assert isinstance(reading, Interpretation)
    assert (reading.confidence, reading.faq_key, reading.faq_confidence) == (
        1.0,
        "pets_shelter",
        0.3235,
    )
    assert reading.confident_faq is None


async def test_a_topic_named_only_by_the_intent_takes_its_confidence_from_the_ranking(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    body = rasa_parse("faq", 0.9)
    body["intent"]["full_retrieval_intent_name"] = "faq/police"
    body["response_selector"] = {
        "faq": {
            "response": {"intent_response_key": None, "confidence": 0.0},
            "ranking": [
                {"intent_response_key": "faq/anonymous", "confidence": 0.3},
                {"intent_response_key": "faq/police", "confidence": 0.6},
            ],
        }
    }
    rasa.answer = lambda _: httpx.Response(200, json=body)
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert (reading.faq_key, reading.faq_confidence) == ("police", 0.6)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.5, 7.0])
async def test_a_strange_selector_confidence_is_made_safe(
    client: RasaNluClient, rasa: FakeRasa, bad: float
) -> None:
    body = rasa_parse("faq", 0.9, topic="cost")
    body["response_selector"]["faq"]["response"]["confidence"] = bad
    rasa.answer = lambda _: httpx.Response(200, content=json.dumps(body).encode())
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert 0.0 <= reading.faq_confidence <= 1.0


async def test_a_need_behind_a_request_for_a_human_is_the_second_theme(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    # "jdors dehors depuis 3 jours, jveux parler a quelqu'un": both must be done.
    body = rasa_parse("ask_human", 0.6)
    body["intent_ranking"] = [
        {"name": "ask_human", "confidence": 0.6},
        {"name": "need_shelter", "confidence": 0.3},
        {"name": "need_drop_in", "confidence": 0.05},
        {"name": "greet", "confidence": 0.05},
    ]
    rasa.answer = lambda _: httpx.Response(200, json=body)
    reading = await client.parse(
        "jdors dehors depuis 3 jours, jveux parler a quelqu'un", Language.FR
    )
    assert isinstance(reading, Interpretation)
    assert reading.intent is Intent.ASK_HUMAN
    assert (reading.second_theme, reading.second_theme_confidence) == (Theme.SHELTER, 0.3)
    assert reading.confident_second_theme is Theme.SHELTER


async def test_a_need_on_top_has_no_second_theme(client: RasaNluClient, rasa: FakeRasa) -> None:
    body = rasa_parse("need_food", 0.7)
    body["intent_ranking"] = [
        {"name": "need_food", "confidence": 0.7},
        {"name": "need_money", "confidence": 0.2},
    ]
    rasa.answer = lambda _: httpx.Response(200, json=body)
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert (reading.theme, reading.second_theme, reading.second_theme_confidence) == (
        Theme.FOOD,
        None,
        0.0,
    )


async def test_no_need_in_the_ranking_means_no_second_theme(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    body = rasa_parse("greet", 0.9)
    body["intent_ranking"] = [
        {"name": "greet", "confidence": 0.9},
        {"name": "need_unknown_theme", "confidence": 0.1},
        {"name": None, "confidence": 0.1},
    ]
    rasa.answer = lambda _: httpx.Response(200, json=body)
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert (reading.second_theme, reading.confident_second_theme) == (None, None)


async def test_the_response_selector_wins_over_the_retrieval_intent_name(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    body = rasa_parse("faq", 0.8, topic="prep")
    body["intent"]["full_retrieval_intent_name"] = "faq/cost"
    rasa.answer = lambda _: httpx.Response(200, json=body)
    reading = await client.parse("…", Language.EN)
    assert isinstance(reading, Interpretation)
    assert reading.faq_key == "prep"


def _hesitating(first: tuple[str, float], second: tuple[str, float]) -> dict[str, Any]:
    body = rasa_parse("faq", 1.0, topic=first[0])
    selector = body["response_selector"]["faq"]
    selector["response"]["confidence"] = first[1]
    selector["ranking"] = [
        {"intent_response_key": f"faq/{key}", "confidence": value} for key, value in (first, second)
    ]
    return body


async def test_two_privacy_topics_sharing_the_selector_are_one_question_answered(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    # "c vraiment anonyme? la police peut savoir que je t'écris?" asks both: the selector
    # splits 0.47 police / 0.44 anonymous; either answer serves the person.
    rasa.answer = lambda _: httpx.Response(
        200, json=_hesitating(("police", 0.47), ("anonymous", 0.44))
    )
    reading = await client.parse("c vraiment anonyme? la police peut savoir?", Language.FR)
    assert isinstance(reading, Interpretation)
    assert (reading.faq_runner_up, reading.faq_runner_up_confidence) == ("anonymous", 0.44)
    assert reading.confident_faq == "police"


async def test_a_privacy_topic_hesitating_with_an_unrelated_one_stays_a_doubt(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    rasa.answer = lambda _: httpx.Response(
        200, json=_hesitating(("police", 0.47), ("pets_shelter", 0.44))
    )
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert reading.confident_faq is None


async def test_faq_without_a_topic_is_not_understood(client: RasaNluClient, rasa: FakeRasa) -> None:
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse("faq", 0.9))
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert reading.intent is Intent.UNKNOWN


@pytest.mark.parametrize(
    ("name", "intent"),
    [
        ("crisis", Intent.CRISIS),
        ("ask_human", Intent.ASK_HUMAN),
        ("greet", Intent.GREET),
        ("goodbye", Intent.GOODBYE),
        ("thanks", Intent.THANKS),
        ("affirm", Intent.AFFIRM),
        ("deny", Intent.DENY),
        ("stop", Intent.STOP),
        ("forget_me", Intent.FORGET_ME),
        ("how_it_works", Intent.HOW_IT_WORKS),
        ("out_of_scope", Intent.OUT_OF_SCOPE),
        ("nlu_fallback", Intent.UNKNOWN),
        ("need_spaceship", Intent.UNKNOWN),
        ("need", Intent.UNKNOWN),
        ("unknown", Intent.UNKNOWN),
        (None, Intent.UNKNOWN),
    ],
)
async def test_plain_intents_map_one_to_one_and_anything_else_is_unknown(
    client: RasaNluClient, rasa: FakeRasa, name: str | None, intent: Intent
) -> None:
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse(name, 0.6))
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert reading.intent is intent
    assert reading.theme is None


async def test_places_and_postal_codes_are_kept_exact_first_without_duplicates(
    client: RasaNluClient, rasa: FakeRasa
) -> None:
    entities = [
        {"entity": "place", "value": "Hochelaga", "extractor": "DIETClassifier"},
        {"entity": "place", "value": "Hochelaga-Maisonneuve", "extractor": "RegexEntityExtractor"},
        {"entity": "postal_code", "value": "h2x  1y4", "extractor": "RegexEntityExtractor"},
        {"entity": "postal_code", "value": "H2X 1Y4", "extractor": "DIETClassifier"},
        {"entity": "person", "value": "Bob", "extractor": "DIETClassifier"},
        {"entity": "place", "value": 42, "extractor": "DIETClassifier"},
    ]
    rasa.answer = lambda _: httpx.Response(
        200, json=rasa_parse("need_food", 0.9, entities=entities)
    )
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert reading.entities == (
        Entity("place", "Hochelaga-Maisonneuve"),
        Entity("postal_code", "H2X 1Y4"),
        Entity("place", "Hochelaga"),
    )
    assert reading.entity("place") == "Hochelaga-Maisonneuve"


@pytest.mark.parametrize(("raw", "kept"), [(1.7, 1.0), (-0.2, 0.0), (float("nan"), 0.0)])
async def test_confidence_is_kept_between_zero_and_one(
    client: RasaNluClient, rasa: FakeRasa, raw: float, kept: float
) -> None:
    body = json.dumps(rasa_parse("greet", raw))  # NaN is written as Rasa's encoder would
    rasa.answer = lambda _: httpx.Response(200, content=body.encode())
    reading = await client.parse("…", Language.FR)
    assert isinstance(reading, Interpretation)
    assert reading.confidence == kept


async def test_a_blank_message_is_not_sent(client: RasaNluClient, rasa: FakeRasa) -> None:
    reading = await client.parse("   \n", Language.FR)
    assert reading == Interpretation(Intent.UNKNOWN, 0.0)
    assert rasa.requests == []


# --- outages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (refuse, "connection refused"),
        (time_out, "timeout"),
        (lambda _: httpx.Response(500, text="boom"), "http 500"),
        (lambda _: httpx.Response(404), "http 404"),
        (lambda _: httpx.Response(200, text="<html>not json</html>"), "bad response"),
        (lambda _: httpx.Response(200, json={"intent": "greet"}), "bad response"),
        (lambda _: httpx.Response(200, json=[1, 2, 3]), "bad response"),
    ],
)
async def test_an_outage_is_nlu_unavailable_with_a_reason(
    client: RasaNluClient, rasa: FakeRasa, answer: Handler, reason: str
) -> None:
    rasa.answer = answer
    assert await client.parse("…", Language.FR) == NluUnavailable(reason)


async def test_a_slow_server_is_cut_off_by_the_timeout(clock: Clock) -> None:
    async def slow(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=rasa_parse("greet"))

    class SlowTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return await slow(request)

    async with httpx.AsyncClient(transport=SlowTransport()) as http:
        nlu = RasaNluClient(BASE, timeout_s=0.05, http=http, clock=clock)
        assert await nlu.parse("…", Language.FR) == NluUnavailable("timeout")


async def test_the_breaker_opens_after_n_consecutive_failures(
    client: RasaNluClient, rasa: FakeRasa, clock: Clock
) -> None:
    rasa.answer = refuse
    for _ in range(3):
        assert await client.parse("…", Language.FR) == NluUnavailable("connection refused")
    assert client.circuit_open
    clock.now += 14.9
    assert await client.parse("…", Language.FR) == NluUnavailable("circuit open")
    assert len(rasa.requests) == 3, "an open circuit does not call Rasa"


async def test_a_success_resets_the_failure_count(client: RasaNluClient, rasa: FakeRasa) -> None:
    for answer in (refuse, refuse, None, refuse, refuse):
        rasa.answer = answer or (lambda _: httpx.Response(200, json=rasa_parse("greet")))
        await client.parse("…", Language.FR)
    assert not client.circuit_open


async def test_the_breaker_recovers_by_itself_after_the_reset_time(
    client: RasaNluClient, rasa: FakeRasa, clock: Clock
) -> None:
    rasa.answer = refuse
    for _ in range(3):
        await client.parse("…", Language.FR)
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse("need_food", 0.9))
    clock.now += 15.0
    reading = await client.parse("j'ai faim", Language.FR)
    assert reading == Interpretation(Intent.NEED, 0.9, theme=Theme.FOOD)
    assert not client.circuit_open
    assert isinstance(await client.parse("…", Language.FR), Interpretation)


async def test_a_failed_trial_keeps_the_circuit_open_for_another_period(
    client: RasaNluClient, rasa: FakeRasa, clock: Clock
) -> None:
    rasa.answer = refuse
    for _ in range(3):
        await client.parse("…", Language.FR)
    clock.now += 15.0
    assert await client.parse("…", Language.FR) == NluUnavailable("connection refused")
    assert len(rasa.requests) == 4, "one trial after the reset time"
    clock.now += 10.0
    assert await client.parse("…", Language.FR) == NluUnavailable("circuit open")
    assert len(rasa.requests) == 4
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse("greet"))
    clock.now += 5.0
    assert isinstance(await client.parse("…", Language.FR), Interpretation)


async def test_only_one_trial_is_in_flight_while_half_open(clock: Clock) -> None:
    release = asyncio.Event()
    calls = 0

    class GatedTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            if calls <= 3:
                raise httpx.ConnectError("refused", request=request)
            await release.wait()
            return httpx.Response(200, json=rasa_parse("greet"))

    async with httpx.AsyncClient(transport=GatedTransport()) as http:
        nlu = RasaNluClient(BASE, timeout_s=5, http=http, clock=clock)
        for _ in range(3):
            await nlu.parse("…", Language.FR)
        clock.now += 15.0
        trial = asyncio.create_task(nlu.parse("…", Language.FR))
        await asyncio.sleep(0)
        assert await nlu.parse("…", Language.FR) == NluUnavailable("circuit open")
        release.set()
        assert isinstance(await trial, Interpretation)
    assert calls == 4


async def test_logs_carry_event_kinds_never_the_text(
    client: RasaNluClient, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "je m'appelle Jeanne Tremblay et j'ai faim"
    caplog.set_level(logging.DEBUG)
    rasa.answer = refuse
    for _ in range(4):
        await client.parse(secret, Language.FR)
    rasa.answer = lambda _: httpx.Response(200, json=rasa_parse("need_food"))
    await client.parse(secret, Language.FR)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "circuit opened" in logged
    assert "Jeanne" not in logged
    assert "faim" not in logged


async def test_it_owns_and_closes_its_own_http_client() -> None:
    nlu = RasaNluClient(BASE)
    await nlu.aclose()
    assert nlu._http.is_closed


async def test_it_leaves_an_injected_http_client_open_for_its_owner() -> None:
    async with httpx.AsyncClient() as http:
        nlu = RasaNluClient(BASE, http=http)
        await nlu.aclose()
        assert not http.is_closed


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        RasaNluClient(BASE, failure_threshold=0)


# --- the contract between the Rasa project and the core ---------------------------------------

RASA_PROJECT = Path(__file__).resolve().parents[2] / "nlu" / "rasa"


def _domain() -> dict[str, Any]:
    return yaml.safe_load((RASA_PROJECT / "domain.yml").read_text(encoding="utf-8"))


def _faq_topics_in_training_data() -> set[str]:
    topics: set[str] = set()
    for path in (RASA_PROJECT / "data").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            intent = block.get("intent", "")
            if intent.startswith("faq/"):
                topics.add(intent.removeprefix("faq/"))
    return topics


def test_every_theme_has_a_need_intent_and_every_intent_maps_onto_the_core() -> None:
    intents = set(_domain()["intents"])
    assert {f"need_{theme}" for theme in Theme} <= intents
    for intent in intents:
        if intent.startswith("need_"):
            assert intent.removeprefix("need_") in Theme.__members__.values(), intent
        else:
            assert intent in {i.value for i in Intent}, intent


def test_every_faq_topic_has_a_catalogue_answer_and_a_domain_response() -> None:
    topics = _faq_topics_in_training_data()
    assert len(topics) >= 20
    catalogue = Catalogue.load()
    responses = set(_domain()["responses"])
    for topic in topics:
        assert catalogue.has(f"faq.{topic}"), topic
        assert f"utter_faq/{topic}" in responses, topic
    answered = {key.removeprefix("faq.") for key in catalogue.entries if key.startswith("faq.")}
    assert answered == topics, "an answer no question leads to, or a question with no answer"


def test_every_faq_answer_can_be_shown_with_what_the_engine_fills_in() -> None:
    catalogue = Catalogue.load()
    values = {"team": "Équipe", "hours": "9 h à 21 h", "emergency": "911", "who_reads": "Qui"}
    for key in (k for k in catalogue.entries if k.startswith("faq.")):
        for language in Language:
            assert catalogue.text(key, language, **values)


def test_every_faq_entry_is_marked_for_review_by_the_deploying_team() -> None:
    text = (Path(__file__).resolve().parents[2] / "flows" / "catalogue" / "faq.toml").read_text(
        encoding="utf-8"
    )
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("[faq."):
            assert lines[number - 1] == "# REVIEW: to be reviewed by the deploying team", line


# --- `passerelle nlu` (the Rasa server is down here; the real one is in tests/integration) ---


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_parse_without_rasa_still_prints_the_crisis_screen_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NLU_URL", _closed_port())
    result = CliRunner().invoke(cli_nlu.app, ["parse", "jveu mourir"])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0]) == {
        "intent": None,
        "theme": None,
        "crisis": "urgent",
        "crisis_category": "suicide",
        "confidence": None,
        "faq": None,
        "faq_confidence": None,
        "second_theme": None,
        "second_theme_confidence": None,
        "language": "fr",
        "cues": {},
    }
    assert "Rasa unavailable" in result.stderr


def test_parse_without_rasa_still_prints_the_cues_and_the_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NLU_URL", _closed_port())
    result = CliRunner().invoke(
        cli_nlu.app, ["parse", "je demande pour mon fils, il a 15 ans, je veux parler à quelqu'un"]
    )
    row = json.loads(result.stdout.splitlines()[0])
    assert row["language"] == "fr"
    assert row["cues"] == {"for_someone": "child", "asks_human": True}


def test_parse_jsonl_prints_one_line_per_input_line_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NLU_URL", _closed_port())
    texts = ["bonjour", "il respire pu", "", "je cherche un refuge"]
    result = CliRunner().invoke(cli_nlu.app, ["parse", "--jsonl"], input="\n".join(texts) + "\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["crisis"] for row in rows] == ["none", "urgent", "none", "none"]


def test_eval_without_rasa_fails_with_a_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NLU_URL", _closed_port())
    items = tmp_path / "items.yml"
    items.write_text("items:\n  - text: allo\n    label: greet\n", encoding="utf-8")
    result = CliRunner().invoke(cli_nlu.app, ["eval", str(items)])
    assert result.exit_code == 1
    assert "cannot evaluate, Rasa is unavailable" in result.stderr


def test_the_eval_report_has_precision_recall_bars_and_confusion() -> None:
    expected = ["crisis", "food", "food", "human", "greet", "out_of_scope"]
    predicted = ["crisis", "food", "shelter", "human", "greet", "food"]
    report = cli_nlu.report(expected, predicted)
    food = next(line for line in report.splitlines() if line.startswith("food "))
    assert food.split()[1:5] == ["0.50", "0.50", "0.50", "2"]
    assert "ok  crisis flagged" in report
    assert "LOW needs themed right" in report
    assert "LOW small talk neither themed nor flagged" in report
    assert "Confusion (rows: expected, columns: predicted)" in report


def test_labels_follow_the_briefs_mapping() -> None:
    none = Screening(CrisisLevel.NONE)
    flagged = Screening(CrisisLevel.CONCERN, CrisisCategory.SELF_HARM)
    assert cli_nlu.Reading("need_food", "food", 0.9, flagged).label == "crisis"
    assert cli_nlu.Reading("crisis", None, 1.0, none).label == "crisis"
    # an NLU crisis below the threshold opens nothing: the engine reads it as small talk
    assert cli_nlu.Reading("crisis", None, 0.3, none).label == "out_of_scope"
    asks = cli_nlu.Reading("faq/street_worker", None, 0.9, none, cues=TextCues(asks_human=True))
    assert asks.label == "human"
    assert cli_nlu.Reading("need_food", "food", 0.9, none).label == "food"
    assert cli_nlu.Reading("ask_human", None, 0.9, none).label == "human"
    assert cli_nlu.Reading("greet", None, 0.9, none).label == "greet"
    assert cli_nlu.Reading("faq/naloxone", None, 0.9, none).label == "out_of_scope"
    assert cli_nlu.Reading(None, None, None, none).label == "out_of_scope"


def _table(report: str, name: str) -> dict[float, list[int]]:
    """One table of the calibration report: threshold → the counts of its row."""
    lines = report.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(name)) + 2
    rows: dict[float, list[int]] = {}
    for line in lines[start:]:
        if not line.strip():
            break
        parts = line.replace("→", " ").split()
        rows[float(parts[0])] = [int(x) for x in parts[1::2]]
    return rows


def test_the_calibration_report_counts_right_and_wrong_answers_per_threshold() -> None:
    none = Screening(CrisisLevel.NONE)
    items = [
        {"text": "a", "label": "food"},
        {"text": "b", "label": "out_of_scope", "faq": "police"},
        {"text": "c", "label": "out_of_scope"},
        {"text": "d", "label": "shelter", "theme": "shelter", "human": True},
    ]
    readings = [
        cli_nlu.Reading("need_food", "food", 0.5, none),
        cli_nlu.Reading(
            "faq/pets_shelter", None, 1.0, none, faq="pets_shelter", faq_confidence=0.32
        ),
        cli_nlu.Reading("crisis", None, 0.8, none),
        cli_nlu.Reading(
            "ask_human", None, 0.7, none, second_theme="shelter", second_theme_confidence=0.2
        ),
    ]
    report = cli_nlu.calibration_report(items, readings)
    intent = _table(report, "INTENT_MIN_CONFIDENCE")
    assert intent[0.45][:3] == [1, 0, 1], "food right; the shelter need is not the top intent"
    assert intent[0.6][:3] == [0, 0, 2]
    faq = _table(report, "FAQ_MIN_CONFIDENCE")
    assert faq[0.3][:3] == [0, 1, 0], "the pets answer to a police question is shown at 0.3"
    assert faq[0.35][:3] == [0, 0, 1], "and withheld at 0.35"
    crisis = _table(report, "CRISIS_INTENT_MIN_CONFIDENCE")
    assert crisis[0.7][0] == 1
    assert crisis[0.85][0] == 0
    second = _table(report, "SECOND_THEME_MIN_CONFIDENCE")
    assert second[0.15][:3] == [1, 0, 0]
    assert second[0.3][:3] == [0, 0, 1]
