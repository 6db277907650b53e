"""Adapters (Telegram, console, CLI) and the composition root."""
