"""Search results as short cards the person can act on.

A page is: the crisis lines first when the theme calls for them (violence, mental health,
substance use) — on the first page only —, a one-line header (how many, how far, and
whether the search had to go further), one message per card (plus a map pin, never for a
confidential address), then "see more" / talk to a worker / menu. Nothing found is said
plainly, with how far we looked, and a worker offered.

Words come from the catalogue; only number, time and date *formatting* is done here
(``17 h 30`` in French, ``5:30 pm`` in English), with month and day names from the
catalogue.
"""

from __future__ import annotations

from datetime import date, datetime

from flows.actions import Button, PersonMessage, Reply, ShowPlace
from flows.catalogue import Catalogue
from flows.directory import ResourceCard, SearchPage
from flows.domain import Language, Theme

STALE_AFTER_DAYS = 365
WEEKDAY_WINDOW_DAYS = 6


def render_page(
    catalogue: Catalogue,
    page: SearchPage,
    theme: Theme,
    language: Language,
    *,
    more_payload: str,
    pinned: str | None = None,
) -> tuple[PersonMessage, ...]:
    """The messages for one page of results, or an honest "nothing near".

    ``pinned`` (the crisis lines, already written out) comes first, on the first page.
    """
    t = _Writer(catalogue, language, page.now)
    talk = Button(catalogue.text("button.talk", language), "human")
    menu = Button(catalogue.text("button.menu", language), "menu")
    theme_label = catalogue.text(f"theme.{theme}", language)
    messages: list[PersonMessage] = []
    if pinned and page.offset == 0:
        messages.append(Reply(f"{t.text('results.pinned')}\n{pinned}"))
    if not page.cards:
        key = "results.none_widened" if page.widened else "results.none"
        messages.append(
            Reply(
                t.text(key, theme=theme_label, km=_km(page.radius_m)),
                buttons=((talk,), (menu,)),
            )
        )
        return tuple(messages)
    messages.append(Reply(_header(t, page, theme_label)))
    for card in page.cards:
        messages.append(Reply(card_text(catalogue, card, language, now=page.now)))
        if (
            not card.confidential
            and card.latitude is not None
            and card.longitude is not None
            and card.address
        ):
            messages.append(ShowPlace(card.latitude, card.longitude, card.name, card.address))
    rows: list[tuple[Button, ...]] = []
    if page.has_more:
        rows.append((Button(t.text("results.more"), more_payload),))
    rows.extend(((talk,), (menu,)))
    messages.append(Reply(t.text("results.footer"), buttons=tuple(rows)))
    return tuple(messages)


def _header(t: _Writer, page: SearchPage, theme_label: str) -> str:
    km = _km(page.radius_m)
    if page.offset > 0:
        return t.text(
            "results.page",
            theme=theme_label,
            first=page.offset + 1,
            last=page.offset + len(page.cards),
            count=page.total,
        )
    key = "results.header.one" if page.total == 1 else "results.header.many"
    header = t.text(key, theme=theme_label, count=page.total, km=km)
    if page.widened:
        asked = page.requested_radius_m or page.radius_m
        header = f"{t.text('results.widened', from_km=_km(asked), km=km)}\n{header}"
    return header


def card_text(
    catalogue: Catalogue,
    card: ResourceCard,
    language: Language,
    *,
    now: datetime | None = None,
) -> str:
    """One resource as a few short lines, most useful first."""
    t = _Writer(catalogue, language, now)
    lines = [card.name]
    if card.organization and card.organization != card.name:
        lines.append(card.organization)
    if card.distance_m is not None:
        distance = t.distance(card.distance_m)
        if card.confidential:
            lines.append(t.text("results.distance_about", distance=distance, area=card.area or ""))
        else:
            lines.append(t.text("results.distance", distance=distance))
    if card.temporarily_closed:
        if card.closed_until is not None:
            lines.append(t.text("results.temporarily_closed_until", date=t.date(card.closed_until)))
        else:
            lines.append(t.text("results.temporarily_closed"))
        if card.closure_reason:
            lines.append(t.text("results.alert", alert=card.closure_reason))
    hours = t.hours(card)
    if hours:
        lines.append(hours)
    if card.capacity in ("limited", "full"):
        lines.append(t.text(f"results.capacity.{card.capacity}"))
    if not card.confidential:
        if card.address:
            lines.append(t.text("results.address", address=card.address))
        elif card.area:
            lines.append(t.text("results.area", area=card.area))
    if card.phone:
        lines.append(t.text("results.phone", phone=card.phone))
    badges = t.badges(card)
    if badges:
        lines.append(t.text("results.badges", badges=" · ".join(badges)))
    if card.conditions:
        lines.append(t.text("results.conditions", conditions=card.conditions))
    if card.what_to_bring:
        lines.append(t.text("results.what_to_bring", what=card.what_to_bring))
    if card.alert:
        lines.append(t.text("results.alert", alert=card.alert))
    if card.verified_on is not None:
        old = now is not None and (now.date() - card.verified_on).days > STALE_AFTER_DAYS
        key = "results.verified_old" if old else "results.verified"
        lines.append(t.text(key, date=t.date(card.verified_on, with_year=True)))
    if card.demo:
        lines.append(t.text("results.demo"))
    return "\n".join(lines)


