"""Customer notifications: received, booked, reminded the day before, resolved; each once."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.models import Kind, Ticket
from aftersales.services import reminders
from aftersales.services.tickets import ticket_transition
from aftersales.tests.factories import make_ticket
from core.models import Notification
from stores.models import SlotLoad


def keys() -> list[str]:
    return sorted(key.split(":")[0] for key in Notification.objects.values_list("dedupe_key", flat=True))


def test_ticket_opened_at_a_store_tells_the_customer(store):
    ticket = make_ticket(store=store)

    message = Notification.objects.get()
    assert message.recipient == ticket.customer.phone
    assert ticket.number in message.body


@pytest.mark.django_db
def test_resolved_ticket_tells_the_customer_once(store, hq_user):
    ticket = make_ticket(store=store)
    ticket_transition(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=hq_user)
    ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=hq_user)

    assert keys() == ["ticket-received", "ticket-resolved"]


def test_cancelled_booking_gives_its_bay_back(store, hq_user):
    slot = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    SlotLoad.objects.create(store=store, starts_at=slot, resource="bay", capacity=4, booked=1)
    ticket = make_ticket(store=store, kind=Kind.MAINTENANCE, booked_slot=slot)

    ticket_transition(ticket=ticket, to_status=Ticket.Status.CANCELLED, actor=hq_user)

    assert SlotLoad.objects.get().booked == 0


def test_reminder_the_day_before_is_sent_once(store):
    now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    tomorrow = now + dt.timedelta(days=1)
    booked = make_ticket(store=store, kind=Kind.MAINTENANCE, booked_slot=tomorrow.replace(hour=9))
    make_ticket(store=store, kind=Kind.MAINTENANCE, booked_slot=tomorrow + dt.timedelta(days=1))  # too early

    first = reminders.remind_bookings(now=now)
    second = reminders.remind_bookings(now=now)

    assert first == {"reminded": 1}
    assert second == {"reminded": 0}
    reminder = Notification.objects.get(dedupe_key__startswith="ticket-reminder:")
    assert booked.number in reminder.body
