import pytest
from django.core.management import call_command

# A network of the real shape at 2% of its size keeps the suite fast; the full-size store
# network is checked without the database (test_network.py).
FRACTION = 0.02


@pytest.fixture
def seeded(db, now):
    """The demo network, seeded at the test clock's NOW (its "today" is the test's today)."""
    call_command("seed_demo", fraction=FRACTION, stdout=open("/dev/null", "w"))  # noqa: SIM115
