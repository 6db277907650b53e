"""What a turn costs in SQL: statements per turn, by statement, and those compiled anew.

Plays paced turns through the real application (the suite's driver and fake Bot API,
constant NLU answer) and counts every statement sent to the database while they run —
the turns' own and the background's (claims, the sender's bookkeeping) — divided by the
number of turns. "compiled" counts statements SQLAlchemy could not take from its cache.

    .venv/bin/python -m benchmarks.statements [--backend sqlite|postgresql]
        [--kind buttons|text] [--people 10]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
from collections import Counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.suite import TimedBotApi, database, drive, passerelle

COUNTS: Counter[str] = Counter()
COMPILED: Counter[str] = Counter()
_ON = [False]
_LAST = [""]


def _short(statement: str) -> str:
    return re.sub(r"\s+", " ", statement)[:96]


@event.listens_for(Engine, "before_cursor_execute")
def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if _ON[0]:
        COUNTS[_short(statement)] += 1


class _CompileWatch(logging.Handler):
    """SQLAlchemy's engine log says, for each statement, whether it came from the cache."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("["):
            _LAST[0] = _short(message)
        elif _ON[0] and ("generated in" in message or "no key" in message):
            COMPILED[_LAST[0]] += 1


async def main(args: argparse.Namespace) -> None:
    log = logging.getLogger("sqlalchemy.engine.Engine")
    log.setLevel(logging.INFO)
    log.addHandler(_CompileWatch())
    log.propagate = False
    async with (
        TimedBotApi() as api,
        database(args.backend) as url,
        passerelle(api, url, rasa=False),
    ):
        await drive(api, 2, args.kind, 9_000_000)  # warm: caches filled, tables created
        COUNTS.clear()
        COMPILED.clear()
        _ON[0] = True
        latencies, _ = await drive(api, args.people, args.kind, 10_000_000)
        _ON[0] = False
    turns = len(latencies)
    print(
        f"{args.backend}, {args.kind}, {args.people} people: {turns} turns, "
        f"{sum(COUNTS.values()) / turns:.1f} statements a turn, "
        f"{sum(COMPILED.values()) / turns:.2f} compiled anew a turn"
    )
    for statement, count in COUNTS.most_common(25):
        compiled = COMPILED.get(statement, 0) / turns
        note = f"  (compiled {compiled:.2f})" if compiled else ""
        print(f"  {count / turns:5.2f}  {statement}{note}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--kind", default="buttons", choices=("buttons", "text"))
    parser.add_argument("--people", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
