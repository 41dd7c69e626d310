from django.urls import reverse

from aftersales.models import SlaPolicy, Ticket


def test_hq_sees_ticket_admin_searches_by_vin_and_phone(client, hq_user, ticket, other_ticket):
    client.force_login(hq_user)
    url = reverse("admin:aftersales_ticket_changelist")
    body = client.get(url, {"q": ticket.vehicle.vin}).content.decode()
    assert ticket.number in body and other_ticket.number not in body
    body = client.get(url, {"q": other_ticket.customer.phone}).content.decode()
    assert other_ticket.number in body and ticket.number not in body
    page = client.get(reverse("admin:aftersales_ticket_change", args=[ticket.pk]))
    assert page.context["original"] == ticket
    assert "刹车异响" in page.content.decode()


def test_ticket_admin_changes_nothing(client, hq_user, ticket):
    client.force_login(hq_user)
    client.post(reverse("admin:aftersales_ticket_change", args=[ticket.pk]), {"status": "closed"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert ticket.events.count() == 1  # no event written for the refused change
    event = ticket.events.get()
    page = client.get(reverse("admin:aftersales_ticketevent_change", args=[event.pk]))
    # The history is shown, read-only: no field to edit, no save button.
    assert page.context["original"] == event
    assert page.context["adminform"].form.fields == {}
    assert not page.context["has_change_permission"]
    assert 'name="_save"' not in page.content.decode()


def test_hq_edits_sla_policy(client, hq_user):
    client.force_login(hq_user)
    policy = SlaPolicy.objects.get(kind="repair", priority="P1")
    response = client.post(
        reverse("admin:aftersales_slapolicy_change", args=[policy.pk]),
        {"kind": "repair", "priority": "P1", "response_hours": 2, "resolution_hours": 6},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.response_hours, policy.resolution_hours) == (2, 6)


def test_non_hq_cannot_open_the_admin_pages(client, manager_user, ticket):
    manager_user.is_staff = True
    manager_user.save()
    client.force_login(manager_user)
    for name in ("admin:aftersales_ticket_changelist", "admin:aftersales_slapolicy_changelist"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
        assert ticket.number not in response.content.decode()
