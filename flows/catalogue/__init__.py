"""The message catalogue: every user-facing sentence, in every supported language.

Entries live in the ``*.toml`` files beside this module, one table per key with one string
per language (``fr``, ``en``) and optionally ``fr_vous`` where the formal French differs
from the default tutoiement. Placeholders use ``str.format`` syntax.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from importlib import resources

from flows.domain import Formality, Language

REQUIRED_LANGUAGES: tuple[str, ...] = tuple(lang.value for lang in Language)
VARIANTS: tuple[str, ...] = ("fr_vous",)


def placeholders(template: str) -> frozenset[str]:
    """The named placeholders of a template."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    )


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Looks up and fills message templates."""

    entries: dict[str, dict[str, str]]
    formality: Formality = Formality.TU

    @classmethod
    def load(cls, formality: Formality = Formality.TU) -> Catalogue:
        """Read every ``*.toml`` file of the package into one catalogue."""
        entries: dict[str, dict[str, str]] = {}
        for item in sorted(resources.files(__package__).iterdir(), key=lambda i: i.name):
            if not item.name.endswith(".toml"):
                continue
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            for key, value in _flatten(data):
                if key in entries:
                    raise ValueError(f"catalogue key {key!r} defined twice ({item.name})")
                entries[key] = value
        return cls(entries=entries, formality=formality)

    def has(self, key: str) -> bool:
        """True when ``key`` exists."""
        return key in self.entries

    def text(self, key: str, language: Language, **values: object) -> str:
        """The message ``key`` in ``language``, filled with ``values``."""
        entry = self.entries[key]
        template = entry[language.value]
        if language is Language.FR and self.formality is Formality.VOUS:
            template = entry.get("fr_vous", template)
        return template.format(**values)


def _flatten(data: dict[str, object], prefix: str = "") -> list[tuple[str, dict[str, str]]]:
    """Turn nested TOML tables into dotted keys; a table with a ``fr`` string is a leaf."""
    out: list[tuple[str, dict[str, str]]] = []
    for name, value in data.items():
        if not isinstance(value, dict):
            raise TypeError(f"catalogue entry {prefix}{name} must be a table")
        key = f"{prefix}{name}"
        if isinstance(value.get("fr"), str):
            out.append((key, {str(k): str(v) for k, v in value.items()}))
        else:
            out.extend(_flatten(value, prefix=f"{key}."))
    return out
