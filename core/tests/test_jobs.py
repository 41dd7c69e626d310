"""The job runner: every run recorded; a failure recorded with its error, then raised, so that the
Celery task's retry fires for operational errors and `run_job` exits non-zero (CONTRACT 4)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from core import jobs
from core.models import JobRun
from core.tasks import run_job_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(monkeypatch):
    def add(name, func):
        monkeypatch.setitem(jobs._REGISTRY, name, func)

    return add


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries in-process only when they do not propagate at once (a worker's
    behaviour); the test settings propagate, so that other tests see a task's error directly."""
    conf = run_job_task.app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = propagates


def failing_then(errors: list[Exception], counts: dict[str, int]):
    """A job that raises each of `errors` on successive runs, then returns `counts`."""
    pending = list(errors)

    def run():
        if pending:
            raise pending.pop(0)
        return counts

    return run


def test_a_failed_job_is_recorded_with_its_error_and_raised(register):
    register("broken", failing_then([ValueError("the feed directory is gone")], {}))
    with pytest.raises(ValueError, match="the feed directory is gone"):
        jobs.run_job("broken", triggered_by="test")
    run = JobRun.objects.get(name="broken")
    assert run.outcome == JobRun.Outcome.FAILED
    assert "ValueError: the feed directory is gone" in run.errors
    assert run.finished_at is not None and run.counts == {}


@pytest.mark.usefixtures("eager_retries")
def test_the_job_task_retries_an_operational_error_until_the_job_succeeds(register):
    register("flaky", failing_then([OperationalError("server closed the connection")] * 2, {"done": 1}))
    result = run_job_task.delay("flaky")
    assert result.get() == {"outcome": "succeeded", "counts": {"done": 1}}
    outcomes = list(JobRun.objects.filter(name="flaky").order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["failed", "failed", "succeeded"]


@pytest.mark.usefixtures("eager_retries")
def test_the_job_task_gives_up_after_its_retries_and_fails(register):
    register("down", failing_then([OperationalError("database is down")] * 10, {}))
    result = run_job_task.delay("down")
    assert result.failed()
    with pytest.raises(OperationalError, match="database is down"):
        result.get()
    assert JobRun.objects.filter(name="down", outcome=JobRun.Outcome.FAILED).count() == 6  # first run + 5 retries


def test_the_job_task_does_not_retry_a_bug(register):
    register("buggy", failing_then([KeyError("store_id")] * 3, {}))
    with pytest.raises(KeyError):
        run_job_task.delay("buggy")
    assert JobRun.objects.filter(name="buggy").count() == 1


def test_run_job_command_exits_non_zero_on_failure_and_says_why(register):
    register("broken", failing_then([ValueError("the feed directory is gone")], {}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="broken: failed"):
        call_command("run_job", "broken", stdout=io.StringIO(), stderr=err)
    assert "the feed directory is gone" in err.getvalue()
    assert JobRun.objects.get(name="broken").outcome == JobRun.Outcome.FAILED


def test_run_job_command_prints_the_counts_of_a_successful_job_last(register):
    register("fine", failing_then([], {"files": 2, "processed": 1}))
    out = io.StringIO()
    call_command("run_job", "fine", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "fine: files=2 processed=1"
    assert JobRun.objects.get(name="fine").triggered_by == "command"
