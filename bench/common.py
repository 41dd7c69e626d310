"""What the benchmark scripts share: the percentile they report, the generated network's shape,
and the timing of one page through Django's test client."""

import random
import statistics
import time

# The capabilities of the generated network: every service store has all of them, partner shops one mix.
SERVICE_CAPS = "sales|test_drive|delivery|maintenance|repair|battery"
PARTNER_CAPS = ["maintenance|tyres", "battery|tyres", "bodywork|repair", "maintenance|repair|tyres", "tyres"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cluster_centres(rng: random.Random, count: int = 320) -> list[tuple[float, float, float]]:
    """(lat, lng, weight): cities, most in the populous east, a few in the west; Zipf-like sizes."""
    centres = []
    for rank in range(1, count + 1):
        if rng.random() < 0.75:
            lat, lng = rng.uniform(21.0, 41.0), rng.uniform(104.0, 122.0)
        else:
            lat, lng = rng.uniform(24.0, 50.0), rng.uniform(76.0, 128.0)
        centres.append((lat, lng, rank**-0.6))
    return centres


def time_page(connection, client, url: str, *, runs: int, warmup: int) -> tuple[int, float, float, float]:
    """(queries per request, p50 ms, p95 ms, p95 of this process's CPU ms) of GET `url`."""
    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings, cpu = [], []
    for _ in range(runs):
        begun, begun_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append((time.perf_counter() - begun) * 1000)
        cpu.append((time.process_time() - begun_cpu) * 1000)
    return queries[0], statistics.median(timings), percentile(timings, 0.95), percentile(cpu, 0.95)
