"""The `--rejects PATH` file: UTF-8 with a BOM so that a spreadsheet opens it, `line,key,reason`."""

import csv
from collections.abc import Iterable
from pathlib import Path

from .parsing import Rejection


def write_rejects(path: Path, rejections: Iterable[Rejection]) -> None:
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "key", "reason"])
        writer.writerows((r.line, r.key, r.reason) for r in rejections)
