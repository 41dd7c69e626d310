"""Taking many slots at once: each slot whole or not at all, never beyond capacity."""

import datetime as dt
from zoneinfo import ZoneInfo

from stores import capacity
from stores.models import SlotLoad

SLOT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BAY = capacity.Resource.BAY


def test_take_many_takes_each_slot_whole_or_not_at_all(store, other_store):
    later = SLOT + dt.timedelta(hours=1)
    capacity.ensure_rows([(store.pk, SLOT, 2), (store.pk, later, 2), (other_store.pk, SLOT, 1)], BAY)
    SlotLoad.objects.filter(store=store, starts_at=later).update(booked=1)

    taken = capacity.take_many([(store.pk, SLOT, 2, 2), (store.pk, later, 2, 2), (other_store.pk, SLOT, 1, 1)], BAY)

    assert taken == {(store.pk, SLOT), (other_store.pk, SLOT)}
    booked = dict(
        SlotLoad.objects.values_list("store_id", "starts_at").values_list("starts_at", "booked").filter(store=store)
    )
    assert booked == {SLOT: 2, later: 1}
    assert capacity.take_many([(other_store.pk, SLOT, 1, 1)], BAY) == set()


def test_take_follows_the_store_capacity_now(store):
    capacity.ensure_rows([(store.pk, SLOT, 4)], BAY)

    assert capacity.take(store_id=store.pk, starts_at=SLOT, resource=BAY, capacity=1)
    assert not capacity.take(store_id=store.pk, starts_at=SLOT, resource=BAY, capacity=1)
    assert SlotLoad.objects.get().capacity == 1
