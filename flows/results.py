"""Search results as short cards the person can act on."""

from __future__ import annotations

from flows.actions import Button, PersonMessage, Reply, ShowPlace
from flows.catalogue import Catalogue
from flows.directory import ResourceCard, SearchPage
from flows.domain import Language, Theme


def card_text(catalogue: Catalogue, card: ResourceCard, language: Language) -> str:
    """One resource as a few short lines."""
    lines = [card.name]
    if card.distance_m is not None:
        lines.append(catalogue.text("results.distance", language, metres=card.distance_m))
    if card.address:
        lines.append(card.address)
    if card.phone:
        lines.append(f"☎ {card.phone}")
    return "\n".join(lines)


def render_page(
    catalogue: Catalogue,
    page: SearchPage,
    theme: Theme,
    language: Language,
    *,
    more_payload: str,
) -> tuple[PersonMessage, ...]:
    """The messages for one page of results, or an honest "nothing near"."""
    talk = Button(catalogue.text("button.talk", language), "human")
    menu = Button(catalogue.text("button.menu", language), "menu")
    if not page.cards:
        return (
            Reply(
                catalogue.text(
                    "results.none", language, theme=catalogue.text(f"theme.{theme}", language)
                ),
                buttons=((talk,), (menu,)),
            ),
        )
    messages: list[PersonMessage] = []
    for card in page.cards:
        messages.append(Reply(card_text(catalogue, card, language)))
        if card.latitude is not None and card.longitude is not None and card.address:
            messages.append(ShowPlace(card.latitude, card.longitude, card.name, card.address))
    rows: list[tuple[Button, ...]] = []
    if page.has_more:
        rows.append((Button(catalogue.text("results.more", language), more_payload),))
    rows.extend(((talk,), (menu,)))
    messages.append(Reply(catalogue.text("results.footer", language), buttons=tuple(rows)))
    return tuple(messages)