def _km(metres: int) -> str:
    km = metres / 1000
    return f"{km:.0f}" if km >= 1 or km == 0 else f"{km:.1f}"


class _Writer:
    """Catalogue text plus the locale formatting of numbers, times and dates."""

    def __init__(self, catalogue: Catalogue, language: Language, now: datetime | None) -> None:
        self._catalogue = catalogue
        self._language = language
        self._now = now

    def text(self, key: str, **values: object) -> str:
        return self._catalogue.text(key, self._language, **values)

    def distance(self, metres: int) -> str:
        if metres < 1000:
            return f"{max(10, round(metres / 10) * 10)} m"
        km = metres / 1000
        figure = f"{km:.1f}" if km < 10 else f"{km:.0f}"
        figure = figure.removesuffix(".0")
        if self._language is Language.FR:
            figure = figure.replace(".", ",")
        return f"{figure} km"

    def time(self, moment: datetime) -> str:
        hour, minute = moment.hour, moment.minute
        if self._language is Language.FR:
            return f"{hour} h" if minute == 0 else f"{hour} h {minute:02d}"
        suffix = "am" if hour < 12 else "pm"
        twelve = hour % 12 or 12
        return f"{twelve} {suffix}" if minute == 0 else f"{twelve}:{minute:02d} {suffix}"

    def date(self, day: date, *, with_year: bool = False) -> str:
        months = self.text("results.names.months").split(",")
        number = self.text("results.names.first_day") if day.day == 1 else str(day.day)
        show_year = with_year or (self._now is not None and day.year != self._now.year)
        if show_year:
            return self.text(
                "results.date_year", day=number, month=months[day.month - 1], year=day.year
            )
        return self.text("results.date", day=number, month=months[day.month - 1])

    def _moment(self, kind: str, moment: datetime) -> str:
        """``moment`` relative to now: today, tomorrow, a weekday this week, or a date."""
        time_text = self.time(moment)
        if self._now is None:
            return self.text(f"results.{kind}.date", date=self.date(moment.date()), time=time_text)
        days = (moment.date() - self._now.astimezone(moment.tzinfo).date()).days
        if days <= 0:
            return self.text(f"results.{kind}.today", time=time_text)
        if days == 1:
            return self.text(f"results.{kind}.tomorrow", time=time_text)
        if days <= WEEKDAY_WINDOW_DAYS:
            weekday = self.text("results.names.weekdays").split(",")[moment.weekday()]
            return self.text(f"results.{kind}.weekday", weekday=weekday, time=time_text)
        return self.text(f"results.{kind}.date", date=self.date(moment.date()), time=time_text)

    def hours(self, card: ResourceCard) -> str | None:
        if card.always_open and card.open_now:
            return self.text("results.always_open")
        if card.open_now is None:
            return None if card.temporarily_closed else self.text("results.hours_unknown")
        if card.open_now:
            if card.next_change is None:
                return self.text("results.open")
            return self.text("results.open_until", until=self._moment("until", card.next_change))
        if card.next_change is None:
            return None if card.temporarily_closed else self.text("results.closed")
        return self.text("results.closed_opens", when=self._moment("when", card.next_change))

    def badges(self, card: ResourceCard) -> list[str]:
        badges = []
        if card.free is not None:
            badges.append(self.text("results.badge.free" if card.free else "results.badge.paid"))
        if card.walk_in is not None:
            key = "results.badge.walk_in" if card.walk_in else "results.badge.appointment"
            badges.append(self.text(key))
        for flag, key in (
            (card.no_id_needed, "results.badge.no_id_needed"),
            (card.anonymous, "results.badge.anonymous"),
            (card.pets_allowed, "results.badge.pets_allowed"),
        ):
            if flag:
                badges.append(self.text(key))
        return badges
