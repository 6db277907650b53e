"""What an import produces before it touches the database, and how it is written.

Both readers (the HSDS data package in ``resources_db.hsds`` and the one-sheet template in
``resources_db.template``) turn their files into a ``Bundle``: rows per table, keyed by the
HSDS column names, plus warnings. Problems that must stop the import are raised as
``ImportRejected`` *before* anything is written; ``write_bundle`` then writes everything
in the caller's transaction, so an import is all or nothing.

Re-importing is idempotent: rows are upserted by id; the children of every imported
service, location and organization (phones, schedules, addresses…) that the new files no
longer list are deleted; the derived search rows are rebuilt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from resources_db.models.resources import (
    Address,
    Attribute,
    Closure,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServicePopulation,
    ServiceTheme,
    Taxonomy,
    TaxonomyTerm,
)
from resources_db.search_index import refresh_search_points

MAX_PROBLEMS = 200
CHUNK = 500

# Write order: a row's parents come first.
TABLES: tuple[type[Any], ...] = (
    Organization,
    Location,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    Address,
    Phone,
    Schedule,
    Closure,
    ServiceLanguage,
    RequiredDocument,
    Attribute,
)
# Children replaced wholesale for every service in the bundle (no id of their own).
SERVICE_SETS: tuple[type[Any], ...] = (ServiceTheme, ServicePopulation)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the input, named the way a spreadsheet user would find it."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The input cannot be imported; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems[:MAX_PROBLEMS])
        more = len(problems) - len(self.problems)
        summary = "; ".join(str(p) for p in self.problems[:5])
        if len(problems) > 5:
            summary += f"; … ({len(problems) - 5} more)"
        if more > 0:
            summary += f" (only the first {MAX_PROBLEMS} are listed)"
        super().__init__(f"import refused, nothing was written: {summary}")


@dataclass
class Bundle:
    """Rows ready to write, by model, and what the reader had to say about them."""

    rows: dict[type[Any], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    sets: dict[type[Any], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    warnings: list[Problem] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def ids(self, model: type[Any]) -> set[str]:
        """The ids of ``model`` rows in the bundle."""
        return {row["id"] for row in self.rows.get(model, ())}


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did."""

    counts: dict[str, int]
    warnings: tuple[Problem, ...]
    skipped_files: tuple[str, ...] = ()
    search_rows: int = 0


# --- links to rows already in the database ----------------------------------------------------


async def existing_ids(session: AsyncSession, model: type[Any], ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` already exist as ``model`` rows."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update(await session.scalars(select(model.id).where(model.id.in_(chunk))))
    return found


# --- writing ----------------------------------------------------------------------------------


async def write_bundle(session: AsyncSession, bundle: Bundle) -> ImportReport:
    """Write ``bundle`` in the session's transaction (the caller commits or rolls back)."""
    dialect = session.get_bind().dialect.name
    counts: dict[str, int] = {}
    for model in TABLES:
        rows = bundle.rows.get(model, [])
        if rows:
            await _upsert(session, model.__table__, rows, dialect)
        counts[model.__tablename__] = len(rows)
    service_ids = sorted(bundle.ids(Service))
    for model in SERVICE_SETS:
        for start in range(0, len(service_ids), CHUNK):
            chunk = service_ids[start : start + CHUNK]
            await session.execute(delete(model).where(model.service_id.in_(chunk)))
        rows = bundle.sets.get(model, [])
        if rows:
            await session.execute(model.__table__.insert(), rows)
        counts[model.__tablename__] = len(rows)
    await _delete_stale_children(session, bundle)
    affected = set(service_ids)
    location_ids = sorted(bundle.ids(Location))
    for start in range(0, len(location_ids), CHUNK):
        chunk = location_ids[start : start + CHUNK]
        affected.update(
            await session.scalars(
                select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(chunk))
            )
        )
    search_rows = await refresh_search_points(session, affected)
    await session.flush()
    return ImportReport(
        counts=counts,
        warnings=tuple(bundle.warnings),
        skipped_files=tuple(bundle.skipped_files),
        search_rows=search_rows,
    )


async def _upsert(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], dialect: str
) -> None:
    """Insert or update by primary key, the same way on SQLite and PostgreSQL."""
    module = postgresql if dialect == "postgresql" else sqlite
    columns = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    full = [{name: row.get(name, _default(table, name)) for name in columns} for row in rows]
    statement = module.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in columns if name not in keys},
    )
    for start in range(0, len(full), CHUNK):
        await session.execute(statement, full[start : start + CHUNK])


def _default(table: Table, name: str) -> Any:
    column = table.columns[name]
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    return None


async def _delete_stale_children(session: AsyncSession, bundle: Bundle) -> None:
    """Children of imported parents that the new input no longer lists are removed."""
    services = sorted(bundle.ids(Service))
    locations = sorted(bundle.ids(Location))
    organizations = sorted(bundle.ids(Organization))
    sals = sorted(bundle.ids(ServiceAtLocation))
    children: tuple[tuple[type[Any], list[tuple[Any, list[str]]]], ...] = (
        (ServiceAtLocation, [(ServiceAtLocation.service_id, services)]),
        (Address, [(Address.location_id, locations)]),
        (
            Phone,
            [
                (Phone.service_id, services),
                (Phone.location_id, locations),
                (Phone.organization_id, organizations),
                (Phone.service_at_location_id, sals),
            ],
        ),
        (
            Schedule,
            [
                (Schedule.service_id, services),
                (Schedule.location_id, locations),
                (Schedule.service_at_location_id, sals),
            ],
        ),
        (Closure, [(Closure.service_id, services), (Closure.location_id, locations)]),
        (
            ServiceLanguage,
            [(ServiceLanguage.service_id, services), (ServiceLanguage.location_id, locations)],
        ),
        (RequiredDocument, [(RequiredDocument.service_id, services)]),
        (Attribute, [(Attribute.link_id, [*services, *locations, *organizations])]),
    )
    for model, links in children:
        keep = bundle.ids(model)
        for column, parents in links:
            for start in range(0, len(parents), CHUNK):
                chunk = parents[start : start + CHUNK]
                stale = [
                    row_id
                    for row_id in await session.scalars(select(model.id).where(column.in_(chunk)))
                    if row_id not in keep
                ]
                for first in range(0, len(stale), CHUNK):
                    await session.execute(
                        delete(model).where(model.id.in_(stale[first : first + CHUNK]))
                    )


__all__ = [
    "Bundle",
    "ImportRejected",
    "ImportReport",
    "Problem",
    "existing_ids",
    "write_bundle",
]
