"""The registry of background jobs (CONTRACT 4) and the one way they are run and recorded.

Apps register their jobs with `@job("name")`; a job is a function returning a dict of counts.
`run_job` records every run (start, end, counts, errors) in JobRun, whoever started it.
"""

import logging
import traceback
from collections.abc import Callable

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
    """Run a registered job synchronously and record it. Raises UnknownJob for a bad name."""
    try:
        func = _REGISTRY[name]
    except KeyError as exc:
        raise UnknownJob(name) from exc
    run = JobRun.objects.create(name=name, started_at=timezone.now(), triggered_by=triggered_by)
    try:
        counts = func()
    except Exception:
        run.outcome = JobRun.Outcome.FAILED
        run.errors = traceback.format_exc()
        logger.exception("job %s failed", name)
    else:
        run.outcome = JobRun.Outcome.SUCCEEDED
        run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "errors", "counts", "finished_at"])
    return run
