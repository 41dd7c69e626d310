"""The nightly `sync_feeds` job (CONTRACT 4): every feed file in FEED_DIR, once per content.

Catalogue files first, then stores, staff and vehicles, each kind in name order; a file whose
name ends in `-full.csv` runs with --full where the feed has it. A file whose SHA-256 a recorded
run of the same feed already has (processed or refused, by this job or by hand) is skipped; a run
that crashed does not count, so the file is tried again the next night.
"""

import logging
from pathlib import Path

from django.conf import settings

from core.jobs import job
from core.models import FeedRun

from . import registry
from .reading import file_sha256
from .runner import run_feed

logger = logging.getLogger("core.feeds")

DONE = (FeedRun.Outcome.PROCESSED, FeedRun.Outcome.REFUSED)


@job("sync_feeds")
def sync_feeds() -> dict[str, int]:
    folder = Path(settings.FEED_DIR)
    counts = {"files": 0, "processed": 0, "skipped": 0, "refused": 0, "failed": 0}
    for feed_class in registry.registered():
        paths = sorted((p for p in folder.glob(feed_class.file_glob) if p.is_file()), key=lambda p: p.name)
        for path in paths:
            counts["files"] += 1
            try:
                sha256 = file_sha256(path)
            except OSError:
                sha256 = ""  # unreadable: run_feed records the refusal
            if sha256 and FeedRun.objects.filter(feed=feed_class.name, sha256=sha256, outcome__in=DONE).exists():
                logger.info("%s: %s skipped, already run with this content", feed_class.name, path.name)
                counts["skipped"] += 1
                continue
            try:
                result = run_feed(feed_class, path, full=path.name.endswith("-full.csv"), triggered_by="sync_feeds")
            except Exception:
                # Recorded as a failed run; the other files still run, and this one is retried tomorrow.
                logger.exception("%s: %s failed", feed_class.name, path.name)
                counts["failed"] += 1
                continue
            counts["refused" if result.refused else "processed"] += 1
    return counts
