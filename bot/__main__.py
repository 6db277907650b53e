"""``python -m bot`` is ``passerelle``."""

from bot.cli import main

main()
