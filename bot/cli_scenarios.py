"""``passerelle scenarios run``: play conversation scenarios (see docs/scenarios.md)."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Annotated

import typer

from bot.scenarios.format import ScenarioError, scenario_files
from bot.scenarios.runner import ScenarioResult, ScenarioRunner
from bot.settings import SettingsError, load_settings
from resources_db.crypto import generate_key

app = typer.Typer(no_args_is_help=True)


@app.command("run")
def run(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders of them.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON result object per scenario.")
    ] = False,
    nlu_url: Annotated[str | None, typer.Option(help="The Rasa server (default: NLU_URL).")] = None,
) -> None:
    """Play each scenario against the real engine, NLU server and demo territory."""
    try:
        files = scenario_files(paths)
        base = scenario_settings(nlu_url)
    except (ScenarioError, SettingsError) as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(code=2) from err
    results = asyncio.run(_play(base, files))
    for result in results:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False) if as_json else report(result))
    failed = [r for r in results if not r.passed]
    if not as_json:
        typer.echo(f"\n{len(results) - len(failed)} passed, {len(failed)} failed.")
    if failed:
        raise typer.Exit(code=1)


def scenario_settings(nlu_url: str | None = None) -> dict[str, object]:
    """The settings scenarios play with: this deployment's, but fresh keys, never its own.

    Scenarios play on throwaway databases, so nothing they write can be read with the
    deployment's keys.
    """
    settings = load_settings(pseudonym_key=secrets.token_urlsafe(48), encryption_key=generate_key())
    base = settings.model_dump()
    if nlu_url:
        base["nlu_url"] = nlu_url
    return base


async def _play(base: dict[str, object], files: list[Path]) -> list[ScenarioResult]:
    runner = ScenarioRunner(base)
    try:
        return [await runner.run_file(path) for path in files]
    finally:
        runner.close()


def report(result: ScenarioResult) -> str:
    """A human-readable account of one scenario: passed, or every failed expectation."""
    if result.passed:
        return f"PASS {result.path} — {result.name}"
    lines = [f"FAIL {result.path} — {result.name}"]
    if result.error:
        lines.append(f"  invalid scenario: {result.error}")
    for failure in result.failures:
        lines.append(f"  step {failure.step} ({failure.action}): {failure.key}")
        lines.append(f"    expected: {failure.expected}")
        lines.append(f"    saw:      {failure.actual}")
    return "\n".join(lines)
