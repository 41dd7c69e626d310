"""Tickets past their SLA are escalated once per breach, with events and notifications."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.models import Priority, Ticket, TicketEvent
from aftersales.services import escalation
from aftersales.tests.factories import make_ticket
from core.models import Notification
from stores.models import Membership, Role
from stores.tests.factories import make_user

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def people(store):
    manager = make_user(Role.MANAGER, store=store, username="boss")
    Membership.objects.filter(user=manager).update(phone="13900000001")
    regional = make_user(Role.REGIONAL, provinces=["广东省"], username="south")
    other_regional = make_user(Role.REGIONAL, provinces=["浙江省"], username="east")
    return manager, regional, other_regional


def overdue(ticket: Ticket, *, response_by: dt.timedelta, resolution_by: dt.timedelta) -> Ticket:
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(response_due_at=now - response_by, due_at=now - resolution_by)
    ticket.refresh_from_db()
    return ticket


def test_response_breach_escalates_once_raising_priority_and_telling_the_manager(store, people):
    manager, regional, _ = people
    ticket = overdue(make_ticket(store=store, priority=Priority.P3), response_by=HOUR, resolution_by=-10 * HOUR)

    first = escalation.escalate_due()
    second = escalation.escalate_due()

    ticket.refresh_from_db()
    assert first == {"breached": 1, "escalated": 1}
    assert second == {"breached": 0, "escalated": 0}
    assert (ticket.priority, ticket.escalations) == (Priority.P2, 1)
    event = ticket.events.get(kind=TicketEvent.Kind.ESCALATED)
    assert event.data == {"breach": "response", "level": 1, "from": "P3", "to": "P2"}
    assert list(
        Notification.objects.filter(dedupe_key__startswith="escalation:").values_list("recipient", flat=True)
    ) == ["13900000001"]


def test_resolution_breach_is_a_second_escalation_that_reaches_the_regional_manager(store, people):
    manager, regional, other_regional = people
    ticket = overdue(make_ticket(store=store, priority=Priority.P4), response_by=5 * HOUR, resolution_by=-HOUR)
    escalation.escalate_due()

    overdue(ticket, response_by=5 * HOUR, resolution_by=HOUR)
    counts = escalation.escalate_due()
    again = escalation.escalate_due()

    ticket.refresh_from_db()
    assert counts == {"breached": 1, "escalated": 1}
    assert again == {"breached": 0, "escalated": 0}
    assert (ticket.priority, ticket.escalations) == (Priority.P2, 2)
    levels = list(ticket.events.filter(kind=TicketEvent.Kind.ESCALATED).values_list("data__breach", flat=True))
    assert levels == ["response", "resolution"]
    recipients = sorted(
        Notification.objects.filter(dedupe_key__startswith="escalation:").values_list("recipient", flat=True)
    )
    assert recipients == sorted(["13900000001", "13900000001", regional.email])
    assert other_regional.email not in recipients


def test_both_breaches_found_at_once_escalate_twice_in_order(store, people):
    ticket = overdue(make_ticket(store=store, priority=Priority.P2), response_by=9 * HOUR, resolution_by=HOUR)

    assert escalation.escalate_due() == {"breached": 1, "escalated": 2}
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.escalations) == (Priority.P1, 2)
    assert escalation.escalate_due() == {"breached": 0, "escalated": 0}


def test_ticket_answered_in_time_has_only_the_resolution_breach(store, people):
    manager, regional, _ = people
    ticket = make_ticket(store=store, priority=Priority.P3)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.IN_PROGRESS, responded_at=ticket.created_at)
    overdue(ticket, response_by=-HOUR, resolution_by=HOUR)
    Ticket.objects.filter(pk=ticket.pk).update(response_due_at=ticket.created_at + HOUR)

    assert escalation.escalate_due() == {"breached": 1, "escalated": 1}
    assert escalation.escalate_due() == {"breached": 0, "escalated": 0}
    ticket.refresh_from_db()
    assert ticket.escalations == 1
    assert ticket.events.get(kind=TicketEvent.Kind.ESCALATED).data["breach"] == "resolution"
    assert regional.email not in Notification.objects.filter(dedupe_key__startswith="escalation:").values_list(
        "recipient", flat=True
    )


def test_clock_paused_for_parts_before_the_due_time_is_not_a_breach(store, people):
    ticket = make_ticket(store=store)
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.WAITING_PARTS,
        responded_at=ticket.created_at,
        paused_at=now - 2 * HOUR,
        due_at=now - HOUR,
    )

    assert escalation.escalate_due() == {"breached": 0, "escalated": 0}


def test_finished_tickets_are_left_alone(store, people):
    ticket = overdue(make_ticket(store=store), response_by=9 * HOUR, resolution_by=HOUR)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)

    assert escalation.escalate_due() == {"breached": 0, "escalated": 0}


def test_escalate_tickets_job_prints_its_keys(capsys, store, people):
    overdue(make_ticket(store=store), response_by=HOUR, resolution_by=-HOUR)

    call_command("run_job", "escalate_tickets")

    assert capsys.readouterr().out.strip().splitlines()[-1] == "escalate_tickets: breached=1 escalated=1"
