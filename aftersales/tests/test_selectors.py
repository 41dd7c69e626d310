"""Reads in selectors, not in forms or views: search, the unassigned queue, recalls, store members."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from aftersales import selectors
from aftersales.models import Ticket
from aftersales.services.tickets import NUMBER_PREFIX
from aftersales.tests.factories import VehicleFactory, make_ticket
from stores.models import Role
from stores.tests.factories import make_user


def test_search_by_ticket_number_uses_the_number_prefix():
    assert selectors.search_q(f" {NUMBER_PREFIX.lower()}-2026-0000007") == Q(number=f"{NUMBER_PREFIX}-2026-0000007")
    year = timezone.localdate().year
    assert selectors.search_q("7") == Q(
        number__in=[f"{NUMBER_PREFIX}-{year}-0000007", f"{NUMBER_PREFIX}-{year - 1}-0000007"]
    )


def test_search_by_vin_mobile_or_nothing():
    assert selectors.search_q("lgca1b2c0r0000001") == Q(vehicle__vin="LGCA1B2C0R0000001")
    assert selectors.search_q("139 0000 0001") == Q(customer__phone="13900000001")
    assert selectors.search_q("  ") is None


def test_forms_hold_no_search_query():
    import aftersales.forms

    assert not hasattr(aftersales.forms, "search_q")


def _storeless(store, province: str) -> Ticket:
    return make_ticket(store=None, vehicle=VehicleFactory(store=store), province=province)


def test_unassigned_tickets_are_the_open_storeless_work_of_the_users_provinces(store, regional_user):
    mine = _storeless(store, "广东省")
    _storeless(store, "北京市")
    make_ticket(store=store)
    closed = _storeless(store, "广东省")
    Ticket.objects.filter(pk=closed.pk).update(status=Ticket.Status.CLOSED)
    assert list(selectors.unassigned_tickets(user=regional_user)) == [mine]
    assert list(selectors.unassigned_tickets(user=regional_user, province="广西壮族自治区")) == []


def test_unassigned_tickets_come_soonest_due_first(store, hq_user):
    later, sooner = _storeless(store, "北京市"), _storeless(store, "广东省")
    Ticket.objects.filter(pk=later.pk).update(due_at=timezone.now() + dt.timedelta(days=30))
    assert list(selectors.unassigned_tickets(user=hq_user)) == [sooner, later]


def test_store_member_is_an_active_user_of_the_tickets_store(store, other_store, english):
    colleague = make_user(Role.STAFF, store=store, username="li.lei")
    make_user(Role.STAFF, store=other_store, username="han.meimei")
    ticket = make_ticket(store=store)
    assert selectors.store_member(ticket=ticket, username="li.lei") == colleague
    assert selectors.store_member(ticket=ticket, username="") is None
    with pytest.raises(ValidationError, match="han.meimei does not work at the ticket's store"):
        selectors.store_member(ticket=ticket, username="han.meimei")


def test_recall_campaigns_newest_first(db):
    from aftersales.services.recalls import recall_campaign_create
    from aftersales.tests.factories import CarModelFactory, make_vin

    model = CarModelFactory(code="GC-S7")
    first, second = (
        recall_campaign_create(code=code, title="x", model=model, vin_from=make_vin(1), vin_to=make_vin(2))
        for code in ("RC-1", "RC-2")
    )
    assert list(selectors.recall_campaigns()) == [second, first]
    assert selectors.recall_campaign(pk=first.pk) == first
    assert selectors.recall_campaign(pk=first.pk + 99) is None
