"""The registry of background jobs (CONTRACT 4) and the one way they are run and recorded.

Apps register their jobs with `@job("name")`; a job is a function returning a dict of counts.
`run_job` records every run (start, end, counts, errors) in JobRun, whoever started it.
"""

import logging
import traceback
from collections.abc import Callable

from django.db import DatabaseError
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)

JobFunction = Callable[[], dict[str, int]]
_REGISTRY: dict[str, JobFunction] = {}


class UnknownJob(LookupError):
    pass


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(func: JobFunction) -> JobFunction:
        _REGISTRY[name] = func
        return func

    return register


def job_names() -> list[str]:
    return sorted(_REGISTRY)


def run_job(name: str, *, triggered_by: str = "scheduler") -> JobRun:
    """Run a registered job synchronously and record it. Raises UnknownJob for a bad name.

    A job that fails is recorded as failed, with its traceback, and its exception is raised
    again: the Celery task retries operational errors, and `run_job` exits non-zero.
    """
    try:
        func = _REGISTRY[name]
    except KeyError as exc:
        raise UnknownJob(name) from exc
    run = JobRun.objects.create(name=name, started_at=timezone.now(), triggered_by=triggered_by)
    try:
        counts = func()
    except Exception:
        logger.exception("job %s failed", name)
        _record(run, outcome=JobRun.Outcome.FAILED, errors=traceback.format_exc())
        raise
    _record(run, outcome=JobRun.Outcome.SUCCEEDED, counts=counts)
    return run


def _record(run: JobRun, *, outcome: str, counts: dict | None = None, errors: str = "") -> None:
    run.outcome, run.counts, run.errors, run.finished_at = outcome, counts or {}, errors, timezone.now()
    try:
        run.save(update_fields=["outcome", "errors", "counts", "finished_at"])
    except DatabaseError:
        if outcome == JobRun.Outcome.SUCCEEDED:
            raise
        # The database that failed the job may not take its record either: the job's own
        # error is what the caller must see (and what the task retries on).
        logger.exception("job %s: its failure could not be recorded", run.name)
