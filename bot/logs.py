"""Logging set-up: pseudonyms and event kinds only; no message text, no tokens, no raw ids."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import TextIO

_TOKEN = re.compile(r"bot\d{5,}:[A-Za-z0-9_-]{20,}")
# python-telegram-bot logs the raw update JSON when it cannot parse one ("Received data
# was …"), which would put names, usernames, ids and message text in our logs.
_PAYLOAD_MARKERS = ("Received data was", "received data was", "Update:", "update:")


class PrivacyFilter(logging.Filter):
    """Last line of defence on every handler: masks bot tokens, withholds raw payloads."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        changed = False
        if record.name.startswith("telegram"):
            for marker in _PAYLOAD_MARKERS:
                if marker in message:
                    message = message.split(marker, 1)[0] + marker + " [payload withheld]"
                    changed = True
        if _TOKEN.search(message):
            message = _TOKEN.sub("bot<redacted>", message)
            changed = True
        if changed:
            record.msg = message
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the traceback, if any).

    The message has already been through ``PrivacyFilter``: pseudonym prefixes and event
    kinds, never text, names or raw ids.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    level: str = "INFO", stream: TextIO | None = None, fmt: str = "text"
) -> logging.Handler:
    """Configure the root logger and silence libraries that log URLs or payloads.

    ``fmt`` is ``text`` (readable) or ``json`` (one object per line, for log collectors).
    """
    handler = logging.StreamHandler(stream)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PrivacyFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # HTTP clients may log request URLs, which carry the bot token (httpx, still used for
    # Rasa, logs every one; aiohttp's client carries the Bot API calls); telegram's debug
    # logs carry update payloads. None of it belongs in our logs.
    for noisy in (
        "httpx",
        "httpcore",
        "telegram",
        "apscheduler",
        "aiosqlite",
        "asyncio",
        "tornado",
        "aiohttp.access",
        "aiohttp.client",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
