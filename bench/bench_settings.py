"""Settings for `make bench`: production settings, plus a temporary STATIC_ROOT and the test client's host.

Production settings read everything from the environment except STATIC_ROOT; the benchmark
collects the static files into a temporary folder of its own so that it never touches the
checkout's `staticfiles/`.
"""

import os
import tempfile

from config.settings import *  # noqa: F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Messages from the load test (bookings, dispatch) go to a file, not the console.
NOTIFICATION_BACKEND = "core.notifications.backends.FileBackend"
NOTIFICATION_FILE_PATH = os.path.join(tempfile.gettempdir(), "goodcar-bench-notifications.log")
