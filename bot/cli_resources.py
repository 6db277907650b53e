"""``passerelle resources …``: keep the resource directory fresh, and try the nearby search.

These commands need only the database and the deployment's place in the world
(``DATABASE_URL``, ``TIMEZONE``, ``JURISDICTION``, from the environment or ``.env``); they
read no secret, so a coordinator can run them without the bot's keys.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.catalogue import Catalogue
from flows.directory import Place, ResourceCard, SearchQuery
from flows.domain import Jurisdiction, Language, Theme
from flows.results import card_text
from resources_db.bundle import ImportRejected, ImportReport
from resources_db.db import create_engine, session_factory
from resources_db.directory import SqlResourceDirectory
from resources_db.hsds import export_package
from resources_db.importer import import_gazetteer, import_path, load_demo
from resources_db.models.resources import (
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTheme,
)

app = typer.Typer(help="The resource directory.", no_args_is_help=True)

STALE_AFTER_DAYS = 180
T = TypeVar("T")


class _Env(BaseSettings):
    """The three settings these commands need; nothing secret."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///data/passerelle.db"
    timezone: str = "America/Montreal"
    jurisdiction: Jurisdiction = Jurisdiction.QC


@dataclass(frozen=True, slots=True)
class ResourcesSettings:
    """Where the directory lives and where the deployment is."""

    database_url: str
    timezone: ZoneInfo
    jurisdiction: Jurisdiction


def _settings() -> ResourcesSettings:
    """``DATABASE_URL``, ``TIMEZONE`` and ``JURISDICTION`` from the environment or ``.env``."""
    try:
        env = _Env()
        zone = ZoneInfo(env.timezone)
    except ValidationError as err:
        typer.echo(f"Configuration error: {err.errors()[0]['msg']}", err=True)
        raise typer.Exit(code=2) from err
    except (ZoneInfoNotFoundError, ValueError) as err:
        typer.echo(f"Configuration error: unknown TIMEZONE {_Env().timezone!r}", err=True)
        raise typer.Exit(code=2) from err
    return ResourcesSettings(env.database_url, zone, env.jurisdiction)


