"""Posters, pocket cards and a social-media picture that lead to the bot from a place.

Each carries a QR code of the bot's deep link ``https://t.me/<bot>?start=<code>``: Telegram
hands the code to the bot with the person's first ``/start``, and the bot keeps only that
code (the place), never who scanned it. Every text comes from the catalogue, French first
then English; the emergency number is the jurisdiction's, from the crisis-line registry.

Drawn with reportlab in vector form (the QR code too, so it stays sharp at any size), in
DejaVu Sans — embedded, so accents print everywhere — taken from matplotlib's own fonts.
The PNG is the same drawing on a 1080 × 1350 page rasterised by PDFium at one pixel a point.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
import pypdfium2 as pdfium
import segno
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from flows.catalogue import Catalogue
from flows.domain import Language
from flows.insights import POSTER_CODE

# The bot's deep-link rule: Telegram allows 64 characters of [A-Za-z0-9_-] in a start
# parameter; the bot keeps at most 48 (tests/unit/test_poster.py checks the engine agrees).
CODE = POSTER_CODE
SOCIAL_SIZE = (1080, 1350)  # pixels: the 4:5 portrait most feeds show uncropped
CARDS_PER_ROW, CARD_ROWS = 2, 4
QUIET_ZONE = 4  # modules of white around the QR code, as the standard asks

FONT, FONT_BOLD = "PasserelleSans", "PasserelleSans-Bold"
INK = HexColor("#1B1B1B")
MUTED = HexColor("#4A4A4A")
BRAND = HexColor("#0B4F6C")  # deep teal: readable in black-and-white copies too
ALERT = HexColor("#A4161A")
CUT = HexColor("#9A9A9A")


class Paper(StrEnum):
    """Paper sizes: A4 in France, Letter in Québec."""

    A4 = "a4"
    LETTER = "letter"

    @property
    def size(self) -> tuple[float, float]:
        """Width and height in points."""
        width, height = A4 if self is Paper.A4 else LETTER
        return float(width), float(height)


@dataclass(frozen=True, slots=True)
class PosterContent:
    """What a poster says: where it leads and the promise, in both languages."""

    bot_username: str
    code: str
    place: str
    team: str
    emergency: str
    hours: dict[Language, str]

    @property
    def deep_link(self) -> str:
        """The link the QR code holds."""
        return deep_link(self.bot_username, self.code)

    @property
    def short_link(self) -> str:
        """The link as people would type it."""
        return self.deep_link.removeprefix("https://")


def deep_link(bot_username: str, code: str) -> str:
    """``https://t.me/<bot>?start=<code>``; the code must follow the bot's rule."""
    if not CODE.match(code):
        raise ValueError(
            f"poster code {code!r} must be 1 to 48 letters, digits, '-' or '_' (e.g. parc-jc)"
        )
    return f"https://t.me/{bot_username}?start={code}"


# --- fonts ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    fonts = Path(mpl.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))


# --- the drawing ------------------------------------------------------------------------------


class _Writer:
    """Centred, wrapped text on a canvas, top-down from a cursor."""

    def __init__(self, canvas: Canvas, left: float, width: float, top: float) -> None:
        self.c = canvas
        self.left = left
        self.width = width
        self.y = top

    def lines(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        color: Color = INK,
        leading: float = 1.18,
        after: float = 0.0,
    ) -> None:
        font = FONT_BOLD if bold else FONT
        self.c.setFillColor(color)
        self.c.setFont(font, size)
        for line in simpleSplit(text, font, size, self.width):
            self.y -= size
            self.c.drawCentredString(self.left + self.width / 2, self.y, line)
            self.y -= size * (leading - 1)
        self.y -= after


