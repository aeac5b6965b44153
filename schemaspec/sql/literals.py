"""Typed literals as PostgreSQL gives them back.

PostgreSQL does not keep a literal default as written: it converts it to the column's type when
the table is created and stores the value, which reflection then prints in PostgreSQL's own
output format. ``'2 hours'`` on an INTERVAL column comes back as ``'02:00:00'``, ``'P1D'`` as
``'1 day'``, ``'2020-01-01'`` on a TIMESTAMP as ``'2020-01-01 00:00:00'``, ``'{ 1, 2 }'`` on an
array as ``'{1,2}'``. :func:`postgresql_literal` prints both sides' value that way. Pure string
work; a value it cannot read is returned as it is (compared as written).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation


def postgresql_literal(literal: str, type_: str) -> str:
    """``literal`` (a quoted canonical literal, ``'2 hours'``) as PostgreSQL stores a value of
    canonical column type ``type_`` (``'02:00:00'``)."""
    if len(literal) < 2 or literal[0] != "'" or literal[-1] != "'":
        return literal
    value = literal[1:-1].replace("''", "'")
    base = re.sub(r"\(\d+\)", "", type_)
    printed: str | None = None
    if base.endswith("[]"):
        printed = _array(value)
    elif base == "interval" or base.startswith("interval "):
        printed = _interval(value)
    elif base in ("date", "time", "timetz", "timestamp", "timestamptz"):
        printed = _datetime(value, base)
    return literal if printed is None else "'" + printed.replace("'", "''") + "'"


# -- intervals (IntervalStyle postgres, the default) -------------------------------------------

_UNITS = {
    "microsecond": ("us", Decimal(1)),
    "millisecond": ("us", Decimal(1000)),
    "second": ("us", Decimal(1_000_000)),
    "minute": ("us", Decimal(60_000_000)),
    "hour": ("us", Decimal(3_600_000_000)),
    "day": ("days", Decimal(1)),
    "week": ("days", Decimal(7)),
    "month": ("months", Decimal(1)),
    "year": ("months", Decimal(12)),
    "decade": ("months", Decimal(120)),
    "century": ("months", Decimal(1200)),
    "millennium": ("months", Decimal(12000)),
}
_ABBREVIATIONS = {
    "us": "microsecond", "usec": "microsecond", "usecs": "microsecond", "ms": "millisecond",
    "msec": "millisecond", "msecs": "millisecond", "s": "second", "sec": "second",
    "secs": "second", "m": "minute", "min": "minute", "mins": "minute", "h": "hour",
    "hr": "hour", "hrs": "hour", "d": "day", "w": "week", "mon": "month", "mons": "month",
    "y": "year", "yr": "year", "yrs": "year", "decades": "decade", "centuries": "century",
    "millennia": "millennium",
}  # fmt: skip
_QUANTITY = re.compile(r"([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*([a-z]+)")
_CLOCK_PART = re.compile(r"([+-])?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?")
_ISO = re.compile(
    r"p(?:(\d+(?:\.\d+)?)y)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)w)?(?:(\d+(?:\.\d+)?)d)?"
    r"(?:t(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?)?"
)


def _interval(value: str) -> str | None:
    text = value.strip().lower().removeprefix("@").strip()
    ago = text.endswith(" ago")
    text = text.removesuffix(" ago").strip()
    totals = {"months": Decimal(0), "days": Decimal(0), "us": Decimal(0)}
    iso = _ISO.fullmatch(text)
    if iso and text != "p":
        for amount, unit in zip(
            iso.groups(), ("year", "month", "week", "day", "hour", "minute", "second"), strict=True
        ):
            if amount is not None:
                _add(totals, Decimal(amount), unit)
    else:
        position = 0
        while position < len(text):
            if text[position] == " ":
                position += 1
                continue
            clock = _CLOCK_PART.match(text, position)
            if clock:
                sign = -1 if clock.group(1) == "-" else 1
                seconds = Decimal(clock.group(4) or 0)
                minutes = int(clock.group(2)) * 60 + int(clock.group(3))
                totals["us"] += sign * (minutes * 60 + seconds) * 1_000_000
                position = clock.end()
                continue
            quantity = _QUANTITY.match(text, position)
            if quantity:
                unit = quantity.group(2)
                unit = _ABBREVIATIONS.get(unit, unit.removesuffix("s"))
                if unit not in _UNITS:
                    return None
                _add(totals, Decimal(quantity.group(1)), unit)
                position = quantity.end()
                continue
            bare = re.compile(r"[+-]?\d+(?:\.\d+)?").fullmatch(text, position)
            if bare:  # a bare number is seconds
                _add(totals, Decimal(bare.group()), "second")
                break
            return None
    if ago:
        totals = {key: -amount for key, amount in totals.items()}
    return _print_interval(totals)


def _add(totals: dict[str, Decimal], amount: Decimal, unit: str) -> None:
    # A fraction of a unit spills into the next smaller field, as PostgreSQL's input does:
    # months of 30 days, days of 24 hours.
    field, factor = _UNITS[unit]
    total = amount * factor
    if field == "months":
        whole = int(total)
        totals["months"] += whole
        total = (total - whole) * 30
        field = "days"
    if field == "days":
        whole = int(total)
        totals["days"] += whole
        total = (total - whole) * 86_400_000_000
    totals["us"] += total


def _print_interval(totals: dict[str, Decimal]) -> str:
    # EncodeInterval(), INTSTYLE_POSTGRES: "1 year 2 mons 3 days 04:05:06", fields truncated
    # towards zero, a "+" on a positive field after a negative one.
    months, days = int(totals["months"]), int(totals["days"])
    microseconds = int(totals["us"].to_integral_value())
    parts: list[str] = []
    before = False
    for amount, unit in (
        (int(months / 12), "year"),
        (months - int(months / 12) * 12, "mon"),
        (days, "day"),
    ):
        if amount:
            plus = "+" if before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            before = amount < 0
    if not parts or microseconds:
        sign = "-" if microseconds < 0 else ("+" if before else "")
        seconds, fraction = divmod(abs(microseconds), 1_000_000)
        clock = f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if fraction:
            clock += f".{fraction:06d}".rstrip("0")
        parts.append(clock)
    return " ".join(parts)


# -- dates and times (DateStyle ISO, the default) ---------------------------------------------

_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
_ZONE = r"\s*(z|utc|[+-]\d{1,2}(?::?\d{2})?)?"
_TIMESTAMP = re.compile(rf"{_DATE}(?:(?:\s+|t){_TIME})?{_ZONE}", re.I)
_TIME_OF_DAY = re.compile(rf"{_TIME}{_ZONE}", re.I)


def _datetime(value: str, type_: str) -> str | None:
    text = value.strip()
    if type_ in ("time", "timetz"):
        match = _TIME_OF_DAY.fullmatch(text)
        if match is None:
            return None
        hour, minute, second, fraction, zone = match.groups()
        date_part = None
    else:
        match = _TIMESTAMP.fullmatch(text)
        if match is None:
            return None
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        date_part = (int(year), int(month), int(day))
    try:
        moment = datetime(
            *(date_part or (2000, 1, 1)),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=_zone(zone) if zone else None,
        )
        # Microseconds, rounded as PostgreSQL rounds a longer fraction.
        moment += timedelta(microseconds=round(Decimal(f"0.{fraction or 0}") * 1_000_000))
    except ValueError:
        return None
    if type_ == "date":
        return moment.strftime("%Y-%m-%d") if hour is None and zone is None else None
    if type_ in ("timestamp", "time"):
        # Without a time zone PostgreSQL ignores one written in the literal.
        moment = moment.replace(tzinfo=None)
    elif type_ == "timestamptz":
        # The instant is stored and printed in the reading session's time zone; UTC here on
        # both sides. A literal without a zone is read in the creating session's time zone:
        # taken as UTC (a known limit when the server's TimeZone is another).
        moment = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    elif moment.tzinfo is None:  # timetz keeps its own offset; none given is the session's
        moment = moment.replace(tzinfo=UTC)
    clock = moment.strftime("%H:%M:%S")
    if moment.microsecond:
        clock += f".{moment.microsecond:06d}".rstrip("0")
    if moment.tzinfo is not None:
        clock += _offset(moment.utcoffset() or timedelta(0))
    return clock if type_ in ("time", "timetz") else f"{moment:%Y-%m-%d} {clock}"


def _zone(zone: str) -> timezone:
    if zone.lower() in ("z", "utc"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _offset(offset: timedelta) -> str:
    # PostgreSQL prints +00, +02, +05:30.
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    printed = f"{sign}{minutes // 60:02d}"
    return printed + (f":{minutes % 60:02d}" if minutes % 60 else "")


# -- arrays ---------------------------------------------------------------------------------

_ELEMENT = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,{}"]*?))\s*(?=[,}])', re.S)


def _array(value: str) -> str | None:
    try:
        printed, end = _array_at(value.strip(), 0)
    except (ValueError, IndexError, InvalidOperation):
        return None
    return printed if end == len(value.strip()) else None


def _array_at(text: str, position: int) -> tuple[str, int]:
    """array_out()'s text of the array starting at ``text[position]`` (a ``{``), and its end."""
    if text[position] != "{":
        raise ValueError(text)
    position += 1
    elements: list[str] = []
    while True:
        while text[position] == " ":
            position += 1
        if text[position] == "}" and not elements:
            return "{}", position + 1
        if text[position] == "{":
            element, position = _array_at(text, position)
            elements.append(element)
            while text[position] == " ":
                position += 1
        else:
            match = _ELEMENT.match(text, position)
            if match is None:
                raise ValueError(text)
            quoted, bare = match.groups()
            if quoted is not None:
                elements.append(_array_element(re.sub(r"\\(.)", r"\1", quoted), quoted=True))
            else:
                elements.append(_array_element(bare, quoted=False))
            position = match.end()
        if text[position] == "}":
            return "{" + ",".join(elements) + "}", position + 1
        if text[position] != ",":
            raise ValueError(text)
        position += 1


def _array_element(element: str, *, quoted: bool) -> str:
    # array_out() quotes an element only when it must: empty, NULL, or with a delimiter, brace,
    # quote, backslash or white space in it.
    if not quoted and element.upper() == "NULL":
        return "NULL"
    if element == "" or element.upper() == "NULL" or re.search(r'[{},"\\\s]', element):
        return '"' + element.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return element
