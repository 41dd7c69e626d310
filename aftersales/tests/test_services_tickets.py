import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aftersales.models import Kind, Priority, SlaPolicy, Ticket, TicketEvent
from aftersales.services import tickets as services
from aftersales.tests.factories import VehicleFactory, make_ticket
from sales.models import VehicleReach
from stores.models import Role, Store
from stores.tests.factories import StoreFactory, make_user

S = Ticket.Status
ROLES = [Role.STAFF, Role.MANAGER, Role.REGIONAL, Role.HQ]
MANAGER_ONLY = {(S.NEW, S.CANCELLED), (S.ASSIGNED, S.CANCELLED), (S.IN_PROGRESS, S.CANCELLED),
                (S.WAITING_PARTS, S.CANCELLED), (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.IN_PROGRESS)}  # fmt: skip
ALLOWED = {(t.source, t.target) for t in Ticket.MACHINE.transitions}


def _user(role, store):
    if role in (Role.STAFF, Role.MANAGER):
        return make_user(role, store=store)
    return make_user(role, provinces=[store.province])


@pytest.fixture
def sla_defaults(db):
    """The policies migration 0003 seeds: a transactional test earlier in the run may have flushed them."""
    from aftersales.services.sla import DEFAULT_HOURS

    for kind in Kind.values:
        for priority, (response, resolution) in DEFAULT_HOURS.items():
            SlaPolicy.objects.get_or_create(
                kind=kind, priority=priority, defaults={"response_hours": response, "resolution_hours": resolution}
            )


def test_sla_policy_defaults_are_seeded_for_every_kind(db):
    from importlib import import_module

    from django.apps import apps

    SlaPolicy.objects.all().delete()  # what the migration seeds, whatever ran before
    import_module("aftersales.migrations.0003_seed_sla_policies").seed(apps, None)
    assert SlaPolicy.objects.count() == len(Kind.values) * 4
    p1 = SlaPolicy.objects.get(kind=Kind.BATTERY, priority=Priority.P1)
    p4 = SlaPolicy.objects.get(kind=Kind.RECALL, priority=Priority.P4)
    assert (p1.response_hours, p1.resolution_hours) == (1, 4)
    assert (p4.response_hours, p4.resolution_hours) == (24, 168)


def test_create_numbers_copies_sla_writes_reach_and_event(store, staff_user):
    vehicle = VehicleFactory(store=StoreFactory(code="BJ-0001", province="北京市"))
    ticket = services.ticket_create(
        vehicle=vehicle, kind=Kind.REPAIR, priority=Priority.P2, summary="刹车异响", store=store, created_by=staff_user
    )
    year = timezone.localtime(ticket.created_at).year
    assert ticket.number == f"AS-{year}-0000001"
    assert ticket.due_at - ticket.response_due_at == dt.timedelta(hours=20)
    assert ticket.province == store.province
    assert ticket.customer_id == vehicle.owner_id
    assert VehicleReach.objects.filter(vehicle=vehicle, store=store).exists()
    event = ticket.events.get()
    assert (event.kind, event.actor) == (TicketEvent.Kind.CREATED, staff_user)
    assert make_ticket(store=store).number == f"AS-{year}-0000002"


def test_sla_edit_applies_to_tickets_opened_after_it(store, sla_defaults):
    before = make_ticket(store=store, priority=Priority.P3)
    SlaPolicy.objects.filter(kind=Kind.REPAIR, priority=Priority.P3).update(resolution_hours=10)
    after = make_ticket(store=store, priority=Priority.P3)
    before.refresh_from_db()
    assert before.due_at - before.created_at > dt.timedelta(hours=71)
    assert after.due_at - after.created_at < dt.timedelta(hours=11)


def test_numbers_count_per_local_year(store):
    new_year_local = dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with mock.patch("aftersales.services.tickets.timezone.now", return_value=new_year_local - dt.timedelta(hours=1)):
        last_of_2026 = make_ticket(store=store)
    with mock.patch("aftersales.services.tickets.timezone.now", return_value=new_year_local):
        first_of_2027 = make_ticket(store=store)  # still 2026-12-31 in UTC
    assert last_of_2026.number == "AS-2026-0000001"
    assert first_of_2027.number == "AS-2027-0000001"