def _fit(text: str, largest: float, smallest: float, width: float) -> float:
    """The largest bold size (down to ``smallest``) at which ``text`` holds on one line."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, FONT_BOLD, size) > width:
        size -= 1
    return size


def _qr_modules(link: str) -> tuple[tuple[bool, ...], ...]:
    qr = segno.make_qr(link, error="q", boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


def _runs(row: tuple[bool, ...]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    start = None
    for i, dark in enumerate((*row, False)):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i - start
            start = None


def draw_qr(canvas: Canvas, link: str, x: float, y: float, size: float) -> None:
    """The QR code of ``link`` as vector squares, quiet zone included, in a ``size`` square."""
    modules = _qr_modules(link)
    count = len(modules) + 2 * QUIET_ZONE
    unit = size / count
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    for r, row in enumerate(modules):
        top = y + size - (r + QUIET_ZONE) * unit
        for start, length in _runs(row):
            # A hair of overlap so that no white seam appears between runs when rasterised.
            canvas.rect(
                x + (start + QUIET_ZONE) * unit,
                top - unit - 0.01,
                length * unit,
                unit + 0.02,
                stroke=0,
                fill=1,
            )


def _draw_poster(
    canvas: Canvas, size: tuple[float, float], content: PosterContent, t: Catalogue
) -> None:
    """One full poster on the current page, laid out for ``size`` (points)."""
    width, height = size
    s = min(width / A4[0], height / A4[1])  # 1.0 on A4
    margin = 36 * s
    inner = width - 2 * margin
    fr, en = Language.FR, Language.EN

    # The team's band.
    band = 74 * s
    canvas.setFillColor(BRAND)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    head = _Writer(canvas, margin, inner, height - band / 2 + 13 * s)
    head.lines(content.team, 26 * s, bold=True, color=white)

    # From the bottom up: the footer, then the emergency box.
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 7 * s)
    canvas.drawRightString(width - margin, 14 * s, f"{content.place} · {content.code}")
    box_h = 132 * s
    box_y = 28 * s
    canvas.setFillColor(ALERT)
    canvas.roundRect(margin, box_y, inner, box_h, 10 * s, stroke=0, fill=1)
    box = _Writer(canvas, margin + 10 * s, inner - 20 * s, box_y + box_h - 12 * s)
    box.lines(
        f"{t.text('poster.not_emergency', fr)} {t.text('poster.not_emergency', en)}",
        13 * s,
        bold=True,
        color=white,
        after=6 * s,
    )
    label = f"{t.text('poster.emergency', fr)} · {t.text('poster.emergency', en)}"
    box.lines(label, 18 * s, bold=True, color=white, after=2 * s)
    box.lines(
        content.emergency, _fit(content.emergency, 52 * s, 24 * s, inner), bold=True, color=white
    )

    # Top down: the call, the promise.
    w = _Writer(canvas, margin, inner, height - band - 22 * s)
    headline = t.text("poster.headline", fr)
    w.lines(headline, _fit(headline, 44 * s, 30 * s, inner), bold=True, after=4 * s)
    w.lines(t.text("poster.headline", en), 27 * s, bold=True, color=BRAND, after=12 * s)
    w.lines(t.text("poster.promise", fr), 17 * s, after=2 * s)
    w.lines(t.text("poster.promise", en), 14 * s, color=MUTED, after=12 * s)

    # What sits under the QR code, measured first so the code takes the room that is left.
    below: list[tuple[str, float, bool, Color]] = [
        (content.short_link, 13 * s, True, INK),
        (t.text("poster.scan", fr), 12 * s, False, INK),
        (t.text("poster.scan", en), 11 * s, False, MUTED),
        (t.text("poster.hours", fr, hours=content.hours[fr]), 12 * s, False, INK),
        (t.text("poster.hours", en, hours=content.hours[en]), 11 * s, False, MUTED),
    ]
    below_h = (
        sum(
            len(simpleSplit(text, FONT_BOLD if bold else FONT, points, inner)) * points * 1.18
            for text, points, bold, _ in below
        )
        + 30 * s
    )
    room = w.y - (box_y + box_h) - below_h
    qr = max(120 * s, min(room, 300 * s, inner))
    w.y -= qr
    draw_qr(canvas, content.deep_link, (width - qr) / 2, w.y, qr)
    w.y -= 8 * s
    for index, (text, points, bold, color) in enumerate(below):
        w.lines(text, points, bold=bold, color=color, after=(8 if index in (0, 2) else 1) * s)


def _draw_card(
    canvas: Canvas, box: tuple[float, float, float, float], content: PosterContent, t: Catalogue
) -> None:
    """One pocket card in ``box``: lower-left corner, width and height."""
    x, y, w, h = box
    fr, en = Language.FR, Language.EN
    pad = 10
    qr = min(h - 2 * pad - 26, w * 0.42)
    draw_qr(canvas, content.deep_link, x + pad, y + h - pad - qr, qr)
    # The emergency line across the bottom.
    canvas.setFillColor(ALERT)
    canvas.rect(x + pad, y + pad, w - 2 * pad, 22, stroke=0, fill=1)
    alert = _Writer(canvas, x + pad + 4, w - 2 * pad - 8, y + pad + 17)
    alert.lines(
        f"{t.text('poster.emergency', fr)} · {t.text('poster.emergency', en)}  ☎ "
        f"{content.emergency}",
        9,
        bold=True,
        color=white,
    )
    right = x + pad + qr + 8
    text = _Writer(canvas, right, x + w - pad - right, y + h - pad)
    text.lines(content.team, 11, bold=True, color=BRAND, after=3)
    text.lines(t.text("poster.headline", fr), 9.5, bold=True, after=1)
    text.lines(t.text("poster.headline", en), 8.5, color=MUTED, after=4)
    text.lines(f"{t.text('poster.short_promise', fr)} / {t.text('poster.short_promise', en)}", 7.5)
    text.lines(t.text("poster.not_emergency", fr), 7, bold=True, color=ALERT)
    text.lines(t.text("poster.not_emergency", en), 7, color=ALERT, after=3)
    text.lines(content.short_link, 6.5, color=MUTED)


# --- the three products -----------------------------------------------------------------------


def render_poster(content: PosterContent, out: Path, paper: Paper, t: Catalogue) -> Path:
    """The wall poster: one page of ``paper``."""
    _register_fonts()
    canvas = Canvas(str(out), pagesize=paper.size)
    _describe(canvas, content)
    _draw_poster(canvas, paper.size, content, t)
    canvas.showPage()
    canvas.save()
    return out


def render_cards(content: PosterContent, out: Path, paper: Paper, t: Catalogue) -> Path:
    """Eight pocket cards on one page of ``paper``, with dashed cutting lines."""
    _register_fonts()
    width, height = paper.size
    canvas = Canvas(str(out), pagesize=paper.size)
    _describe(canvas, content)
    margin = 18  # most printers cannot print to the very edge
    cw = (width - 2 * margin) / CARDS_PER_ROW
    ch = (height - 2 * margin) / CARD_ROWS
    for row in range(CARD_ROWS):
        for col in range(CARDS_PER_ROW):
            _draw_card(canvas, (margin + col * cw, margin + row * ch, cw, ch), content, t)
    canvas.setStrokeColor(CUT)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    for col in range(CARDS_PER_ROW + 1):
        canvas.line(margin + col * cw, margin / 2, margin + col * cw, height - margin / 2)
    for row in range(CARD_ROWS + 1):
        canvas.line(margin / 2, margin + row * ch, width - margin / 2, margin + row * ch)
    canvas.showPage()
    canvas.save()
    return out


def render_social(content: PosterContent, out: Path, t: Catalogue) -> Path:
    """A 1080 × 1350 PNG of the poster for social media."""
    _register_fonts()
    buffer = io.BytesIO()
    size = (float(SOCIAL_SIZE[0]), float(SOCIAL_SIZE[1]))
    canvas = Canvas(buffer, pagesize=size)
    _describe(canvas, content)
    _draw_poster(canvas, size, content, t)
    canvas.showPage()
    canvas.save()
    document = pdfium.PdfDocument(buffer.getvalue())
    try:
        page = document[0]
        bitmap = page.render(scale=1)
        bitmap.to_pil().convert("RGB").save(out, format="PNG", optimize=True)
    finally:
        document.close()
    return out


def _describe(canvas: Canvas, content: PosterContent) -> None:
    canvas.setTitle(f"{content.team} — {content.place}")
    canvas.setAuthor(content.team)
    canvas.setSubject(content.deep_link)
    canvas.setCreator("Passerelle")
