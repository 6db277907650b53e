"""``passerelle audit --case ALIAS``: the append-only trail of what workers did with a case.

It prints who (a worker's pseudonym, and the first name they chose if any), did what, when,
in the deployment's time zone. It never prints what anyone wrote.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo

import typer

from bot.settings import Settings, SettingsError, load_settings
from flows.cases import AuditEntry, Case
from flows.identity import pseudonym_for

app = typer.Typer(help="The audit log of worker actions (append-only).")
WORKER_CHARS = 10


@app.callback(invoke_without_command=True)
def audit(
    case: Annotated[
        str, typer.Option("--case", help="The case's alias (Renard-42) or number (12).")
    ],
) -> None:
    """Print the audit trail of a case: every take, reply, note, give back, close, reopen, read."""
    try:
        settings = load_settings()
    except SettingsError as err:
        typer.echo(f"Configuration error: {err}", err=True)
        raise typer.Exit(code=2) from err
    found = asyncio.run(print_trail(settings, case, sys.stdout))
    if not found:
        typer.echo(f"No case {case!r}.", err=True)
        raise typer.Exit(code=1)


async def print_trail(settings: Settings, reference: str, out: TextIO) -> int:
    """Write the trail of every case matching ``reference``; returns how many matched."""
    # Imported here so that `passerelle --help` does not load the database stack.
    from resources_db.crypto import AddressCipher  # noqa: PLC0415
    from resources_db.db import create_engine, session_factory  # noqa: PLC0415
    from resources_db.unit_of_work import SqlUnitOfWorkFactory  # noqa: PLC0415

    engine = create_engine(settings.database_url)
    uow_factory = SqlUnitOfWorkFactory(
        session_factory(engine), AddressCipher(settings.encryption_key.get_secret_value())
    )
    key = settings.pseudonym_key.get_secret_value().encode()
    configured = {
        pseudonym_for(key, f"worker:{user_id}"): name
        for user_id, name in settings.staff_workers.items()
        if name
    }
    zone = ZoneInfo(settings.timezone)
    try:
        async with uow_factory() as uow:
            text = reference.strip().lstrip("#").strip()
            if text.isdigit():
                one = await uow.cases.get(int(text))
                cases = [one] if one is not None else []
            else:
                cases = await uow.cases.find(text)
            for case in cases:
                trail = await uow.audit.trail(case.id)
                names = {}
                for entry in trail:
                    chosen = await uow.workers.name_of(entry.worker)
                    names[entry.worker] = chosen or configured.get(entry.worker)
                out.write(render_trail(case, trail, names, zone))
    finally:
        await engine.dispose()
    return len(cases)


def render_trail(
    case: Case, trail: list[AuditEntry], names: dict[str, str | None], zone: ZoneInfo
) -> str:
    """A case header, then one line per audited action, oldest first."""

    def when(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    lines = [
        f"Case #{case.id} · {case.alias} · {case.priority} · {case.status} · {case.reason}",
        f"  opened {when(case.opened_at)}"
        + (f" · closed {when(case.closed_at)}" if case.closed_at else ""),
    ]
    if not trail:
        lines.append("  (no worker action yet)")
    for entry in trail:
        name = names.get(entry.worker)
        who = entry.worker[:WORKER_CHARS] + (f" ({name})" if name else "")
        lines.append(f"  {when(entry.at)}  {entry.action:<10} worker {who}")
    return "\n".join(lines) + "\n"
