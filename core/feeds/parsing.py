"""From a feed file's text to typed rows or rejections, with the physical line each record starts on.

The header is line 1; blank lines (and rows whose cells are all empty, as spreadsheets export
them) are skipped but still counted; a quoted cell may span lines, and the record keeps the
line it starts on. Column names match case-insensitively after trimming; unknown columns are
ignored; cells are trimmed. A key seen twice: the first row counts, valid or not, later rows
with that key are rejected as duplicates. What a row means is the feed's business
(`Feed.parse_row`); this module only reads records.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from .reading import FeedFile, FeedRefused

if TYPE_CHECKING:
    from .base import Feed

KEY_MAX_LENGTH = 100  # FeedRejection.key


class RowError(Exception):
    """A row is rejected; the message is a reason a person can act on."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """A valid, typed row: `values` holds model field values for the columns the file has."""

    line: int
    key: str
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    key: str
    reason: str


class FeedParser:
    """Iterates a feed file's records as Row or Rejection; the header is checked on creation.

    Raises FeedRefused when a required column is missing or no header can be found.
    """

    def __init__(self, feed_file: FeedFile, feed: "Feed") -> None:
        self.feed = feed
        self.file = feed_file
        self._reader = csv.reader(io.StringIO(feed_file.text.lstrip("\ufeff"), newline=""))
        # Every key seen in the file, valid or not, with the line of its first row.
        self.seen_keys: dict[str, int] = {}
        self._positions = self._read_header()

    @property
    def estimated_rows(self) -> int:
        text = self.file.text
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        return max(lines - self._reader.line_num, 0)

    def _read_header(self) -> dict[str, int]:
        for record in self._reader:
            names = [cell.strip().lstrip("\ufeff").lower() for cell in record]
            if any(names):
                break
        else:
            raise FeedRefused(_("%(path)s: the file is empty.") % {"path": self.file.path}, sha256=self.file.sha256)
        positions: dict[str, int] = {}
        for index, name in enumerate(names):
            positions.setdefault(name, index)
        known = {column.name for column in self.feed.columns}
        missing = [c.name for c in self.feed.columns if c.required and c.name not in positions]
        if missing:
            raise FeedRefused(
                _("%(path)s: the header lacks the required column(s) %(columns)s.")
                % {"path": self.file.path, "columns": ", ".join(missing)},
                sha256=self.file.sha256,
            )
        self._width = len(names)
        return {name: index for name, index in positions.items() if name in known}

    def __iter__(self) -> Iterator[Row | Rejection]:
        reader = self._reader
        key_column = self.feed.key_column
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Rejection(start, "", _("The line cannot be read as CSV: %(error)s.") % {"error": exc})
                continue
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            values = {name: (cells[i] if i < len(cells) else "") for name, i in self._positions.items()}
            # NUL never reaches a reason or the database (PostgreSQL refuses it in text).
            key = self.feed.normalise_key(values.get(key_column, "")).replace("\x00", "")[:KEY_MAX_LENGTH]
            if key:
                first = self.seen_keys.get(key)
                if first is not None:
                    yield Rejection(
                        start,
                        key,
                        _("Duplicate %(column)s %(key)s: line %(first)d has it already and counts.")
                        % {"column": key_column, "key": key, "first": first},
                    )
                    continue
                self.seen_keys[key] = start
            if any("\x00" in cell for cell in cells):
                yield Rejection(start, key, _("The line contains a NUL character, which no field may hold."))
                continue
            if any(cells[self._width :]):
                yield Rejection(
                    start,
                    key,
                    _("The line has %(cells)d cells but the header has %(columns)d columns.")
                    % {"cells": len(cells), "columns": self._width},
                )
                continue
            try:
                yield Row(start, key, self.feed.parse_row(Cells(values)))
            except RowError as exc:
                yield Rejection(start, key, str(exc))


class Cells(dict):
    """One record's trimmed cells by column name; a column the header lacks is not `in` it.

    A plain dict underneath: it is looked up sixteen times a row, 43,000 rows a night.
    """

    __slots__ = ()
