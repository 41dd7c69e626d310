import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from aftersales.models import Attachment, Kind, Ticket, TicketEvent
from aftersales.tests.factories import CustomerFactory, VehicleFactory, make_ticket
from stores.models import Role, Store
from stores.tests.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIST = reverse("aftersales:ticket_list")
NEW = reverse("aftersales:ticket_create")


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# --- the queue ---------------------------------------------------------------------------------


def test_queue_shows_only_own_store_tickets(staff_client, ticket, other_ticket):
    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert ticket.number in response.content.decode()
    assert other_ticket.number not in response.content.decode()


def test_queue_masks_phones_for_staff_not_managers(client, staff_user, manager_user, ticket):
    client.force_login(staff_user)
    body = client.get(LIST).content.decode()
    assert ticket.customer.masked_phone in body and ticket.customer.phone not in body
    client.force_login(manager_user)
    assert ticket.customer.phone in client.get(LIST).content.decode()


def test_queue_filters_and_search(staff_client, store, ticket):
    battery = make_ticket(store=store, kind=Kind.BATTERY, summary="电池")
    body = staff_client.get(LIST, {"kind": "battery"}).content.decode()
    assert battery.number in body and ticket.number not in body
    body = staff_client.get(LIST, {"q": ticket.vehicle.vin.lower()}).content.decode()
    assert ticket.number in body and battery.number not in body
    body = staff_client.get(LIST, {"q": ticket.customer.phone}).content.decode()
    assert ticket.number in body and battery.number not in body
    body = staff_client.get(LIST, {"q": battery.number}).content.decode()
    assert battery.number in body and ticket.number not in body
    body = staff_client.get(LIST, {"sla": "breached"}).content.decode()
    assert ticket.number not in body
    body = staff_client.get(LIST, {"sla": "on_track", "status": "open"}).content.decode()
    assert ticket.number in body


def test_queue_query_count_is_constant(django_assert_max_num_queries, staff_client, store):
    for _ in range(3):
        make_ticket(store=store)
    with django_assert_max_num_queries(12) as small:
        staff_client.get(LIST)
    for _ in range(30):
        make_ticket(store=store)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(LIST, {"page": 2})
    assert response.context["page_obj"].number == 2
    assert len(response.context["tickets"]) == 8


def test_queue_deep_page_and_capped_count(staff_client, store, settings):
    for _ in range(30):
        make_ticket(store=store)
    response = staff_client.get(LIST, {"page": 2})
    assert [t.number for t in response.context["tickets"]] == list(
        Ticket.objects.order_by("due_at", "id").values_list("number", flat=True)[25:30]
    )
    assert response.context["page_obj"].paginator.count == 30
    assert staff_client.get(LIST, {"page": 1000}).context["tickets"] == []


def test_queue_htmx_returns_the_table_only(staff_client, ticket):
    response = staff_client.get(LIST, headers={"HX-Request": "true", "HX-Target": "ticket-table"})
    assert "<html" not in response.content.decode()
    assert ticket.number in response.content.decode()


# --- export ------------------------------------------------------------------------------------