def test_create_refuses_a_store_that_is_not_active(store, vehicle, english):
    store.status = Store.Status.SUSPENDED
    store.save()
    with pytest.raises(ValidationError, match="not active"):
        make_ticket(store=store, vehicle=vehicle)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("from_status", S.values)
@pytest.mark.parametrize("to_status", S.values)
def test_every_transition_by_role(store, role, from_status, to_status):
    actor = _user(role, store)
    ticket = make_ticket(store=store)
    Ticket.objects.filter(pk=ticket.pk).update(status=from_status, assignee=actor if role != Role.HQ else None)
    ticket.refresh_from_db()
    if role == Role.HQ:  # HQ has no store; give the ticket an assignee for the "assigned" edge
        Ticket.objects.filter(pk=ticket.pk).update(assignee=make_user(Role.STAFF, store=store))
        ticket.refresh_from_db()
    edge = (from_status, to_status)
    if edge not in ALLOWED:
        with pytest.raises(ValidationError):
            services.ticket_transition(ticket=ticket, to_status=to_status, actor=actor)
    elif edge in MANAGER_ONLY and role == Role.STAFF:
        with pytest.raises(PermissionDenied):
            services.ticket_transition(ticket=ticket, to_status=to_status, actor=actor)
    else:
        services.ticket_transition(ticket=ticket, to_status=to_status, actor=actor)
        ticket.refresh_from_db()
        assert ticket.status == to_status
        assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, data__to=to_status).exists()
        return
    ticket.refresh_from_db()
    assert ticket.status == from_status
    assert not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


def test_allowed_transitions_offers_only_what_the_role_may_press(store, staff_user, manager_user):
    ticket = make_ticket(store=store)
    assert services.allowed_transitions(ticket=ticket, actor=staff_user) == [S.IN_PROGRESS]
    assert S.CANCELLED in services.allowed_transitions(ticket=ticket, actor=manager_user)


def test_assign_moves_new_to_assigned_and_staff_only_take_themselves(store, staff_user, manager_user):
    ticket = make_ticket(store=store)
    other = make_user(Role.STAFF, store=store)
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=ticket, assignee=other, actor=staff_user)
    services.ticket_assign(ticket=ticket, assignee=staff_user, actor=staff_user)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.responded_at is not None) == (S.ASSIGNED, staff_user, True)
    services.ticket_assign(ticket=ticket, assignee=other, actor=manager_user)
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 2


def test_assign_refuses_someone_from_another_store(store, other_store, manager_user, english):
    ticket = make_ticket(store=store)
    stranger = make_user(Role.STAFF, store=other_store)
    with pytest.raises(ValidationError, match="does not work"):
        services.ticket_assign(ticket=ticket, assignee=stranger, actor=manager_user)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_priority_change_moves_the_due_time_and_is_manager_only(store, staff_user, manager_user):
    ticket = make_ticket(store=store, priority=Priority.P4)
    with pytest.raises(PermissionDenied):
        services.ticket_set_priority(ticket=ticket, priority=Priority.P1, actor=staff_user)
    services.ticket_set_priority(ticket=ticket, priority=Priority.P1, actor=manager_user)
    ticket.refresh_from_db()
    assert ticket.due_at - ticket.created_at == dt.timedelta(hours=4)
    assert ticket.events.filter(kind=TicketEvent.Kind.PRIORITY, data__to="P1").exists()


def test_payer_derived_from_kind_and_component(store):
    assert make_ticket(store=store, kind=Kind.WARRANTY, component="chassis").payer == Ticket.Payer.CARMAKER
    assert make_ticket(store=store, kind=Kind.WARRANTY, component="swap_system").payer == Ticket.Payer.BATTERY_MAKER
    assert make_ticket(store=store, kind=Kind.BATTERY).payer == Ticket.Payer.BATTERY_MAKER
    assert make_ticket(store=store, kind=Kind.REPAIR).payer == ""


