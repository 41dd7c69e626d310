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


# --- action probes: every POST that changes state, on a record in reach --------------------------
# `make(store)` builds the record held by `store` (the user's home store) and returns the URL
# arguments; keys starting with "_" are not URL arguments but what the body needs (ids, numbers).
# `post(args)` is the body. What each role should get is NOT here: test_access_matrix.py's table.


@dataclass(frozen=True)
class ActionProbe:
    url_name: str
    make: Callable[[Store], Kwargs]
    post: Callable[[Kwargs], dict]

    def url_kwargs(self, args: Kwargs) -> Kwargs:
        return {key: value for key, value in args.items() if not key.startswith("_")}


def _ticket_in(status: str, **fields):
    def make(store: Store) -> Kwargs:
        from aftersales.models import Ticket

        ticket = _ticket(store)
        Ticket.objects.filter(pk=ticket.pk).update(status=status, **fields)
        return {"number": ticket.number, "_pk": ticket.pk}

    return make


def _ticket_with_mate(store: Store) -> Kwargs:
    """A ticket, and another member of its store to assign it to."""
    from stores.tests.factories import make_user

    mate = make_user(Role.STAFF, store=store)
    return {**ticket_record(store), "_mate": mate.username}


def _png(args: Kwargs) -> dict:
    return {"file": SimpleUploadedFile("photo.png", PNG, "image/png")}


def _placement(args: Kwargs) -> dict:
    """Book store-less work at the home store, tomorrow 10:00 (open, capable, bays free)."""
    from sales.tests.factories import local_slot

    slot = local_slot(days=1, hour=10).strftime("%Y-%m-%d %H:%M")
    return {f"{args['number']}-store": args["_store"], f"{args['number']}-slot": slot}


def _storeless(store: Store) -> Kwargs:
    return {**storeless_ticket_record(store), "_store": store.code}


def _order_in(status: str):
    def make(store: Store) -> Kwargs:
        from sales.tests.factories import OrderFactory

        return {"number": OrderFactory(store=store, status=status).number}

    return make


def _drive_in(status: str):
    def make(store: Store) -> Kwargs:
        from sales.tests.factories import TestDriveFactory

        return {"pk": TestDriveFactory(store=store, status=status).pk}

    return make


def _vehicle_and_model(store: Store) -> Kwargs:
    from aftersales.tests.factories import VehicleFactory

    vehicle = VehicleFactory(store=store)
    return {"_vin": vehicle.vin, "_model": vehicle.model.code, "_model_pk": vehicle.model_id, "_store": store.code}


def _slot(args: Kwargs) -> str:
    """A day of its own per booking: the home store has only two demo cars an hour."""
    from sales.models import TestDrive
    from sales.tests.factories import local_slot

    return local_slot(days=2 + TestDrive.objects.count(), hour=11).strftime("%Y-%m-%d %H:%M")


def _new_ticket(args: Kwargs) -> dict:
    return {"vin": args["_vin"], "kind": "repair", "priority": "P3", "summary": "matrix", "store": args["_store"]}


def _new_order(args: Kwargs) -> dict:
    return {"customer_name": "矩阵", "customer_phone": "13900001111", "model": args["_model"], "store": args["_store"]}


def _new_drive(args: Kwargs) -> dict:
    return {
        "customer_name": "矩阵",
        "customer_phone": "13900002222",
        "model": args["_model"],
        "slot": _slot(args),
        "store": args["_store"],
    }


def _new_recall(args: Kwargs) -> dict:
    vin = args["_vin"]
    return {"code": "RC-PROBE", "title": "probe", "model": args["_model_pk"], "vin_from": vin, "vin_to": vin}


def _bulk_ticket(store: Store) -> Kwargs:
    """A new ticket chosen in the queue (the bulk URL names no record: the body does)."""
    return {"_pk": _ticket(store).pk}


def _ids(args: Kwargs) -> list:
    return [args["_pk"]]


