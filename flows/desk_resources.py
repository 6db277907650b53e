"""Sending a resource card from the desk: ``/ressource food J1H``, pick one, the person gets it.

Pure steps on the core's own ports: read the worker's request (a theme by id or by its
French or English label, then a place — or the area the person chose), search the
directory, show the worker a short numbered list with one button each, and, once they pick,
find that service again and hand its card to ``WorkerActions.send_resource``.

A button carries the search itself (theme, rounded point, rank) and a short fingerprint of
the service, so no state is kept between the list and the pick; if the list changed in
between, the worker is told to ask again rather than sent the wrong place.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flows.actions import Button, Keyboard
from flows.cases import Case
from flows.catalogue import Catalogue
from flows.commands import fold
from flows.directory import Place, ResourceCard, SearchQuery
from flows.domain import Language, Theme
from flows.ports import Clock, ResourceDirectory
from flows.staff_view import CaseVerb, StaffView, case_payload

CHOICES = 5  # services offered to the worker at once
LABEL_CHARS = 40  # a button's label, at most
_WORDS = re.compile(r"[^\W\d_]+")
_MIN_WORD = 4  # label words shorter than this say too little to name a theme


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    """What the worker asked for: a theme and where (their words, or the person's area)."""

    theme: Theme
    place: str


@dataclass(frozen=True, slots=True)
class ResourceChoices:
    """What the group is shown: the list (or why there is none) and one button per service."""

    text: str
    buttons: Keyboard = ()


def fingerprint(service_id: str) -> str:
    """Eight characters that tell one service from another in a button."""
    return hashlib.sha256(service_id.encode("utf-8")).hexdigest()[:8]


def theme_names(catalogue: Catalogue) -> dict[str, Theme]:
    """Every way a worker may name a theme, folded: its id, its French or English label, a
    word of a label that names only that theme (``manger``, ``dormir``, ``mentale``…), or one
    of the team's own words for it (``staff.resource.words.<theme>``: ``bouffe``, ``lit``…)."""
    names: dict[str, Theme] = {}
    words: dict[str, set[Theme]] = {}
    for theme in Theme:
        names[fold(theme.value)] = theme
        names[fold(theme.value.replace("_", " "))] = theme
        for language in Language:
            label = " ".join(_WORDS.findall(fold(catalogue.text(f"theme.{theme}", language))))
            names.setdefault(label, theme)
            for word in label.split():
                if len(word) >= _MIN_WORD:
                    words.setdefault(word, set()).add(theme)
            key = f"staff.resource.words.{theme}"
            if catalogue.has(key):
                for extra in catalogue.text(key, language).split(","):
                    if extra.strip():
                        words.setdefault(fold(extra), set()).add(theme)
    for word, themes in words.items():
        if len(themes) == 1:
            names.setdefault(word, next(iter(themes)))
    return names


def parse_resource_request(
    argument: str, names: dict[str, Theme], default_place: str | None = None
) -> ResourceRequest | None:
    """``food J1H``, ``santé mentale Sherbrooke``, ``manger`` (with the person's area)…

    The longest run of leading words that names a theme is the theme; the rest is the
    place. None when no theme is named or no place is known.
    """
    words = argument.split()
    for length in range(min(3, len(words)), 0, -1):
        theme = names.get(" ".join(fold(w) for w in words[:length]))
        if theme is None:
            continue
        place = " ".join(words[length:]).strip() or (default_place or "")
        return ResourceRequest(theme, place) if place else None
    return None


def _distance(metres: int | None, language: Language) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return f" · {max(10, round(metres / 10) * 10)} m"
    figure = f"{metres / 1000:.1f}".removesuffix(".0")
    return f" · {figure.replace('.', ',') if language is Language.FR else figure} km"


class DeskResources:
    """Finds services for a worker and, once picked, the service again for the person."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        directory: ResourceDirectory,
        clock: Clock,
        view: StaffView,
    ) -> None:
        self._t = catalogue
        self._directory = directory
        self._clock = clock
        self._view = view
        self._names = theme_names(catalogue)

    async def choices(self, case: Case, argument: str) -> ResourceChoices:
        """The list for ``/ressource <theme> [<place>]`` in a case's place, or why not."""
        request = parse_resource_request(argument, self._names, case.context.get("area"))
        if request is None:
            return ResourceChoices(self._view.text("staff.resource.usage"))
        found = await self._directory.locate(request.place)
        if found is None:
            unknown = self._view.text("staff.resource.place_unknown", place=request.place)
            return ResourceChoices(unknown)
        # Rounded as the buttons carry it, so the pick searches from exactly the same point.
        place = Place(round(found.latitude, 3), round(found.longitude, 3))
        theme_label = self._t.text(f"theme.{request.theme}", self._view.language)
        page = await self._directory.search(self._query(request.theme, place, self._view.language))
        if not page.cards:
            return ResourceChoices(
                self._view.text("staff.resource.none", theme=theme_label, place=request.place)
            )
        lines = [
            self._view.text(
                "staff.resource.header", theme=theme_label, place=request.place, alias=case.alias
            )
        ]
        buttons = []
        for rank, card in enumerate(page.cards):
            detail = _distance(card.distance_m, self._view.language)
            lines.append(f"{rank + 1}. {card.name}{detail}")
            token = ":".join(
                (
                    request.theme.value,
                    f"{place.latitude:.3f}",
                    f"{place.longitude:.3f}",
                    str(rank),
                    fingerprint(card.service_id),
                )
            )
            label = f"{rank + 1}. {card.name}"
            if len(label) > LABEL_CHARS:
                label = label[: LABEL_CHARS - 1] + "…"
            buttons.append((Button(label, case_payload(CaseVerb.RESOURCE, case.id, token)),))
        return ResourceChoices("\n".join(lines), tuple(buttons))

    async def chosen(self, token: str, language: Language) -> ResourceCard | None:
        """The service a button names, found again (texts in the person's ``language``).

        None when the token is malformed or the list changed since it was shown.
        """
        try:
            theme_id, lat, lon, rank_text, print_ = token.split(":")
            theme = Theme(theme_id)
            place = Place(float(lat), float(lon))
            rank = int(rank_text)
        except ValueError:
            return None
        page = await self._directory.search(self._query(theme, place, language))
        cards = list(page.cards)
        if 0 <= rank < len(cards) and fingerprint(cards[rank].service_id) == print_:
            return cards[rank]
        return next((c for c in cards if fingerprint(c.service_id) == print_), None)

    def _query(self, theme: Theme, place: Place, language: Language) -> SearchQuery:
        return SearchQuery(
            theme=theme, place=place, at=self._clock.now(), limit=CHOICES, language=language
        )
