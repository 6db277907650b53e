"""``passerelle report``: the anonymous needs & gaps report (placeholder until written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="The anonymous needs & gaps report.")
