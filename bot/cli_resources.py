"""`passerelle resources …` commands (filled in by the resources work)."""

from __future__ import annotations

import typer

app = typer.Typer(help="resources commands", no_args_is_help=True)
