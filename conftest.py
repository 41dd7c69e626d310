"""Shared fixtures: users of each role, a logged-in client, Playwright on Debian's Chromium, the clock."""

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine

from stores import geo
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FEED_DIR = tmp_path / "feeds"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters (core.accounts.throttle) start from zero in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_store_density():
    """Each test builds its own network: the nearest search's density map must not outlive it."""
    geo.forget_density()


# The one test clock. Tests that depend on the time pin it (the `now` fixture below, or the
# `time_machine` fixture for an exact instant) or derive their dates from timezone.now() and
# localdate(); none may depend on the day or hour they run at. TEST_NOW starts every test at that
# instant, the clock running, to prove it (see docs/architecture.md), e.g.
#   TEST_NOW=2026-12-31T23:59:30+08:00 .venv/bin/python -m pytest aftersales
TEST_NOW = os.environ.get("TEST_NOW")
# The instant `now` pins: a Tuesday morning in Guangzhou, mid-year.
NOW = dt.datetime(2026, 6, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _test_now():
    if not TEST_NOW:
        yield
        return
    with time_machine.travel(dt.datetime.fromisoformat(TEST_NOW), tick=True):
        yield


@pytest.fixture
def now(time_machine) -> dt.datetime:
    """The clock set to NOW for the test and running from there: a known day and hour, and records
    made one after the other still get increasing timestamps. Returns NOW."""
    time_machine.move_to(NOW, tick=True)
    return NOW


@pytest.fixture
def store(db):
    return StoreFactory(code="GZ-0001")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="SH-0001", province="上海市", city="上海市", lat=31.23, lng=121.47)


@pytest.fixture
def staff_user(store):
    return make_user(Role.STAFF, store=store, username="staff")


@pytest.fixture
def manager_user(store):
    return make_user(Role.MANAGER, store=store, username="manager")


@pytest.fixture
def regional_user(db):
    return make_user(Role.REGIONAL, provinces=["广东省", "广西壮族自治区"], username="regional")


@pytest.fixture
def hq_user(db):
    return make_user(Role.HQ, username="hq")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def regional_client(client, regional_user):
    client.force_login(regional_user)
    return client


@pytest.fixture
def hq_client(client, hq_user):
    client.force_login(hq_user)
    return client


# Playwright drives Debian's Chromium; its own browser download cannot work here.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def screenshot_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def english(settings):
    """Run a test in English: for assertions on message texts (the default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browse as store staff do: a Chinese browser on a tablet-sized screen."""
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1180, "height": 820}}


@pytest.fixture
def through_the_broker():
    """Tests run tasks eagerly; the ones with a real worker must send them through Redis."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
