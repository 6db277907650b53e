"""Turn the core's person messages into Bot API calls: escaping, splitting, keyboards."""

from __future__ import annotations

import html

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.constants import MessageLimit

from flows.actions import Keyboard, Reply

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4 096


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Cuts at a paragraph, else a line, else a space, else hard; never inside an HTML entity
    such as ``&amp;`` (the text is already escaped).
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut <= 0:
            cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
            amp = window.rfind("&", max(0, limit - 10))
            if amp != -1 and ";" not in window[amp:]:
                cut = amp
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def inline_keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    """An inline keyboard for the core's button rows (None when there are none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in buttons]
    )


def location_keyboard(label: str) -> ReplyKeyboardMarkup:
    """A one-time keyboard with Telegram's "share my location" button."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def escaped_chunks(reply: Reply) -> list[str]:
    """The reply's text, HTML-escaped for ``parse_mode=HTML`` and split to Telegram's limit."""
    return split_text(html.escape(reply.text, quote=False))
