"""Async client of Rasa's HTTP API (placeholder until the NLU work lands: always unavailable)."""

from __future__ import annotations

from flows.domain import Language
from flows.understanding import Interpretation, NluUnavailable


class RasaNluClient:
    """``Nlu`` port over Rasa's ``/model/parse``."""

    def __init__(self, base_url: str, timeout_s: float = 2.0) -> None:
        self._base_url = base_url
        self._timeout_s = timeout_s

    async def parse(self, text: str, language: Language) -> Interpretation | NluUnavailable:
        """Interpret one message."""
        del text, language
        return NluUnavailable("not implemented yet")

    async def aclose(self) -> None:
        """Close the HTTP client."""