def _run(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run ``work`` with a session factory on the configured database, then close it."""
    settings = _settings()

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (OperationalError, ProgrammingError) as err:
        typer.echo(
            "The database is not ready (run `passerelle db upgrade` first?): "
            f"{str(err.orig).splitlines()[0]}",
            err=True,
        )
        raise typer.Exit(code=2) from err


def _print_report(report: ImportReport, *, quiet: bool = False) -> None:
    if quiet:
        return
    counts = ", ".join(f"{n} {table}" for table, n in report.counts.items() if n)
    typer.echo(f"Imported: {counts or 'nothing'}; {report.search_rows} search rows.")
    for warning in report.warnings:
        typer.echo(f"warning: {warning}")
    if report.skipped_files:
        typer.echo(f"Checked but not kept: {', '.join(report.skipped_files)}")


def _refused(err: ImportRejected) -> typer.Exit:
    typer.echo("Import refused; nothing was written:", err=True)
    for problem in err.problems:
        typer.echo(f"  {problem}", err=True)
    return typer.Exit(code=1)


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="An HSDS 3.0 package folder, or a template .csv")],
) -> None:
    """Import an HSDS package or a filled template sheet (all or nothing; again = update)."""
    settings = _settings()
    try:
        report = _run(
            lambda sessions: import_path(sessions, path, jurisdiction=settings.jurisdiction)
        )
    except ImportRejected as err:
        raise _refused(err) from err
    _print_report(report)


@app.command()
def gazetteer(
    path: Annotated[
        Path, typer.Argument(help="CSV: jurisdiction,kind,name,latitude,longitude,aliases")
    ],
) -> None:
    """Load the places people may name (neighbourhoods, towns, postal areas) with aliases."""
    settings = _settings()
    try:
        count = _run(
            lambda sessions: import_gazetteer(sessions, path, jurisdiction=settings.jurisdiction)
        )
    except ImportRejected as err:
        raise _refused(err) from err
    typer.echo(f"{count} places loaded.")


@app.command()
def export(folder: Annotated[Path, typer.Argument(help="Where to write the package")]) -> None:
    """Export the directory as an HSDS 3.0 data package, validated with frictionless."""

    async def work(sessions: async_sessionmaker[AsyncSession]) -> Any:
        async with sessions() as session:
            return await export_package(session, folder)

    report = _run(work)
    counts = ", ".join(f"{n} {table}" for table, n in report.counts.items())
    typer.echo(f"Wrote {folder}: {counts}.")
    if not report.valid:
        typer.echo("The package does NOT validate:", err=True)
        for error in report.errors[:50]:
            typer.echo(f"  {error}", err=True)
        raise typer.Exit(code=1)
    typer.echo("Valid HSDS 3.0 tabular data package (checked with frictionless).")


@app.command()
def demo(quiet: Annotated[bool, typer.Option("--quiet", help="Print nothing")] = False) -> None:
    """Load (or refresh) the FICTIONAL Sherbrooke demo territory and its gazetteer."""
    report, places = _run(load_demo)
    if not quiet:
        typer.echo(
            f"Demo territory loaded: {report.counts.get('service', 0)} fictional services "
            f"around Sherbrooke, {places} known places."
        )


@app.command()
def check(
    days: Annotated[int, typer.Option(help="Verified longer ago than this is stale")] = (
        STALE_AFTER_DAYS
    ),
) -> None:
    """List services to look at: stale, without hours, without coordinates or without theme.

    Exits with 1 when something needs attention (handy in a weekly cron).
    """
    settings = _settings()
    today = datetime.now(settings.timezone).date()
    findings = _run(lambda sessions: _findings(sessions, today - timedelta(days=days)))
    total = 0
    for title, rows in findings.items():
        if not rows:
            continue
        typer.echo(f"{title} ({len(rows)}):")
        for service_id, name, detail in rows:
            typer.echo(f"  - {name}{detail} [{service_id}]")
        total += len(rows)
    if total:
        raise typer.Exit(code=1)
    typer.echo("Every service is fresh, has hours, a place on the map and a theme.")


async def _findings(
    sessions: async_sessionmaker[AsyncSession], stale_before: date
) -> dict[str, list[tuple[str, str, str]]]:
    visible = Service.status.in_(("active", "temporarily closed"))
    has_schedule = or_(
        exists().where(Schedule.service_id == Service.id),
        exists().where(
            Schedule.service_at_location_id == ServiceAtLocation.id,
            ServiceAtLocation.service_id == Service.id,
        ),
        exists().where(
            Schedule.location_id == ServiceAtLocation.location_id,
            ServiceAtLocation.service_id == Service.id,
        ),
    )
    has_point = exists().where(
        ServiceAtLocation.service_id == Service.id,
        Location.id == ServiceAtLocation.location_id,
        Location.latitude.is_not(None),
    )
    async with sessions() as session:
        stale = (
            await session.execute(
                select(Service.id, Service.name, Service.assured_date)
                .where(
                    visible,
                    or_(Service.assured_date.is_(None), Service.assured_date < stale_before),
                )
                .order_by(func.coalesce(Service.assured_date, date.min), Service.name)
            )
        ).all()
        no_hours = (
            await session.execute(
                select(Service.id, Service.name)
                .where(
                    visible,
                    Service.always_open.is_(False),
                    Service.opening_hours.is_(None),
                    ~has_schedule,
                )
                .order_by(Service.name)
            )
        ).all()
        no_point = (
            await session.execute(
                select(Service.id, Service.name).where(visible, ~has_point).order_by(Service.name)
            )
        ).all()
        no_theme = (
            await session.execute(
                select(Service.id, Service.name)
                .where(visible, ~exists().where(ServiceTheme.service_id == Service.id))
                .order_by(Service.name)
            )
        ).all()
    return {
        "Not verified recently": [
            (sid, name, f" (verified {when.isoformat()})" if when else " (never verified)")
            for sid, name, when in stale
        ],
        "No opening hours": [(sid, name, "") for sid, name in no_hours],
        "No coordinates: cannot be found by distance": [(sid, name, "") for sid, name in no_point],
        "No theme: cannot be found by theme": [(sid, name, "") for sid, name in no_theme],
    }


@app.command()
def search(  # noqa: PLR0917 - typer maps each command-line option to a parameter
    theme: Annotated[Theme, typer.Option(help="One of the 14 theme ids")],
    near: Annotated[str, typer.Option(help="'45.40,-71.89', a postal code or a place name")],
    open_now: Annotated[bool, typer.Option("--open-now", help="Only what is open")] = False,
    free: Annotated[bool, typer.Option("--free", help="Only what is free")] = False,
    walk_in: Annotated[bool, typer.Option("--walk-in", help="Only walk-in")] = False,
    age: Annotated[int | None, typer.Option(help="The person's age")] = None,
    radius: Annotated[int, typer.Option(help="Metres (widens if nothing is found)")] = 5_000,
    limit: Annotated[int, typer.Option(help="How many results")] = 10,
    at: Annotated[
        str | None, typer.Option(help="ISO date-time instead of now (local if no offset)")
    ] = None,
    language: Annotated[Language, typer.Option(help="fr or en")] = Language.FR,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list on stdout")] = False,
) -> None:
    """Search like the bot does, and show the cards (or JSON)."""
    settings = _settings()
    moment = _moment(at, settings.timezone)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> Any:
        directory = SqlResourceDirectory(sessions, settings.jurisdiction, settings.timezone)
        place = _coordinates(near) or await directory.locate(near)
        if place is None:
            return None
        query = SearchQuery(
            theme=theme,
            place=place,
            at=moment,
            open_now=open_now,
            free_only=free,
            walk_in_only=walk_in,
            age=age,
            radius_m=radius,
            limit=limit,
            language=language,
        )
        return await directory.search(query)

    page = _run(work)
    if page is None:
        typer.echo(
            f"Unknown place {near!r}: give 'lat,lon', a postal code or a known name.", err=True
        )
        raise typer.Exit(code=2)
    if as_json:
        sys.stdout.write(
            json.dumps([_as_json(c) for c in page.cards], ensure_ascii=False, indent=2)
        )
        sys.stdout.write("\n")
        return
    widened = f", widened from {page.requested_radius_m} m" if page.widened else ""
    typer.echo(f"{page.total} found within {page.radius_m} m{widened}.")
    catalogue = Catalogue.load()
    for card in page.cards:
        typer.echo("")
        typer.echo(card_text(catalogue, card, language, now=page.now))


def _moment(at: str | None, zone: ZoneInfo) -> datetime:
    if at is None:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError as err:
        raise typer.BadParameter(f"{at!r} is not an ISO date-time", param_hint="--at") from err
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _coordinates(text: str) -> Place | None:
    parts = text.replace(" ", "").split(",")
    if len(parts) != 2:
        return None
    try:
        return Place(float(parts[0]), float(parts[1]))
    except ValueError:
        return None


def _as_json(card: ResourceCard) -> dict[str, Any]:
    return {
        "service_id": card.service_id,
        "name": card.name,
        "organization": card.organization,
        "themes": [t.value for t in card.themes],
        "distance_m": card.distance_m,
        "open_now": card.open_now,
        "next_change": card.next_change.isoformat() if card.next_change else None,
        "always_open": card.always_open,
        "temporarily_closed": card.temporarily_closed,
        "address": card.address,
        "area": card.area,
        "confidential": card.confidential,
        "latitude": card.latitude,
        "longitude": card.longitude,
        "phone": card.phone,
        "free": card.free,
        "walk_in": card.walk_in,
        "no_id_needed": card.no_id_needed,
        "verified_on": card.verified_on.isoformat() if card.verified_on else None,
        "demo": card.demo,
        "alert": card.alert,
    }
