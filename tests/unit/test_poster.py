"""Posters, pocket cards and the social picture: the QR code a phone reads leads to the bot.

Each product is rendered, rasterised by PDFium as a printer or a screen would, and its QR
codes are read back by zxing-cpp, a decoder that knows nothing of how they were drawn.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app
from bot.hours_label import hours_label
from bot.outreach.poster import (
    CODE,
    Paper,
    PosterContent,
    deep_link,
    render_cards,
    render_poster,
    render_social,
)
from flows.catalogue import Catalogue
from flows.domain import Language
from flows.engine import Engine
from flows.events import CommandReceived, Inbound

LINK = "https://t.me/PasserelleSherbrookeBot?start=parc-jc"
CATALOGUE = Catalogue.load()


def content(code: str = "parc-jc") -> PosterContent:
    return PosterContent(
        bot_username="PasserelleSherbrookeBot",
        code=code,
        place="Parc Jacques-Cartier",
        team="Travail de rue Sherbrooke",
        emergency="911",
        hours={lang: hours_label("Mo-Fr 09:00-21:00", lang) for lang in Language},
    )


def pages(pdf: Path, scale: float = 3.0) -> list[Image.Image]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [page.render(scale=scale).to_pil().convert("L") for page in document]
    finally:
        document.close()


def text_of(pdf: Path) -> str:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def qr_texts(image: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


@pytest.mark.parametrize(
    ("paper", "points"), [(Paper.A4, (595.3, 841.9)), (Paper.LETTER, (612.0, 792.0))]
)
def test_the_poster_qr_code_leads_to_the_bot_with_the_place_code(
    tmp_path: Path, paper: Paper, points: tuple[float, float]
) -> None:
    pdf = render_poster(content(), tmp_path / "poster.pdf", paper, CATALOGUE)
    document = pdfium.PdfDocument(str(pdf))
    width, height = document[0].get_size()
    document.close()
    assert (round(width, 1), round(height, 1)) == points
    [page] = pages(pdf)
    assert qr_texts(page) == [LINK]


def test_the_poster_says_the_promise_in_both_languages_with_the_emergency_number(
    tmp_path: Path,
) -> None:
    pdf = render_poster(content(), tmp_path / "poster.pdf", Paper.LETTER, CATALOGUE)
    words = " ".join(text_of(pdf).split())
    for expected in (
        "Besoin d’aide ? Écris-nous.",
        "Need help? Write to us.",
        "Anonyme · Gratuit",
        "Anonymous · Free",
        "Ce n’est pas une ligne d’urgence.",
        "This is not an emergency line.",
        "911",
        "Travail de rue Sherbrooke",
        "du lundi au vendredi, de 9 h à 21 h",
        "Monday to Friday, 9 am to 9 pm",
        "t.me/PasserelleSherbrookeBot?start=parc-jc",
    ):
        assert expected in words, expected


def test_the_poster_embeds_its_font_so_accents_print_anywhere(tmp_path: Path) -> None:
    pdf = render_poster(content(), tmp_path / "poster.pdf", Paper.A4, CATALOGUE)
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw  # an embedded TrueType font, not a name the printer must have
    assert b"DejaVuSans" in raw


def test_eight_pocket_cards_per_page_each_lead_to_the_bot(tmp_path: Path) -> None:
    pdf = render_cards(content(), tmp_path / "cards.pdf", Paper.A4, CATALOGUE)
    [page] = pages(pdf)
    assert qr_texts(page) == [LINK] * 8
    words = " ".join(text_of(pdf).split())
    assert words.count("911") == 8
    assert words.count("Ce n’est pas une ligne d’urgence.") == 8


def test_the_social_picture_is_1080_by_1350_and_its_code_scans(tmp_path: Path) -> None:
    png = render_social(content(), tmp_path / "social.png", CATALOGUE)
    with Image.open(png) as image:
        assert image.size == (1080, 1350)
        assert qr_texts(image.convert("L")) == [LINK]


@pytest.mark.parametrize("code", ["parc-jc", "HLM_Fleurimont", "a", "x" * 48])
async def test_every_code_a_poster_accepts_is_kept_by_the_bot(
    tmp_path: Path, engine: Engine, code: str
) -> None:
    assert CODE.match(code)
    decision = await engine.decide(None, Inbound("p" * 64, CommandReceived("start", code)))
    assert decision.conversation is not None
    assert decision.conversation.source == code


@pytest.mark.parametrize("code", ["", "parc jc", "école", "x" * 49, "a/b", "../etc"])
def test_codes_the_bot_would_not_keep_are_refused(code: str) -> None:
    assert not CODE.match(code)
    with pytest.raises(ValueError, match="poster code"):
        deep_link("PasserelleSherbrookeBot", code)


def test_the_command_refuses_without_the_bots_username(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secrets_env: dict[str, str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    monkeypatch.delenv("BOT_USERNAME", raising=False)
    result = CliRunner().invoke(
        app, ["poster", "--place", "Parc", "--code", "parc", "--out", str(tmp_path / "p.pdf")]
    )
    assert result.exit_code == 2
    assert "BOT_USERNAME is not set" in result.output
    assert not (tmp_path / "p.pdf").exists()


def test_the_command_refuses_a_code_the_bot_would_not_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secrets_env: dict[str, str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_USERNAME", "PasserelleSherbrookeBot")
    result = CliRunner().invoke(
        app, ["poster", "--place", "Parc", "--code", "parc jc", "--out", str(tmp_path / "p.pdf")]
    )
    assert result.exit_code == 1
    assert "--code 'parc jc' must be 1 to 48" in result.output
