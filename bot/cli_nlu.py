"""``passerelle nlu …``: what the bot understands of a text, and how well, from the terminal.

Both commands use the Rasa server at ``NLU_URL`` (default http://127.0.0.1:5005) and the
deterministic crisis screen, exactly as the bot does. They read no settings and no secrets,
so they work without a ``.env``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from flows.domain import Language
from flows.understanding import (
    CrisisCategory,
    CrisisLevel,
    Intent,
    Interpretation,
    NluUnavailable,
    Screening,
)
from nlu.client import RasaNluClient
from nlu.crisis import DeterministicCrisisScreen

DEFAULT_NLU_URL = "http://127.0.0.1:5005"
NEED_LABELS_EXCLUDED = frozenset({"crisis", "human", "greet", "out_of_scope"})

app = typer.Typer(help="Understand text: Rasa NLU and the crisis screen.", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the bot makes of one text: the NLU's reading and the crisis screen's verdict."""

    intent: str | None
    theme: str | None
    confidence: float | None
    screening: Screening
    unavailable: str | None = None

    @property
    def label(self) -> str:
        """The evaluation label: crisis, a theme id, human, greet or out_of_scope."""
        if self.screening.flagged or self.intent == Intent.CRISIS.value:
            return "crisis"
        if self.theme is not None:
            return self.theme
        return {Intent.ASK_HUMAN.value: "human", Intent.GREET.value: "greet"}.get(
            self.intent or "", "out_of_scope"
        )

    def as_json(self) -> dict[str, Any]:
        """The one-line JSON object printed by ``parse``."""
        screening = self.screening
        if not screening.flagged and self.intent == Intent.CRISIS.value:
            # What the engine does with the NLU's "crisis": a concern, category other.
            screening = Screening(CrisisLevel.CONCERN, CrisisCategory.OTHER)
        return {
            "intent": self.intent,
            "theme": self.theme,
            "crisis": screening.level.value,
            "crisis_category": screening.category.value if screening.category else None,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
        }


def _rasa_intent(reading: Interpretation) -> str:
    """The Rasa intent name behind an interpretation (need_food, faq/naloxone, greet…)."""
    if reading.intent is Intent.NEED and reading.theme is not None:
        return f"need_{reading.theme.value}"
    if reading.intent is Intent.FAQ and reading.faq_key:
        return f"faq/{reading.faq_key}"
    return reading.intent.value


