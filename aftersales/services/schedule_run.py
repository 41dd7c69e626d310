"""One run of `schedule_maintenance`, split into chunks of vehicles that Celery workers share.

The coordinator (the job, run by beat on a worker or by `run_job` by hand) lists the vehicles that
may be due, enqueues one task per chunk, and then works through the chunks itself from the other
end, so that it is never idle; a chunk already started by someone else is left to them unless
its lease runs out (a worker killed mid-chunk), in which case it is simply done again: chunks are
idempotent, so doing one twice creates nothing twice. Each chunk keeps its counts in a JobRun
row of its own (name `schedule_maintenance.chunk`), updated after every committed batch; the
run's counts are their sum. Without a broker (eager mode) the queue runs the chunks in-process, in order, after commit.
"""

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aftersales.services import dispatch, maintenance
from core.models import JobRun

logger = logging.getLogger(__name__)

CHUNK_JOB = "schedule_maintenance.chunk"
CHUNK_SIZE = 1000
KEYS = ("due", "booked", "unassigned")


def lease() -> dt.timedelta:
    """How long a started chunk is left to its worker before someone else does it again."""
    return dt.timedelta(seconds=getattr(settings, "JOB_CHUNK_LEASE_SECONDS", 300))


def schedule_maintenance(*, run_at: dt.datetime | None = None, chunk_size: int = CHUNK_SIZE) -> dict[str, int]:
    run_at = run_at or timezone.now()
    ids = maintenance.due_vehicle_ids(today=timezone.localdate(run_at))
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    token = uuid.uuid4().hex
    if not chunks:
        return _total(token)
    _enqueue(token, chunks, run_at)
    # The run's network, loaded once for every chunk the coordinator does itself.
    network = dispatch.Network(run_at=run_at)
    for seq in reversed(range(len(chunks))):
        if not _started(token, seq):
            run_chunk(token=token, seq=seq, vehicle_ids=chunks[seq], run_at=run_at, network=network)
    _await_others(token, chunks, run_at, network)
    return _total(token)


def _enqueue(token: str, chunks: list[list[int]], run_at: dt.datetime) -> None:
    from aftersales.tasks import schedule_maintenance_chunk

    def send() -> None:
        try:
            for seq, ids in enumerate(chunks):
                schedule_maintenance_chunk.apply_async(
                    kwargs={"token": token, "seq": seq, "vehicle_ids": ids, "run_at": run_at.isoformat()}
                )
        except Exception:  # noqa: BLE001  (broker down: the coordinator does every chunk itself)
            logger.warning("broker unavailable; schedule_maintenance runs its chunks in-process")

    transaction.on_commit(send)


def _key(token: str, seq: int) -> str:
    return f"{token}:{seq}"


def _started(token: str, seq: int) -> bool:
    """Whether the chunk is done, or started by someone within its lease."""
    done_or_fresh = Q(outcome=JobRun.Outcome.SUCCEEDED) | Q(
        outcome=JobRun.Outcome.RUNNING, started_at__gt=timezone.now() - lease()
    )
    return JobRun.objects.filter(done_or_fresh, name=CHUNK_JOB, triggered_by=_key(token, seq)).exists()


def run_chunk(
    *, token: str, seq: int, vehicle_ids: list[int], run_at: dt.datetime, network: dispatch.Network | None = None
) -> dict[str, int]:
    """Do one chunk and record it; a chunk already done is skipped. A task passes no `network`:
    the chunk loads its own."""
    if JobRun.objects.filter(name=CHUNK_JOB, triggered_by=_key(token, seq), outcome=JobRun.Outcome.SUCCEEDED).exists():
        return {}
    record = JobRun.objects.create(name=CHUNK_JOB, triggered_by=_key(token, seq), started_at=timezone.now())

    def progress(counts: dict[str, int]) -> None:
        JobRun.objects.filter(pk=record.pk).update(counts=dict(counts))

    try:
        counts = dispatch.schedule_chunk(vehicle_ids=vehicle_ids, run_at=run_at, network=network, progress=progress)
    except Exception:
        JobRun.objects.filter(pk=record.pk).update(outcome=JobRun.Outcome.FAILED, finished_at=timezone.now())
        raise
    JobRun.objects.filter(pk=record.pk).update(
        outcome=JobRun.Outcome.SUCCEEDED, counts=counts, finished_at=timezone.now()
    )
    return counts


def _await_others(token: str, chunks: list[list[int]], run_at: dt.datetime, network: dispatch.Network) -> None:
    """Wait for the chunks others are doing; take over any whose lease ran out."""
    while True:
        done = set()
        fresh = set()
        for key, outcome, started in JobRun.objects.filter(
            name=CHUNK_JOB, triggered_by__startswith=f"{token}:"
        ).values_list("triggered_by", "outcome", "started_at"):
            seq = int(key.rsplit(":", 1)[1])
            if outcome == JobRun.Outcome.SUCCEEDED:
                done.add(seq)
            elif outcome == JobRun.Outcome.RUNNING and started > timezone.now() - lease():
                fresh.add(seq)
        missing = [seq for seq in range(len(chunks)) if seq not in done and seq not in fresh]
        for seq in missing:
            run_chunk(token=token, seq=seq, vehicle_ids=chunks[seq], run_at=run_at, network=network)
        if not fresh:
            return
        time.sleep(0.5)


def _total(token: str) -> dict[str, int]:
    """The run's counts: the sum over its chunks (a chunk done twice counts only what it made)."""
    total = dict.fromkeys(KEYS, 0)
    for counts in JobRun.objects.filter(name=CHUNK_JOB, triggered_by__startswith=f"{token}:").values_list(
        "counts", flat=True
    ):
        for key in KEYS:
            total[key] += (counts or {}).get(key, 0)
    return total
