"""Search results as one compact list, and a place's full card when the person opens it.

A page is: the crisis lines first when the theme calls for them (violence, mental health,
substance use) — on the first page only —, then ONE message: a header (how many, how far,
and whether the search had to go further), one line per place (its distance as shown and
whether the person can go now: open / closes at… / opens at… / no more entry tonight), a
button per place that opens its full card (``card_view``: address, hours, phone, and a map
pin, never for a confidential address), then "see more" / talk to a worker / menu. Nothing
found is said plainly, with how far we looked, and a worker offered.

The order is the directory's (what fits the person, then what is possible now, then the
distance shown): the lines are numbered in that order and show those facts.

Words come from the catalogue; only number, time and date *formatting* is done here
(``17 h 30`` in French, ``5:30 pm`` in English), with month and day names from the
catalogue.
"""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as clock_time

from flows.actions import Button, Keyboard, PersonMessage, Reply, ShowPlace
from flows.catalogue import Catalogue
from flows.directory import Place, ResourceCard, SearchPage
from flows.domain import Language, Theme

STALE_AFTER_DAYS = 365
WEEKDAY_WINDOW_DAYS = 6
CARD_PREFIX = "card"
PAYLOAD_BYTES = 64  # what a button can carry back (Telegram's callback_data limit)
LABEL_CHARS = 40


def card_payload(place: Place, service_id: str) -> str | None:
    """The payload of a place's button: where the person searched from, and the service.

    None when the service id is too long to fit (HSDS ids are 36-character UUIDs).
    """
    payload = f"{CARD_PREFIX}:{place.latitude:.3f}:{place.longitude:.3f}:{service_id}"
    return payload if len(payload.encode()) <= PAYLOAD_BYTES else None


def render_page(
    catalogue: Catalogue,
    page: SearchPage,
    theme: Theme,
    language: Language,
    *,
    more_payload: str,
    place: Place,
    pinned: str | None = None,
    extra_rows: Keyboard = (),
) -> tuple[PersonMessage, ...]:
    """The messages for one page of results, or an honest "nothing near".

    ``pinned`` (the crisis lines, already written out) comes first, on the first page.
    ``extra_rows`` are buttons added under the list, above "talk to a worker" and "menu".
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
                buttons=(*extra_rows, (talk,), (menu,)),
            )
        )
        return tuple(messages)
    lines = [_header(t, page, theme_label), ""]
    rows: list[tuple[Button, ...]] = []
    for number, card in enumerate(page.cards, start=page.offset + 1):
        lines.append(t.text("results.line_of", number=number, name=card.name, facts=t.facts(card)))
        payload = card_payload(place, card.service_id)
        if payload is not None:
            label = f"{number}. {card.name}"
            if len(label) > LABEL_CHARS:
                label = label[: LABEL_CHARS - 1] + "…"
            rows.append((Button(label, payload),))
    if page.has_more:
        rows.append((Button(t.text("results.more"), more_payload),))
    rows.extend((*extra_rows, (talk,), (menu,)))
    messages.append(Reply("\n".join(lines), buttons=tuple(rows)))
    return tuple(messages)


def card_view(
    catalogue: Catalogue, card: ResourceCard, language: Language, *, now: datetime
) -> tuple[PersonMessage, ...]:
    """One place opened from its button: the full card, then its map pin if it may be shown."""
    talk = Button(catalogue.text("button.talk", language), "human")
    menu = Button(catalogue.text("button.menu", language), "menu")
    text = card_text(catalogue, card, language, now=now)
    messages: list[PersonMessage] = [Reply(text, buttons=((talk,), (menu,)))]
    if (
        not card.confidential
        and card.latitude is not None
        and card.longitude is not None
        and card.address
    ):
        messages.append(ShowPlace(card.latitude, card.longitude, card.name, card.address))
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
    if card.last_entry is not None:
        lines.append(t.text("results.last_entry", time=t.time_of_day(card.last_entry)))
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

    def time_of_day(self, moment: clock_time) -> str:
        """A wall-clock time; midnight is a word."""
        if moment == clock_time(0, 0):
            return self.text("results.midnight")
        return self.time(datetime.combine(date.min, moment))

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

    def facts(self, card: ResourceCard) -> str:
        """A list line's facts: the distance as on the card, and whether one can go now."""
        distance = self.distance(card.distance_m) if card.distance_m is not None else None
        if distance is not None and card.confidential:
            distance = self.text("results.line.about", distance=distance)
        facts = [f for f in (distance, self.line_status(card)) if f]
        if card.capacity == "full":
            facts.append(self.text("results.line.full"))
        return " · ".join(facts)

    def line_status(self, card: ResourceCard) -> str:
        """Open now / closes at… / opens at… / no more entry tonight, in a few words."""
        if card.temporarily_closed:
            return self.text("results.line.temporarily_closed")
        if card.open_now is None:
            return self.text("results.line.unknown")
        if card.open_now:
            if card.always_open:
                return self.text("results.line.always_open")
            if card.last_entry is not None:
                entry = self.time_of_day(card.last_entry)
                return self.text("results.line.open_entry", time=entry)
            if card.next_change is None:
                return self.text("results.line.open")
            when = self._moment("when", card.next_change)
            return self.text("results.line.open_closes", when=when)
        if card.next_change is None:
            return self.text("results.line.closed")
        key = "results.line.entry_over" if card.entry_over else "results.line.closed_opens"
        return self.text(key, when=self._moment("when", card.next_change))

    def hours(self, card: ResourceCard) -> str | None:
        if card.entry_over and card.next_change is not None:
            return self.text("results.entry_over", when=self._moment("when", card.next_change))
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
