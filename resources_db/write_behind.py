"""On PostgreSQL, a turn's writes that nothing reads back ride on its last statement.

Each statement on PostgreSQL is a round trip to the server (≈ 0.5–1 ms on the benchmarks'
two cores, most of it the two processes taking turns). A person's turn used to send its
conversation's ``UPDATE``, its insight and its transcript line one by one, then mark the
inbox row done. Now ``insert_later`` and ``update_later`` keep those writes in the session,
and ``carrying`` sends them as data-modifying ``WITH`` clauses of the statement that marks
the row done: one round trip instead of four, in the same transaction.

The order of the transaction's effects is kept: any other statement the session runs first
sends what is kept, on its own (``WriteBehindSession``), and so does ``commit``; a rollback
drops it. A statement that touches none of the kept tables may say so
(``execution_options={INDEPENDENT: True}``: the outbox's insert) and go ahead of them.
Inside one ``WITH``, the kept writes and the carrier touch different tables, so that none
needs to see another's rows.

SQLite keeps nothing: there a statement is a function call on the loop's thread, and
``insert_later`` / ``update_later`` write at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase

KEPT = "passerelle.kept_writes"
INDEPENDENT = "passerelle_independent"
# The outbox lanes whose advisory lock this transaction holds (taken with the conversation's
# read): the outbox need not take it again. Forgotten when the transaction ends.
LANES_LOCKED = "passerelle.lanes_locked"
_CARRIERS: dict[Hashable, UpdateBase] = {}  # built once per shape (a handful in all)
_SINGLE: dict[Hashable, UpdateBase] = {}  # the same writes, each on its own
_MOST_SHAPES = 256


@dataclass(frozen=True, slots=True)
class Kept:
    """One write kept for later: its shape (what the built statement depends on), how to
    build it with parameters named ``prefix + name``, and its values by name."""

    shape: Hashable
    build: Callable[[str], UpdateBase]
    values: Mapping[str, Any]

    def parameters(self, prefix: str) -> dict[str, Any]:
        """Its values under the names the statement built with ``prefix`` uses."""
        return {prefix + name: value for name, value in self.values.items()}


def keeps(session: AsyncSession) -> bool:
    """True where writes are kept (PostgreSQL)."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def insert_later(session: AsyncSession, table: Table, values: Mapping[str, Any]) -> None:
    """Insert one row into ``table``: kept on PostgreSQL, at once on SQLite."""
    columns = tuple(sorted(values))

    def build(prefix: str) -> UpdateBase:
        return insert(table).values({name: bindparam(prefix + name) for name in columns})

    write = Kept(("insert", table.name, columns), build, values)
    if keeps(session):
        _keep(session, write)
    else:
        await _now(session, write)


async def update_later(
    session: AsyncSession, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Update the rows matching ``key`` (column → value) with ``values``: kept on
    PostgreSQL, at once on SQLite. Nothing checks the count: the caller knows the row
    exists (it read and locked it in this transaction)."""
    keys = tuple(sorted(key))
    columns = tuple(sorted(values))

    def build(prefix: str) -> UpdateBase:
        return (
            update(table)
            .where(*(table.c[name] == bindparam(f"{prefix}key_{name}") for name in keys))
            .values({name: bindparam(f"{prefix}new_{name}") for name in columns})
        )

    named = {f"key_{k}": v for k, v in key.items()} | {f"new_{k}": v for k, v in values.items()}
    write = Kept(("update", table.name, keys, columns), build, named)
    if keeps(session):
        _keep(session, write)
    else:
        await _now(session, write)


async def _now(session: AsyncSession, write: Kept) -> Result[Any]:
    """Send one write on its own (its statement built once per shape)."""
    statement = _SINGLE.get(write.shape)
    if statement is None:
        statement = write.build("")
        if len(_SINGLE) < _MOST_SHAPES:
            _SINGLE[write.shape] = statement
    return await session.execute(statement, dict(write.values))


def _keep(session: AsyncSession, write: Kept) -> None:
    session.info.setdefault(KEPT, []).append(write)


def kept(session: AsyncSession) -> list[Kept]:
    """The writes waiting (and forgets them: the caller sends them)."""
    writes: list[Kept] = session.info.pop(KEPT, None) or []
    return writes


async def carrying(
    session: AsyncSession, carrier: UpdateBase, parameters: Mapping[str, Any]
) -> Result[Any]:
    """Run ``carrier`` with the kept writes as ``WITH`` clauses ahead of it (one statement).

    ``carrier`` is a statement built once (module level: its identity keys the cache), it
    must touch none of the kept writes' tables, and its own parameters must not start with
    ``w<digit>_``. Its result is its own (a rowcount, rows returned).
    """
    writes = kept(session)
    if not writes:
        return await session.execute(carrier, dict(parameters))
    shape = (id(carrier), tuple(write.shape for write in writes))
    statement = _CARRIERS.get(shape)
    if statement is None:
        ctes = [write.build(f"w{i}_").cte(f"kept_{i}") for i, write in enumerate(writes)]
        statement = carrier.add_cte(*ctes)
        if len(_CARRIERS) < _MOST_SHAPES:
            _CARRIERS[shape] = statement
    values = dict(parameters)
    for i, write in enumerate(writes):
        values |= write.parameters(f"w{i}_")
    return await session.execute(statement, values, execution_options={INDEPENDENT: True})


async def send_kept(session: AsyncSession) -> None:
    """Send what is kept now, each write on its own (before a statement that may need it)."""
    for write in kept(session):
        await _now(session, write)


class WriteBehindSession(AsyncSession):
    """An ``AsyncSession`` that sends kept writes before anything else it runs.

    Covered: ``execute`` (and ``scalars``, which goes through it), ``scalar``, ``get``,
    ``flush`` and ``commit``; ``rollback`` and ``close`` drop what is kept. The lanes locked
    by the transaction are forgotten when it ends.
    """

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        options = kw.get("execution_options") or {}
        if KEPT in self.info and not options.get(INDEPENDENT):
            await send_kept(self)
        return await super().execute(statement, params, **kw)

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        if KEPT in self.info:
            await send_kept(self)
        return await super().scalar(statement, params, **kw)

    async def get(self, *args: Any, **kw: Any) -> Any:
        if KEPT in self.info:
            await send_kept(self)
        return await super().get(*args, **kw)

    async def flush(self, objects: Sequence[Any] | None = None) -> None:
        if KEPT in self.info:
            await send_kept(self)
        await super().flush(objects)

    async def commit(self) -> None:
        if KEPT in self.info:
            await send_kept(self)
        try:
            await super().commit()
        finally:
            self.info.pop(LANES_LOCKED, None)

    async def rollback(self) -> None:
        self.info.pop(KEPT, None)
        self.info.pop(LANES_LOCKED, None)
        await super().rollback()

    async def close(self) -> None:
        self.info.pop(KEPT, None)
        self.info.pop(LANES_LOCKED, None)
        await super().close()


__all__ = [
    "INDEPENDENT",
    "LANES_LOCKED",
    "WriteBehindSession",
    "carrying",
    "insert_later",
    "send_kept",
    "update_later",
]
