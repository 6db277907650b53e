"""``passerelle nlu …``: what the bot understands of a text, and how well, from the terminal.

The commands use the Rasa server at ``NLU_URL`` (default http://127.0.0.1:5005), the
deterministic crisis screen, the cue reader and the language detector, exactly as the bot
does. They read no settings and no secrets, so they work without a ``.env``.

- ``parse``: one JSON object per text (intent, theme, FAQ topic and the selector's own
  confidence, second theme, crisis verdict, language, cues).
- ``eval``: per-label precision/recall on a labelled YAML file, plus the FAQ topics, the
  second themes, the cues and the language the file's items name.
- ``calibrate``: how each threshold of ``flows/understanding.py`` trades right answers for
  wrong ones on labelled files (the curves of docs/nlu.md).
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
    CRISIS_INTENT_MIN_CONFIDENCE,
    FAQ_MIN_CONFIDENCE,
    INTENT_MIN_CONFIDENCE,
    NO_CUES,
    SECOND_THEME_MIN_CONFIDENCE,
    CrisisCategory,
    CrisisLevel,
    Intent,
    Interpretation,
    NluUnavailable,
    Screening,
    TextCues,
)
from nlu.client import RasaNluClient
from nlu.crisis import DeterministicCrisisScreen
from nlu.cues import RuleCueReader
from nlu.language import LinguaLanguageDetector

DEFAULT_NLU_URL = "http://127.0.0.1:5005"
NEED_LABELS_EXCLUDED = frozenset({"crisis", "human", "greet", "out_of_scope"})

app = typer.Typer(help="Understand text: Rasa NLU and the crisis screen.", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the bot makes of one text: the NLU's reading, the crisis screen, the cues."""

    intent: str | None
    theme: str | None
    confidence: float | None
    screening: Screening
    unavailable: str | None = None
    faq: str | None = None
    faq_confidence: float | None = None
    second_theme: str | None = None
    second_theme_confidence: float | None = None
    cues: TextCues = NO_CUES
    language: Language | None = None

    @property
    def nlu_crisis(self) -> bool:
        """The NLU's own crisis intent, sure enough to open a case without the screen."""
        return (
            self.intent == Intent.CRISIS.value
            and (self.confidence or 0.0) >= CRISIS_INTENT_MIN_CONFIDENCE
        )

    @property
    def confident_faq(self) -> str | None:
        """The FAQ topic the engine would answer (both confidences above their thresholds)."""
        if (
            self.faq is not None
            and (self.confidence or 0.0) >= INTENT_MIN_CONFIDENCE
            and (self.faq_confidence or 0.0) >= FAQ_MIN_CONFIDENCE
        ):
            return self.faq
        return None

    @property
    def themes(self) -> frozenset[str]:
        """The needs the engine may act on: the top theme, or a confident second theme."""
        found = {self.theme} if self.theme is not None else set()
        if (self.second_theme_confidence or 0.0) >= SECOND_THEME_MIN_CONFIDENCE and (
            self.second_theme is not None
        ):
            found.add(self.second_theme)
        return frozenset(found)

    @property
    def label(self) -> str:
        """The evaluation label: crisis, a theme id, human, greet or out_of_scope.

        As the engine acts: the screen or a confident NLU crisis is crisis; a need is its
        theme; a request for a human (intent or cue) is human.
        """
        if self.screening.flagged or self.nlu_crisis:
            return "crisis"
        if self.theme is not None:
            return self.theme
        if self.intent == Intent.ASK_HUMAN.value or self.cues.asks_human:
            return "human"
        return {Intent.GREET.value: "greet"}.get(self.intent or "", "out_of_scope")

    def as_json(self) -> dict[str, Any]:
        """The one-line JSON object printed by ``parse``."""
        screening = self.screening
        if not screening.flagged and self.nlu_crisis:
            # What the engine does with a confident NLU "crisis": a concern, category other.
            screening = Screening(CrisisLevel.CONCERN, CrisisCategory.OTHER)
        return {
            "intent": self.intent,
            "theme": self.theme,
            "crisis": screening.level.value,
            "crisis_category": screening.category.value if screening.category else None,
            "confidence": _rounded(self.confidence),
            "faq": self.faq,
            "faq_confidence": _rounded(self.faq_confidence),
            "second_theme": self.second_theme,
            "second_theme_confidence": _rounded(self.second_theme_confidence),
            "language": self.language.value if self.language else None,
            "cues": _cues_json(self.cues),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _cues_json(cues: TextCues) -> dict[str, Any]:
    """The cues that say something (defaults left out)."""
    out: dict[str, Any] = {}
    for name in TextCues.__dataclass_fields__:
        value = getattr(cues, name)
        if value not in (None, False):
            out[name] = value.value if isinstance(value, Language) else value
    return out


def _rasa_intent(reading: Interpretation) -> str:
    """The Rasa intent name behind an interpretation (need_food, faq/naloxone, greet…)."""
    if reading.intent is Intent.NEED and reading.theme is not None:
        return f"need_{reading.theme.value}"
    if reading.intent is Intent.FAQ and reading.faq_key:
        return f"faq/{reading.faq_key}"
    return reading.intent.value


class Reader:
    """Reads texts with one long-lived NLU client, the crisis screen, cues and language."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self._nlu = RasaNluClient(url, timeout_s=timeout_s)
        self._screen = DeterministicCrisisScreen()
        self._cues = RuleCueReader()
        self._language = LinguaLanguageDetector()

    async def read(self, text: str) -> Reading:
        """One text through the screen, the cue reader, the language detector and the NLU."""
        screening = self._screen.screen(text)
        cues = self._cues.read(text)
        language = self._language.detect(text)
        result = await self._nlu.parse(text, Language.FR)
        if isinstance(result, NluUnavailable):
            return Reading(
                None,
                None,
                None,
                screening,
                unavailable=result.reason,
                cues=cues,
                language=language,
            )
        return Reading(
            _rasa_intent(result),
            result.theme.value if result.theme is not None else None,
            result.confidence,
            screening,
            faq=result.faq_key,
            faq_confidence=result.faq_confidence if result.faq_key else None,
            second_theme=result.second_theme.value if result.second_theme else None,
            second_theme_confidence=(
                result.second_theme_confidence if result.second_theme else None
            ),
            cues=cues,
            language=language,
        )

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

    {intent, theme, crisis, crisis_category, confidence, faq, faq_confidence, second_theme,
    second_theme_confidence, language, cues}. If Rasa is down, intent is null and the
    crisis, language and cue fields still come from the deterministic readers.
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

    Labels: a theme id, crisis, human, greet or out_of_scope. Items may also name the FAQ
    topic (faq), a second theme with a request for a human (theme, human), the language and
    cues (age, for_someone, asks_meeting, watched, gender, answer, language_request): each
    gets its own line of figures.
    """
    raw_items = _load_raw_items(file)
    items = [(item["text"], item["label"]) for item in raw_items]
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
    predicted = [
        _effective_label(item, reading) for item, reading in zip(raw_items, readings, strict=True)
    ]
    typer.echo(report(expected, predicted))
    extra, extra_errors = _extra_checks(raw_items, readings)
    if extra:
        typer.echo("\n" + extra)
    if show_errors:
        errors = [
            f"  {e:<14} → {p:<14} {r.intent or '-':<24} {text}"
            for (text, e), p, r in zip(items, predicted, readings, strict=True)
            if e != p
        ]
        if errors:
            typer.echo(f"\nMisread ({len(errors)}): expected → got, intent, text")
            typer.echo("\n".join(errors))
        if extra_errors:
            typer.echo(f"\nOther misses ({len(extra_errors)}): what, expected → got, text")
            typer.echo("\n".join(extra_errors))


def _effective_label(item: dict[str, Any], reading: Reading) -> str:
    """The label, where "a need and a human" counts as right when both are acted on."""
    label = reading.label
    if item.get("theme") and item.get("human") and label in ("human", item["theme"]):
        both = item["theme"] in reading.themes and (
            reading.cues.asks_human or reading.intent == Intent.ASK_HUMAN.value
        )
        return str(item["label"]) if both else label
    return label


CUE_KEYS = (
    "age",
    "for_someone",
    "asks_meeting",
    "watched",
    "gender",
    "answer",
    "language_request",
)


def _extra_checks(
    items: Sequence[dict[str, Any]], readings: Sequence[Reading]
) -> tuple[str, list[str]]:
    """Figures for what items name besides their label, and the misses."""
    rows: list[str] = []
    misses: list[str] = []

    def check(name: str, pairs: list[tuple[object, object, str]]) -> None:
        if not pairs:
            return
        hits = sum(1 for want, got, _ in pairs if want == got)
        rows.append(f"  {name:<40}{hits:>4}/{len(pairs):<4}{hits / len(pairs):>7.1%}")
        misses.extend(
            f"  {name:<18} {want!s:<14} → {got!s:<14} {text}"
            for want, got, text in pairs
            if want != got
        )

    pairs = list(zip(items, readings, strict=True))
    check(
        "FAQ topic answered right",
        [(i["faq"], r.confident_faq, i["text"]) for i, r in pairs if "faq" in i],
    )
    check(
        "no FAQ answer where none is wanted",
        [
            (None, r.confident_faq, i["text"])
            for i, r in pairs
            if "faq" not in i and i["label"] != "crisis"
        ],
    )
    check(
        "need + human: the need is found",
        [
            (i["theme"], i["theme"] if i["theme"] in r.themes else r.theme, i["text"])
            for i, r in pairs
            if "theme" in i
        ],
    )
    check(
        "a human is asked (intent or cue)",
        [
            (True, r.cues.asks_human or r.intent == Intent.ASK_HUMAN.value, i["text"])
            for i, r in pairs
            if i.get("human") or i["label"] == "human"
        ],
    )
    check(
        "language detected",
        [
            (i["language"], r.language.value if r.language else None, i["text"])
            for i, r in pairs
            if "language" in i
        ],
    )
    check(
        "crisis category",
        [
            (i["category"], (r.screening.category or CrisisCategory.OTHER).value, i["text"])
            for i, r in pairs
            if "category" in i and r.screening.flagged
        ],
    )
    for key in CUE_KEYS:
        named = [(i, r) for i, r in pairs if key in i]
        got = [getattr(r.cues, key) for _, r in named]
        check(
            f"cue {key}",
            [
                (i[key], g.value if isinstance(g, Language) else g, i["text"])
                for (i, _), g in zip(named, got, strict=True)
            ],
        )
        # A cue claimed where the item names none is a word put in the person's mouth; only
        # for files that annotate this cue (elsewhere its absence means nothing).
        if not named:
            continue
        check(
            f"cue {key}: not claimed when absent",
            [
                (None, None if getattr(r.cues, key) in (None, False) else "claimed", i["text"])
                for i, r in pairs
                if key not in i and not (key == "asks_meeting" and i["label"] == "human")
            ],
        )
    if not rows:
        return "", []
    return "Other figures\n" + "\n".join(rows), misses


def _load_items(file: Path) -> list[tuple[str, str]]:
    return [(item["text"], item["label"]) for item in _load_raw_items(file)]


def _load_raw_items(file: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        typer.echo(f"nlu: cannot read {file}: {err}", err=True)
        raise typer.Exit(code=2) from err
    raw = data.get("items") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not raw:
        typer.echo(f"nlu: {file} has no items (expected items: [{{text, label}}])", err=True)
        raise typer.Exit(code=2)
    items: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("text"), str)
            and isinstance(item.get("label"), str)
        ):
            typer.echo(f"nlu: item {index} of {file} needs a text and a label", err=True)
            raise typer.Exit(code=2)
        items.append(item)
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