ACTION_PROBES: dict[str, ActionProbe] = {
    "ticket.work": ActionProbe(
        "aftersales:ticket_transition", _ticket_in("new"), lambda a: {"to_status": "in_progress"}
    ),
    "ticket.cancel": ActionProbe(
        "aftersales:ticket_transition", _ticket_in("new"), lambda a: {"to_status": "cancelled"}
    ),
    "ticket.close": ActionProbe(
        "aftersales:ticket_transition", _ticket_in("resolved"), lambda a: {"to_status": "closed"}
    ),
    "ticket.reopen": ActionProbe(
        "aftersales:ticket_transition", _ticket_in("resolved"), lambda a: {"to_status": "in_progress"}
    ),
    "ticket.comment": ActionProbe("aftersales:ticket_comment", _ticket_in("closed"), lambda a: {"message": "probe"}),
    "ticket.take": ActionProbe("aftersales:ticket_assign", ticket_record, lambda a: {"assignee": "me"}),
    "ticket.assign_others": ActionProbe(
        "aftersales:ticket_assign", _ticket_with_mate, lambda a: {"assignee": a["_mate"]}
    ),
    "ticket.prioritise": ActionProbe(
        "aftersales:ticket_priority", ticket_record, lambda a: {"priority": "P1", "reason": "probe"}
    ),
    "ticket.set_payer": ActionProbe(
        "aftersales:ticket_payer", ticket_record, lambda a: {"payer": "platform", "reason": "probe"}
    ),
    "ticket.set_component": ActionProbe("aftersales:ticket_component", ticket_record, lambda a: {"component": "body"}),
    "ticket.attach": ActionProbe("aftersales:ticket_attach", ticket_record, _png),
    "ticket.finished.component": ActionProbe(
        "aftersales:ticket_component", _ticket_in("closed"), lambda a: {"component": "body"}
    ),
    "ticket.finished.attach": ActionProbe("aftersales:ticket_attach", _ticket_in("cancelled"), _png),
    "ticket.bulk.cancel": ActionProbe(
        "aftersales:ticket_bulk",
        _bulk_ticket,
        lambda a: {"ids": _ids(a), "action": "status", "to_status": "cancelled"},
    ),
    "ticket.bulk.unassign": ActionProbe(
        "aftersales:ticket_bulk", _bulk_ticket, lambda a: {"ids": _ids(a), "action": "assign", "assignee": ""}
    ),
    "ticket.create": ActionProbe("aftersales:ticket_create", _vehicle_and_model, _new_ticket),
    "ticket.place_unassigned": ActionProbe("aftersales:unassigned_assign", _storeless, _placement),
    "recall.create": ActionProbe("aftersales:recall_create", _vehicle_and_model, _new_recall),
    "recall.launch": ActionProbe("aftersales:recall_launch", recall_record, lambda a: {}),
    "order.create": ActionProbe("sales:order_new", _vehicle_and_model, _new_order),
    "order.pay": ActionProbe("sales:order_detail", _order_in("reserved"), lambda a: {"action": "pay"}),
    "order.release_unpaid": ActionProbe(
        "sales:order_detail", _order_in("reserved"), lambda a: {"action": "deallocate"}
    ),
    "order.cancel_delivered": ActionProbe("sales:order_detail", _order_in("delivered"), lambda a: {"action": "cancel"}),
    "testdrive.create": ActionProbe("sales:testdrive_new", _vehicle_and_model, _new_drive),
    "testdrive.confirm": ActionProbe("sales:testdrive_detail", _drive_in("assigned"), lambda a: {"action": "confirm"}),
    "testdrive.cancel_completed": ActionProbe(
        "sales:testdrive_detail", _drive_in("completed"), lambda a: {"action": "cancel"}
    ),
    "testdrive.dispatch": ActionProbe(
        "sales:testdrive_detail", _drive_in("requested"), lambda a: {"action": "dispatch"}
    ),
}

# The user's own account (login, password, language): no record's state; see test_accounts.py.
ACCOUNT = frozenset({"logout", "password_change", "password_change_done", "set_language"})

# Pages without a state-changing POST (each answers a POST with 405; test_access_matrix proves it).
# A URL in neither this set nor ACTION_PROBES fails the matrix: probe it or list it here.
NO_POST = frozenset(
    {
        "dashboard",
        "stores:list",
        "stores:detail",
        "stores:nearest",
        "sales:testdrive_list",
        "sales:testdrive_day",
        "sales:order_list",
        "sales:delivery_list",
        "sales:vehicle_lookup",
        "sales:vehicle_detail",
        "aftersales:ticket_list",
        "aftersales:ticket_detail",
        "aftersales:ticket_job_card",
        "aftersales:attachment",
        "aftersales:vehicle_work",
        "aftersales:store_open_work",
        "aftersales:unassigned",
        "aftersales:recall_list",
        "aftersales:recall_detail",
        "aftersales:recall_vin_list",
    }
)
