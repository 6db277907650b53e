"""Every conversation scenario in ``tests/scenarios/`` played as the person and the worker.

Each file is one test: the real engine, the real Rasa server (started by the test session)
and crisis screen, the demo territory on a fresh SQLite copy, the in-memory staff group and
the scenario's own clock (docs/scenarios.md). A failure prints every expectation that was
not met — the step, what was expected and what the person or the worker actually saw —
exactly as ``passerelle scenarios run`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli_scenarios import report, scenario_settings
from bot.scenarios.format import scenario_files
from bot.scenarios.runner import ScenarioRunner

SCENARIOS = Path(__file__).parents[1] / "scenarios"
FILES = scenario_files([SCENARIOS])

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def runner(rasa_url: str) -> Iterator[ScenarioRunner]:
    runner = ScenarioRunner(scenario_settings(rasa_url))
    yield runner
    runner.close()


def test_there_are_scenarios_in_the_three_languages() -> None:
    names = [path.name for path in FILES]
    for suffix in ("-fr-qc.yml", "-fr-fr.yml", "-en.yml"):
        assert sum(name.endswith(suffix) for name in names) >= 15, suffix


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SCENARIOS)) for p in FILES])
async def test_the_conversation_goes_as_written(runner: ScenarioRunner, path: Path) -> None:
    result = await runner.run_file(path)
    assert result.passed, report(result)
