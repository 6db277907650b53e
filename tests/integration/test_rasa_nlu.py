"""The real Rasa server with the trained model: what people write is understood.

The held-out set (tests/data/nlu_heldout.yml) is written apart from the training data; it
goes through the same path as `passerelle nlu parse --jsonl` and must meet the bars below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from flows.domain import Language, Theme
from flows.understanding import Intent, Interpretation, NluUnavailable
from nlu.client import RasaNluClient
from tests.plugins.rasa_server import ROOT, RasaServer

pytestmark = pytest.mark.rasa

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "nlu_heldout.yml"


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
    ("text", "theme"),
    [
        # Québec
        ("j'ai pu une cenne", Theme.MONEY),
        ("y reste tu des lits a soir", Theme.SHELTER),
        ("chu à la rue depuis hier", Theme.SHELTER),
        ("il fait frette, je veux me réchauffer quelque part", Theme.DROP_IN),
        ("j'ai besoin d'une douche", Theme.HYGIENE),
        ("je cherche un CLSC", Theme.HEALTH),
        ("je veux me faire dépister", Theme.SEXUAL_HEALTH),
        ("je file pas pantoute ces temps-ci", Theme.MENTAL_HEALTH),
        ("des seringues propres", Theme.SUBSTANCE_USE),
        ("mon ex me harcèle", Theme.VIOLENCE),
        ("j'ai perdu mes papiers", Theme.LEGAL),
        ("je cherche une job", Theme.EMPLOYMENT),
        ("j'ai besoin de couches pour mon bébé", Theme.FAMILY),
        ("je me sens seul", Theme.PEER_SUPPORT),
        # France
        ("j'ai la dalle", Theme.FOOD),
        ("j'ai plus une thune", Theme.MONEY),
        ("je dors dehors", Theme.SHELTER),
        ("je cherche du taf", Theme.EMPLOYMENT),
        # English
        ("i'm hungry", Theme.FOOD),
        ("i need a bed tonight", Theme.SHELTER),
        ("where can i shower", Theme.HYGIENE),
        ("i need a lawyer", Theme.LEGAL),
    ],
)
async def test_needs_are_read_as_their_theme(nlu: RasaNluClient, text: str, theme: Theme) -> None:
    reading = await _read(nlu, text)
    assert (reading.intent, reading.theme) == (Intent.NEED, theme)
    assert reading.confidence >= 0.45, "above the engine's threshold"


@pytest.mark.parametrize(
    ("text", "intent", "faq_key"),
    [
        ("c'est quoi la naloxone", Intent.FAQ, "naloxone"),
        ("est-ce que c'est anonyme", Intent.FAQ, "anonymous"),
        ("is prep free", Intent.FAQ, "prep"),
        ("je veux parler à un intervenant", Intent.ASK_HUMAN, None),
        ("i want to talk to a human", Intent.ASK_HUMAN, None),
        ("bonjour", Intent.GREET, None),
        ("merci beaucoup", Intent.THANKS, None),
        ("qui a gagné la game hier", Intent.OUT_OF_SCOPE, None),
        ("je veux mourir", Intent.CRISIS, None),
    ],
)
async def test_other_intents_and_faq_topics(
    nlu: RasaNluClient, text: str, intent: Intent, faq_key: str | None
) -> None:
    reading = await _read(nlu, text)
    assert (reading.intent, reading.faq_key) == (intent, faq_key)


async def test_places_and_postal_codes_are_extracted(nlu: RasaNluClient) -> None:
    reading = await _read(nlu, "je cherche un refuge dans Hochelag près de H2X 1Y4")
    assert reading.theme is Theme.SHELTER
    assert reading.entity("place") == "Hochelaga-Maisonneuve"
    assert reading.entity("postal_code") == "H2X 1Y4"
    paris = await _read(nlu, "une douche à Paris 75018")
    assert paris.entity("postal_code") == "75018"
    assert paris.entity("place") == "Paris"


def _label(row: dict[str, object]) -> str:
    """The evaluation label of one `passerelle nlu parse` JSON line (as the eval command)."""
    if row["crisis"] != "none" or row["intent"] == "crisis":
        return "crisis"
    if row["theme"]:
        return str(row["theme"])
    return {"ask_human": "human", "greet": "greet"}.get(str(row["intent"]), "out_of_scope")


def test_the_heldout_set_meets_the_bars_through_the_cli(rasa_url: str) -> None:
    items = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["items"]
    texts = "\n".join(item["text"] for item in items) + "\n"
    run = subprocess.run(
        [sys.executable, "-m", "bot", "nlu", "parse", "--jsonl"],
        input=texts, capture_output=True, text=True, check=True, timeout=300, cwd=ROOT,
        env={**os.environ, "NLU_URL": rasa_url},
    )  # fmt: skip
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(rows) == len(items), "one JSON line per input line, in order"
    pairs = [(item["label"], _label(row)) for item, row in zip(items, rows, strict=True)]

    def share(label_filter: set[str] | None, expected: str | None = None) -> float:
        chosen = [(e, p) for e, p in pairs if (label_filter is None or e in label_filter)]
        hits = [p == (expected or e) for e, p in chosen]
        return sum(hits) / len(hits)

    themes = {t.value for t in Theme}
    missed = [(e, p, item["text"]) for (e, p), item in zip(pairs, items, strict=True) if e != p]
    assert share({"crisis"}) == 1.0, [m for m in missed if m[0] == "crisis"]
    assert share(themes) >= 0.85, missed
    assert share({"out_of_scope"}) >= 0.80, missed
    assert share({"human"}) >= 0.85, missed
    assert share({"greet"}) >= 0.85, missed


async def test_rasa_down_is_unavailable_and_the_client_recovers_when_it_returns(
    spare_rasa: RasaServer,
) -> None:
    now = [0.0]
    nlu = RasaNluClient(
        spare_rasa.url, timeout_s=10.0, failure_threshold=2, reset_after_s=30.0,
        clock=lambda: now[0],
    )  # fmt: skip
    try:
        assert await nlu.parse("j'ai faim", Language.FR) == NluUnavailable("connection refused")
        assert await nlu.parse("j'ai faim", Language.FR) == NluUnavailable("connection refused")
        assert await nlu.parse("j'ai faim", Language.FR) == NluUnavailable("circuit open")
        spare_rasa.start()
        assert await nlu.parse("j'ai faim", Language.FR) == NluUnavailable("circuit open")
        now[0] += 30.0
        reading = await nlu.parse("j'ai faim", Language.FR)
        assert isinstance(reading, Interpretation)
        assert reading.theme is Theme.FOOD
        assert not nlu.circuit_open
    finally:
        await nlu.aclose()
