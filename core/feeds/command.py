"""The management command of a feed: wires the runner to the command line and prints the summary."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from .base import Feed
from .rejects import write_rejects
from .runner import run_feed


class FeedCommand(BaseCommand):
    """`sync_<feed> FILE [--full] [--allow-mass-close] [--dry-run] [--rejects PATH]`.

    Exit 0 when the file was processed (rejected rows included), 2 with a one-line reason when it
    could not be used; the last stdout line is the feed's summary.
    """

    feed_class: type[Feed]

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8, UTF-8 with BOM, or GB18030/GBK)")
        if self.feed_class.supports_full:
            parser.add_argument(
                "--full", action="store_true", help="the file is complete: close the records missing from it"
            )
            parser.add_argument(
                "--allow-mass-close",
                action="store_true",
                help="let --full close more than 10%% of the active records",
            )
        parser.add_argument("--dry-run", action="store_true", help="report the counts, change nothing")
        parser.add_argument("--rejects", metavar="PATH", help="write the rejected lines to this CSV file")

    def handle(self, *args, file, dry_run=False, rejects=None, full=False, allow_mass_close=False, **options):
        result = run_feed(
            self.feed_class,
            Path(file),
            full=full,
            allow_mass_close=allow_mass_close,
            dry_run=dry_run,
            triggered_by="command",
            progress=sys.stderr if sys.stderr.isatty() else None,
        )
        if rejects:
            # Always written, header only for a file refused before its rows were read: a script
            # never finds a stale file from an earlier run there.
            write_rejects(Path(rejects), result.rejections)
        if result.refused:
            raise CommandError(" ".join(result.refused.split()), returncode=2)
        self.stdout.write(result.summary())