def test_payer_override_is_hq_only_and_needs_a_reason(store, manager_user, hq_user):
    ticket = make_ticket(store=store, kind=Kind.WARRANTY, component="body")
    with pytest.raises(PermissionDenied):
        services.ticket_set_payer(ticket=ticket, payer="platform", reason="goodwill", actor=manager_user)
    with pytest.raises(ValidationError):
        services.ticket_set_payer(ticket=ticket, payer="platform", reason=" ", actor=hq_user)
    services.ticket_set_payer(ticket=ticket, payer="platform", reason="客户关怀", actor=hq_user)
    ticket.refresh_from_db()
    assert (ticket.payer, ticket.payer_override_reason) == ("platform", "客户关怀")
    assert ticket.events.get(kind=TicketEvent.Kind.PAYER).message == "客户关怀"


def test_resolving_maintenance_resets_the_vehicle_maintenance_clock(store, manager_user, vehicle, now):
    ticket = make_ticket(store=store, vehicle=vehicle, kind=Kind.MAINTENANCE)
    services.ticket_transition(ticket=ticket, to_status=S.IN_PROGRESS, actor=manager_user)
    services.ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=manager_user)
    vehicle.refresh_from_db()
    assert vehicle.last_service_on == timezone.localdate()
    assert (vehicle.last_service_km, vehicle.last_service_store) == (vehicle.mileage_km, store)


def test_comment_is_an_event_and_empty_comment_refused(store, staff_user):
    ticket = make_ticket(store=store)
    with pytest.raises(ValidationError):
        services.ticket_comment(ticket=ticket, actor=staff_user, message="  ")
    services.ticket_comment(ticket=ticket, actor=staff_user, message="已联系客户")
    assert ticket.events.filter(kind=TicketEvent.Kind.COMMENT, message="已联系客户").count() == 1


def test_events_are_append_only(store):
    event = make_ticket(store=store).events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


# --- finished records and the status machine (stores.policy, Ticket.MACHINE) ---------------------


@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED])
def test_a_finished_ticket_refuses_every_change_but_comments_even_for_hq_and_jobs(store, hq_user, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.services.attachments import attachment_add
    from stores.policy import RecordFinished

    ticket = make_ticket(store=store, kind=Kind.WARRANTY, component="body")
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    for actor in (hq_user, None):
        with pytest.raises(RecordFinished):
            services.ticket_set_component(ticket=ticket, component="chassis", actor=actor)
        with pytest.raises(RecordFinished):
            services.ticket_set_payer(ticket=ticket, payer="platform", reason="goodwill", actor=actor)
        with pytest.raises(RecordFinished):
            attachment_add(ticket=ticket, upload=png, actor=actor)
    ticket.refresh_from_db()
    assert (ticket.component, ticket.payer, ticket.attachments.count()) == ("body", "carmaker", 0)
    services.ticket_comment(ticket=ticket, actor=hq_user, message="客户来电")
    assert ticket.events.filter(kind=TicketEvent.Kind.COMMENT).count() == 1


@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED])
def test_closing_is_final_not_even_hq_or_a_job_reopens_it(store, hq_user, status):
    ticket = make_ticket(store=store)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    for actor in (hq_user, None):
        assert services.allowed_transitions(ticket=ticket, actor=actor) == []
        with pytest.raises(ValidationError):
            services.ticket_transition(ticket=ticket, to_status=S.IN_PROGRESS, actor=actor)
    ticket.refresh_from_db()
    assert ticket.status == status
    assert not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


def test_assigning_a_new_ticket_moves_it_through_the_machine(store, staff_user):
    ticket = make_ticket(store=store)
    services.ticket_assign(ticket=ticket, assignee=staff_user, actor=staff_user)
    move = ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert (move.data["from"], move.data["to"], move.actor) == (S.NEW, S.ASSIGNED, staff_user)


def test_every_status_move_is_a_row_of_the_table_with_a_policy_action():
    from stores.policy import ACTIONS

    assert {t.who for t in Ticket.MACHINE.transitions} <= set(ACTIONS)
    assert Ticket.MACHINE.is_final(S.CANCELLED)
    work = {(S.NEW, S.ASSIGNED), (S.NEW, S.IN_PROGRESS), (S.ASSIGNED, S.IN_PROGRESS), (S.IN_PROGRESS, S.WAITING_PARTS),
            (S.IN_PROGRESS, S.RESOLVED), (S.WAITING_PARTS, S.IN_PROGRESS)}  # fmt: skip
    assert work | MANAGER_ONLY == ALLOWED
