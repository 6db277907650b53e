"""Telegram rendering: long texts split cleanly, user text escaped, payloads kept out of logs."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import configure_logging
from bot.telegram.render import escaped_chunks, split_text
from flows.actions import Reply


def test_short_text_is_one_chunk() -> None:
    assert split_text("bonjour") == ["bonjour"]


@pytest.mark.parametrize("size", [4_097, 10_000, 50_000])
def test_long_text_is_split_under_the_limit_and_nothing_is_lost(size: int) -> None:
    words = " ".join(f"mot{i}" for i in range(size // 5))[:size]
    chunks = split_text(words)
    assert all(0 < len(c) <= 4_096 for c in chunks)
    assert " ".join(chunks).split() == words.split()


def test_split_prefers_paragraphs_then_lines() -> None:
    text = "A" * 3_000 + "\n\n" + "B" * 3_000 + "\n" + "C" * 100
    chunks = split_text(text)
    assert chunks[0] == "A" * 3_000
    assert chunks[1].startswith("B")


def test_a_word_longer_than_the_limit_is_cut_outside_an_entity() -> None:
    text = "x" * 4_093 + "&amp;" + "y" * 10
    chunks = split_text(text)
    assert chunks[0] == "x" * 4_093
    assert chunks[1].startswith("&amp;")


def test_user_text_is_escaped_for_html() -> None:
    chunks = escaped_chunks(Reply("<b>gras</b> & <i>"))
    assert chunks == ["&lt;b&gt;gras&lt;/b&gt; &amp; &lt;i&gt;"]


def test_a_payload_logged_by_the_telegram_library_is_withheld() -> None:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream)
    try:
        logging.getLogger("telegram.ext.ExtBot").critical(
            "Error while parsing updates! Received data was %s",
            {"from": {"first_name": "Maëlys", "id": 777000111}, "text": "je dors dehors"},
        )
        logging.getLogger("passerelle").warning(
            "calling https://api.telegram.org/bot123456789:AAFakeTokenForTestsOnly_abcdefgh/getMe"
        )
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert "Error while parsing updates" in output
    assert "payload withheld" in output
    for secret in ("Maëlys", "777000111", "dehors", "AAFakeToken"):
        assert secret not in output
