"""How the person sees who writes: « Prénom — Organisation », never the worker's account."""

from __future__ import annotations

from dataclasses import dataclass

from flows.catalogue import Catalogue
from flows.domain import Language


@dataclass(frozen=True, slots=True)
class Signature:
    """The deployment's signature: its template and organisation, built once at start-up.

    ``template`` uses ``{name}`` and may use ``{organisation}`` (the settings check it).
    """

    catalogue: Catalogue
    organisation: str
    template: str = "{name} — {organisation}"

    def sign(self, worker_name: str | None, language: Language) -> str:
        """The signature of a worker; one who chose no first name signs neutrally."""
        name = worker_name or self.catalogue.text("handoff.someone", language)
        return self.template.format(name=name, organisation=self.organisation)

    def __call__(self, worker_name: str | None, language: Language) -> str:
        """Same as ``sign``."""
        return self.sign(worker_name, language)
