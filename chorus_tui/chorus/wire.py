"""JSON text and dates as Chorus Pro exchanges them.

Amounts are `Decimal` in memory and JSON numbers on the wire. `json.dumps` cannot write a
Decimal as a number without going through float, so `encode_json` writes the JSON text itself.
Responses are parsed with `parse_float=Decimal`, so no amount is ever rounded through float.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator

# Chorus Pro writes local French time when a response carries no offset.
CHORUS_TIMEZONE = ZoneInfo("Europe/Paris")

_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def encode_json(value: Any) -> bytes:
    """Serialise `value` to UTF-8 JSON, writing Decimals as exact numbers and dates as YYYY-MM-DD."""
    return _encode(value).encode("utf-8")


def _encode(value: Any) -> str:
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"amount {value} cannot be sent to Chorus Pro: it must be a finite number")
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError(f"float {value!r} reached the JSON encoder; amounts must be Decimal to avoid rounding")
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):
        items = (f"{json.dumps(str(key), ensure_ascii=False)}:{_encode(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as JSON for Chorus Pro")


def decode_json(text: str | bytes) -> Any:
    """Parse a response, keeping every non-integer number as an exact Decimal."""
    return json.loads(text, parse_float=Decimal)


def parse_wire_datetime(value: Any) -> datetime | None:
    """Parse the date formats Chorus Pro mixes in its responses into an aware datetime.

    Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM", ISO 8601 with milliseconds and offset
    ("2018-02-16T15:10:25.536+01:00"), and epoch milliseconds. A time without offset is French time.
    Empty strings and None give None; anything else unreadable raises ValueError naming the value.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value) / 1000, tz=timezone.utc)
    elif isinstance(value, str):
        parsed = _parse_text(value.strip())
    else:
        raise ValueError(f"date {value!r} is not in a format Chorus Pro uses")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHORUS_TIMEZONE)
    return parsed


def _parse_text(text: str) -> datetime:
    candidate = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    for pattern in _NAIVE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"date {text!r} is not in a format Chorus Pro uses (YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601)")


def parse_wire_date(value: Any) -> date | None:
    """Parse a response's date, keeping the calendar day as written (a time part is dropped)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    parsed = parse_wire_datetime(value)
    return parsed.date() if parsed else None


# Field types for response models.
WireDateTime = Annotated[datetime | None, BeforeValidator(parse_wire_datetime)]
WireDate = Annotated[date | None, BeforeValidator(parse_wire_date)]
