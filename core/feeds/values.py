"""Typed cell readers shared by the feeds, and RowReader, which collects a row's errors.

Each reader turns a non-empty trimmed cell into a value or raises RowError with a reason a
person can act on. A feed's `parse_row` takes its columns through one RowReader so that a row
breaking several rules is rejected once, with every reason.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .parsing import Cells, RowError

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Reader = Callable[[str], Any]


class _Leave:
    """Marker default: an empty cell leaves the stored value as it is."""


LEAVE = _Leave()
REQUIRED = object()


def messages_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# Without a high bound of its own, a whole number must still fit the column it is stored in: the
# feeds fill (Positive)IntegerFields, 32-bit on PostgreSQL (beyond 64 bits SQLite overflows).
INTEGER_COLUMN_MAX = 2**31 - 1


def integer(low: int | None = None, high: int | None = None) -> Reader:
    def read(raw: str) -> int:
        if not _INTEGER.fullmatch(raw):
            raise RowError(_("%(value)s is not a whole number.") % {"value": raw})
        # Past 20 digits only the sign matters for the bounds (and int() refuses 4,300 digits).
        value = int(raw) if len(raw.lstrip("+-")) <= 20 else (-1 if raw.startswith("-") else 1) * 10**20
        if high is None and value > INTEGER_COLUMN_MAX:
            raise RowError(_range_message(raw, None, INTEGER_COLUMN_MAX))
        if (low is not None and value < low) or (high is not None and value > high):
            raise RowError(_range_message(raw, low, high))
        return value

    return read


def decimal(low: Decimal | float | None = None, high: Decimal | float | None = None, *, exclusive_low=False) -> Reader:
    def read(raw: str) -> Decimal:
        if not _DECIMAL.fullmatch(raw):
            raise RowError(_("%(value)s is not a decimal number.") % {"value": raw})
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already guards
            raise RowError(_("%(value)s is not a decimal number.") % {"value": raw}) from exc
        too_low = low is not None and (value <= Decimal(str(low)) if exclusive_low else value < Decimal(str(low)))
        if too_low or (high is not None and value > Decimal(str(high))):
            if exclusive_low and high is None:
                raise RowError(_("%(value)s must be greater than %(low)s.") % {"value": raw, "low": low})
            raise RowError(_range_message(raw, low, high))
        return value

    return read


def _range_message(raw: str, low, high) -> str:
    if low is not None and high is not None:
        return _("%(value)s is outside %(low)s–%(high)s.") % {"value": raw, "low": low, "high": high}
    if low is not None:
        return _("%(value)s is below the minimum %(low)s.") % {"value": raw, "low": low}
    return _("%(value)s is above the maximum %(high)s.") % {"value": raw, "high": high}


def choice(options: Iterable[str]) -> Reader:
    allowed = list(options)
    lookup = {option.lower(): option for option in allowed}

    def read(raw: str) -> str:
        try:
            return lookup[raw.lower()]
        except KeyError:
            raise RowError(
                _("%(value)s is not one of %(allowed)s.") % {"value": raw, "allowed": ", ".join(allowed)}
            ) from None

    return read


def flag(raw: str) -> bool:
    if raw not in ("0", "1"):
        raise RowError(_("%(value)s is not 1 or 0.") % {"value": raw})
    return raw == "1"


def iso_date(raw: str) -> dt.date:
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise RowError(_("%(value)s is not a date written YYYY-MM-DD.") % {"value": raw}) from None


def code(pattern: str, low: int, high: int) -> Reader:
    shape = re.compile(pattern)

    def read(raw: str) -> str:
        value = raw.upper()
        if not (low <= len(value) <= high and shape.fullmatch(value)):
            raise RowError(
                _("%(value)s is not %(low)d–%(high)d characters of A–Z, 0–9 and -.")
                % {"value": raw, "low": low, "high": high}
            )
        return value

    return read


def text(max_length: int) -> Reader:
    def read(raw: str) -> str:
        if len(raw) > max_length:
            raise RowError(
                _("%(length)d characters; at most %(max)d are allowed.") % {"length": len(raw), "max": max_length}
            )
        return raw

    return read


def hhmm(raw: str) -> int:
    """Minutes after midnight from `HH:MM`, 00:00 to 24:00."""
    match = _HHMM.fullmatch(raw)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if (hours < 24 and minutes < 60) or (hours == 24 and minutes == 0):
            return hours * 60 + minutes
    raise RowError(_("%(value)s is not a time of day written HH:MM (00:00 to 24:00).") % {"value": raw})


def validated(normalise: Callable[[str], Any]) -> Reader:
    """A reader from a normaliser that raises Django's ValidationError (phones, VINs)."""

    def read(raw: str) -> Any:
        try:
            return normalise(raw)
        except ValidationError as exc:
            raise RowError(messages_of(exc)) from None

    return read


class RowReader:
    """Takes a row's columns one by one, collecting values and every error."""

    def __init__(self, cells: Cells) -> None:
        self.cells = cells
        self.values: dict[str, Any] = {}
        self.errors: list[str] = []

    def take(self, column: str, read: Reader, *, field: str | None = None, default: Any = REQUIRED) -> Any:
        """Reads `column` into `field` (default: the column's name) and returns the value.

        A column the header lacks leaves the field alone. An empty cell is an error for a
        required column, else sets `default` (LEAVE: leaves the field alone).
        """
        raw = self.cells.get(column)
        if raw is None:
            return None
        if raw == "":
            if default is REQUIRED:
                self.error(column, _("required, but empty."))
            elif default is not LEAVE:
                self.values[field or column] = default
                return default
            return None
        try:
            value = read(raw)
        except RowError as exc:
            self.error(column, str(exc))
            return None
        self.values[field or column] = value
        return value

    def error(self, column: str, message: str) -> None:
        self.errors.append(f"{column}: {message}")

    def done(self) -> dict[str, Any]:
        if self.errors:
            raise RowError("; ".join(self.errors))
        return self.values
