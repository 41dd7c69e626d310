"""The access matrix's registry: for each record-naming URL, how to make a record held by a store.

A URL is matched by its name first, then by (namespace, URL arguments), then by its URL arguments
alone. A URL whose arguments nothing here knows makes the matrix FAIL: register it here, with the
roles the page is for, when you add it (see tests/security/test_access_matrix.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from stores.models import Role, Store

ROLES = (Role.STAFF, Role.MANAGER, Role.REGIONAL, Role.HQ)
EVERYONE = frozenset(ROLES)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

Kwargs = dict[str, str | int]


@dataclass(frozen=True)
class RecordSpec:
    """`make(store)` returns the URL arguments of a new record held by `store`."""

    make: Callable[[Store], Kwargs]
    roles: frozenset = EVERYONE  # whom the page is for; anyone else gets 404 even in reach
    post: dict = field(default_factory=dict)  # the body posted (POST-only views, out-of-reach POSTs)


def store_record(store: Store) -> Kwargs:
    return {"code": store.code}


def vehicle_record(store: Store) -> Kwargs:
    from aftersales.tests.factories import VehicleFactory

    return {"vin": VehicleFactory(store=store).vin}


def _ticket(store: Store):
    from aftersales.tests.factories import VehicleFactory, make_ticket

    return make_ticket(store=store, vehicle=VehicleFactory(store=store), summary=f"matrix {store.code}")


def ticket_record(store: Store) -> Kwargs:
    return {"number": _ticket(store).number}


def storeless_ticket_record(store: Store) -> Kwargs:
    """Scheduled work no store took: in reach of the regional managers of the store's province."""
    from aftersales.models import Kind, Ticket
    from aftersales.tests.factories import VehicleFactory, make_ticket

    ticket = make_ticket(
        store=None,
        vehicle=VehicleFactory(store=store),
        kind=Kind.MAINTENANCE,
        source=Ticket.Source.SCHEDULE,
        province=store.province,
    )
    return {"number": ticket.number}


def attachment_record(store: Store) -> Kwargs:
    from aftersales.services.attachments import attachment_add

    ticket = _ticket(store)
    attachment = attachment_add(ticket=ticket, upload=SimpleUploadedFile("photo.png", PNG, "image/png"), actor=None)
    return {"number": ticket.number, "pk": attachment.pk}


def order_record(store: Store) -> Kwargs:
    from sales.tests.factories import OrderFactory

    return {"number": OrderFactory(store=store).number}


def drive_record(store: Store) -> Kwargs:
    from sales.tests.factories import TestDriveFactory

    return {"pk": TestDriveFactory(store=store).pk}


def recall_record(store: Store) -> Kwargs:
    """Recall campaigns are not held by a store: HQ's alone."""
    from aftersales.models import RecallCampaign
    from sales.tests.factories import CarModelFactory

    count = RecallCampaign.objects.count()
    campaign = RecallCampaign.objects.create(code=f"RC-MATRIX-{count}", title="matrix", model=CarModelFactory())
    return {"pk": campaign.pk}


def recall_with_list_record(store: Store) -> Kwargs:
    """A campaign with an uploaded VIN list (its download is HQ's alone)."""
    from aftersales.models import RecallCampaign

    campaign = RecallCampaign.objects.get(pk=recall_record(store)["pk"])
    campaign.vin_list.save("vins.csv", SimpleUploadedFile("vins.csv", b"vin\n"))
    return {"pk": campaign.pk}


HQ_ONLY = frozenset({Role.HQ})
REGIONAL_AND_HQ = frozenset({Role.REGIONAL, Role.HQ})

# By URL name: where the arguments alone do not say what the record is, or the page is not for everyone.
BY_NAME: dict[str, RecordSpec] = {
    "sales:testdrive_detail": RecordSpec(drive_record, post={"action": "cancel"}),
    "aftersales:attachment": RecordSpec(attachment_record),
    "aftersales:ticket_transition": RecordSpec(ticket_record, post={"to_status": "cancelled", "message": "matrix"}),
    "aftersales:ticket_comment": RecordSpec(ticket_record, post={"message": "matrix probe"}),
    "aftersales:ticket_assign": RecordSpec(ticket_record, post={"assignee": "me"}),
    "aftersales:ticket_priority": RecordSpec(ticket_record, post={"priority": "P1", "reason": "matrix"}),
    "aftersales:ticket_payer": RecordSpec(ticket_record, post={"payer": "customer", "reason": "matrix"}),
    "aftersales:ticket_component": RecordSpec(ticket_record, post={"component": "body"}),
    "aftersales:ticket_attach": RecordSpec(ticket_record),
    "aftersales:unassigned_assign": RecordSpec(storeless_ticket_record, roles=REGIONAL_AND_HQ),
    "aftersales:recall_detail": RecordSpec(recall_record, roles=HQ_ONLY),
    "aftersales:recall_launch": RecordSpec(recall_record, roles=HQ_ONLY),
    "aftersales:recall_vin_list": RecordSpec(recall_with_list_record, roles=HQ_ONLY),
    "sales:order_detail": RecordSpec(order_record, post={"action": "cancel"}),
}

# By (namespace, URL arguments); namespace "*" matches any.
BY_KWARGS: dict[tuple[str, tuple[str, ...]], RecordSpec] = {
    ("*", ("code",)): RecordSpec(store_record),
    ("*", ("vin",)): RecordSpec(vehicle_record),
    ("aftersales", ("number",)): RecordSpec(ticket_record),
    ("sales", ("number",)): RecordSpec(order_record),
}

# URLs open to anonymous users (login_not_required). Anything else public makes the matrix fail.
PUBLIC = frozenset(
    {
        "healthz",
        "login",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "admin:login",
    }
)


def spec_for(endpoint) -> RecordSpec | None:
    if endpoint.name in BY_NAME:
        return BY_NAME[endpoint.name]
    return BY_KWARGS.get((endpoint.namespace, endpoint.kwargs)) or BY_KWARGS.get(("*", endpoint.kwargs))
