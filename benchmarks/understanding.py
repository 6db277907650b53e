"""Speed of the deterministic readers: the cue reader, the language detector, the crisis screen.

Every text a person sends goes through all three before (or instead of) the NLU, so they
must cost microseconds, not milliseconds. The texts are the kinds people send: a word, a
joual sentence, an English question, a long message. Each figure is the median and the
99th percentile of ``--runs`` timed calls per text, after a warm-up, plus the language
detector's start-up (its models are loaded once, when the bot starts).

    .venv/bin/python -m benchmarks.understanding [--runs 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from nlu.crisis import DeterministicCrisisScreen
from nlu.cues import RuleCueReader
from nlu.language import LinguaLanguageDetector

TEXTS: dict[str, str] = {
    "one word": "ouais",
    "joual": "jdors dehors depuis 3 jours, jveux parler a quelqu'un",
    "English question": "hi, where can I take a shower and wash my clothes?",
    "someone else": "je demande pour mon fils, il a 16 ans pis il consomme",
    "long (2 000 chars)": ("je cherche une place pour manger pis dormir ce soir. " * 40)[:2_000],
}


# The worst inputs we know for the crisis screen: 10 000 characters of repeated short words
# that its patterns start with. They are bounded (no catastrophic backtracking) but not free,
# and they run on the event loop: the figure says how long one such message holds it.
PATHOLOGICAL: dict[str, str] = {
    "10 000 × 'a'": "a" * 10_000,
    "'je ' × 3 333": "je " * 3_333,
    "'me ' × 3 333": "me " * 3_333,
    "'il x x …' × 190": ("il " + "x " * 50) * 190,
    "'💊 ' × 5 000": "💊 " * 5_000,
}
PATHOLOGICAL_RUNS = 5


def _timed(call: Callable[[str], object], text: str, runs: int) -> tuple[float, float]:
    for _ in range(min(runs, 200)):
        call(text)
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call(text)
        samples.append((time.perf_counter_ns() - start) / 1_000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    """Print one table: reader × text → median and p99 in microseconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2_000)
    args = parser.parse_args()

    start = time.perf_counter()
    detector = LinguaLanguageDetector()
    load_s = time.perf_counter() - start
    readers: dict[str, Callable[[str], object]] = {
        "cues": RuleCueReader().read,
        "language": detector.detect,
        "crisis screen": DeterministicCrisisScreen().screen,
    }
    print(f"language detector start-up (models preloaded): {load_s * 1000:.0f} ms")
    print(f"{'text':<20}" + "".join(f"{name:>26}" for name in readers))
    print(f"{'':<20}" + "".join(f"{'median / p99 (µs)':>26}" for _ in readers))
    for label, text in TEXTS.items():
        cells = []
        for read in readers.values():
            median, p99 = _timed(read, text, args.runs)
            cells.append(f"{median:>10.0f} / {p99:<10.0f}")
        print(f"{label:<20}" + "".join(f"{c:>26}" for c in cells))
    screen = DeterministicCrisisScreen().screen
    print("\ncrisis screen, worst inputs (median / max of 5 calls, ms)")
    for label, text in PATHOLOGICAL.items():
        samples = []
        for _ in range(PATHOLOGICAL_RUNS):
            start = time.perf_counter()
            screen(text)
            samples.append((time.perf_counter() - start) * 1_000)
        print(f"{label:<20}{statistics.median(samples):>10.0f} / {max(samples):<10.0f}")


if __name__ == "__main__":
    main()
