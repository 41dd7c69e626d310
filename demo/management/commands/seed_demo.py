"""`python manage.py seed_demo [--scale small|full]`: the demo network (CONTRACT 6)."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from demo.plan import PLANS
from demo.seed import AlreadySeeded, seed


class Command(BaseCommand):
    help = "Load the demo network: stores, people, vehicles, test drives and tickets. Running it again adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(PLANS), default="small",
                            help="small: what `make demo` loads; full: the benchmark size (use PostgreSQL)")  # fmt: skip
        # A reduced network of the same shape, for tests.
        parser.add_argument("--fraction", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args, scale, fraction, **options):
        if not 0 < fraction <= 1:
            raise CommandError("--fraction must be in (0, 1].")
        plan = PLANS[scale].scaled(fraction)
        try:
            counts = seed(plan, say=lambda line: self.stdout.write(line))
        except AlreadySeeded as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"seed_demo {scale}: " + " ".join(f"{k}={v}" for k, v in counts.items())))
