"""The htmx shortcuts are enhancements: each works as a plain form or link when JavaScript is off."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.models import Kind, Ticket, TicketEvent
from aftersales.tests.factories import VehicleFactory, make_ticket
from sales.models import TestDrive
from sales.tests.factories import TestDriveFactory, local_slot

pytestmark = pytest.mark.django_db


def test_queue_filters_fold_away_unless_a_filter_is_set(staff_client, store):
    repair = make_ticket(store=store, kind=Kind.REPAIR)
    maintenance = make_ticket(store=store, kind=Kind.MAINTENANCE)

    plain = staff_client.get("/aftersales/tickets/").content.decode()
    assert "data-open-wide>" in plain  # folded: a narrow screen shows the "Filters" toggle only

    filtered = staff_client.get("/aftersales/tickets/?kind=repair").content.decode()
    assert "data-open-wide open>" in filtered
    assert 'data-testid="active-filters">1<' in filtered
    assert repair.number in filtered and maintenance.number not in filtered


def test_a_comment_posts_as_a_plain_form(staff_client, store):
    ticket = make_ticket(store=store)

    response = staff_client.post(f"{ticket.get_absolute_url()}comment/", {"message": "已订购配件"})

    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert TicketEvent.objects.filter(ticket=ticket, message="已订购配件").exists()


def test_a_status_button_posts_as_a_plain_form(staff_client, store):
    ticket = make_ticket(store=store)

    response = staff_client.post(f"{ticket.get_absolute_url()}status/", {"to_status": "in_progress"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_confirming_a_test_drive_posts_as_a_plain_form(staff_client, store):
    drive = TestDriveFactory(store=store, slot_start=local_slot(days=1, hour=10))

    response = staff_client.post(drive.get_absolute_url(), {"action": "confirm"})

    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.status == TestDrive.Status.CONFIRMED


def test_booking_unassigned_work_posts_as_a_plain_form(regional_client, store, now):
    ticket = make_ticket(
        store=None, vehicle=VehicleFactory(store=store), kind=Kind.MAINTENANCE,
        source=Ticket.Source.SCHEDULE, province="广东省",
    )  # fmt: skip
    day = timezone.localdate() + dt.timedelta(days=1)

    response = regional_client.post(
        f"/aftersales/unassigned/{ticket.number}/assign/",
        {f"{ticket.number}-store": store.code, f"{ticket.number}-slot": f"{day:%Y-%m-%d} 10:00"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.store_id == store.pk
