"""The `--rejects PATH` file: UTF-8 with a BOM so that a spreadsheet opens it, `line,key,reason`.

Keys and reasons quote the upstream file, so a cell could start a formula: neutralised as in the
ticket export.
"""

import csv
from collections.abc import Iterable
from pathlib import Path

from core.spreadsheet import safe_row

from .parsing import Rejection


def write_rejects(path: Path, rejections: Iterable[Rejection]) -> None:
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "key", "reason"])
        writer.writerows(safe_row((r.line, r.key, r.reason)) for r in rejections)
