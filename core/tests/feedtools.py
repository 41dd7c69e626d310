"""Helpers for feed tests: write a CSV in a given encoding and run a sync command like a person."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def csv_text(header: list[str], rows: list[list[str]] | list[dict], *, newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return out.getvalue()


def write_feed(path: Path, header, rows, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(csv_text(header, rows, newline=newline).encode(encoding))
    return path


def sync(command: str, path, *args: str) -> str:
    """Runs the command and returns the last line of its standard output."""
    out = io.StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def sync_refused(command: str, path, *args: str) -> str:
    """Runs a command expected to refuse the file; returns its one-line reason (exit code 2)."""
    with pytest.raises(CommandError) as caught:
        call_command(command, str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert caught.value.returncode == 2
    reason = str(caught.value)
    assert "\n" not in reason
    return reason


@pytest.fixture
def english():
    """Reasons are asserted in English; the portal's default language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield
