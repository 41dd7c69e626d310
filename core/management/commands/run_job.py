import traceback

from django.core.management.base import BaseCommand, CommandError

from core import jobs


class Command(BaseCommand):
    help = "Run a background job synchronously and print its counts as the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="one of: " + ", ".join(jobs.job_names()) if jobs.job_names() else "job name")

    def handle(self, *args, name: str, **options):
        try:
            run = jobs.run_job(name, triggered_by="command")
        except jobs.UnknownJob as exc:
            raise CommandError(f"unknown job {name!r}; known jobs: {', '.join(jobs.job_names())}") from exc
        except Exception as exc:  # recorded as a failed run by run_job; exit non-zero saying why
            self.stderr.write(traceback.format_exc())
            raise CommandError(f"{name}: failed: {exc}") from exc
        self.stdout.write(run.summary())
