"""The access matrix, generated from the URL configuration: every URL, every role, in and out of reach.

Nothing here lists the portal's URLs: `urlwalk.endpoints()` walks config.urls, so a view added
later is checked as soon as its URL exists. A URL naming a record that `records.py` does not know
fails `test_every_record_url_is_in_the_registry`; a view that forgets its scope check answers the
out-of-reach record and fails `test_record_url_answers_in_reach_and_404_out_of_reach` (proved by
`test_the_matrix_catches_an_unscoped_view`).
"""

import pytest
from django.contrib import admin
from django.test import Client

from stores.models import Role

from .matrix import DONE, LOGIN_PATHS, REJECTED, changed_tables, check_action, check_record_url, fingerprint
from .records import ACCOUNT, ACTION_PROBES, NO_POST, PUBLIC, ROLES, spec_for
from .urlwalk import endpoints

ENDPOINTS = endpoints()
APP_ENDPOINTS = [e for e in ENDPOINTS if not e.is_admin and e.name]
RECORD_ENDPOINTS = [e for e in APP_ENDPOINTS if e.kwargs and e.name not in PUBLIC]
PLAIN_ENDPOINTS = [e for e in APP_ENDPOINTS if not e.kwargs and e.name not in PUBLIC]
ADMIN_ENDPOINTS = [e for e in ENDPOINTS if e.is_admin and e.name and e.name != "admin:login"]


@pytest.fixture
def users(staff_user, manager_user, regional_user, hq_user):
    return {Role.STAFF: staff_user, Role.MANAGER: manager_user, Role.REGIONAL: regional_user, Role.HQ: hq_user}


def test_the_url_configuration_is_walked_whole():
    names = {e.name for e in ENDPOINTS}
    assert {"stores:detail", "sales:vehicle_detail", "aftersales:ticket_detail", "aftersales:attachment"} <= names
    assert any(e.is_admin for e in ENDPOINTS)


def test_every_url_has_a_name():
    """A nameless pattern cannot be reversed, so the matrix could not visit it."""
    nameless = [e.route for e in ENDPOINTS if not e.name and not e.is_admin]
    assert not nameless


def test_every_record_url_is_in_the_registry():
    unknown = [f"{e.name} {e.kwargs}" for e in RECORD_ENDPOINTS if spec_for(e) is None]
    assert not unknown, f"register these in tests/security/records.py: {unknown}"


def test_only_the_login_and_reset_pages_and_healthz_are_public():
    public = {e.name for e in ENDPOINTS if e.is_public}
    assert public <= PUBLIC, f"public views not in the allowlist: {sorted(public - PUBLIC)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS, ids=lambda e: e.name)
def test_record_url_answers_in_reach_and_404_out_of_reach(endpoint, role, users, store, other_store):
    spec = spec_for(endpoint)
    if spec is None:
        pytest.fail(f"{endpoint.name} names a record the matrix does not know: add it to tests/security/records.py")
    client = Client()
    client.force_login(users[role])
    cases = check_record_url(endpoint, spec, role, client, home=store, away=other_store, user=users[role])
    assert not cases.problems, "\n".join(cases.problems)


def test_the_matrix_catches_an_unscoped_view(settings, users, store, other_store):
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    leak = next(e for e in endpoints("tests.security.leaky_urls") if e.name == "aftersales:ticket_leak")
    spec = spec_for(leak)
    assert spec is not None  # found by its namespace and arguments, without registering it
    client = Client()
    client.force_login(users[Role.STAFF])
    cases = check_record_url(leak, spec, Role.STAFF, client, home=store, away=other_store, user=users[Role.STAFF])
    assert any("OUT OF REACH answered 200" in problem for problem in cases.problems)


def _sample_url(endpoint) -> str:
    """A concrete URL for any pattern: anonymous users are turned away before the record is looked up."""
    from django.urls import reverse

    values = {"code": "GZ-0001", "vin": "LGCAB12C0S8100000", "number": "AS-2026-0000001"}
    kwargs = {k: values.get(k, "1") for k in endpoint.kwargs}
    if "app_label" in kwargs:
        kwargs["app_label"] = "aftersales"
    return reverse(endpoint.name, kwargs=kwargs or None)