class Reader:
    """Reads texts with one long-lived NLU client and the crisis screen."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self._nlu = RasaNluClient(url, timeout_s=timeout_s)
        self._screen = DeterministicCrisisScreen()

    async def read(self, text: str) -> Reading:
        """One text through the screen and the NLU."""
        screening = self._screen.screen(text)
        result = await self._nlu.parse(text, Language.FR)
        if isinstance(result, NluUnavailable):
            return Reading(None, None, None, screening, unavailable=result.reason)
        theme = result.theme.value if result.theme is not None else None
        return Reading(_rasa_intent(result), theme, result.confidence, screening)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._nlu.aclose()


async def _read_all(url: str, timeout_s: float, texts: Iterable[str]) -> list[Reading]:
    reader = Reader(url, timeout_s)
    try:
        return [await reader.read(text) for text in texts]
    finally:
        await reader.aclose()


def _quiet_client_logs() -> None:
    # The commands report an outage once, on stderr; the client's per-call warnings would
    # repeat it for every line.
    logging.getLogger("nlu.client").setLevel(logging.CRITICAL)


UrlOption = Annotated[
    str,
    typer.Option(
        "--url", envvar="NLU_URL", help="The Rasa server (env NLU_URL).", show_default=True
    ),
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", min=0.1, help="Seconds to wait for Rasa per text.")
]


@app.command()
def parse(
    text: Annotated[str | None, typer.Argument(help="The text to read.")] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Read one text per stdin line; one JSON per line.")
    ] = False,
    url: UrlOption = DEFAULT_NLU_URL,
    timeout: TimeoutOption = 5.0,
) -> None:
    """Print what the bot understands of TEXT as one JSON object.

    {intent, theme, crisis, crisis_category, confidence}. If Rasa is down, intent is null
    and the crisis fields still come from the screen.
    """
    if jsonl == (text is not None):
        typer.echo("Give a TEXT, or --jsonl to read one text per stdin line.", err=True)
        raise typer.Exit(code=2)
    _quiet_client_logs()
    texts = [line.rstrip("\r\n") for line in sys.stdin] if jsonl else [text or ""]
    readings = asyncio.run(_read_all(url, timeout, texts))
    for reading in readings:
        sys.stdout.write(json.dumps(reading.as_json(), ensure_ascii=False) + "\n")
    down = [r.unavailable for r in readings if r.unavailable]
    if down:
        typer.echo(
            f"nlu: Rasa unavailable at {url} ({down[0]}) for {len(down)} of {len(readings)} "
            "texts: intent is null there; the crisis screen still ran.",
            err=True,
        )


@app.command("eval")
def evaluate(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="YAML with items: [{text, label}]."),
    ],
    url: UrlOption = DEFAULT_NLU_URL,
    timeout: TimeoutOption = 5.0,
    show_errors: Annotated[
        bool, typer.Option("--errors/--no-errors", help="List the misread items.")
    ] = True,
) -> None:
    """Per-label precision and recall, and the confusion table, on a labelled YAML file.

    Labels: a theme id, crisis, human, greet or out_of_scope.
    """
    items = _load_items(file)
    _quiet_client_logs()
    readings = asyncio.run(_read_all(url, timeout, [text for text, _ in items]))
    down = [r.unavailable for r in readings if r.unavailable]
    if down:
        typer.echo(
            f"nlu: cannot evaluate, Rasa is unavailable at {url} ({down[0]}). "
            "Start it with `make nlu-serve` (or set NLU_URL).",
            err=True,
        )
        raise typer.Exit(code=1)
    expected = [label for _, label in items]
    predicted = [reading.label for reading in readings]
    typer.echo(report(expected, predicted))
    if show_errors:
        errors = [
            f"  {e:<14} → {p:<14} {r.intent or '-':<24} {text}"
            for (text, e), p, r in zip(items, predicted, readings, strict=True)
            if e != p
        ]
        if errors:
            typer.echo(f"\nMisread ({len(errors)}): expected → got, intent, text")
            typer.echo("\n".join(errors))


def _load_items(file: Path) -> list[tuple[str, str]]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        typer.echo(f"nlu: cannot read {file}: {err}", err=True)
        raise typer.Exit(code=2) from err
    raw = data.get("items") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not raw:
        typer.echo(f"nlu: {file} has no items (expected items: [{{text, label}}])", err=True)
        raise typer.Exit(code=2)
    items: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("text"), str)
            and isinstance(item.get("label"), str)
        ):
            typer.echo(f"nlu: item {index} of {file} needs a text and a label", err=True)
            raise typer.Exit(code=2)
        items.append((item["text"], item["label"]))
    return items


def report(expected: Sequence[str], predicted: Sequence[str]) -> str:
    """Per-label precision/recall/F1, the brief's acceptance figures, the confusion table."""
    labels = sorted(set(expected) | set(predicted), key=_label_order)
    pairs = Counter(zip(expected, predicted, strict=True))
    lines = [f"{'label':<15}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}"]
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(n for (e, _), n in pairs.items() if e == label)
        said = sum(n for (_, p), n in pairs.items() if p == label)
        precision = tp / said if said else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        lines.append(f"{label:<15}{precision:>10.2f}{recall:>8.2f}{f1:>7.2f}{support:>9}")
    correct = sum(n for (e, p), n in pairs.items() if e == p)
    lines.append(f"\naccuracy {correct}/{len(expected)} = {correct / len(expected):.1%}")
    lines.extend(_acceptance(expected, predicted))
    lines.append("\nConfusion (rows: expected, columns: predicted)")
    short = {label: label[:6] for label in labels}
    lines.append(" " * 15 + "".join(f"{short[label]:>7}" for label in labels))
    for row in labels:
        cells = "".join(f"{pairs[(row, col)] or '.':>7}" for col in labels)
        lines.append(f"{row:<15}{cells}")
    return "\n".join(lines)


def _acceptance(expected: Sequence[str], predicted: Sequence[str]) -> list[str]:
    """The brief's bars: every crisis flagged, needs themed right, small talk left alone."""

    def share(wanted: Iterable[bool]) -> tuple[int, int]:
        values = list(wanted)
        return sum(values), len(values)

    pairs = list(zip(expected, predicted, strict=True))
    rows = [
        ("crisis flagged", share(p == "crisis" for e, p in pairs if e == "crisis"), 1.0),
        (
            "needs themed right",
            share(p == e for e, p in pairs if e not in NEED_LABELS_EXCLUDED),
            0.85,
        ),
        (
            "small talk neither themed nor flagged",
            share(p == "out_of_scope" for e, p in pairs if e == "out_of_scope"),
            0.80,
        ),
        ("ask_human recognised", share(p == "human" for e, p in pairs if e == "human"), 0.85),
        ("greet recognised", share(p == "greet" for e, p in pairs if e == "greet"), 0.85),
    ]
    out = ["\nAcceptance"]
    for name, (hit, total), bar in rows:
        if total == 0:
            continue
        ok = hit / total >= bar
        out.append(
            f"  {'ok ' if ok else 'LOW'} {name:<40}{hit:>4}/{total:<4}"
            f"{hit / total:>7.1%}  (bar {bar:.0%})"
        )
    return out


def _label_order(label: str) -> tuple[int, str]:
    fixed = {"crisis": 0, "human": 2, "greet": 3, "out_of_scope": 4}
    return (fixed.get(label, 1), label)
