"""What a feed is: its columns and row rules (parsing) and how its rows reach the database (applying).

One subclass per feed (stores, staff, catalogue, vehicles) in the app that owns the records.
The machinery (`runner.run_feed`) reads the file, drives the parser, hands valid rows to
`apply` in chunks inside one transaction, and records the run; a feed never opens its own
transaction, writes a run record or prints anything.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .parsing import Cells, Column, Rejection, Row


@dataclass
class Applied:
    """What applying one chunk of rows did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)


class Feed:
    name: ClassVar[str]  # models, stores, staff, vehicles: the summary line's first word
    label: ClassVar[str]  # what HQ reads in the admin (a lazy translation)
    order: ClassVar[int]  # sync_feeds runs the feeds by this: what others refer to comes first
    file_glob: ClassVar[str]  # how sync_feeds finds this feed's files in FEED_DIR
    columns: ClassVar[tuple[Column, ...]]
    key_column: ClassVar[str]
    supports_full: ClassVar[bool] = False

    def __init__(self, *, full: bool = False) -> None:
        self.full = full and self.supports_full

    # Parsing: pure, no database.
    def normalise_key(self, raw: str) -> str:
        return raw.strip().upper()

    def parse_row(self, cells: Cells) -> dict[str, Any]:
        """Model field values for the row's columns, or RowError with every reason."""
        raise NotImplementedError

    # Applying: inside the run's transaction.
    def apply(self, rows: list[Row]) -> Applied:
        """Creates and updates what the rows say; rows breaking database rules come back rejected."""
        raise NotImplementedError

    # --full: records missing from the file are closed (never deleted), behind the mass-close guard.
    def guard_base(self) -> int:
        """How many records the guard counts against: the active ones, before the run changes any."""
        raise NotImplementedError

    def missing(self, keep: Collection[str]) -> list[Any]:
        """Primary keys of the records a full run closes: not closed yet and no row in the file."""
        raise NotImplementedError

    def close(self, pks: list[Any]) -> int:
        raise NotImplementedError