def test_export_streams_scoped_rows_with_bom_and_safe_cells(staff_client, store, other_ticket):
    dangerous = make_ticket(store=store, summary='=HYPERLINK("http://evil")')
    make_ticket(store=store, summary="-1+2")
    response = staff_client.get(LIST, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = _csv(response)
    numbers = [r[0] for r in rows[1:]]
    assert dangerous.number in numbers
    assert other_ticket.number not in numbers
    summaries = {r[12] for r in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in summaries
    assert "'-1+2" in summaries
    phones = {r[10] for r in rows[1:]}
    assert all("****" in p for p in phones)


def test_export_applies_the_filters(staff_client, store, ticket):
    make_ticket(store=store, kind=Kind.BATTERY)
    rows = _csv(staff_client.get(LIST, {"format": "csv", "kind": "repair"}))
    assert [r[0] for r in rows[1:]] == [ticket.number]


# --- create ------------------------------------------------------------------------------------


def test_create_at_own_store_redirects_to_the_ticket(staff_client, staff_user, store, other_store):
    vehicle = VehicleFactory(store=other_store)  # sold in Shanghai, serviced here: the owner gives the number
    response = staff_client.post(
        NEW,
        {
            "vin": vehicle.vin.lower(),
            "owner_phone": vehicle.owner.phone,
            "kind": "repair",
            "priority": "P2",
            "summary": "异响",
            "description": "",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/aftersales/tickets/{ticket.number}/"
    assert (ticket.store, ticket.created_by, ticket.vehicle) == (store, staff_user, vehicle)


def test_create_form_has_exactly_the_contract_fields(staff_client):
    fields = ["vin", "owner_phone", "kind", "priority", "summary", "description"]
    assert list(staff_client.get(NEW).context["form"].fields) == fields


def test_create_refuses_unknown_and_malformed_vins(staff_client):
    response = staff_client.post(NEW, {"vin": "LGCA1B2C3R9999999", "kind": "repair", "priority": "P3", "summary": "x"})
    assert response.status_code == 200
    assert "vin" in response.context["form"].errors
    response = staff_client.post(NEW, {"vin": "LGCA1B2C3R99", "kind": "repair", "priority": "P3", "summary": "x"})
    assert "17" in str(response.context["form"].errors["vin"])
    assert not Ticket.objects.exists()


def test_create_refuses_a_store_that_is_not_active(staff_client, store, vehicle, english):
    Store.objects.filter(pk=store.pk).update(status=Store.Status.SUSPENDED)
    response = staff_client.post(NEW, {"vin": vehicle.vin, "kind": "repair", "priority": "P3", "summary": "x"})
    assert response.status_code == 200
    assert "not active" in str(response.context["form"].errors)
    assert not Ticket.objects.exists()


def test_hq_names_the_store_by_code(hq_client, other_store, vehicle):
    form = hq_client.get(NEW).context["form"]
    assert "store" in form.fields
    response = hq_client.post(
        NEW, {"vin": vehicle.vin, "kind": "warranty", "priority": "P3", "summary": "x", "store": "sh-0001"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get().store == other_store


def test_regional_cannot_name_a_store_outside_their_provinces(regional_client, other_store, vehicle):
    response = regional_client.post(
        NEW, {"vin": vehicle.vin, "kind": "repair", "priority": "P3", "summary": "x", "store": other_store.code}
    )
    assert response.status_code == 200
    assert "store" in response.context["form"].errors
    assert not Ticket.objects.exists()


# --- the ticket page ---------------------------------------------------------------------------


def test_ticket_page_shows_timeline_buttons_and_full_phone(staff_client, ticket):
    response = staff_client.get(ticket.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert ticket.customer.phone in body
    assert [s for s, _ in response.context["transitions"]] == ["in_progress"]
    assert 'data-testid="timeline"' in body
    assert "<script>" not in body


def test_ticket_page_query_count_is_constant(django_assert_max_num_queries, staff_client, staff_user, ticket):
    from aftersales.services.tickets import ticket_comment

    with django_assert_max_num_queries(20) as few:
        staff_client.get(ticket.get_absolute_url())
    for i in range(15):
        ticket_comment(ticket=ticket, actor=make_user(Role.STAFF, store=ticket.store), message=f"备注{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(ticket.get_absolute_url())


def test_other_store_staff_gets_404_and_nothing_changes(client, other_store, ticket):
    client.force_login(make_user(Role.STAFF, store=other_store))
    url = ticket.get_absolute_url()
    assert client.get(url).status_code == 404
    for action, data in [
        ("status/", {"to_status": "in_progress"}),
        ("comment/", {"message": "hi"}),
        ("assign/", {"assignee": "me"}),
        ("priority/", {"priority": "P1"}),
    ]:
        assert client.post(url + action, data).status_code == 404
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("new", "P3", None)
    assert ticket.events.count() == 1


def test_transition_by_post_and_refusal_message(staff_client, ticket, english):
    response = staff_client.post(ticket.get_absolute_url() + "status/", {"to_status": "cancelled"}, follow=True)
    assert "manager" in response.content.decode().lower()
    ticket.refresh_from_db()
    assert ticket.status == "new"
    staff_client.post(ticket.get_absolute_url() + "status/", {"to_status": "in_progress"})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_get_on_an_action_is_refused(staff_client, ticket):
    assert staff_client.get(ticket.get_absolute_url() + "status/").status_code == 405


def test_comment_and_take(staff_client, staff_user, ticket):
    staff_client.post(ticket.get_absolute_url() + "comment/", {"message": "客户下午到店"})
    staff_client.post(ticket.get_absolute_url() + "assign/", {"assignee": "me"})
    ticket.refresh_from_db()
    assert ticket.assignee == staff_user
    assert ticket.events.filter(kind=TicketEvent.Kind.COMMENT, message="客户下午到店").exists()


def test_job_card_for_repair_not_for_complaints(staff_client, store, ticket):
    assert staff_client.get(ticket.get_absolute_url() + "job-card/").status_code == 200
    complaint = make_ticket(store=store, kind=Kind.COMPLAINT)
    assert staff_client.get(complaint.get_absolute_url() + "job-card/").status_code == 404


# --- attachments -------------------------------------------------------------------------------


def _upload(client, ticket, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        ticket.get_absolute_url() + "attachments/", {"file": SimpleUploadedFile(name, content, "image/png")}
    )


def test_attachment_upload_and_download_headers(staff_client, ticket):
    _upload(staff_client, ticket, "photo.png", PNG)
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert ticket.events.filter(kind=TicketEvent.Kind.ATTACHMENT).exists()
    response = staff_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PNG


def test_attachment_type_checked_by_content(staff_client, ticket):
    _upload(staff_client, ticket, "photo.png", b"<html><script>alert(1)</script></html>")
    _upload(staff_client, ticket, "doc.pdf", b"MZ\x90\x00 executable")
    assert not Attachment.objects.exists()
    _upload(staff_client, ticket, "scan.txt", b"%PDF-1.7 ...")
    assert Attachment.objects.get().content_type == "application/pdf"


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_attachment_size_limit(staff_client, ticket):
    _upload(staff_client, ticket, "big.png", PNG + b"\x00" * 100)
    assert not Attachment.objects.exists()


def test_attachment_of_another_store_is_404(client, other_store, staff_client, ticket):
    _upload(staff_client, ticket, "photo.png", PNG)
    attachment = Attachment.objects.get()
    client.force_login(make_user(Role.STAFF, store=other_store))
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert _upload(client, ticket, "x.png", PNG).status_code == 404
    assert Attachment.objects.count() == 1


# --- bulk --------------------------------------------------------------------------------------

BULK = reverse("aftersales:ticket_bulk")


def test_bulk_assign_and_status_within_reach(manager_client, store, staff_user):
    tickets = [make_ticket(store=store) for _ in range(3)]
    ids = [t.pk for t in tickets]
    manager_client.post(BULK, {"ids": ids, "action": "assign", "assignee": staff_user.username})
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {staff_user.pk}
    manager_client.post(BULK, {"ids": ids, "action": "status", "to_status": "in_progress"})
    assert set(Ticket.objects.values_list("status", flat=True)) == {"in_progress"}


def test_bulk_naming_a_ticket_out_of_reach_is_404_and_changes_nothing(manager_client, ticket, other_ticket):
    response = manager_client.post(
        BULK, {"ids": [ticket.pk, other_ticket.pk], "action": "status", "to_status": "in_progress"}
    )
    assert response.status_code == 404
    assert set(Ticket.objects.values_list("status", flat=True)) == {"new"}
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.STATUS).count() == 0
    response = manager_client.post(BULK, {"ids": [ticket.pk, 999999], "action": "assign", "assignee": "me"})
    assert response.status_code == 404
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


def test_bulk_skips_tickets_the_role_may_not_move(staff_client, store, ticket):
    make_ticket(store=store)
    response = staff_client.post(
        BULK,
        {"ids": list(Ticket.objects.values_list("pk", flat=True)), "action": "status", "to_status": "cancelled"},
        follow=True,
    )
    assert response.status_code == 200
    assert set(Ticket.objects.values_list("status", flat=True)) == {"new"}


# --- one scope for everything ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "manager", "regional", "hq", "other_staff"])
def test_list_detail_export_and_bulk_share_one_scope(client, role, store, other_store, ticket, other_ticket):
    guangxi = Store.objects.create(**{**{f.name: getattr(store, f.name) for f in Store._meta.concrete_fields if f.name not in ("id", "code", "created_at", "updated_at")}, "code": "NN-0001", "province": "广西壮族自治区"})  # fmt: skip
    third = make_ticket(store=guangxi)
    users = {
        "staff": make_user(Role.STAFF, store=store),
        "manager": make_user(Role.MANAGER, store=store),
        "regional": make_user(Role.REGIONAL, provinces=["广东省", "广西壮族自治区"]),
        "hq": make_user(Role.HQ),
        "other_staff": make_user(Role.STAFF, store=other_store),
    }
    client.force_login(users[role])
    everything = [ticket, other_ticket, third]
    listed = {t.number for t in client.get(LIST).context["tickets"]}
    exported = {r[0] for r in _csv(client.get(LIST, {"format": "csv"}))[1:]}
    detail = {t.number for t in everything if client.get(t.get_absolute_url()).status_code == 200}
    bulk = set()
    for t in everything:
        response = client.post(BULK, {"ids": [t.pk], "action": "status", "to_status": "cancelled"})
        if response.status_code == 302:
            bulk.add(t.number)
    assert listed == exported == detail == bulk
    expected = {
        "staff": {ticket.number},
        "manager": {ticket.number},
        "regional": {ticket.number, third.number},
        "hq": {ticket.number, other_ticket.number, third.number},
        "other_staff": {other_ticket.number},
    }[role]
    assert listed == expected


# --- fragments ---------------------------------------------------------------------------------


def test_vehicle_work_fragment_is_scoped(client, staff_client, other_store, ticket, vehicle):
    url = reverse("aftersales:vehicle_work", kwargs={"vin": vehicle.vin})
    response = staff_client.get(url)
    assert response.status_code == 200
    assert ticket.number in response.content.decode()
    assert "<html" not in response.content.decode()
    client.force_login(make_user(Role.STAFF, store=other_store))
    assert client.get(url).status_code == 404


def test_vehicle_work_for_a_store_holding_work(client, other_store, ticket, vehicle):
    """A car ticketed in Shanghai is in the Shanghai store's reach, with only its own tickets."""
    shanghai_ticket = make_ticket(store=other_store, vehicle=vehicle, summary="上海维修")
    client.force_login(make_user(Role.STAFF, store=other_store))
    body = client.get(reverse("aftersales:vehicle_work", kwargs={"vin": vehicle.vin})).content.decode()
    assert shanghai_ticket.number in body and ticket.number not in body


def test_store_open_work_fragment(staff_client, client, other_store, store, ticket):
    url = reverse("aftersales:store_open_work", kwargs={"code": store.code})
    assert ticket.number in staff_client.get(url).content.decode()
    client.force_login(make_user(Role.STAFF, store=other_store))
    assert client.get(url).status_code == 404


def test_customer_factory_phone_is_mobile():
    assert CustomerFactory.build().phone.startswith("139")


def test_queue_defaults_to_open_work_but_search_finds_any_status(manager_client, store, ticket):
    from aftersales.services.tickets import ticket_transition

    done = make_ticket(store=store, summary="已完成")
    ticket_transition(ticket=done, to_status="cancelled", actor=None)
    numbers = lambda response: {t.number for t in response.context["tickets"]}  # noqa: E731
    assert numbers(manager_client.get(LIST)) == {ticket.number}
    assert numbers(manager_client.get(LIST, {"status": "all"})) == {ticket.number, done.number}
    assert numbers(manager_client.get(LIST, {"q": done.number})) == {done.number}
    assert numbers(manager_client.get(LIST, {"status": "cancelled"})) == {done.number}


# --- the action policy on the ticket page (stores.policy) ---------------------------------------


def test_bulk_assign_with_an_empty_assignee_is_refused_and_unassigns_nothing(
    manager_client, store, staff_user, english
):
    tickets = [make_ticket(store=store) for _ in range(2)]
    for t in tickets:
        t.assignee = staff_user
        t.save(update_fields=["assignee"])
    response = manager_client.post(
        BULK, {"ids": [t.pk for t in tickets], "action": "assign", "assignee": "  "}, follow=True
    )
    body = response.content.decode()
    assert "Name the assignee" in body and "tickets changed" not in body
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {staff_user.pk}
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED).exists()


def test_bulk_answers_with_one_summary_naming_what_was_skipped_and_why(manager_client, store, english):
    moving = [make_ticket(store=store) for _ in range(3)]
    Ticket.objects.filter(pk__in=[t.pk for t in moving]).update(status="in_progress")
    new = [make_ticket(store=store) for _ in range(22)]
    ids = [t.pk for t in moving + new]
    response = manager_client.post(BULK, {"ids": ids, "action": "status", "to_status": "waiting_parts"}, follow=True)
    notes = [str(m) for m in response.context["messages"]]
    assert len(notes) == 1
    assert notes[0].startswith("3 tickets changed. 22 skipped: This ticket is New: it cannot become Waiting for parts")
    assert "and 17 more" in notes[0]
    assert Ticket.objects.filter(status="waiting_parts").count() == 3


def test_a_role_refusal_answers_403_with_its_reason_and_changes_nothing(staff_client, ticket, english):
    response = staff_client.post(ticket.get_absolute_url() + "payer/", {"payer": "platform", "reason": "x"})
    assert response.status_code == 403
    assert "Only HQ may change who pays" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.payer, ticket.events.count()) == ("", 1)


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_a_finished_ticket_takes_comments_only_even_from_hq(hq_client, store, status, english):
    ticket = make_ticket(store=store, kind=Kind.WARRANTY, component="body")
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    url = ticket.get_absolute_url()
    upload = {"file": io.BytesIO(PNG)}
    upload["file"].name = "photo.png"
    posts = [
        ("component/", {"component": "chassis"}),
        ("payer/", {"payer": "platform", "reason": "goodwill"}),
        ("attachments/", upload),
        ("priority/", {"priority": "P1", "reason": "x"}),
    ]
    for path, data in posts:
        response = hq_client.post(url + path, data, follow=True)
        assert response.status_code == 200, path
        assert (
            "takes comments at most" in response.content.decode() or "keeps its priority" in response.content.decode()
        )
    ticket.refresh_from_db()
    assert (ticket.component, ticket.payer, ticket.priority) == ("body", "carmaker", "P3")
    assert not Attachment.objects.exists()
    hq_client.post(url + "comment/", {"message": "客户来电"})
    assert ticket.events.filter(kind=TicketEvent.Kind.COMMENT).count() == 1
    page = hq_client.get(url).content.decode()
    for action in ("component/", "payer/", "attachments/", "priority/"):
        assert f'action="{url}{action}"' not in page, action
    assert f'action="{url}comment/"' in page
