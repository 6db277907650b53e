"""Import a directory file into the database: one transaction, all or nothing.

``import_path`` takes an HSDS package folder or a template CSV; ``load_demo`` loads the
demo territory (a template sheet and a gazetteer) shipped in ``resources_db/demo``.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.domain import Jurisdiction
from resources_db.bundle import Bundle, ImportRejected, ImportReport, Problem, write_bundle
from resources_db.geo import KIND_PREFERENCE, GazetteerEntry, load_gazetteer, valid_coordinates
from resources_db.hsds import bundle_from_package, read_package
from resources_db.models.resources import Closure, Service
from resources_db.template_sheet import bundle_from_template, read_template

# The day the demo sheet's dates were written relative to; loading shifts them to today.
DEMO_REFERENCE_DATE = date(2026, 11, 20)
DEMO_SHEET = "sherbrooke.csv"
DEMO_GAZETTEER = "gazetteer.csv"


async def import_path(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    jurisdiction: Jurisdiction,
    demo: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Import an HSDS package folder or a template ``.csv``; raise ``ImportRejected``."""
    moment = now or datetime.now(UTC)
    is_dir, is_file = await asyncio.to_thread(lambda: (path.is_dir(), path.is_file()))
    if is_dir:
        package = await asyncio.to_thread(read_package, path)
        async with sessions() as session, session.begin():
            bundle = await bundle_from_package(session, package, now=moment, demo=demo)
            return await _write(session, bundle, path)
    if path.suffix.lower() == ".csv" and is_file:
        table = await asyncio.to_thread(read_template, path)
        bundle = bundle_from_template(table, jurisdiction=jurisdiction, now=moment, demo=demo)
        async with sessions() as session, session.begin():
            return await _write(session, bundle, path)
    raise ImportRejected(
        [Problem(str(path), None, None, "is neither an HSDS package folder nor a .csv sheet")]
    )


async def _write(session: AsyncSession, bundle: Bundle, path: Path) -> ImportReport:
    try:
        return await write_bundle(session, bundle)
    except IntegrityError as err:
        # Checks above should make this unreachable; if the database still refuses, say so
        # in the same terms (the transaction is rolled back by the caller's context).
        raise ImportRejected(
            [Problem(path.name, None, None, f"the database refused the data ({err.orig})")]
        ) from err


async def load_demo(
    sessions: async_sessionmaker[AsyncSession], *, today: date | None = None
) -> tuple[ImportReport, int]:
    """Load (or refresh) the Sherbrooke demo territory; returns the report and places known."""
    folder = resources.files("resources_db.demo")
    moment = datetime.now(UTC)
    shift = ((today or moment.date()) - DEMO_REFERENCE_DATE).days
    with resources.as_file(folder / DEMO_SHEET) as sheet:
        table = await asyncio.to_thread(read_template, sheet)
    bundle = bundle_from_template(table, jurisdiction=Jurisdiction.QC, now=moment, demo=True)
    shift_dates(bundle, shift)
    entries = read_gazetteer((folder / DEMO_GAZETTEER).read_text("utf-8"))
    async with sessions() as session, session.begin():
        report = await _write(session, bundle, Path(DEMO_SHEET))
        places = await load_gazetteer(session, entries, demo=True)
    return report, places


async def import_gazetteer(
    sessions: async_sessionmaker[AsyncSession], path: Path, *, jurisdiction: Jurisdiction
) -> int:
    """Load a deployment's gazetteer CSV (see ``read_gazetteer``); returns places written."""
    entries = read_gazetteer(await asyncio.to_thread(path.read_text, "utf-8"), path.name)
    wrong = [e.name for e in entries if e.jurisdiction is not jurisdiction]
    if wrong:
        raise ImportRejected(
            [Problem(path.name, None, "jurisdiction", f"not {jurisdiction.value}: {wrong[0]!r}")]
        )
    async with sessions() as session, session.begin():
        return await load_gazetteer(session, entries)


def shift_dates(bundle: Bundle, days: int) -> None:
    """Move the bundle's verification, capacity and closure dates by ``days``."""
    if not days:
        return
    delta = timedelta(days=days)
    for model, fields in (
        (Service, ("assured_date", "capacity_updated_at")),
        (Closure, ("starts_on", "ends_on")),
    ):
        for row in bundle.rows.get(model, []):
            for field in fields:
                if row.get(field) is not None:
                    row[field] = row[field] + delta


GAZETTEER_COLUMNS = ("jurisdiction", "kind", "name", "latitude", "longitude")


def read_gazetteer(text: str, file: str = DEMO_GAZETTEER) -> list[GazetteerEntry]:
    """Gazetteer entries from CSV text: jurisdiction,kind,name,latitude,longitude,aliases.

    ``kind`` is neighbourhood, city or postal_code; ``aliases`` are separated by ``|``.
    Raises ``ImportRejected`` naming the row and column of every problem.
    """
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in GAZETTEER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected([Problem(file, 1, c, "required column is missing") for c in missing])
    entries: list[GazetteerEntry] = []
    problems: list[Problem] = []
    for row_number, row in enumerate(reader, start=2):
        try:
            jurisdiction = Jurisdiction(row["jurisdiction"].strip().lower())
        except ValueError:
            problems.append(Problem(file, row_number, "jurisdiction", "is not qc or fr"))
            continue
        kind = row["kind"].strip()
        if kind not in KIND_PREFERENCE:
            problems.append(
                Problem(file, row_number, "kind", f"is not one of {list(KIND_PREFERENCE)}")
            )
            continue
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError:
            problems.append(Problem(file, row_number, "latitude", "coordinates must be numbers"))
            continue
        if not valid_coordinates(lat, lon) or not row["name"].strip():
            problems.append(Problem(file, row_number, "latitude", "not a named point on Earth"))
            continue
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        entries.append(GazetteerEntry(jurisdiction, kind, row["name"].strip(), lat, lon, aliases))
    if problems:
        raise ImportRejected(problems)
    return entries
