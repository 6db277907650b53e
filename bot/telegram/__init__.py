"""The Telegram adapter (python-telegram-bot 22): handlers translate, nothing more."""
