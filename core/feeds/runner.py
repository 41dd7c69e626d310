"""Running one feed file: the service the sync commands and the sync_feeds job call.

All or nothing: the rows are applied in chunks inside one transaction, so a crash or a kill
part-way leaves the database as it was. Every run but a dry run is recorded in FeedRun (with
its rejections), a refused file included. A dry run takes the same path and rolls back, so it
reports exactly the counts the real run would.
"""

import datetime as dt
import itertools
import logging
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import FeedRejection, FeedRun

from .base import Feed
from .parsing import FeedParser, Rejection, Row
from .reading import FeedRefused, read_feed_file

logger = logging.getLogger("core.feeds")

CHUNK_SIZE = 2000  # rows applied per step: bounds memory and query size
LOG_EVERY = 10_000  # rows between log lines when there is no terminal for a progress bar
FEED_LOCK = 20261125  # advisory lock namespace of the feed runs
MASS_CLOSE_SHARE = 10  # percent of the active records a --full run may close without --allow-mass-close


@dataclass
class FeedResult:
    feed: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    refused: str = ""  # why the file could not be used; nothing changed
    parsed: bool = False  # the rows were read (so there is a rejects list to write)
    run: FeedRun | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> str:
        return (
            f"{self.feed}: created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"closed={self.closed} rejected={self.rejected}"
        )


class _MassClose(Exception):
    pass


def run_feed(
    feed_class: type[Feed],
    path: Path,
    *,
    full: bool = False,
    allow_mass_close: bool = False,
    dry_run: bool = False,
    triggered_by: str = "command",
    progress: TextIO | None = None,
) -> FeedResult:
    """Applies the file at `path`; `progress` is a terminal for a progress bar (else log lines)."""
    path = Path(path)
    feed = feed_class(full=full)
    result = FeedResult(feed=feed.name)
    record = None if dry_run else _Recorder(feed=feed, path=path, triggered_by=triggered_by)
    try:
        parser = FeedParser(read_feed_file(path), feed)
    except FeedRefused as exc:
        logger.warning("%s refused: %s", feed.name, exc.reason)
        result.refused = exc.reason
        result.run = record.refused(sha256=exc.sha256, reason=exc.reason) if record else None
        return result

    result.run = run = record.start(sha256=parser.file.sha256) if record else None
    logger.info("%s: reading %s (%s)", feed.name, path, parser.file.encoding)
    try:
        with transaction.atomic():
            _apply(feed, parser, result, allow_mass_close=allow_mass_close, progress=progress)
            if dry_run:
                transaction.set_rollback(True)
            elif run is not None:
                _finish(run, result, FeedRun.Outcome.PROCESSED)
    except _MassClose as exc:
        result.refused = str(exc)
        result.created = result.updated = result.unchanged = result.closed = 0
        if run is not None:
            _finish(run, result, FeedRun.Outcome.REFUSED)
    except BaseException as exc:
        if run is not None:
            _record_failure(run, exc)
        raise
    logger.info("%s", result.summary())
    return result


@dataclass
class _Recorder:
    """Writes the FeedRun of a run that is not a dry run: started now, refused or running."""

    feed: Feed
    path: Path
    triggered_by: str
    started: dt.datetime = field(default_factory=timezone.now)

    def _create(self, *, sha256: str, **fields) -> FeedRun:
        return FeedRun.objects.create(
            feed=self.feed.name,
            file_name=self.path.name,
            sha256=sha256,
            full=self.feed.full,
            started_at=self.started,
            triggered_by=self.triggered_by,
            **fields,
        )

    def refused(self, *, sha256: str, reason: str) -> FeedRun:
        return self._create(sha256=sha256, finished_at=timezone.now(), outcome=FeedRun.Outcome.REFUSED, reason=reason)

    def start(self, *, sha256: str) -> FeedRun:
        return self._create(sha256=sha256)


def _record_failure(run: FeedRun, exc: BaseException) -> None:
    run.outcome = FeedRun.Outcome.FAILED
    run.reason = f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    try:
        run.save(update_fields=["outcome", "reason", "finished_at"])
    except Exception:  # the database itself may be what failed; the original error matters more
        logger.exception("%s: could not record the failed run", run.feed)


def _apply(feed: Feed, parser: FeedParser, result: FeedResult, *, allow_mass_close: bool, progress) -> None:
    if connection.vendor == "postgresql":
        # Two runs of one feed at once (the nightly job and a person) take turns instead of
        # colliding on the same keys; SQLite serialises writers by itself.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [FEED_LOCK, zlib.crc32(feed.name.encode()) & 0x7FFFFFFF]
            )
    guard_base = feed.guard_base() if feed.full else 0
    items = _with_progress(parser, feed.name, progress)
    while chunk := list(itertools.islice(items, CHUNK_SIZE)):
        rows = [item for item in chunk if isinstance(item, Row)]
        result.rejections.extend(item for item in chunk if isinstance(item, Rejection))
        applied = feed.apply(rows)
        result.created += applied.created
        result.updated += applied.updated
        result.unchanged += applied.unchanged
        result.rejections.extend(applied.rejections)
    result.parsed = True
    result.rejections.sort(key=lambda rejection: rejection.line)
    if feed.full:
        missing = feed.missing(parser.seen_keys.keys())
        if missing and not allow_mass_close and len(missing) * 100 > guard_base * MASS_CLOSE_SHARE:
            raise _MassClose(
                _(
                    "%(feed)s: --full would close %(count)d of the %(active)d active records (more than "
                    "%(share)d%%) because the file lacks them; nothing was changed. Check the file, or run "
                    "again with --allow-mass-close."
                )
                % {"feed": feed.name, "count": len(missing), "active": guard_base, "share": MASS_CLOSE_SHARE}
            )
        result.closed = feed.close(missing) if missing else 0


def _finish(run: FeedRun, result: FeedResult, outcome: str) -> None:
    run.outcome = outcome
    run.reason = result.refused
    run.finished_at = timezone.now()
    run.created, run.updated, run.unchanged = result.created, result.updated, result.unchanged
    run.closed, run.rejected = result.closed, result.rejected
    run.save()
    FeedRejection.objects.bulk_create(
        (FeedRejection(run=run, line=r.line, key=r.key, reason=r.reason) for r in result.rejections),
        batch_size=1000,
    )


def _with_progress(parser: FeedParser, name: str, terminal: TextIO | None):
    if terminal is not None:
        from tqdm import tqdm

        yield from tqdm(parser, total=parser.estimated_rows, desc=name, unit=" rows", file=terminal, leave=False)
        return
    count = 0
    for count, item in enumerate(parser, start=1):  # noqa: B007 - count is read after the loop
        if count % LOG_EVERY == 0:
            logger.info("%s: %d rows read", name, count)
        yield item
    logger.info("%s: %d rows read", name, count)
