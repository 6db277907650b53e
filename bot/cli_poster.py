"""``passerelle poster``: a wall poster, pocket cards and a social-media picture for one place.

``passerelle poster --place "Parc Jacques-Cartier" --code parc-jc --out poster.pdf`` writes
``poster.pdf``, ``poster-cards.pdf`` (8 per page) and ``poster-social.png``; each leads to
``t.me/<BOT_USERNAME>?start=parc-jc``. ``passerelle poster --list`` shows the codes in use
and how many conversations each brought, counts under the report's threshold shown as « < 5 ».
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.outreach.poster import Paper

app = typer.Typer(help="Posters and pocket cards with a QR code to the bot, per place.")


class CodeTakenError(Exception):
    """The code is already printed for another place."""


@app.callback(invoke_without_command=True)
def poster(  # noqa: PLR0917 - typer maps each option to a parameter
    place: Annotated[
        str | None, typer.Option("--place", help="Where it will hang: Parc Jacques-Cartier.")
    ] = None,
    code: Annotated[
        str | None,
        typer.Option("--code", help="The place's code in the link: 1-48 of A-Z a-z 0-9 - _."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="The poster PDF to write.")] = None,
    paper: Annotated[
        str | None, typer.Option("--paper", help="a4 or letter (default: by JURISDICTION).")
    ] = None,
    cards: Annotated[
        bool, typer.Option("--cards/--no-cards", help="Also write 8 pocket cards per page.")
    ] = True,
    png: Annotated[
        bool, typer.Option("--png/--no-png", help="Also write a 1080×1350 PNG for social media.")
    ] = True,
    list_codes: Annotated[
        bool, typer.Option("--list", help="Show the codes in use and what they brought.")
    ] = False,
) -> None:
    """Make a poster (PDF), pocket cards (PDF) and a picture (PNG) for one place."""
    settings = _settings()
    if list_codes:
        asyncio.run(print_codes(settings, sys.stdout))
        return
    if not place or not code or out is None:
        _fail("--place, --code and --out are required (or --list).")
    from bot.outreach.poster import CODE, Paper  # noqa: PLC0415 - keeps `--help` fast

    if not CODE.match(code):
        _fail(f"--code {code!r} must be 1 to 48 letters, digits, '-' or '_' (e.g. parc-jc).")
    try:
        chosen = Paper(paper.lower()) if paper else _default_paper(settings)
    except ValueError:
        _fail(f"--paper {paper!r}: a4 or letter.")
    try:
        written = make_poster(settings, place, code, out, chosen, cards=cards, png=png)
    except SettingsError as err:
        typer.echo(f"Configuration error: {err}", err=True)
        raise typer.Exit(code=2) from err
    except CodeTakenError as err:
        _fail(str(err))
    for path in written:
        typer.echo(f"Wrote {path}")


def make_poster(
    settings: Settings,
    place: str,
    code: str,
    out: Path,
    paper: Paper,
    *,
    cards: bool = True,
    png: bool = True,
) -> list[Path]:
    """Write the poster (and cards, PNG) for ``place``; returns the paths written.

    Raises:
        SettingsError: BOT_USERNAME is not set.
        CodeTakenError: ``code`` is already printed for another place.
    """
    from bot.hours_label import team_hours_label  # noqa: PLC0415
    from bot.outreach.poster import (  # noqa: PLC0415
        PosterContent,
        render_cards,
        render_poster,
        render_social,
    )
    from flows.catalogue import Catalogue  # noqa: PLC0415
    from flows.domain import Language  # noqa: PLC0415
    from nlu.crisis_lines import FileCrisisLineRegistry  # noqa: PLC0415

    bot_username = settings.require_bot_username()
    recorded = asyncio.run(_record(settings, code, place))
    if recorded is not None and recorded.strip().casefold() != place.strip().casefold():
        raise CodeTakenError(
            f"code {code!r} is already printed for {recorded!r}: choose another code, so that "
            "the report can tell the two places apart."
        )
    catalogue = Catalogue.load(settings.formality)
    lines = FileCrisisLineRegistry.load().lines_for(settings.jurisdiction)
    content = PosterContent(
        bot_username=bot_username,
        code=code,
        place=place.strip(),
        team=settings.team_name,
        emergency=lines.emergency_number,
        hours={
            lang: team_hours_label(
                settings.team_hours,
                lang,
                public_holidays=settings.team_public_holidays,
                catalogue=catalogue,
            )
            for lang in Language
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    written = [render_poster(content, out, paper, catalogue)]
    if cards:
        written.append(
            render_cards(content, out.with_name(f"{out.stem}-cards.pdf"), paper, catalogue)
        )
    if png:
        written.append(render_social(content, out.with_name(f"{out.stem}-social.png"), catalogue))
    return written


async def _record(settings: Settings, code: str, place: str) -> str | None:
    """Record the code's place; the place already recorded for it, or None if not recorded."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from resources_db.db import create_engine, session_factory  # noqa: PLC0415
    from resources_db.insights import register_poster  # noqa: PLC0415

    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            found = await register_poster(session, code, place, date.today())  # noqa: DTZ011 - a local printing date
            await session.commit()
            return found.place
    except SQLAlchemyError as err:
        typer.echo(
            f"warning: the code was not recorded in the database ({type(err).__name__}); "
            "run `passerelle db upgrade` so that `passerelle poster --list` knows it.",
            err=True,
        )
        return None
    finally:
        await engine.dispose()


async def print_codes(settings: Settings, out: TextIO) -> None:
    """Each code in use: its place, when it was first printed, conversations it started."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from flows.insights import InsightKind  # noqa: PLC0415
    from resources_db.db import create_engine, session_factory  # noqa: PLC0415
    from resources_db.insights import count_events, posters  # noqa: PLC0415

    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            printed = {p.code: p for p in await posters(session)}
            counts = await count_events(
                session, InsightKind.ARRIVAL, ["source"], date.min, date.max
            )
    except SQLAlchemyError as err:
        typer.echo(
            f"The database cannot say ({type(err).__name__}): run `passerelle db upgrade`.",
            err=True,
        )
        raise typer.Exit(code=1) from err
    finally:
        await engine.dispose()
    started = {str(key[0]): n for key, n in counts.items() if key[0]}
    codes = sorted(set(printed) | set(started))
    if not codes:
        out.write("No poster code yet: `passerelle poster --place … --code … --out …`.\n")
        return
    threshold = settings.report_min_count
    out.write(f"{'code':<20} {'place':<32} {'printed':<10}  conversations\n")
    for code in codes:
        poster = printed.get(code)
        n = started.get(code, 0)
        shown = str(n) if n >= threshold else f"< {threshold}"
        place = poster.place if poster else "?"
        when = poster.printed_on.isoformat() if poster else "?"
        out.write(f"{code:<20} {place[:32]:<32} {when:<10}  {shown}\n")


def _default_paper(settings: Settings) -> Paper:
    from bot.outreach.poster import Paper  # noqa: PLC0415
    from flows.domain import Jurisdiction  # noqa: PLC0415

    return Paper.LETTER if settings.jurisdiction is Jurisdiction.QC else Paper.A4


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as err:
        typer.echo(f"Configuration error: {err}", err=True)
        raise typer.Exit(code=2) from err


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)
