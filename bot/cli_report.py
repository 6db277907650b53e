"""``passerelle report --from DATE --to DATE --out DIR``: the anonymous needs & gaps report.

Writes CSV files, PNG charts and one self-contained ``report.html`` into DIR: anonymous
counts over whole weeks, every count under ``REPORT_MIN_COUNT`` (never less than 5) masked,
and no published figure that contains a masked one. See docs/report.md.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.settings import Settings, SettingsError, load_settings
from flows.domain import Language

app = typer.Typer(help="The anonymous needs & gaps report (CSV, charts, one HTML page).")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from err


@app.callback(invoke_without_command=True)
def report(
    start: Annotated[
        str, typer.Option("--from", help="First day (YYYY-MM-DD); its whole week is counted.")
    ],
    end: Annotated[
        str, typer.Option("--to", help="Last day (YYYY-MM-DD); its whole week is counted.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The folder to write the report into.")],
    language: Annotated[
        str | None, typer.Option("--language", help="fr or en (default: STAFF_LANGUAGE).")
    ] = None,
) -> None:
    """Write the needs & gaps report for the weeks from --from to --to into --out."""
    try:
        settings = load_settings()
    except SettingsError as err:
        typer.echo(f"Configuration error: {err}", err=True)
        raise typer.Exit(code=2) from err
    first, last = _date(start), _date(end)
    if last < first:
        typer.echo("--to is before --from.", err=True)
        raise typer.Exit(code=1)
    try:
        chosen = Language(language.lower()) if language else settings.staff_language
    except ValueError as err:
        typer.echo(f"--language {language!r}: fr or en.", err=True)
        raise typer.Exit(code=1) from err
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 - keeps `--help` fast

    try:
        written = asyncio.run(make_report(settings, first, last, out, chosen))
    except SQLAlchemyError as err:
        typer.echo(
            f"The database cannot say ({type(err).__name__}): is it up, and migrated "
            "(`passerelle db upgrade`)?",
            err=True,
        )
        raise typer.Exit(code=1) from err
    typer.echo(f"Wrote {len(written)} files into {out} (open {out / 'report.html'}).")


async def make_report(
    settings: Settings, first: date, last: date, out: Path, language: Language
) -> list[Path]:
    """Gather, build and write the report; returns the files written."""
    # Imported here so that `passerelle --help` does not load matplotlib and the database.
    from bot.outreach.report import Period, build, gather, write  # noqa: PLC0415
    from flows.catalogue import Catalogue  # noqa: PLC0415
    from resources_db.db import create_engine, session_factory  # noqa: PLC0415

    period = Period.covering(first, last, ZoneInfo(settings.timezone))
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            counts = await gather(session, period)
    finally:
        await engine.dispose()
    built = build(
        counts,
        period,
        team=settings.team_name,
        threshold=settings.report_min_count,
        language=language,
        catalogue=Catalogue.load(settings.formality),
    )
    return await asyncio.to_thread(write, built, out)
