"""Opening hours: the one rule of whether a store is open for a whole hour slot."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from stores.models import Store, open_for_hour

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=SHANGHAI)


def store(opens: str, closes: str) -> Store:
    (oh, om), (ch, cm) = (map(int, opens.split(":")), map(int, closes.split(":")))
    return Store(opens_minute=oh * 60 + om, closes_minute=ch * 60 + cm)


@pytest.mark.parametrize(("hour", "is_open"), [(8, False), (9, True), (12, True), (17, True), (18, False), (23, False)])
def test_a_store_open_9_to_18_takes_the_17_00_slot_but_not_the_18_00_one(hour, is_open):
    assert store("09:00", "18:00").is_open_for_hour(at(hour)) is is_open


def test_a_store_open_9_to_18_has_nine_whole_hours():
    nine_to_six = store("09:00", "18:00")
    assert nine_to_six.open_hours() == list(range(9, 18))
    assert nine_to_six.open_slots_on(dt.date(2026, 12, 1)) == [at(h) for h in range(9, 18)]


def test_a_store_open_00_00_to_24_00_is_open_round_the_clock():
    round_the_clock = store("00:00", "24:00")
    assert round_the_clock.open_hours() == list(range(24))
    assert round_the_clock.is_open_for_hour(at(0)) and round_the_clock.is_open_for_hour(at(23))


def test_an_hour_only_partly_open_does_not_count():
    half_hours = store("08:30", "12:30")
    assert half_hours.open_hours() == [9, 10, 11]
    assert not half_hours.is_open_for_hour(at(8))
    assert not half_hours.is_open_for_hour(at(12))
    assert half_hours.is_open_for_hour(at(8, 30))  # the 60 minutes from 08:30 are all open


def test_the_rule_takes_any_aware_moment_in_its_local_hour():
    utc = at(17).astimezone(dt.UTC)  # 09:00 UTC
    assert store("09:00", "18:00").is_open_for_hour(utc)


@pytest.mark.parametrize(
    ("opens", "closes", "start", "expected"),
    [(540, 1080, 1020, True), (540, 1080, 1080, False), (540, 1080, 480, False), (0, 1440, 1380, True)],
)
def test_the_rule_on_minutes_is_what_the_in_memory_dispatcher_uses(opens, closes, start, expected):
    assert open_for_hour(opens, closes, start) is expected
