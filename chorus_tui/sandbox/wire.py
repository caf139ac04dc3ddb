"""Wire formats shared by the simulator's handlers: dates, paging and request field access."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_PAGE_SIZE = 10


class BadValue(ValueError):
    """A request field has a value of the wrong type or format; `.field` names it."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field}={value!r}")
        self.field = field
        self.value = value


def to_paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def format_datetime(moment: datetime | None) -> str | None:
    """Format as Chorus Pro does in flows and histories: `2018-02-16T15:10:25.536+01:00`."""
    if moment is None:
        return None
    return to_paris(moment).isoformat(timespec="milliseconds")


def format_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_period_bound(raw: object, *, end: bool, field: str) -> datetime | None:
    """Read a search bound given as `YYYY-MM-DD` or an ISO date-time (Paris time when naive).

    A date alone covers its whole day: the start of the day for `Du`, the end for `Au`.
    """
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise BadValue(field, raw)
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min)
            return moment.replace(tzinfo=PARIS)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(field, raw) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


def day_start(value: date) -> datetime:
    return datetime.combine(value, time.min).replace(tzinfo=PARIS)


def get_path(body: dict[str, Any], dotted: str) -> Any:
    """Return `body["a"]["b"]` for `"a.b"`, or None when any level is missing or not an object."""
    node: Any = body
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def get_int(body: dict[str, Any], dotted: str) -> int | None:
    value = get_path(body, dotted)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise BadValue(dotted, value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise BadValue(dotted, value)


def get_str(body: dict[str, Any], dotted: str) -> str:
    value = get_path(body, dotted)
    if value is None:
        return ""
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return str(value).strip()
    raise BadValue(dotted, value)


def get_amount(body: dict[str, Any], dotted: str) -> Decimal | None:
    value = get_path(body, dotted)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise BadValue(dotted, value)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise BadValue(dotted, value) from None


def paginate(items: list[Any], page: int | None, size: int | None) -> tuple[list[Any], dict[str, int]]:
    """Cut one page (1-based) out of `items` and build `parametresRetour`."""
    size = size if size and size > 0 else DEFAULT_PAGE_SIZE
    page = page if page and page > 0 else 1
    total = len(items)
    pages = math.ceil(total / size)
    start = (page - 1) * size
    return items[start:start + size], {"pageCourante": page, "pages": pages, "nbResultatsParPage": size,
                                       "total": total}
