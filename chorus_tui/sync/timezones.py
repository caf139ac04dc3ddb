"""Times read from Chorus Pro, which speaks French local time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def as_aware(moment: datetime | None) -> datetime | None:
    """Return `moment` with a timezone, reading a naive one as Paris time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=PARIS)


def paris_date(moment: datetime) -> date:
    """Return the calendar date of `moment` in Paris, the date Chorus Pro filters on."""
    return moment.astimezone(PARIS).date()


def paris_day_window(start: datetime, end: datetime) -> tuple[date, date]:
    """Return the whole Paris days covering [start, end], with one spare day after `end`.

    NOTE: `periodeDateHeureEtatCourantDu/Au` are sent as plain dates, and
    whether `Au` includes its own day is not documented; the spare day makes
    sure the current day's changes are returned either way.
    """
    return paris_date(start), paris_date(end) + timedelta(days=1)
