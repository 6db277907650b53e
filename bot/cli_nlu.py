"""`passerelle nlu …` commands (filled in by the nlu work)."""

from __future__ import annotations

import typer

app = typer.Typer(help="nlu commands", no_args_is_help=True)