# --- calibrate ----------------------------------------------------------------------------

THEME_LABELS = frozenset(
    {
        "food",
        "shelter",
        "drop_in",
        "hygiene",
        "health",
        "sexual_health",
        "mental_health",
        "substance_use",
        "violence",
        "legal",
        "money",
        "employment",
        "family",
        "peer_support",
    }
)
INTENT_GRID = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)
FAQ_GRID = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)
CRISIS_GRID = (0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.01)
SECOND_GRID = (0.001, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)


@app.command()
def calibrate(
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="Labelled YAML files (as for eval)."),
    ],
    url: UrlOption = DEFAULT_NLU_URL,
    timeout: TimeoutOption = 5.0,
) -> None:
    """How each threshold of flows/understanding.py trades right answers for wrong ones.

    One table per threshold (the intent's, the FAQ selector's, the NLU-only crisis, the
    second theme), a row per candidate value; the row of the value in force is marked.
    """
    items = [item for file in files for item in _load_raw_items(file)]
    _quiet_client_logs()
    readings = asyncio.run(_read_all(url, timeout, [item["text"] for item in items]))
    if any(r.unavailable for r in readings):
        typer.echo(f"nlu: cannot calibrate, Rasa is unavailable at {url}.", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{len(items)} items from {', '.join(str(f) for f in files)}\n")
    typer.echo(calibration_report(items, readings))


def calibration_report(items: Sequence[dict[str, Any]], readings: Sequence[Reading]) -> str:
    """The four threshold tables (pure: the command's output, testable without Rasa)."""
    pairs = [(i, r) for i, r in zip(items, readings, strict=True) if not r.screening.flagged]
    out: list[str] = []

    needs = [(i, r) for i, r in pairs if i["label"] in THEME_LABELS]
    others = [(i, r) for i, r in pairs if i["label"] not in THEME_LABELS | {"crisis"}]
    out.append(
        f"INTENT_MIN_CONFIDENCE (now {INTENT_MIN_CONFIDENCE}): {len(needs)} needs, "
        f"{len(others)} other texts\n"
        "  t      needs right  wrong theme  not understood  other texts themed"
    )
    for t in INTENT_GRID:
        right = sum(1 for i, r in needs if r.theme == i["label"] and (r.confidence or 0) >= t)
        wrong = sum(1 for i, r in needs if r.theme not in (None, i["label"]) and _at(r, t))
        below = len(needs) - right - wrong
        themed = sum(1 for _, r in others if r.theme is not None and _at(r, t))
        n, o = len(needs), len(others)
        out.append(_row(t, INTENT_MIN_CONFIDENCE, (right, wrong, below, themed), (n, n, n, o)))

    faqs = [(i, r) for i, r in pairs if "faq" in i]
    no_faq = [(i, r) for i, r in pairs if "faq" not in i]
    out.append(
        f"\nFAQ_MIN_CONFIDENCE (now {FAQ_MIN_CONFIDENCE}, selector confidence, intent at or "
        f"above {INTENT_MIN_CONFIDENCE}): {len(faqs)} FAQ questions, {len(no_faq)} other texts\n"
        "  t      right topic  wrong topic  no answer       answer to a non-question"
    )
    for t in FAQ_GRID:
        shown = [(i, r, _faq_at(r, t)) for i, r in faqs]
        right = sum(1 for i, _, topic in shown if topic == i["faq"])
        wrong = sum(1 for i, _, topic in shown if topic not in (None, i["faq"]))
        stray = sum(1 for _, r in no_faq if _faq_at(r, t) is not None)
        out.append(
            _row(
                t,
                FAQ_MIN_CONFIDENCE,
                (right, wrong, len(faqs) - right - wrong, stray),
                (len(faqs), len(faqs), len(faqs), len(no_faq)),
            )
        )

    harmless = [(i, r) for i, r in pairs if i["label"] != "crisis"]
    unflagged = [(i, r) for i, r in pairs if i["label"] == "crisis"]
    # Every crisis, flagged or not: what the NLU would catch if the screen had missed it.
    crises = [(i, r) for i, r in zip(items, readings, strict=True) if i["label"] == "crisis"]
    out.append(
        f"\nCRISIS_INTENT_MIN_CONFIDENCE (now {CRISIS_INTENT_MIN_CONFIDENCE}): texts the screen "
        f"did not flag: {len(harmless)} harmless, {len(unflagged)} crises; "
        f"{len(crises)} crises in all\n"
        "  t      false alarms  caught by NLU alone  NLU would catch (any crisis)"
    )
    for t in CRISIS_GRID:
        alarms = sum(1 for _, r in harmless if _crisis_at(r, t))
        caught = sum(1 for _, r in unflagged if _crisis_at(r, t))
        backstop = sum(1 for _, r in crises if _crisis_at(r, t))
        totals = (len(harmless), len(unflagged), len(crises))
        out.append(_row(t, CRISIS_INTENT_MIN_CONFIDENCE, (alarms, caught, backstop), totals))

    second = [
        (i, r)
        for i, r in pairs
        if i["label"] != "crisis" and r.theme is None and r.intent is not None
    ]
    wanted = [
        (i.get("theme") or (i["label"] if i["label"] in THEME_LABELS else None), r)
        for i, r in second
    ]
    out.append(
        f"\nSECOND_THEME_MIN_CONFIDENCE (now {SECOND_THEME_MIN_CONFIDENCE}): {len(second)} texts "
        f"whose top intent is not a need, {sum(1 for w, _ in wanted if w)} of them with a need\n"
        "  t      need found   wrong need   need missed     need claimed, none there"
    )
    out.extend(_second_rows(wanted))
    asking = [
        (need, r)
        for (need, r), (i, _) in zip(wanted, second, strict=True)
        if r.cues.asks_human or r.intent == Intent.ASK_HUMAN.value or i.get("human")
    ]
    out.append(
        f"\n  the same, only texts that ask for a human ({len(asking)}, "
        f"{sum(1 for need, _ in asking if need)} with a need): where the engine does both"
    )
    out.extend(_second_rows(asking))
    return "\n".join(out)


def _second_rows(wanted: Sequence[tuple[str | None, Reading]]) -> list[str]:
    """Rows of the second-theme table over (the need the text holds, its reading)."""
    with_need = sum(1 for need, _ in wanted if need)
    without = len(wanted) - with_need
    rows = []
    for t in SECOND_GRID:
        claimed = [(n, r.second_theme if _second_at(r, t) else None) for n, r in wanted]
        right = sum(1 for n, c in claimed if n and c == n)
        wrong = sum(1 for n, c in claimed if n and c not in (None, n))
        missed = sum(1 for n, c in claimed if n and c is None)
        stray = sum(1 for n, c in claimed if not n and c is not None)
        totals = (with_need, with_need, with_need, without)
        rows.append(_row(t, SECOND_THEME_MIN_CONFIDENCE, (right, wrong, missed, stray), totals))
    return rows


def _at(reading: Reading, t: float) -> bool:
    return (reading.confidence or 0.0) >= t


def _faq_at(reading: Reading, t: float) -> str | None:
    if reading.faq is None or not _at(reading, INTENT_MIN_CONFIDENCE):
        return None
    return reading.faq if (reading.faq_confidence or 0.0) >= t else None


def _crisis_at(reading: Reading, t: float) -> bool:
    return reading.intent == Intent.CRISIS.value and _at(reading, t)


def _second_at(reading: Reading, t: float) -> bool:
    return reading.second_theme is not None and (reading.second_theme_confidence or 0.0) >= t


def _row(t: float, current: float, counts: tuple[int, ...], totals: tuple[int, ...]) -> str:
    """One row: the candidate value (→ the one in force), then each count and its share."""
    mark = "→" if abs(t - current) < 1e-9 else " "
    cells = "".join(
        f"{n:>6} {n / total if total else 0:>5.0%} "
        for n, total in zip(counts, totals, strict=True)
    )
    return f"{mark} {t:<5.3g}{cells}"
