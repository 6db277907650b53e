"""JSON logs: one object per line, the privacy filter still in front."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import configure_logging


def test_json_lines_carry_level_logger_and_message_and_mask_tokens() -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", stream, fmt="json")
    try:
        logging.getLogger("bot.test").info(
            "event TextReceived for %s via bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a1b2c3"
        )
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("bot.test").exception("turn failed")
    finally:
        logging.getLogger().removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines()[:2])
    assert (first["level"], first["logger"]) == ("INFO", "bot.test")
    assert first["message"] == "event TextReceived for a1b2c3 via bot<redacted>"
    assert "T" in first["time"]
    assert "ValueError: boom" in second["exception"]
