import datetime as dt

import pytest

from aftersales.models import Priority, Ticket
from aftersales.services import sla
from aftersales.services.tickets import ticket_transition
from aftersales.tests.factories import make_ticket

H = dt.timedelta(hours=1)


@pytest.fixture
def ticket(store):
    # P3: respond within 8 h, resolve within 72 h.
    return make_ticket(store=store, priority=Priority.P3)


def _states_agree(ticket, now):
    """The filter used by the queue says the same as the function."""
    ticket.refresh_from_db()
    state = sla.sla_state(ticket, now)
    for other in (sla.ON_TRACK, sla.AT_RISK, sla.BREACHED):
        in_filter = Ticket.objects.filter(sla.state_q(other, now), pk=ticket.pk).exists()
        assert in_filter == (other == state), (other, state)
    return state


def test_response_window_boundaries(ticket):
    opened = ticket.created_at
    assert ticket.response_due_at - opened == pytest.approx(8 * H, abs=dt.timedelta(seconds=1))
    start = ticket.response_due_at - 8 * H
    assert _states_agree(ticket, start + 6.4 * H - dt.timedelta(microseconds=1)) == sla.ON_TRACK
    assert _states_agree(ticket, start + 6.4 * H) == sla.AT_RISK  # exactly at 80%
    assert _states_agree(ticket, ticket.response_due_at - dt.timedelta(microseconds=1)) == sla.AT_RISK
    assert _states_agree(ticket, ticket.response_due_at) == sla.BREACHED  # at due


def test_resolution_window_boundaries_once_responded(ticket, manager_user):
    start = ticket.due_at - 72 * H
    ticket_transition(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=manager_user, at=start + H)
    assert _states_agree(ticket, start + 57.6 * H - dt.timedelta(microseconds=1)) == sla.ON_TRACK
    assert _states_agree(ticket, start + 57.6 * H) == sla.AT_RISK  # exactly at 80%
    assert _states_agree(ticket, ticket.due_at) == sla.BREACHED


def test_clock_pauses_while_waiting_for_parts(ticket, manager_user):
    due = ticket.due_at
    start = due - 72 * H
    ticket_transition(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=manager_user, at=start + H)
    ticket_transition(ticket=ticket, to_status=Ticket.Status.WAITING_PARTS, actor=manager_user, at=start + 10 * H)
    # Paused: long past the original due time and still on track, the clock reads the pause time.
    assert _states_agree(ticket, due + 100 * H) == sla.ON_TRACK
    ticket_transition(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=manager_user, at=start + 40 * H)
    ticket.refresh_from_db()
    assert ticket.due_at == due + 30 * H
    assert ticket.paused_at is None
    assert ticket.events.filter(data__paused_seconds=30 * 3600).exists()
    assert _states_agree(ticket, due + 30 * H - dt.timedelta(seconds=1)) == sla.AT_RISK
    assert _states_agree(ticket, due + 30 * H) == sla.BREACHED


def test_breach_before_pause_stays_breached_while_paused(ticket, manager_user):
    start = ticket.due_at - 72 * H
    ticket_transition(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=manager_user, at=start + H)
    ticket_transition(ticket=ticket, to_status=Ticket.Status.WAITING_PARTS, actor=manager_user, at=start + 80 * H)
    assert _states_agree(ticket, start + 500 * H) == sla.BREACHED


def test_finished_ticket_keeps_the_state_it_finished_in(ticket, manager_user):
    start = ticket.due_at - 72 * H
    ticket_transition(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=manager_user, at=start + H)
    ticket_transition(ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=manager_user, at=start + 2 * H)
    ticket.refresh_from_db()
    assert sla.sla_state(ticket, start + 1000 * H) == sla.ON_TRACK
