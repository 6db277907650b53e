"""The Telegram adapter (python-telegram-bot 22): handlers translate, nothing more."""

import os

# Opt in to PTB's future behaviour (durations as ``timedelta``, e.g. ``RetryAfter``): without
# it every 429 answer raises a deprecation warning inside the library itself.
os.environ.setdefault("PTB_TIMEDELTA", "1")
