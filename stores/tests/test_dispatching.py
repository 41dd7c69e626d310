"""One vocabulary of dispatch decisions and refusals, and one builder of the dispatch note."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from stores import capacity, dispatching
from stores.dispatching import Reason, Refusal
from stores.models import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEN = dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)


def store(**fields) -> Store:
    values = {"code": "GZ-1", "name": "广州一店", "capabilities": "test_drive|maintenance", "bays": 2, "demo_cars": 1}
    return Store(**{**values, **fields})


def test_the_vocabularies_are_text_choices_with_the_codes_notes_already_store():
    assert Reason.values == ["own_store", "nearest_with_capacity", "fallback_unassigned", "assigned_by_hand"]
    assert Refusal.values == [
        "full",
        "closed_at_that_hour",
        "suspended",
        "closed",
        "no_capability",
        "no_capacity",
        "already_booked",
    ]


def test_capacity_keeps_no_vocabulary_of_its_own():
    assert not hasattr(capacity, "refusal_reason")


@pytest.mark.parametrize(
    ("fields", "starts_at", "why"),
    [
        ({"status": Store.Status.SUSPENDED}, TEN, Refusal.SUSPENDED),
        ({"status": Store.Status.CLOSED}, TEN, Refusal.CLOSED),
        ({"capabilities": "maintenance"}, TEN, Refusal.NO_CAPABILITY),
        ({"demo_cars": 0}, TEN, Refusal.NO_CAPACITY),
        ({"opens_minute": 11 * 60}, TEN, Refusal.CLOSED_AT_HOUR),
        # A standing reason holds at every hour: it is the one given.
        ({"demo_cars": 0, "opens_minute": 11 * 60}, TEN, Refusal.NO_CAPACITY),
        ({}, TEN, None),
    ],
)
def test_hour_refusal_names_the_first_rule_the_store_fails(fields, starts_at, why):
    assert dispatching.hour_refusal(store(**fields), starts_at, "test_drive") == why


def test_labels_read_codes_from_stored_notes_and_leave_unknown_codes_as_they_are():
    with translation.override("en"):
        assert dispatching.reason_label("assigned_by_hand") == "Assigned by hand"
        assert dispatching.refusal_label("closed_at_that_hour") == "closed at that hour"
    assert dispatching.refusal_label("something_older") == "something_older"


def test_the_note_names_the_store_slot_and_the_stores_passed_over():
    chosen, full = store(), store(code="GZ-2")
    note = dispatching.decision(
        reason=Reason.NEAREST,
        store=chosen,
        distance_km=3.14159,
        slot=TEN,
        passed_over=[dispatching.passed(full, Refusal.FULL, 1.005)] * 12,
        decided_at=TEN - dt.timedelta(hours=8),
        searched_km=50.0,
    )
    assert note == {
        "reason": "nearest_with_capacity",
        "store": "GZ-1",
        "store_name": "广州一店",
        "distance_km": 3.14,
        "slot": "2026-12-01T10:00:00+08:00",
        "decided_at": "2026-12-01T02:00:00+08:00",
        "passed_over": [{"store": "GZ-2", "distance_km": 1.0, "why": "full"}] * dispatching.MAX_PASSED_OVER,
        "searched_km": 50.0,
    }