def test_anonymous_users_are_sent_to_login(client, db):
    before = fingerprint()
    problems = []
    for endpoint in [e for e in ENDPOINTS if e.name and not e.is_public]:
        for method in (client.get, client.post):
            response = method(_sample_url(endpoint))
            if response.status_code != 302 or not response["Location"].startswith(LOGIN_PATHS):
                problems.append(f"{method.__name__.upper()} {endpoint.name}: {response.status_code}")
    assert not problems
    assert not changed_tables(before, fingerprint())


def test_post_without_csrf_token_is_refused_and_changes_nothing(hq_user, store):
    """Every URL, HQ (who reaches everything): the CSRF check runs before any view, whatever the role."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(hq_user)
    urls = []
    for endpoint in [e for e in ENDPOINTS if e.name]:
        spec = spec_for(endpoint) if endpoint.kwargs and not endpoint.is_admin else None
        urls.append((endpoint, endpoint.url(**spec.make(store)) if spec else _sample_url(endpoint), spec))
    before = fingerprint()
    problems = []
    for endpoint, url, spec in urls:
        response = client.post(url, spec.post if spec else {"action": "cancel"})
        if response.status_code != 403:
            problems.append(f"{endpoint.name}: {response.status_code}")
    assert not problems, problems
    assert not changed_tables(before, fingerprint())


@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS + PLAIN_ENDPOINTS, ids=lambda e: e.name)
def test_get_changes_nothing(endpoint, users, store):
    """Every state change is a POST: a GET (a link, a prefetch, a crawler) writes nothing but audit logs."""
    spec = spec_for(endpoint) if endpoint.kwargs else None
    url = endpoint.url(**spec.make(store)) if spec else endpoint.url()
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        before = fingerprint()
        response = client.get(url)
        assert response.status_code < 500, role
        assert not changed_tables(before, fingerprint()), f"{endpoint.name} as {role}"


def _admin_model(endpoint):
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if endpoint.name.startswith(prefix):
            return model
    return None


def _admin_url(endpoint) -> tuple[str, bool]:
    """The URL, and whether it names an existing record (a missing one redirects to the index)."""
    model = _admin_model(endpoint)
    kwargs, exists = {}, True
    for name in endpoint.kwargs:
        if name in ("object_id", "id"):
            record = model._base_manager.order_by("pk").first() if model else None
            kwargs[name] = str(record.pk) if record else "1"
            exists = record is not None
        elif name == "app_label":
            kwargs[name] = "aftersales"
        else:
            kwargs[name] = "1"
    return endpoint.url(**kwargs), exists


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_hq_only(role, users, store):
    """Every admin URL: non-HQ users, even with is_staff set, go to the admin login; HQ gets the pages."""
    from .records import attachment_record, drive_record, order_record, storeless_ticket_record

    for make in (attachment_record, order_record, storeless_ticket_record, drive_record):
        make(store)
    user = users[role]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    before = fingerprint()
    problems = []
    for endpoint in ADMIN_ENDPOINTS:
        url, exists = _admin_url(endpoint)
        response = client.get(url)
        if role != Role.HQ:
            if endpoint.name == "admin:logout":
                continue  # POST-only and harmless
            if response.status_code != 302 or not response["Location"].startswith("/admin/login/"):
                problems.append(f"{endpoint.name}: {response.status_code}")
        elif response.status_code >= 500 or (
            (endpoint.name == "admin:index" or endpoint.name.endswith(("_changelist", "_change")))
            and exists
            and response.status_code != 200
        ):
            problems.append(f"{endpoint.name}: {response.status_code}")
    assert not problems, problems
    assert not changed_tables(before, fingerprint())


def test_lists_and_pages_show_nothing_out_of_reach(users, store, other_store):
    """Every page without arguments (lists, forms, dashboards), each role below HQ: another province's
    tickets, orders, test drives and vehicles appear nowhere, not even as a number or a VIN."""
    from aftersales.models import Ticket
    from sales.models import Order, TestDrive, Vehicle

    from .records import drive_record, order_record, ticket_record, vehicle_record

    ticket = Ticket.objects.get(**ticket_record(other_store))
    order = Order.objects.get(**order_record(other_store))
    drive = TestDrive.objects.get(**drive_record(other_store))
    vehicle = Vehicle.objects.get(**vehicle_record(other_store))
    secrets = {
        ticket.number: "ticket",
        ticket.vehicle.vin: "ticket's VIN",
        order.number: "order",
        order.customer.phone: "order customer's phone",
        drive.customer.phone: "test-drive customer's phone",
        vehicle.vin: "vehicle",
    }
    problems = []
    for role in (Role.STAFF, Role.MANAGER, Role.REGIONAL):
        client = Client()
        client.force_login(users[role])
        for endpoint in PLAIN_ENDPOINTS:
            response = client.get(endpoint.url())
            if response.status_code != 200:
                continue
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            problems += [f"{endpoint.name} as {role} shows {what}" for s, what in secrets.items() if s in body]
    assert not problems, problems


# --- actions: every state-changing POST x every role, on a record in reach ---------------------
# The outcome each role must get, written out by hand (never read from stores.policy, so that a
# policy gone wrong fails here): staff, manager, regional, HQ.
D, R = DONE, REJECTED
EXPECTED = {
    "ticket.work": (D, D, D, D),
    "ticket.cancel": (403, D, D, D),
    "ticket.close": (403, D, D, D),
    "ticket.reopen": (403, D, D, D),
    "ticket.comment": (D, D, D, D),  # on a closed ticket: comments only
    "ticket.take": (D, D, R, R),  # regional and HQ work at no store
    "ticket.assign_others": (403, D, D, D),
    "ticket.prioritise": (403, D, D, D),
    "ticket.set_payer": (403, 403, 403, D),
    "ticket.set_component": (D, D, D, D),
    "ticket.attach": (D, D, D, D),
    "ticket.finished.component": (R, R, R, R),  # nobody edits a finished record, not even HQ
    "ticket.finished.attach": (R, R, R, R),
    "ticket.bulk.cancel": (R, D, D, D),  # staff: skipped, with the reason
    "ticket.bulk.unassign": (R, R, R, R),  # an empty assignee is refused, never unassigns
    "ticket.create": (D, D, D, D),
    "ticket.place_unassigned": (404, 404, D, D),
    "recall.create": (404, 404, 404, D),
    "recall.launch": (404, 404, 404, D),
    "order.create": (D, D, D, D),
    "order.pay": (D, D, D, D),
    "order.release_unpaid": (R, R, R, R),  # "release vehicle" on a new order must not make it paid
    "order.cancel_delivered": (R, R, R, R),
    "testdrive.create": (D, D, D, D),
    "testdrive.confirm": (D, D, D, D),
    "testdrive.cancel_completed": (R, R, R, R),
    "testdrive.dispatch": (403, 403, 403, 403),  # the dispatcher's move, not a person's
}


def test_every_post_url_is_probed_or_takes_no_post(users, store):
    """A new URL must be added to records.ACTION_PROBES (and EXPECTED here) or to NO_POST, whose
    pages answer a POST with 405 or at least change nothing with it."""
    probed = {probe.url_name for probe in ACTION_PROBES.values()}
    names = {e.name for e in APP_ENDPOINTS if e.name not in PUBLIC | ACCOUNT}
    assert names - probed - NO_POST == set(), "probe these in tests/security/records.py"
    assert set(EXPECTED) == set(ACTION_PROBES)
    client = Client()
    client.force_login(users[Role.HQ])
    for endpoint in [e for e in APP_ENDPOINTS if e.name in NO_POST]:
        spec = spec_for(endpoint) if endpoint.kwargs else None
        url = endpoint.url(**spec.make(store)) if spec else endpoint.url()
        before = fingerprint()
        response = client.post(url)
        assert response.status_code == 405 or not changed_tables(before, fingerprint()), endpoint.name


@pytest.mark.parametrize("name", sorted(ACTION_PROBES))
def test_action_answers_each_role_as_the_table_says(name, users, store, django_capture_on_commit_callbacks):
    problems = []
    for role, expected in zip(ROLES, EXPECTED[name], strict=True):
        client = Client()
        client.force_login(users[role])
        with django_capture_on_commit_callbacks(execute=True):
            cases = check_action(name, ACTION_PROBES[name], role, client, home=store, expected=expected)
        problems += cases.problems
    assert not problems, "\n".join(problems)


def test_the_action_matrix_catches_a_wrong_policy(monkeypatch, users, store):
    """A policy letting staff cancel tickets fails the table (which does not read the policy)."""
    import rules

    from stores import policy

    monkeypatch.setitem(policy.RULES, "ticket.cancel", rules.always_allow)
    client = Client()
    client.force_login(users[Role.STAFF])
    cases = check_action("ticket.cancel", ACTION_PROBES["ticket.cancel"], Role.STAFF, client, home=store, expected=403)
    assert any("expected 403" in problem for problem in cases.problems)
